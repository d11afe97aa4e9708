package claims

import "sync"

// Shared wording for claims that only inform: the UI shows them, no verdict rests on them.
const (
	anyEN      = "any"
	anyKO      = "제한 없음 (정보 제공용)"
	infoOnlyEN = "Informational; no verdict rests on this value alone."
	infoOnlyKO = "정보 제공용이며, 이 값만으로 판정하지 않습니다."
)

func info(name, meaning, meaningKO string) Entry {
	return Entry{Name: name, Meaning: meaning, Healthy: anyEN, IfUnexpected: infoOnlyEN,
		MeaningKO: meaningKO, HealthyKO: anyKO, IfUnexpectedKO: infoOnlyKO}
}

func entry(name, meaning, healthy, ifUnexpected, meaningKO, healthyKO, ifUnexpectedKO string) Entry {
	return Entry{name, meaning, healthy, ifUnexpected, meaningKO, healthyKO, ifUnexpectedKO}
}

// pinnable is an informational measurement a relying party may pin in its own policy.
func pinnable(name, meaning, meaningKO string) Entry {
	return Entry{Name: name, Meaning: meaning, Healthy: "any; pin it with --expect if your policy requires a known value",
		IfUnexpected: "Only meaningful against a value you pinned: a different value means different code or configuration than the one you approved.",
		MeaningKO:    meaningKO, HealthyKO: "제한 없음; 정책상 특정 값이 필요하면 --expect로 고정합니다",
		IfUnexpectedKO: "고정해 둔 값이 있을 때만 의미가 있습니다. 값이 다르면 승인한 것과 다른 코드나 구성입니다."}
}

