package uitest

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// pcrs are the SHA-256 bank of an Azure SEV-SNP CVM's quote, as published in
// confidential-containers/trustee test data (VM 911B0EF8).
var pcrs = [24]string{
	"f3a7e99a5f819a034386bce753a48a73cfdaa0bea0ecfc124bedbf5a8c4799be",
	"b851a04a29f4296fa3cfd58da742ee5192b8acaf0afb3934d9a44df61bb4f981",
	"3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969",
	"3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969",
	"1d3b1cb141906329dd8ab09584214a88dffaf839ed14c8ef677a6bcf6ea27a02",
	"94debde32fd2164884da055c2b06415d73591582ac7941e1c99c35eb29b34c2f",
	"fb9413fbc3127f236b9e3a2bbd931b743374e3b1110ca3dce4e1e2e74608f30e",
	"32fe42b385b47cb22c906b8a7e4f134e9f2270818f90e94072d1101ef72f1c00",
	zeros, "72eb9de18027746fae973c2853114928fe780807cebc932abfb0e6116d148f47",
	"79a9cac94ef9877851fd5bbefe7aba3905b17d8afd426012fa94b31451dac15d", zeros,
	"f1a142c53586e7e2223ec74e5f4d1a4942956b1fd9ac78fafcdf85117aa345da", zeros,
	"e3991b7ddd47be7e92726a832d6874c5349b52b789fa0db8b558c69fea29574e", zeros, zeros,
	ffs, ffs, ffs, ffs, ffs, ffs, zeros,
}

var (
	zeros = strings.Repeat("00", 32)
	ffs   = strings.Repeat("ff", 32)
)

var pcrMeaning = [24]T{
	t("UEFI firmware code", "UEFI 펌웨어 코드"), t("firmware configuration", "펌웨어 설정"),
	t("option ROMs, drivers", "옵션 ROM, 드라이버"), t("option ROM config", "옵션 ROM 설정"),
	t("boot loader (shim, GRUB)", "부트로더 (shim, GRUB)"), t("GPT, boot loader config", "GPT, 부트로더 설정"),
	t("platform events", "플랫폼 이벤트"), t("Secure Boot policy", "보안 부팅 정책"),
	t("GRUB commands", "GRUB 명령"), t("kernel and initrd", "커널과 initrd"),
	t("IMA", "IMA"), t("unified kernel image", "통합 커널 이미지"), t("kernel command line", "커널 명령줄"),
	t("systemd-boot", "systemd-boot"), t("MOK certificates", "MOK 인증서"), t("unused", "사용 안 함"),
	t("debug", "디버그"), t("DRTM", "DRTM"), t("DRTM", "DRTM"), t("DRTM", "DRTM"), t("DRTM", "DRTM"),
	t("DRTM", "DRTM"), t("DRTM", "DRTM"), t("application", "응용 프로그램"),
}

func hexOf(seed string, n int) string {
	var b []byte
	for i := 0; len(b) < n; i++ {
		s := sha512.Sum512([]byte(fmt.Sprintf("%s/%d", seed, i)))
		b = append(b, s[:]...)
	}
	return hex.EncodeToString(b[:n])
}

