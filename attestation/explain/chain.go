package explain

import (
	"sync"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Chain link IDs, in the order the chain of trust is drawn.
const (
	LinkAMDRoot       = "root.amd"
	LinkIntelRoot     = "root.intel"
	LinkSimRoot       = "root.sim"
	LinkVCEK          = "vcek"
	LinkPCK           = "pck"
	LinkSNPReport     = "report.snp"
	LinkTDQuote       = "report.tdquote"
	LinkTDReport      = "report.tdreport"
	LinkReportData    = "report-data"
	LinkRuntimeClaims = "runtime-claims"
	LinkHCLAkPub      = "hclakpub"
	LinkAKCert        = "ak-certificate"
	LinkTPMQuote      = "tpm-quote"
	LinkPCRs          = "pcrs"
	LinkEventLog      = "eventlog"
)

// links is built on first use, not at init, as checks is.
var links = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		LinkAMDRoot: t("AMD's root key (ARK) for this processor line, built into cvmscope: where trust in the hardware starts.",
			"cvmscope에 내장된 이 프로세서 계열의 AMD 루트 키(ARK)로, 하드웨어에 대한 신뢰가 시작되는 곳입니다."),
		LinkIntelRoot: t("Intel's SGX root CA, built into cvmscope: where trust in TDX hardware starts.",
			"cvmscope에 내장된 Intel SGX 루트 CA로, TDX 하드웨어에 대한 신뢰가 시작되는 곳입니다."),
		LinkSimRoot: t("A simulated test root made by cvmscope's simulated CVM. It proves the flow works, never that real hardware is involved.",
			"cvmscope의 시뮬레이션 CVM이 만든 테스트 루트입니다. 흐름이 동작함을 보여 줄 뿐, 실제 하드웨어임을 증명하지 않습니다."),
		LinkVCEK: t("The chip's VCEK, certified by AMD (VCEK → ASK → ARK) for this chip and firmware level; it signs the report.",
			"AMD가 이 칩과 펌웨어 수준에 대해 인증한(VCEK → ASK → ARK) 칩의 VCEK로, 보고서에 서명합니다."),
		LinkPCK: t("The platform's PCK certificate from Intel; it certifies the quoting enclave that signs the TD quote.",
			"Intel이 발급한 플랫폼의 PCK 인증서로, TD 쿼트에 서명하는 쿼팅 엔클레이브를 인증합니다."),
		LinkSNPReport: t("The SEV-SNP attestation report of this VM, signed by the VCEK.",
			"VCEK가 서명한 이 VM의 SEV-SNP 증명 보고서입니다."),
		LinkTDQuote: t("The TD quote: the TDREPORT signed by Intel's quoting enclave, and the TCB rating of the platform.",
			"TD 쿼트: Intel 쿼팅 엔클레이브가 서명한 TDREPORT와 플랫폼의 TCB 평가입니다."),
		LinkTDReport: t("The TDREPORT inside the HCL report; the quote must carry exactly this report. On Azure its MRTD and RTMRs describe the paravisor, not your guest.",
			"HCL 보고서 안의 TDREPORT로, 쿼트가 정확히 이 보고서를 담아야 합니다. Azure에서 MRTD와 RTMR은 게스트가 아니라 패러바이저를 나타냅니다."),
		LinkReportData: t("REPORT_DATA: 64 bytes the hardware signs along with the report; Azure puts the hash of the runtime claims here.",
			"REPORT_DATA: 하드웨어가 보고서와 함께 서명하는 64바이트로, Azure는 여기에 런타임 클레임의 해시를 넣습니다."),
		LinkRuntimeClaims: t("The paravisor's statement of the VM configuration and vTPM keys, bound to the hardware through REPORT_DATA.",
			"VM 설정과 vTPM 키에 대한 패러바이저의 진술로, REPORT_DATA를 통해 하드웨어에 묶입니다."),
		LinkHCLAkPub: t("The vTPM attestation key named in the runtime claims; it must be the key that signs the TPM quote.",
			"런타임 클레임에 적힌 vTPM 증명 키로, TPM 쿼트에 서명한 키와 같아야 합니다."),
		LinkAKCert: t("The vTPM's AK certificate from Azure's vTPM CA. On Trusted Launch there is no hardware report, so this certificate is where the chain starts.",
			"Azure vTPM CA가 발급한 vTPM의 AK 인증서입니다. Trusted Launch에는 하드웨어 보고서가 없으므로 이 인증서에서 체인이 시작됩니다."),
		LinkTPMQuote: t("The vTPM's signed statement of its PCR values (TPM2_Quote with the AK).",
			"vTPM이 AK로 서명한 PCR 값 진술(TPM2_Quote)입니다."),
		LinkPCRs: t("The boot measurements: PCR values whose digest the quote signed, now tied to the hardware.",
			"부팅 측정값: 쿼트가 서명한 다이제스트에 맞는 PCR 값으로, 이제 하드웨어와 묶입니다."),
		LinkEventLog: t("The event log explains each PCR event by event; it is trusted only as far as its replay matches the quoted PCRs.",
			"이벤트 로그는 각 PCR을 이벤트별로 설명합니다. 재생 결과가 쿼트된 PCR과 일치하는 만큼만 신뢰할 수 있습니다."),
	}
})

// Link explains a link of the chain of trust (the Link… IDs).
func Link(id string) present.Text { return links()[id] }

// LinkIDs lists the catalogued link IDs, sorted.
func LinkIDs() []string { return keys(links(), nil) }