func standardEntries() []Entry {
	return []Entry{
		entry("iss",
			"Token issuer: the MAA provider that signed the token, as scheme and host without a trailing slash.",
			"exactly the provider you called, e.g. https://sharedkrc.krc.attest.azure.net",
			"The token comes from another provider, which may share signing keys but enforce a different policy: reject it.",
			"토큰 발급자: 토큰에 서명한 MAA 공급자의 URL(스킴과 호스트, 끝의 슬래시 없음)입니다.",
			"호출한 공급자와 정확히 같은 값 (예: https://sharedkrc.krc.attest.azure.net)",
			"다른 공급자가 발급한 토큰입니다. 서명 키는 같아도 정책이 다를 수 있으므로 토큰을 거부합니다."),
		entry("iat",
			"Issued-at time (Unix seconds) when MAA created the token.",
			"in the recent past",
			"A time in the future means a clock problem on this machine or at the issuer; check NTP.",
			"MAA가 토큰을 발급한 시각(Unix 초)입니다.",
			"가까운 과거",
			"미래 시각이면 이 머신이나 발급자의 시계가 어긋난 것입니다. NTP 동기화를 확인합니다."),
		entry("nbf",
			"Not-before time (Unix seconds); MAA sets it equal to iat.",
			"not after now (60 s leeway)",
			"The token is not yet valid: usually clock skew between this machine and MAA. Check NTP.",
			"토큰 유효기간의 시작 시각(Unix 초)입니다. MAA는 iat와 같은 값으로 설정합니다.",
			"현재 시각 이전 (허용 오차 60초)",
			"아직 유효하지 않은 토큰입니다. 대개 이 머신과 MAA 사이의 시계 차이 때문이므로 NTP를 확인합니다."),
		entry("exp",
			"Expiry time (Unix seconds); MAA tokens live 8 hours after iat.",
			"in the future",
			"The token has expired: attest again to get a fresh one, never accept an expired token.",
			"토큰 유효기간의 만료 시각(Unix 초)입니다. MAA 토큰은 iat로부터 8시간 동안 유효합니다.",
			"미래 시각",
			"만료된 토큰입니다. 다시 증명하여 새 토큰을 받습니다. 만료된 토큰은 받아들이면 안 됩니다."),
		info("jti", "Unique token id (64 hex characters) chosen by MAA; useful for logs and replay detection.",
			"MAA가 부여한 토큰 고유 ID(16진수 64자)입니다. 로그 기록과 재사용 탐지에 쓸 수 있습니다."),
		entry("x-ms-ver",
			"MAA token schema version.",
			"1.0",
			"Another schema may give claims other meanings; cvmscope's explanations may not apply.",
			"MAA 토큰 스키마 버전입니다.",
			"1.0",
			"다른 스키마에서는 클레임의 의미가 다를 수 있으며, cvmscope의 설명이 맞지 않을 수 있습니다."),
		entry("x-ms-attestation-type",
			"What MAA attested: azurevm (guest attestation of a CVM or Trusted Launch VM through its vTPM), sevsnpvm or tdxvm (platform attestation of the hardware report only), sgx (an SGX enclave).",
			"azurevm for guest attestation; sevsnpvm or tdxvm for platform attestation",
			"Any other type is not an Azure VM token and says nothing about this VM.",
			"MAA가 증명한 대상의 유형입니다. azurevm(vTPM을 통한 CVM 또는 Trusted Launch VM의 게스트 증명), sevsnpvm·tdxvm(하드웨어 보고서만 사용하는 플랫폼 증명), sgx(SGX 엔클레이브)가 있습니다.",
			"게스트 증명은 azurevm, 플랫폼 증명은 sevsnpvm 또는 tdxvm",
			"그 밖의 유형은 Azure VM 토큰이 아니며 이 VM에 대해 아무것도 증명하지 않습니다."),
		entry("x-ms-compliance-status",
			"MAA's verdict on the hardware evidence: azure-compliant-cvm means the host, firmware and paravisor are those of a genuine, healthy Azure Confidential VM.",
			"azure-compliant-cvm",
			"MAA did not judge the platform a compliant Azure CVM: do not release secrets to this VM.",
			"하드웨어 증거에 대한 MAA의 판정입니다. azure-compliant-cvm은 호스트, 펌웨어, 패러바이저가 정상적인 정품 Azure Confidential VM(기밀 VM)의 것임을 뜻합니다.",
			"azure-compliant-cvm",
			"MAA가 규정 준수(compliant) Azure CVM으로 판정하지 않았습니다. 이 VM에 비밀 정보를 넘기지 않습니다."),
		pinnable("x-ms-policy-hash",
			"Hash of the attestation policy MAA evaluated: base64url(SHA-256(policy text as sent)). The default shared-provider AzureGuest policy gives wm9mHlvTU82e8UqoOy1Yj1FBRSNkfe99-69IYDq9eWs.",
			"MAA가 평가한 증명 정책의 해시(정책 텍스트의 SHA-256, base64url)입니다. 공유 공급자의 기본 AzureGuest 정책 값은 wm9mHlvTU82e8UqoOy1Yj1FBRSNkfe99-69IYDq9eWs입니다."),
		info("x-ms-policy-signer", "JWK of the key that signed a custom attestation policy (signed policies only).",
			"사용자 지정 증명 정책에 서명한 키의 JWK입니다(서명된 정책에서만 나타남)."),
		info("x-ms-policy", "Claims added by the attestation policy's issuance rules (seen in SGX tokens).",
			"증명 정책의 발급 규칙이 추가한 클레임 묶음입니다(SGX 토큰에서 볼 수 있음)."),
		info("x-ms-runtime", "Runtime data MAA received with the evidence. In AzureGuest tokens: the client payload and the TPM ephemeral encryption key; in platform tokens: the paravisor's runtime claims (keys, vm-configuration, user-data).",
			"증거와 함께 MAA에 전달된 런타임 데이터입니다. AzureGuest 토큰에서는 클라이언트 페이로드와 TPM 임시 암호화 키를, 플랫폼 토큰에서는 패러바이저의 런타임 클레임(keys, vm-configuration, user-data)을 담습니다."),
		info("x-ms-inittime", "Init-time data sent with platform attestation (initTimeData), parsed as claims.",
			"플랫폼 증명 요청의 initTimeData를 클레임으로 변환한 것입니다."),
		entry("nonce",
			"Untransformed copy of the nonce sent to a platform endpoint (SevSnpVm, TdxVm).",
			"the nonce you sent",
			"A different nonce means the token answers another request: it may be replayed. Reject it.",
			"플랫폼 엔드포인트(SevSnpVm, TdxVm)에 보낸 논스(nonce)를 그대로 복사한 값입니다.",
			"보낸 논스와 같은 값",
			"논스가 다르면 다른 요청에 대한 토큰이며 재사용된 것일 수 있습니다. 거부합니다."),
		info("rp_data", "Deprecated: relying-party data echoed from the request.",
			"사용 중단됨: 요청에 포함된 신뢰 당사자(relying party) 데이터를 되돌려 준 값입니다."),
	}
}

