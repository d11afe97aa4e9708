package pages

import (
	"strings"
	"sync"
)

// Package tdx describes each TDREPORT and TD quote field in an English note (tdx.Field.Note),
// which the field's detail shows. These are its notes in Korean, keyed by the English
// itself: a note tdx rewords no longer matches and falls back to its new English rather
// than showing a Korean that says something else (TestTDXNotesInKorean finds it).
const (
	tdxParaEN   = "On Azure this measures the paravisor's TD (Microsoft's HCL), not the guest OS; guest boot measurements are in the vTPM PCRs."
	tdxParaKO   = "Azure에서는 게스트 OS가 아니라 패러바이저(Microsoft HCL)의 TD를 측정합니다. 게스트 부팅 측정값은 vTPM PCR에 있습니다."
	tdxModuleEN = "TDX module (SEAM) that runs the TD; Intel's TCB info judges it."
	tdxModuleKO = "TD를 실행하는 TDX 모듈(SEAM)이며, Intel의 TCB 정보로 판정합니다."
)

// Built on first use, not at init: a process builds only the pages of the evidence it has.
var tdxNotesKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"0x81 = TDX report.":                                                                          "0x81 = TDX 보고서.",
		"CPU security version when the report was made.":                                              "보고서를 만들 때의 CPU 보안 버전(SVN)입니다.",
		"SHA-384 of TEE_TCB_INFO (offset 256).":                                                       "TEE_TCB_INFO(오프셋 256)의 SHA-384입니다.",
		"SHA-384 of TDINFO (offset 512).":                                                             "TDINFO(오프셋 512)의 SHA-384입니다.",
		"Which TEE_TCB_INFO fields are valid.":                                                        "TEE_TCB_INFO에서 유효한 필드를 나타냅니다.",
		"Hash of service TDs bound to this TD (migration TD etc.).":                                   "이 TD에 묶인 서비스 TD(마이그레이션 TD 등)의 해시입니다.",
		"Set bits of TD_ATTRIBUTES.":                                                                  "TD_ATTRIBUTES에서 켜진 비트입니다.",
		"Signer of the TDX module; all zero for Intel's module.":                                      "TDX 모듈의 서명자입니다. Intel 모듈이면 모두 0입니다.",
		"TDX module attributes; zero today.":                                                          "TDX 모듈 속성입니다. 현재는 0입니다.",
		"TD attributes (DEBUG, SEPT_VE_DISABLE, PKS, KL, PERFMON).":                                   "TD 속성(DEBUG, SEPT_VE_DISABLE, PKS, KL, PERFMON)입니다.",
		"Extended features (XSAVE) the TD may use.":                                                   "TD가 쓸 수 있는 확장 기능(XSAVE)입니다.",
		"Host-defined configuration ID of the TD (zero on Azure so far).":                             "호스트가 정하는 TD 구성 ID입니다(Azure에서는 지금까지 0).",
		"Host-defined owner ID of the TD.":                                                            "호스트가 정하는 TD 소유자 ID입니다.",
		"Host-defined owner configuration of the TD.":                                                 "호스트가 정하는 TD 소유자 구성입니다.",
		"Quote format 4 (TDX 1.0/1.5 DCAP).":                                                          "쿼트 형식 4(TDX 1.0/1.5 DCAP)입니다.",
		"QE-defined; the first 16 bytes are the QE platform ID on Intel's QE.":                        "QE가 정하는 값입니다. Intel QE에서는 앞 16바이트가 QE 플랫폼 ID입니다.",
		"ECDSA P-256 over header and body, by the attestation key.":                                   "증명 키로 헤더와 본문에 대해 만든 ECDSA P-256 서명입니다.",
		"Raw P-256 point; the QE report binds it (SHA-256 in QE REPORT_DATA).":                        "P-256 점 그대로이며, QE 보고서가 이 키를 묶습니다(QE REPORT_DATA의 SHA-256).",
		"Quoting enclave measurement.":                                                                "쿼팅 엔클레이브의 측정값입니다.",
		"Quoting enclave signer; Intel's TD_QE identity names the expected value.":                    "쿼팅 엔클레이브의 서명자입니다. Intel의 TD_QE 신원 정보가 기대값을 정합니다.",
		"Quoting enclave SVN, judged by the QE identity.":                                             "쿼팅 엔클레이브의 SVN이며, QE 신원 정보로 판정합니다.",
		"SHA-256(attestation key || QE auth data), zero-padded.":                                      "SHA-256(증명 키 || QE 인증 데이터)을 0으로 채운 값입니다.",
		"Platform family (FMSPC) from the PCK certificate's SGX extension; selects Intel's TCB info.": "PCK 인증서의 SGX 확장에 있는 플랫폼 계열(FMSPC)로, Intel의 TCB 정보를 고릅니다.",
		"SGX TCB components certified in the PCK certificate.":                                        "PCK 인증서가 인증하는 SGX TCB 구성 요소입니다.",
		"Self-signed; trusted only if it is Intel's SGX root (or a configured root).":                 "자체 서명 인증서입니다. Intel SGX 루트(또는 설정한 루트)일 때만 신뢰합니다.",
		"Ignored zero padding after the quote.":                                                       "쿼트 뒤의 0 채움으로, 무시합니다.",
		"Intel's quoting enclave.":                                                                    "Intel의 쿼팅 엔클레이브입니다.",
		"Not Intel's quoting enclave vendor ID.":                                                      "Intel 쿼팅 엔클레이브의 공급자 ID가 아닙니다.",
		"MAC with a CPU key: only this CPU can check it, so the TDREPORT becomes verifiable evidence only through a TD quote.": "CPU 키로 만든 MAC입니다. 이 CPU만 확인할 수 있으므로 TDREPORT는 TD 쿼트를 거쳐야 검증 가능한 증거가 됩니다.",
		"TCB SVN of the running module after a TD-preserving update; equal to tee_tcb_svn unless the module was updated.":      "TD를 유지한 채 업데이트한 뒤 실행 중인 모듈의 TCB SVN입니다. 모듈이 업데이트되지 않았다면 tee_tcb_svn과 같습니다.",
		"REPORT_DATA: on Azure the hash of the HCL runtime claims (HCLAkPub, vm-configuration, user-data), zero-padded.":       "REPORT_DATA: Azure에서는 HCL 런타임 클레임(HCLAkPub, vm-configuration, user-data)의 해시를 0으로 채운 값입니다.",
		"debug TD: the host can read and write its memory and registers; must be false in production":                          "디버그 TD: 호스트가 메모리와 레지스터를 읽고 쓸 수 있습니다. 운영 환경에서는 false여야 합니다",
		"EPT violations on pending pages do not raise #VE in the TD (hardening against host-induced #VE)":                      "대기 중인 페이지의 EPT 위반이 TD에 #VE를 일으키지 않습니다(호스트가 유발하는 #VE에 대한 강화)",
		"supervisor protection keys available to the TD":                                                                       "TD가 슈퍼바이저 보호 키(PKS)를 쓸 수 있습니다",
		"Key Locker available to the TD":                 "TD가 키 로커(KL)를 쓸 수 있습니다",
		"the TD may use performance monitoring counters": "TD가 성능 모니터링 카운터를 쓸 수 있습니다",

		"TDX module TCB SVN: byte 0 module SVN, byte 1 module major version, byte 2 TDX late microcode update SVN. " + tdxModuleEN: "TDX 모듈 TCB SVN: 바이트 0은 모듈 SVN, 바이트 1은 모듈 주 버전, 바이트 2는 TDX 후기 마이크로코드 업데이트 SVN입니다. " + tdxModuleKO,
		"Measurement of the TDX module. " + tdxModuleEN:                                "TDX 모듈의 측정값입니다. " + tdxModuleKO,
		"Build-time measurement of the TD's initial memory. " + tdxParaEN:              "TD 초기 메모리의 빌드 시 측정값입니다. " + tdxParaKO,
		"Runtime measurement register 0 (TD firmware and configuration). " + tdxParaEN: "런타임 측정 레지스터 0(TD 펌웨어와 구성)입니다. " + tdxParaKO,
		"Runtime measurement register 1. " + tdxParaEN:                                 "런타임 측정 레지스터 1입니다. " + tdxParaKO,
		"Runtime measurement register 2. " + tdxParaEN:                                 "런타임 측정 레지스터 2입니다. " + tdxParaKO,
		"Runtime measurement register 3. " + tdxParaEN:                                 "런타임 측정 레지스터 3입니다. " + tdxParaKO,
	}
})

// tdxNoteKO is a tdx field note in Korean, "" when there is none. Notes that carry values
// (the module SVN, the PCK chain's issuers) come with their Korean from tdx.
func tdxNoteKO(note string) string { return tdxNotesKO()[note] }

// tdxKeyKO names the two rows tdx derives from a field ("td_attributes (decoded)").
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var tdxKeyKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"td_attributes (decoded)":  "td_attributes (디코딩)",
		"tee_tcb_svn (module SVN)": "tee_tcb_svn (모듈 SVN)",
	}
})

// tdxValueKO puts the words of a decoded tdx value into Korean, "" when it has none.
func tdxValueKO(name, value string) string {
	switch {
	case name == "td_attributes (decoded)" && value == "none":
		return "없음"
	case name == "td_attributes (decoded)":
		return strings.Replace(value, "other bits ", "기타 비트 ", 1)
	case name == "header.att_key_type":
		return strings.Replace(value, "(ECDSA-256 with P-256)", "(P-256 곡선의 ECDSA-256)", 1)
	case name == "padding" && strings.HasSuffix(value, " zero bytes"):
		return "0 바이트 " + strings.TrimSuffix(value, " zero bytes") + "개"
	}
	return ""
}