// ReadReportPage is the test-data Read report page.
func ReadReportPage(nonce string, events int, secureBootOff bool) present.Page {
	userData := strings.Repeat("00", 64)
	if nonce != "" {
		s := sha512.Sum512([]byte(nonce))
		userData = strings.ToUpper(hex.EncodeToString(s[:]))
	}
	hdr := []present.Row{
		row("signature", "HCLA", check.Pass, t("Magic of an HCL attestation report in vTPM NV index 0x01400001.", "vTPM NV 인덱스 0x01400001에 있는 HCL 증명 보고서의 매직 값입니다.")),
		row("version", "1", "", t("HCL report format version.", "HCL 보고서 형식 버전입니다.")),
		row("report_size", "2600", "", t("Bytes of the whole NV index, padding included.", "패딩을 포함한 NV 인덱스 전체 바이트 수입니다.")),
		row("request_type", "2 (GetReport)", "", t("What the paravisor was asked for.", "파라바이저에 요청한 작업입니다.")),
		row("report_type", "2 (SNP)", "", t("The hardware report inside: AMD SEV-SNP.", "안에 든 하드웨어 보고서: AMD SEV-SNP.")),
	}
	snp := []present.Row{
		row("x-ms-sevsnpvm-reportdata", hexOf("rd", 32)+strings.Repeat("00", 32), check.Pass, t("REPORT_DATA: the SHA-256 of the runtime claims, then zeros. It binds the vTPM keys to this report.", "REPORT_DATA: 런타임 클레임의 SHA-256 뒤에 0이 이어집니다. vTPM 키를 이 보고서에 묶습니다.")),
		row("x-ms-sevsnpvm-launchmeasurement", hexOf("meas", 48), "", t("MEASUREMENT: hash of the initial guest memory (the paravisor firmware) taken by the AMD secure processor.", "MEASUREMENT: AMD 보안 프로세서가 계산한 초기 게스트 메모리(파라바이저 펌웨어)의 해시입니다.")),
		row("x-ms-sevsnpvm-hostdata", zeros, "", t("HOST_DATA: 32 bytes the host chose at launch; zero on Azure.", "HOST_DATA: 호스트가 시작 시 정한 32바이트. Azure에서는 0입니다.")),
		row("x-ms-sevsnpvm-idkeydigest", hexOf("idk", 48), "", t("Digest of the ID key that signed the launch digest.", "시작 다이제스트에 서명한 ID 키의 다이제스트입니다.")),
		row("x-ms-sevsnpvm-authorkeydigest", strings.Repeat("00", 48), "", t("Digest of the author key; zero when none.", "작성자 키의 다이제스트. 없으면 0입니다.")),
		row("x-ms-sevsnpvm-familyId", "01000000000000000000000000000000", "", t("FAMILY_ID of the guest image, set by Microsoft.", "Microsoft가 정한 게스트 이미지의 FAMILY_ID입니다.")),
		row("x-ms-sevsnpvm-imageId", "02000000000000000000000000000000", "", t("IMAGE_ID of the guest image.", "게스트 이미지의 IMAGE_ID입니다.")),
		row("x-ms-sevsnpvm-guestsvn", "7", "", t("Security version of the guest image.", "게스트 이미지의 보안 버전입니다.")),
		row("x-ms-sevsnpvm-policy", "0x3001f", check.Pass, t("Guest policy: SMT allowed, debugging and migration agent off, ABI ≥ 0.31.", "게스트 정책: SMT 허용, 디버깅과 마이그레이션 에이전트 꺼짐, ABI 0.31 이상.")),
		row("x-ms-sevsnpvm-is-debuggable", "false", check.Pass, t("A debuggable guest's memory can be read by the host: must be false.", "디버깅 가능한 게스트는 호스트가 메모리를 읽을 수 있으므로 false여야 합니다.")),
		row("x-ms-sevsnpvm-vmpl", "0", check.Pass, t("Privilege level that asked for the report: 0 is the paravisor.", "보고서를 요청한 권한 수준. 0은 파라바이저입니다.")),
		row("x-ms-sevsnpvm-bootloader-svn", "3", "", t("Reported TCB: AMD boot loader version.", "보고된 TCB: AMD 부트로더 버전.")),
		row("x-ms-sevsnpvm-tee-svn", "0", "", t("Reported TCB: PSP TEE version.", "보고된 TCB: PSP TEE 버전.")),
		row("x-ms-sevsnpvm-snpfw-svn", "8", "", t("Reported TCB: SNP firmware version.", "보고된 TCB: SNP 펌웨어 버전.")),
		row("x-ms-sevsnpvm-microcode-svn", "115", "", t("Reported TCB: CPU microcode version.", "보고된 TCB: CPU 마이크로코드 버전.")),
		row("x-ms-sevsnpvm-reportid", hexOf("rid", 32), "", t("REPORT_ID: identifies this guest for its lifetime.", "REPORT_ID: 이 게스트를 수명 동안 식별합니다.")),
		row("chip_id", hexOf("chip", 64), "", t("CHIP_ID: the processor, used to fetch its VCEK.", "CHIP_ID: 프로세서 식별자로, VCEK를 가져올 때 씁니다.")),
	}
	sbValue, sbVerdict := "true", check.Pass
	if secureBootOff {
		sbValue, sbVerdict = "false", check.Fail
	}
	sbRow := row("vm-configuration.secure-boot", sbValue, sbVerdict, t("Whether UEFI Secure Boot was on, as the paravisor saw it.", "파라바이저가 본 UEFI 보안 부팅 상태입니다."))
	if secureBootOff {
		sbRow.Hint = t("Enable Secure Boot for the VM and reboot; PCR 7 will then record the Secure Boot policy.", "VM의 보안 부팅을 켜고 다시 부팅합니다. 그러면 PCR 7에 보안 부팅 정책이 기록됩니다.")
		sbRow.Detail = "expected: true\nactual:   false"
	}
	claims := []present.Row{
		row("keys[0] HCLAkPub", "RSA-2048 kid HCLAkPub n="+hexOf("ak", 16)+"…", check.Pass, t("The vTPM attestation key; it signs the TPM quote.", "vTPM 증명 키로, TPM 쿼트에 서명합니다.")),
		row("keys[1] HCLEkPub", "RSA-2048 kid HCLEkPub n="+hexOf("ek", 16)+"…", "", t("The vTPM endorsement key.", "vTPM 보증 키입니다.")),
		sbRow,
		row("vm-configuration.tpm-enabled", "true", check.Pass, t("A vTPM is attached.", "vTPM이 연결되어 있습니다.")),
		row("vm-configuration.console-enabled", "false", check.Pass, t("Serial console off: no interactive access path from the host.", "직렬 콘솔 꺼짐: 호스트에서 대화식으로 접근할 길이 없습니다.")),
		row("vm-configuration.vmUniqueId", "911B0EF8-2D35-4D25-B1C2-7C6F1D4B7A10", "", t("The VM's Azure ID.", "VM의 Azure ID입니다.")),
		row("user-data", userData, "", t("SHA-512 of the nonce written to NV 0x01400002 before the report was read.", "보고서를 읽기 전에 NV 0x01400002에 쓴 논스의 SHA-512입니다.")),
	}
	chain := []present.Row{
		link(t("AMD root key (ARK-Milan)", "AMD 루트 키 (ARK-Milan)"), "self-signed RSA-4096, fp 69:d0:63:b4:…", check.Pass, t("AMD's root of trust for Milan processors.", "Milan 프로세서에 대한 AMD의 신뢰 루트입니다.")),
		link(t("AMD signing key (ASK)", "AMD 서명 키 (ASK)"), "CN=SEV-Milan, signed by ARK", check.Pass, t("Intermediate key that certifies each chip's VCEK.", "각 칩의 VCEK를 인증하는 중간 키입니다.")),
		link(t("VCEK", ""), "CN=SEV-VCEK, TCB bl3 tee0 snp8 ucode115", check.Pass, t("This chip's key at this firmware level; it signs the report.", "이 펌웨어 수준에서 이 칩의 키로, 보고서에 서명합니다.")),
		link(t("SEV-SNP report", "SEV-SNP 증명 보고서"), "ECDSA P-384 signature verified", check.Pass, t("The hardware report of this VM, signed by the VCEK.", "VCEK가 서명한 이 VM의 하드웨어 보고서입니다.")),
		link(t("REPORT_DATA", ""), "= SHA-256(runtime claims)", check.Pass, t("The report commits to the runtime claims through this hash.", "보고서는 이 해시로 런타임 클레임을 보증합니다.")),
		link(t("Runtime claims", "런타임 클레임"), "JSON, 1819 bytes", sbVerdict, t("The paravisor's statement of VM configuration and vTPM keys.", "VM 설정과 vTPM 키에 대한 파라바이저의 진술입니다.")),
		link(t("HCLAkPub", ""), "RSA-2048 attestation key", check.Pass, t("The vTPM key named in the runtime claims.", "런타임 클레임에 적힌 vTPM 키입니다.")),
		link(t("TPM quote", "TPM 쿼트"), "RSASSA-SHA256 over PCR 0-23, nonce matches", check.Pass, t("The vTPM's signed statement of its PCRs.", "vTPM이 서명한 PCR 값 진술입니다.")),
		link(t("PCRs", "PCR"), "digest matches quote; PCR0-7 replay", check.Pass, t("The boot measurements, now tied to the hardware.", "이제 하드웨어와 묶인 부팅 측정값입니다.")),
	}
	if secureBootOff {
		chain[5].Hint = t("The claims say Secure Boot was off; every link still verifies, but policy will refuse this VM.", "클레임에 보안 부팅이 꺼져 있다고 나옵니다. 모든 연결은 검증되지만 정책이 이 VM을 거부합니다.")
	}
	var pcrRows []present.Row
	for i, v := range pcrs {
		verdict := check.Skip
		replay := t("not in log", "로그에 없음")
		if i <= 7 {
			verdict, replay = check.Pass, t("replayed", "재생 일치")
		}
		if secureBootOff && i == 7 {
			verdict, replay = check.Fail, t("no Secure Boot policy", "보안 부팅 정책 없음")
		}
		pcrRows = append(pcrRows, present.Row{Key: fmt.Sprint(i), Cells: []string{v, pcrMeaning[i].EN, replay.EN},
			CellsKO: []string{"", pcrMeaning[i].KO, replay.KO}, Verdict: verdict, PCR: i,
			Explain: pcrMeaning[i], Copy: v})
	}
	checks := check.List{
		check.Passf("snp.signature", "report signature verifies with the VCEK (ECDSA P-384)"),
		check.Passf("snp.vcek.chain", "VCEK ← ASK ← ARK-Milan; CRL not checked"),
		check.Passf("hcl.binding", "REPORT_DATA[0:32] = SHA-256(runtime claims)"),
		check.Passf("tpm.quote.signature", "quote signed by HCLAkPub; nonce matches"),
		check.Passf("eventlog.replay", "PCR0-7 reproduced from %d events", events),
	}
	if secureBootOff {
		checks = append(checks, check.Failf("boot.secureboot", "runtime claims say Secure Boot was disabled").WithDetails("vm-configuration.secure-boot = false", "PCR7 has no EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot=1"))
	}
	verdict := check.Pass
	if secureBootOff {
		verdict = check.Fail
	}
	return present.Page{
		Step: string(workshop.ReadReport), Title: workshop.ReadReport.Title(), Verdict: verdict,
		Summary: t("The HCL report from the vTPM: the SEV-SNP report, the runtime claims, and how they bind the TPM to the hardware.",
			"vTPM의 HCL 보고서: SEV-SNP 보고서, 런타임 클레임, 그리고 TPM을 하드웨어에 묶는 방식입니다."),
		Sections: []present.Section{
			{ID: "hcl", Title: t("HCL header", "HCL 헤더"), Kind: present.Fields, Rows: hdr},
			{ID: "snp", Title: t("SEV-SNP report", "SEV-SNP 보고서"), Kind: present.Fields, Rows: snp},
			{ID: "claims", Title: t("Runtime claims", "런타임 클레임"), Kind: present.Fields, Rows: claims},
			{ID: "chain", Title: t("Chain of trust", "신뢰 체인"), Kind: present.Chain, Rows: chain},
			{ID: "pcrs", Title: t("PCRs (SHA-256)", "PCR (SHA-256)"), Kind: present.Table,
				Columns: []T{t("PCR", "PCR"), t("Value", "값"), t("Measures", "측정 대상"), t("Replay", "재생")}, Rows: pcrRows},
			{ID: "events", Title: t("Event log", "이벤트 로그"), Kind: present.Events, Rows: Events(events, secureBootOff)},
			{ID: "checks", Title: t("Checks", "검사"), Kind: present.Checks, Rows: present.CheckRows(checks, checkText)},
		},
		Checks: checks,
	}
}