// deprecatedAliases maps old claim names MAA still emits to the current claim.
// Built on first use, not at init, as catalog is.
var deprecatedAliases = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"ver":                       "x-ms-ver",
		"policy_hash":               "x-ms-policy-hash",
		"maa-policyHash":            "x-ms-policy-hash",
		"policy_signer":             "x-ms-policy-signer",
		"is-debuggable":             "x-ms-sgx-is-debuggable",
		"product-id":                "x-ms-sgx-product-id",
		"sgx-mrenclave":             "x-ms-sgx-mrenclave",
		"sgx-mrsigner":              "x-ms-sgx-mrsigner",
		"svn":                       "x-ms-sgx-svn",
		"maa-ehd":                   "x-ms-sgx-ehd",
		"aas-ehd":                   "x-ms-sgx-ehd",
		"maa-attestationcollateral": "x-ms-sgx-collateral",
	}
})

func runtimeEntries() []Entry {
	return []Entry{
		info("x-ms-isolation-tee.x-ms-runtime", "The paravisor's (HCL) runtime claims, whose hash is in the hardware report's REPORT_DATA: keys (vTPM AK and EK), vm-configuration and user-data.",
			"패러바이저(HCL)의 런타임 클레임입니다. 이 값의 해시가 하드웨어 보고서의 REPORT_DATA에 들어 있으며, keys(vTPM AK와 EK), vm-configuration, user-data를 담습니다."),
		info("keys", "Public keys as JWKs. In the paravisor's claims: HCLAkPub (the vTPM attestation key that signs quotes) and HCLEkPub (endorsement key). In the top-level AzureGuest x-ms-runtime: TpmEphemeralEncryptionKey, the PCR-bound TPM key that Key Vault secure key release wraps secrets to.",
			"JWK 형식의 공개 키입니다. 패러바이저 클레임에서는 HCLAkPub(쿼트에 서명하는 vTPM 증명 키)와 HCLEkPub(보증 키)이며, AzureGuest 최상위 x-ms-runtime에서는 TpmEphemeralEncryptionKey(PCR에 묶인 TPM 키로, Key Vault 보안 키 릴리스가 비밀을 이 키로 암호화함)입니다."),
		entry("user-data",
			"64 bytes the guest wrote to vTPM NV index 0x01400002 before the report was made, as upper-case hex; binds a caller's nonce to the hardware report.",
			"the hex of the bytes you wrote (all zeros in the report made at boot)",
			"Different bytes mean the report was not made after your write: it is stale or replayed.",
			"보고서 생성 전에 게스트가 vTPM NV 인덱스 0x01400002에 쓴 64바이트(대문자 16진수)입니다. 호출자의 논스를 하드웨어 보고서에 묶어 줍니다.",
			"직접 쓴 바이트의 16진수 값 (부팅 시 만든 보고서는 모두 0)",
			"값이 다르면 쓰기 이후에 만든 보고서가 아닙니다. 오래되었거나 재사용된 보고서입니다."),
		info("client-payload", "Key/value pairs the client sent in ClientPayload, echoed by MAA with each value still base64-encoded.",
			"클라이언트가 ClientPayload로 보낸 키/값 쌍이며, MAA가 각 값을 base64로 인코딩된 그대로 되돌려 줍니다."),
		entry("client-payload.nonce",
			"The nonce the client sent, base64-encoded (nonce 1234 appears as MTIzNA==).",
			"base64 of the nonce you sent",
			"A different value means the token answers another request: it may be replayed. Reject it.",
			"클라이언트가 보낸 논스를 base64로 인코딩한 값입니다(논스 1234는 MTIzNA==로 나타남).",
			"보낸 논스의 base64 값",
			"값이 다르면 다른 요청에 대한 토큰이며 재사용된 것일 수 있습니다. 거부합니다."),
		info("client-payload.*", "A caller-chosen ClientPayload entry, echoed base64-encoded.",
			"호출자가 정한 ClientPayload 항목이며, base64로 인코딩된 채 되돌아옵니다."),
		info("vm-configuration", "VM settings the paravisor reports from the VM's configuration.",
			"패러바이저가 VM 구성에서 읽어 보고하는 설정 값입니다."),
		info("console-enabled", "Whether a serial console is enabled for the VM: COM1 or COM2, or their VMBus redirectors. Whether the host may also type into it is interactive-console-enabled.",
			"VM의 직렬 콘솔(COM1, COM2 또는 그 VMBus 리디렉터) 사용 여부입니다. 호스트가 입력까지 할 수 있는지는 interactive-console-enabled가 나타냅니다."),
		info("current-time", "Host clock (Unix seconds) when the report was made; the paravisor sets it only for key-release requests, and older paravisors for every report.",
			"보고서 생성 시점의 호스트 시계(Unix 초)입니다. 패러바이저는 키 해제 요청에만 이 값을 넣으며, 이전 버전의 패러바이저는 모든 보고서에 넣었습니다."),
		info("root-cert-thumbprint", "Thumbprint of the root certificate the paravisor was configured with; may be empty.",
			"패러바이저에 구성된 루트 인증서의 지문입니다. 비어 있을 수 있습니다."),
		entry("secure-boot",
			"Whether UEFI Secure Boot is enabled in the VM configuration.",
			"true",
			"Secure Boot is off: unsigned boot components can run, and the default AzureGuest policy denies such VMs.",
			"VM 구성에서 UEFI 보안 부팅(Secure Boot)이 켜져 있는지 여부입니다.",
			"true",
			"보안 부팅이 꺼져 있어 서명되지 않은 부팅 구성 요소가 실행될 수 있습니다. 기본 AzureGuest 정책은 이런 VM을 거부합니다."),
		info("secure-boot-template-id", "GUID of the Secure Boot key template the VM was created with.",
			"VM 생성 시 적용된 보안 부팅 키 템플릿의 GUID입니다."),
		entry("tpm-enabled",
			"Whether the vTPM is enabled.",
			"true",
			"Without a vTPM there is no measured boot and no guest attestation.",
			"vTPM 사용 여부입니다.",
			"true",
			"vTPM이 없으면 측정 부팅과 게스트 증명을 할 수 없습니다."),
		info("tpm-persisted", "Legacy name: true when the paravisor runs in stateful mode (attestation not suppressed); it does not say whether the vTPM state is persisted.",
			"이전부터 쓰던 이름입니다. 패러바이저가 상태 유지 모드로 실행될 때(증명이 억제되지 않음) true이며, vTPM 상태가 저장되는지를 나타내지는 않습니다."),
		info("filtered-vpci-devices-allowed", "Whether filtered virtual PCI devices may be assigned to the VM: the VMBus relay is on, vPCI boot is enabled and the VM is isolated. SEV-SNP hosts may omit it.",
			"필터링된 가상 PCI 장치를 VM에 할당할 수 있는지 여부입니다. VMBus 릴레이가 켜져 있고, vPCI 부팅이 가능하며, VM이 격리된 경우입니다. SEV-SNP 호스트에서는 빠질 수 있습니다."),
		info("vmUniqueId", "The VM's unique id (upper-case GUID); equals x-ms-azurevm-vmid.",
			"VM 고유 ID(대문자 GUID)이며 x-ms-azurevm-vmid와 같습니다."),
	}
}

