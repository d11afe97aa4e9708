package explain

import (
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// Field kinds: which structure a field name belongs to.
const (
	KindHCLHeader = "hcl.header" // the 32-byte HCL attestation header
	KindIGVM      = "hcl.igvm"   // the IGVM request data before the runtime claims
	KindRuntime   = "runtime"    // runtime-claims keys, dotted ("vm-configuration.secure-boot")
	KindSNP       = "snp"        // snp.Report.Fields names
	KindTDReport  = "tdx.report" // tdx.TDReport.Fields names
	KindTDQuote   = "tdx.quote"  // tdx.Quote.Fields names
	KindAttest    = "tpm.attest" // tpmquote.Attest.Fields names
	KindAKCert    = "akcert"     // akcert.Fields names
)

// fieldTable is the field explanations of a kind, nil for a kind the catalog does not
// have. Each kind's table is built when a field of that kind is first looked up, not at
// init: an inspect of a TD quote never builds the SEV-SNP or MAA tables.
func fieldTable(kind string) map[string]present.Text {
	switch kind {
	case KindHCLHeader:
		return hclHeaderFields()
	case KindIGVM:
		return igvmFields()
	case KindRuntime:
		return runtimeFields()
	case KindSNP:
		return snpFields()
	case KindTDReport:
		return tdReportFields()
	case KindTDQuote:
		return tdQuoteFields()
	case KindAttest:
		return attestFields()
	case KindAKCert:
		return akCertFields()
	case KindRequest:
		return requestFields()
	case KindCall:
		return callFields()
	case KindJWT:
		return jwtFields()
	}
	return nil
}

// Field explains a field of the given kind; the text is empty when the catalog does not
// know the name.
func Field(kind, name string) present.Text {
	txt, _ := LookupField(kind, name)
	return txt
}

// LookupField returns the explanation of a field and whether the catalog covers it.
// TD quote fields that repeat the TDREPORT use the TDREPORT's text, and vm-configuration
// keys use the MAA claims catalog, which explains the same keys inside x-ms-runtime.
func LookupField(kind, name string) (present.Text, bool) {
	if txt, ok := fieldTable(kind)[name]; ok {
		return txt, true
	}
	switch kind {
	case KindTDQuote:
		txt, ok := tdReportFields()[name]
		return txt, ok
	case KindRuntime:
		if strings.HasPrefix(name, "vm-configuration.") {
			if en, ok := claims.Lookup(strings.TrimPrefix(name, "vm-configuration.")); ok {
				return t(en.Meaning, en.MeaningKO), true
			}
		}
	}
	return present.Text{}, false
}

// FieldNames lists the names catalogued for a kind (the TD quote's own names only).
func FieldNames(kind string) []string {
	return keys(fieldTable(kind), nil)
}

var hclHeaderFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"signature": t("Magic \"HCLA\": an HCL attestation report, as the paravisor stores it in vTPM NV 0x01400001.",
			"매직 값 \"HCLA\": 패러바이저가 vTPM NV 0x01400001에 저장한 HCL 증명 보고서입니다."),
		"version": t("Format version of the HCL report header (1 on SEV-SNP VMs, 2 on newer TDX VMs).",
			"HCL 보고서 헤더의 형식 버전입니다(SEV-SNP VM은 1, 최신 TDX VM은 2)."),
		"report_size": t("Length the paravisor declares for the report; informational, the parser relies on the IGVM sizes.",
			"패러바이저가 선언한 보고서 길이입니다. 참고용이며 파서는 IGVM 크기 값을 씁니다."),
		"request_type": t("What the paravisor was asked for when it made the report (1 KeyRelease, 2 AkCert, 3 WrappedKey); the reports stored on real VMs say AkCertRequest.",
			"패러바이저가 보고서를 만들 때 받은 요청 종류입니다(1 KeyRelease, 2 AkCert, 3 WrappedKey). 실제 VM에 저장된 보고서는 AkCertRequest입니다."),
		"status": t("Status word of the request; zero when the paravisor produced the report normally.",
			"요청의 상태 값입니다. 패러바이저가 정상적으로 보고서를 만들면 0입니다."),
		"reserved": t("Reserved bytes, zero.", "예약된 바이트로 0입니다."),
		"hardware_report": t("The hardware report: an AMD SEV-SNP ATTESTATION_REPORT signed by the chip's VCEK, or an Intel TDX TDREPORT that a TD quote certifies.",
			"하드웨어 보고서: 칩의 VCEK가 서명한 AMD SEV-SNP ATTESTATION_REPORT, 또는 TD 쿼트로 인증되는 Intel TDX TDREPORT입니다."),
		"runtime_claims": t("The runtime claims JSON, byte for byte as hashed into REPORT_DATA.",
			"REPORT_DATA에 해시로 들어간 그대로의 런타임 클레임 JSON입니다."),
		"padding": t("Zero padding up to the NV index size (2048 bytes on early VMs, 2600 today).",
			"NV 인덱스 크기(초기 VM 2048바이트, 현재 2600바이트)까지 채운 0 패딩입니다."),
	}
})

var igvmFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"data_size": t("Size of the IGVM request data: its 20-byte header plus the runtime claims.",
			"IGVM 요청 데이터 크기: 20바이트 헤더와 런타임 클레임을 합한 값입니다."),
		"version": t("Version of the IGVM request data format.", "IGVM 요청 데이터 형식의 버전입니다."),
		"report_type": t("Which hardware report the HCL report carries: 2 = AMD SEV-SNP, 4 = Intel TDX.",
			"HCL 보고서에 든 하드웨어 보고서 종류: 2 = AMD SEV-SNP, 4 = Intel TDX."),
		"report_data_hash_type": t("Hash that binds the runtime claims into REPORT_DATA (SHA-256 on every Azure VM seen).",
			"런타임 클레임을 REPORT_DATA에 묶는 해시 알고리즘입니다(확인된 모든 Azure VM에서 SHA-256)."),
		"variable_data_size": t("Length of the runtime claims JSON that follows.", "뒤따르는 런타임 클레임 JSON의 길이입니다."),
	}
})

var runtimeFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"keys": t("Public keys of the vTPM that the paravisor vouches for, as JWKs.",
			"패러바이저가 보증하는 vTPM 공개 키 목록(JWK)입니다."),
		"HCLAkPub": t("The vTPM attestation key (AK, persistent handle 0x81000003). It signs TPM quotes, so through REPORT_DATA the hardware vouches for the PCRs.",
			"vTPM 증명 키(AK, 영구 핸들 0x81000003)입니다. TPM 쿼트에 서명하므로 REPORT_DATA를 통해 하드웨어가 PCR 값을 보증합니다."),
		"HCLEkPub": t("The vTPM endorsement key (EK): the TPM's identity key, used to encrypt secrets to this vTPM.",
			"vTPM 보증 키(EK)로, TPM의 고유 키이며 이 vTPM에만 비밀을 암호화해 보낼 때 씁니다."),
		"vm-configuration": t("The VM configuration the paravisor saw at boot: Secure Boot, TPM, serial console, VM ID.",
			"패러바이저가 부팅 시 확인한 VM 설정: 보안 부팅, TPM, 직렬 콘솔, VM ID."),
		"user-data": t("Hex of the 64 bytes in NV 0x01400002 when the report was made (upper-case from older paravisors, lower-case from OpenHCL); write a nonce's hash there and read the report again to get a fresh report.",
			"보고서를 만들 때 NV 0x01400002에 있던 64바이트의 16진수입니다(이전 패러바이저는 대문자, OpenHCL은 소문자). 논스의 해시를 쓰고 보고서를 다시 읽으면 새 보고서를 얻습니다."),
		"HCLTransferKey": t("The vTPM key a key-release request asks secrets to be wrapped to (key_ops encrypt); it appears instead of HCLAkPub/HCLEkPub in reports made for key release.",
			"키 해제 요청에서 비밀을 감쌀 대상인 vTPM 키입니다(key_ops encrypt). 키 해제용으로 만든 보고서에 HCLAkPub/HCLEkPub 대신 나타납니다."),
	}
})

var attestFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"Magic": t("TPM_GENERATED (0xff544347): only the TPM writes this, so a restricted key never signs outside data that imitates a quote.",
			"TPM_GENERATED(0xff544347): TPM만 쓰는 값이어서, 제한된 키는 쿼트를 흉내 낸 외부 데이터에 서명하지 않습니다."),
		"Type": t("Attestation type: 0x8018 quote (PCRs) or 0x8017 certify (a key).",
			"증명 유형: 0x8018 쿼트(PCR) 또는 0x8017 키 인증(TPM2_Certify)."),
		"Qualified signer": t("TPM name of the key that signed (the AK).", "서명한 키(AK)의 TPM 이름입니다."),
		"Extra data": t("The caller's nonce (qualifying data), echoed by the TPM so that the quote is fresh.",
			"호출자가 넣은 논스(TPM2_Quote의 qualifyingData)로, TPM이 그대로 담아 쿼트가 새것임을 보입니다."),
		"Clock": t("TPM clock, reset and restart counts: a reboot or TPM reset between two quotes shows here.",
			"TPM 시계와 리셋·재시작 횟수입니다. 두 쿼트 사이의 재부팅이나 TPM 리셋이 여기서 드러납니다."),
		"Firmware version": t("Firmware version of the TPM (the vTPM build on Azure).", "TPM 펌웨어 버전입니다(Azure에서는 vTPM 빌드)."),
		"PCR selection": t("Hash bank and PCRs the quote covers (Linux guests quote SHA-256 PCR 0-7).",
			"쿼트가 포함하는 해시 뱅크와 PCR입니다(Linux 게스트는 SHA-256 PCR 0-7을 쿼트합니다)."),
		"PCR digest": t("Hash of the selected PCR values: the PCRs shown must hash to this.",
			"선택된 PCR 값들의 해시입니다. 표시된 PCR 값의 해시가 이와 같아야 합니다."),
		"Certified name": t("Name of the key a certify attestation vouches for.", "certify 증명이 보증하는 키의 이름입니다."),
		"Certified qualified name": t("Qualified name of the certified key (its hierarchy included).",
			"인증된 키의 한정된 이름(계층 포함)입니다."),
	}
})

var akCertFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"Subject": t("Who the certificate names: on Azure the VM ID under TrustedVM.Azure.windows.net.",
			"인증서가 가리키는 대상입니다. Azure에서는 TrustedVM.Azure.windows.net 아래의 VM ID입니다."),
		"Issuer": t("The CA that issued it: Azure's virtual TPM CA (or a placeholder before provisioning).",
			"발급한 CA입니다: Azure 가상 TPM CA(프로비저닝 전에는 임시 발급자)."),
		"Serial":     t("Serial number the CA gave the certificate.", "CA가 부여한 인증서 일련번호입니다."),
		"Not before": t("Start of the validity period.", "유효기간의 시작입니다."),
		"Not after":  t("End of the validity period; Azure renews the certificate before it.", "유효기간의 끝입니다. Azure가 그 전에 인증서를 갱신합니다."),
		"Key": t("The certified public key; it must be the vTPM AK (0x81000003).",
			"인증된 공개 키로, vTPM AK(0x81000003)와 같아야 합니다."),
		"Signature": t("Algorithm the CA signed with.", "CA가 서명에 쓴 알고리즘입니다."),
		"CA issuers (AIA)": t("Where the issuing CA's certificate can be downloaded, to build the chain.",
			"체인을 만들기 위해 발급 CA 인증서를 받을 수 있는 위치입니다."),
		"OCSP (AIA)": t("Online revocation status service.", "온라인 폐기 상태 확인 서비스(OCSP)입니다."),
		"CRL":        t("Revocation list location.", "인증서 폐기 목록(CRL)의 위치입니다."),
	}
})
