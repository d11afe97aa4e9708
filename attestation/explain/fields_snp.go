package explain

import (
	"sync"

	"github.com/cvmscope/cvmscope/attestation/present"
)

var snpFields = sync.OnceValue(func() map[string]present.Text {
	m := map[string]present.Text{
		"version": t("Report format version (2 on Milan, 3 and later carry the CPU family and model).",
			"보고서 형식 버전입니다(Milan은 2, 3 이상은 CPU 패밀리와 모델을 포함합니다)."),
		"guest_svn": t("Security version of the guest image, set when it was launched; on Azure the paravisor's.",
			"시작 시 정해진 게스트 이미지의 보안 버전(SVN)으로, Azure에서는 패러바이저의 것입니다."),
		"policy": t("Guest policy the VM was launched with: what the host and the VM are allowed to do.",
			"VM 시작 시 지정된 게스트 정책으로, 호스트와 VM이 할 수 있는 일을 정합니다."),
		"policy.abi_minor": t("Lowest SEV firmware ABI minor version the guest accepts.", "게스트가 허용하는 최소 SEV 펌웨어 ABI 부 버전입니다."),
		"policy.abi_major": t("Lowest SEV firmware ABI major version the guest accepts.", "게스트가 허용하는 최소 SEV 펌웨어 ABI 주 버전입니다."),
		"policy.smt_allowed": t("Whether simultaneous multithreading may be on; allowed on Azure.",
			"동시 멀티스레딩(SMT)을 켤 수 있는지 여부입니다. Azure에서는 허용됩니다."),
		"policy.migrate_ma": t("Whether a migration agent may move the VM; must be false.",
			"마이그레이션 에이전트가 VM을 옮길 수 있는지 여부로, false여야 합니다."),
		"policy.debug": t("Whether the host may debug the guest, i.e. decrypt its memory: must be false for a confidential VM.",
			"호스트가 게스트를 디버그, 즉 메모리를 복호화할 수 있는지 여부입니다. 기밀 VM이라면 false여야 합니다."),
		"policy.single_socket": t("Whether the guest may run on one socket only.", "게스트가 하나의 소켓에서만 실행되도록 제한하는지 여부입니다."),
		"family_id":            t("Family ID given at launch; identifies the paravisor (HCL) family.", "시작 시 지정된 패밀리 ID로, 패러바이저(HCL) 계열을 나타냅니다."),
		"image_id":             t("Image ID given at launch; identifies the paravisor image.", "시작 시 지정된 이미지 ID로, 패러바이저 이미지를 나타냅니다."),
		"vmpl": t("VM privilege level that requested the report; 0 is the paravisor, the most privileged level.",
			"보고서를 요청한 VM 권한 수준(VMPL)입니다. 0은 가장 높은 권한인 패러바이저입니다."),
		"signature_algo":            t("Signature algorithm of the report: 1 = ECDSA P-384 with SHA-384.", "보고서의 서명 알고리즘: 1 = ECDSA P-384, SHA-384."),
		"platform_info":             t("Platform settings when the report was made.", "보고서를 만들 때의 플랫폼 설정입니다."),
		"platform_info.smt_enabled": t("Simultaneous multithreading is on in the host.", "호스트에서 동시 멀티스레딩(SMT)이 켜져 있습니다."),
		"platform_info.tsme_enabled": t("Transparent memory encryption of the whole system is on.",
			"시스템 전체의 투명 메모리 암호화(TSME)가 켜져 있습니다."),
		"platform_info.ecc_enabled":   t("The platform uses error-correcting memory.", "플랫폼이 오류 정정(ECC) 메모리를 씁니다."),
		"platform_info.rapl_disabled": t("Power reporting (RAPL) is off, closing a power side channel.", "전력 보고(RAPL)가 꺼져 전력 부채널이 막혀 있습니다."),
		"platform_info.ciphertext_hiding_enabled": t("Ciphertext hiding is on: the host cannot read the encrypted memory's ciphertext.",
			"암호문 숨김이 켜져 있어 호스트가 암호화된 메모리의 암호문을 읽을 수 없습니다."),
		"platform_info.alias_check_complete": t("The firmware checked the memory for aliases since the last update.",
			"마지막 업데이트 이후 펌웨어가 메모리 별칭 검사를 마쳤습니다."),
		"platform_info.tio_enabled": t("Trusted I/O (SEV-TIO) is on.", "신뢰 I/O(SEV-TIO)가 켜져 있습니다."),
		"key_info.author_key_en": t("Whether an author key signed the ID key (author_key_digest is then set).",
			"작성자 키가 ID 키에 서명했는지 여부입니다(그렇다면 author_key_digest가 채워집니다)."),
		"key_info.mask_chip_key": t("Whether the chip key is masked (the report then carries no usable signature).",
			"칩 키가 가려졌는지 여부입니다(그렇다면 보고서에 쓸 수 있는 서명이 없습니다)."),
		"key_info.signing_key": t("Which key signed the report: the chip's VCEK, a cloud VLEK, or none.",
			"보고서에 서명한 키: 칩의 VCEK, 클라우드의 VLEK, 또는 없음."),
		"report_data": t("64 bytes the guest put into the report. On Azure: the SHA-256 of the runtime claims, then zeros, which binds the vTPM keys to this report.",
			"게스트가 보고서에 넣은 64바이트입니다. Azure에서는 런타임 클레임의 SHA-256 뒤에 0이 이어지며, vTPM 키를 이 보고서에 묶습니다."),
		"measurement": t("Launch measurement (SHA-384) of the initial guest memory taken by the AMD secure processor: on Azure the paravisor and UEFI firmware, not your OS.",
			"AMD 보안 프로세서가 계산한 초기 게스트 메모리의 시작 측정값(SHA-384)입니다. Azure에서는 OS가 아니라 패러바이저와 UEFI 펌웨어입니다."),
		"host_data": t("32 bytes the host chose at launch, bound into the report.", "호스트가 시작 시 정해 보고서에 포함된 32바이트입니다."),
		"id_key_digest": t("SHA-384 of the ID key that signed the launch: Microsoft's firmware signer.",
			"VM 시작에 서명한 ID 키의 SHA-384로, Microsoft의 펌웨어 서명자입니다."),
		"author_key_digest": t("SHA-384 of the author key that signed the ID key; zero when none.",
			"ID 키에 서명한 작성자 키의 SHA-384입니다. 없으면 0입니다."),
		"report_id":    t("Identifies this guest for its lifetime.", "이 게스트를 수명 동안 식별하는 ID입니다."),
		"report_id_ma": t("Report ID of the migration agent; all ones when there is none.", "마이그레이션 에이전트의 보고서 ID로, 없으면 모두 1입니다."),
		"cpuid_fam_mod_step": t("CPU family, model and stepping, which name the processor line (Milan, Genoa, Turin).",
			"CPU 패밀리·모델·스테핑으로, 프로세서 계열(Milan, Genoa, Turin)을 나타냅니다."),
		"chip_id": t("Unique ID of the processor; with the reported TCB it selects the VCEK to fetch.",
			"프로세서의 고유 ID입니다. 보고된 TCB와 함께 받아야 할 VCEK를 정합니다."),
		"current_version":    t("SEV firmware version running now.", "현재 실행 중인 SEV 펌웨어 버전입니다."),
		"committed_version":  t("SEV firmware version committed (the lowest the platform may roll back to).", "커밋된 SEV 펌웨어 버전(롤백 가능한 최저 버전)입니다."),
		"launch_mit_vector":  t("Mitigations in force when the guest was launched.", "게스트 시작 시 적용된 완화 조치입니다."),
		"current_mit_vector": t("Mitigations in force now.", "현재 적용된 완화 조치입니다."),
		"signature.r": t("ECDSA signature, r component, by the VCEK over report bytes 0x000-0x29f.",
			"VCEK가 보고서 바이트 0x000-0x29f에 대해 만든 ECDSA 서명의 r 값입니다."),
		"signature.s": t("ECDSA signature, s component.", "ECDSA 서명의 s 값입니다."),
	}
	addSNPTCBFields(m)
	return m
})

