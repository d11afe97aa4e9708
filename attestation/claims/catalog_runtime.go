package claims

// Runtime-claims fields OpenHCL writes today beyond the original set (protocol §18, from
// openvmm's igvm_attest/get.rs runtime_claims and underhill_core/worker.rs). None of the
// stored 2022-2024 vectors carries them; Microsoft's own verifier added them as optional.
// [UNSURE] keys seen only in unmerged or third-party code (ipmi-enabled, tpm-version,
// key-release-context-hash) are not catalogued: they show as unknown keys, never dropped.
func runtimeNewEntries() []Entry {
	return []Entry{
		info("interactive-console-enabled",
			"Whether someone on the host side can type into the VM's serial console: the console is enabled (COM1/COM2 or their VMBus redirectors) and the host did not restrict it to transmit-only. Newer paravisors only; SEV-SNP hosts may omit it.",
			"호스트 쪽에서 VM의 직렬 콘솔에 입력할 수 있는지 여부입니다. 콘솔이 켜져 있고(COM1/COM2 또는 그 VMBus 리디렉터) 호스트가 송신 전용으로 제한하지 않은 경우입니다. 새 패러바이저만 보내며, SEV-SNP 호스트에서는 빠질 수 있습니다."),
		info("vmgs-provisioner",
			"Who provisioned the VM guest state file (VMGS) this VM booted with, from a signed provenance token stored in the VMGS; present only when there is one.",
			"이 VM이 부팅에 쓴 VM 게스트 상태 파일(VMGS)을 누가 준비했는지 나타내며, VMGS에 저장된 서명된 출처 토큰에서 읽습니다. 그런 토큰이 있을 때만 나타납니다."),
		info("vmgs-provisioner.id",
			"GUID of the VMGS the provenance token describes.",
			"출처 토큰이 설명하는 VMGS의 GUID입니다."),
		info("vmgs-provisioner.signer",
			"Signer of the provenance token as a DID: did:x509:0:sha256:<SHA-256 of the root certificate, hex>:subject:<leaf certificate CN>.",
			"출처 토큰의 서명자를 DID로 나타낸 값입니다: did:x509:0:sha256:<루트 인증서의 SHA-256, hex>:subject:<리프 인증서 CN>."),
		entry("hardware-sealing-policy",
			"How the VM guest state (VMGS) key is sealed to the hardware: \"hash\" mixes the launch measurement into the key (the state opens only for the same paravisor and configuration), \"signer\" ties it to the image signer (updates keep it open), \"none\" does not seal it to the hardware.",
			"\"hash\" or \"signer\" on a CVM with hardware-sealed guest state; \"none\" otherwise",
			"\"none\" on a CVM means the guest state key is not bound to the hardware measurement; ask whether the VM uses host-managed guest state encryption on purpose.",
			"VM 게스트 상태(VMGS) 키를 하드웨어에 봉인하는 방식입니다. \"hash\"는 시작 측정값을 키에 섞어 같은 패러바이저와 구성에서만 상태가 열리고, \"signer\"는 이미지 서명자에 묶어 업데이트 후에도 열리며, \"none\"은 하드웨어에 봉인하지 않습니다.",
			"하드웨어로 봉인된 게스트 상태를 쓰는 CVM에서는 \"hash\" 또는 \"signer\", 그 밖에는 \"none\"",
			"CVM에서 \"none\"이면 게스트 상태 키가 하드웨어 측정값에 묶여 있지 않습니다. 호스트가 관리하는 게스트 상태 암호화를 의도해서 쓰는지 확인합니다."),
	}
}

// addRuntimeNewBoolTexts adds the value texts of the boolean claims above (boolTexts builds
// the table).
func addRuntimeNewBoolTexts(boolTexts map[string]boolText) {
	boolTexts["interactive-console-enabled"] = boolText{
		"The host can type into the VM's serial console (console enabled, not transmit-only).", "호스트가 VM의 직렬 콘솔에 입력할 수 있습니다(콘솔이 켜져 있고 송신 전용이 아님).",
		"Nobody on the host side can type into the VM's serial console (off or transmit-only).", "호스트 쪽에서 VM의 직렬 콘솔에 입력할 수 없습니다(꺼져 있거나 송신 전용)."}
}