func isolationEntries() []Entry {
	return []Entry{
		entry("x-ms-isolation-tee",
			"MAA's findings about the hardware TEE (SEV-SNP or TDX) behind the VM; present only for Confidential VMs.",
			"present, for a Confidential VM",
			"Absent: a Trusted Launch VM (vTPM only, no hardware memory encryption) or a platform token. A CVM check must require it.",
			"VM의 하드웨어 신뢰 실행 환경(TEE, SEV-SNP 또는 TDX)에 대한 MAA의 검증 결과입니다. Confidential VM에만 있습니다.",
			"Confidential VM이면 존재",
			"없으면 Trusted Launch VM(vTPM만 있고 하드웨어 메모리 암호화 없음)이거나 플랫폼 토큰입니다. CVM 검증에서는 반드시 있어야 합니다."),
		entry("x-ms-isolation-tee.x-ms-attestation-type",
			"The hardware TEE MAA verified for this Confidential VM.",
			"sevsnpvm (AMD SEV-SNP) or tdxvm (Intel TDX)",
			"Any other value is not an Azure CVM TEE.",
			"MAA가 이 Confidential VM에 대해 검증한 하드웨어 TEE입니다.",
			"sevsnpvm (AMD SEV-SNP) 또는 tdxvm (Intel TDX)",
			"다른 값이면 Azure CVM의 TEE가 아닙니다."),
	}
}