// The four TCB versions share their components; their entries are composed here.
var (
	snpTCBs = []struct {
		name string
		txt  present.Text
	}{
		{"current_tcb", t("TCB (security versions of the firmware components) running now.", "현재 실행 중인 TCB(펌웨어 구성 요소의 보안 버전)입니다.")},
		{"reported_tcb", t("TCB the report claims; the VCEK is issued for this TCB, and MAA's SVN claims come from it.",
			"보고서가 주장하는 TCB입니다. VCEK는 이 TCB에 대해 발급되고, MAA의 SVN 클레임도 여기서 나옵니다.")},
		{"committed_tcb", t("TCB committed: the platform cannot roll back below it.", "커밋된 TCB로, 플랫폼이 이보다 낮게 롤백할 수 없습니다.")},
		{"launch_tcb", t("TCB when the guest was launched.", "게스트가 시작될 때의 TCB입니다.")},
	}
	snpTCBParts = []struct {
		name string
		txt  present.Text
	}{
		{"fmc", t("security version of the AMD firmware's first mutable code (Turin)", "AMD 펌웨어 첫 가변 코드(FMC)의 보안 버전(Turin)")},
		{"bootloader", t("security version of the AMD secure-processor bootloader", "AMD 보안 프로세서 부트로더의 보안 버전")},
		{"tee", t("security version of the secure processor's TEE OS", "보안 프로세서 TEE OS의 보안 버전")},
		{"snp", t("security version of the SEV-SNP firmware", "SEV-SNP 펌웨어의 보안 버전")},
		{"microcode", t("security version of the CPU microcode", "CPU 마이크로코드의 보안 버전")},
	}
)

// addSNPTCBFields adds the TCB fields and their parts to the SEV-SNP fields.
func addSNPTCBFields(snpFields map[string]present.Text) {
	for _, tcb := range snpTCBs {
		snpFields[tcb.name] = tcb.txt
		for _, p := range snpTCBParts {
			snpFields[tcb.name+"."+p.name] = t(
				upperFirst(p.txt.EN)+" in the "+tcb.name+". "+tcb.txt.EN,
				tcb.name+"의 "+p.txt.KO+"입니다. "+tcb.txt.KO)
		}
	}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