// link is a chain link; its name is a word, so it has a Korean form (KeyKO).
func link(key T, value string, v check.Verdict, explain T) present.Row {
	return present.Row{Key: key.EN, KeyKO: key.KO, Value: value, Verdict: v, Explain: explain, PCR: -1}
}

func checkText(id string) (T, T) {
	switch id {
	case "snp.signature":
		return t("The AMD chip signed this report.", "AMD 칩이 이 보고서에 서명했습니다."), T{}
	case "snp.vcek.chain":
		return t("The chip's key chains to AMD's root.", "칩의 키가 AMD 루트까지 이어집니다."), T{}
	case "hcl.binding":
		return t("The runtime claims are the ones the hardware report commits to.", "런타임 클레임이 하드웨어 보고서가 보증하는 것과 같습니다."), T{}
	case "tpm.quote.signature":
		return t("The vTPM's quote is signed by the key in the claims.", "vTPM 쿼트가 클레임의 키로 서명되었습니다."), T{}
	case "eventlog.replay":
		return t("Replaying the event log gives the quoted PCRs.", "이벤트 로그를 재생하면 쿼트의 PCR이 나옵니다."), T{}
	case "boot.secureboot":
		return t("Secure Boot keeps unsigned boot code from running.", "보안 부팅은 서명되지 않은 부팅 코드의 실행을 막습니다."),
			t("Enable Secure Boot for the VM and reboot.", "VM의 보안 부팅을 켜고 다시 부팅합니다.")
	}
	return T{}, T{}
}
