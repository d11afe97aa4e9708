package explain

import (
	"sync"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// paraEN/paraKO carry the Azure caveat: the TD is the paravisor's, so MRTD and the RTMRs
// say nothing about the guest OS, whose boot is measured into the vTPM PCRs.
const (
	paraEN = " On Azure this measures the paravisor (Microsoft's HCL), not your guest OS; the guest's boot is in the vTPM PCRs."
	paraKO = " Azure에서는 게스트 OS가 아니라 패러바이저(Microsoft HCL)를 측정합니다. 게스트 부팅은 vTPM PCR에 있습니다."
)

var tdReportFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"reportmacstruct.type":    t("Report type: 0x81 is a TDX report.", "보고서 유형: 0x81은 TDX 보고서입니다."),
		"reportmacstruct.subtype": t("Report subtype (0).", "보고서 하위 유형(0)입니다."),
		"reportmacstruct.version": t("Report format version.", "보고서 형식 버전입니다."),
		"cpu_svn":                 t("Security version of the CPU when the report was made.", "보고서를 만들 때 CPU의 보안 버전(SVN)입니다."),
		"tee_tcb_info_hash":       t("SHA-384 of TEE_TCB_INFO, which describes the TDX module.", "TDX 모듈을 설명하는 TEE_TCB_INFO의 SHA-384입니다."),
		"tee_info_hash":           t("SHA-384 of TDINFO, the TD's measurements and attributes.", "TD의 측정값과 속성을 담은 TDINFO의 SHA-384입니다."),
		"report_data": t("64 bytes the TD put into the report. On Azure: the SHA-256 of the runtime claims, then zeros, which binds the vTPM keys to this report.",
			"TD가 보고서에 넣은 64바이트입니다. Azure에서는 런타임 클레임의 SHA-256 뒤에 0이 이어지며, vTPM 키를 이 보고서에 묶습니다."),
		"mac": t("MAC with a key only this CPU knows: a TDREPORT is checked by the CPU itself, and becomes evidence for others only through a TD quote.",
			"이 CPU만 아는 키로 만든 MAC입니다. TDREPORT는 CPU 자신만 검증할 수 있고, 다른 쪽에는 TD 쿼트를 통해서만 증거가 됩니다."),
		"tee_tcb_info.valid": t("Which TEE_TCB_INFO fields are valid.", "TEE_TCB_INFO의 어떤 필드가 유효한지 나타냅니다."),
		"tee_tcb_svn": t("Security version of the TDX module (module SVN, major version, late microcode SVN); Intel's TCB info judges it.",
			"TDX 모듈의 보안 버전(모듈 SVN, 주 버전, 마이크로코드 SVN)으로, Intel TCB 정보가 이를 평가합니다."),
		"tee_tcb_svn2": t("Security version of the TDX module running now, after any update that kept the TD running.",
			"TD를 유지한 채 업데이트된 경우, 현재 실행 중인 TDX 모듈의 보안 버전입니다."),
		"tee_tcb_svn (module SVN)": t("The TDX module's major version and SVN decoded from tee_tcb_svn.",
			"tee_tcb_svn에서 해석한 TDX 모듈의 주 버전과 SVN입니다."),
		"mr_seam":                 t("Measurement of the TDX module (SEAM) that runs the TD.", "TD를 실행하는 TDX 모듈(SEAM)의 측정값입니다."),
		"mr_signer_seam":          t("Signer of the TDX module; zero for Intel's own module.", "TDX 모듈의 서명자입니다. Intel 자체 모듈이면 0입니다."),
		"seam_attributes":         t("TDX module attributes; zero today.", "TDX 모듈 속성으로, 현재는 0입니다."),
		"td_attributes":           t("TD attributes: debug, #VE handling, protection keys, Key Locker, performance monitoring.", "TD 속성: 디버그, #VE 처리, 보호 키, Key Locker, 성능 모니터링."),
		"td_attributes (decoded)": t("The TD attribute bits that are set.", "설정된 TD 속성 비트입니다."),
		"td_attributes.DEBUG": t("Debug TD: the host can read and change its memory and registers. Must be false for a confidential VM.",
			"디버그 TD: 호스트가 메모리와 레지스터를 읽고 바꿀 수 있습니다. 기밀 VM이라면 false여야 합니다."),
		"td_attributes.SEPT_VE_DISABLE": t("EPT violations on pending pages do not raise #VE in the TD, a hardening against host-induced exceptions.",
			"보류 중인 페이지의 EPT 위반이 TD에 #VE를 일으키지 않습니다. 호스트가 유발하는 예외에 대한 보호입니다."),
		"td_attributes.PKS":     t("Supervisor protection keys are available to the TD.", "TD가 슈퍼바이저 보호 키(PKS)를 쓸 수 있습니다."),
		"td_attributes.KL":      t("Key Locker is available to the TD.", "TD가 Key Locker를 쓸 수 있습니다."),
		"td_attributes.PERFMON": t("The TD may use performance monitoring counters.", "TD가 성능 모니터링 카운터를 쓸 수 있습니다."),
		"xfam":                  t("Extended CPU features (XSAVE) the TD may use.", "TD가 쓸 수 있는 확장 CPU 기능(XSAVE)입니다."),
		"mr_td":                 t("MRTD: build-time measurement (SHA-384) of the TD's initial memory."+paraEN, "MRTD: TD 초기 메모리의 빌드 시 측정값(SHA-384)입니다."+paraKO),
		"mr_config_id":          t("Configuration ID the host gave the TD; zero on Azure so far.", "호스트가 TD에 준 설정 ID로, Azure에서는 지금까지 0입니다."),
		"mr_owner":              t("Owner ID the host gave the TD.", "호스트가 TD에 준 소유자 ID입니다."),
		"mr_owner_config":       t("Owner-defined configuration of the TD.", "소유자가 정의한 TD 설정입니다."),
		"rtmr0":                 t("Runtime measurement register 0: TD firmware and configuration."+paraEN, "런타임 측정 레지스터 0: TD 펌웨어와 설정."+paraKO),
		"rtmr1":                 t("Runtime measurement register 1."+paraEN, "런타임 측정 레지스터 1."+paraKO),
		"rtmr2":                 t("Runtime measurement register 2."+paraEN, "런타임 측정 레지스터 2."+paraKO),
		"rtmr3":                 t("Runtime measurement register 3."+paraEN, "런타임 측정 레지스터 3."+paraKO),
		"servtd_hash":           t("Hash of service TDs bound to this TD (such as a migration TD).", "이 TD에 묶인 서비스 TD(예: 마이그레이션 TD)의 해시입니다."),
	}
})

// tdQuoteFields are the TD quote's own fields; the TD body fields it shares with the
// TDREPORT are explained by tdReportFields.
var tdQuoteFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"header.version":       t("Quote format version: 4, or 5 for TDX 1.5 quotes (a body descriptor then follows the header).", "쿼트 형식 버전입니다. 4이며, TDX 1.5 쿼트는 5입니다(이때 헤더 뒤에 본문 설명자가 옵니다)."),
		"header.att_key_type":  t("Type of the attestation key that signs the quote (2 = ECDSA P-256).", "쿼트에 서명하는 증명 키의 유형입니다(2 = ECDSA P-256)."),
		"header.tee_type":      t("TEE type: 0x81 is TDX.", "TEE 유형: 0x81은 TDX입니다."),
		"header.qe_svn":        t("Security version of the quoting enclave.", "쿼팅 엔클레이브의 보안 버전입니다."),
		"header.pce_svn":       t("Security version of the provisioning certification enclave.", "프로비저닝 인증 엔클레이브(PCE)의 보안 버전입니다."),
		"header.qe_vendor_id":  t("Vendor of the quoting enclave (Intel's ID for Intel's QE).", "쿼팅 엔클레이브의 공급자입니다(Intel QE면 Intel의 ID)."),
		"header.user_data":     t("Data of the quoting enclave; on Intel's QE it starts with the platform ID.", "쿼팅 엔클레이브의 데이터로, Intel QE에서는 플랫폼 ID로 시작합니다."),
		"signed_data_size":     t("Size of the signature section that follows the quote body.", "쿼트 본문 뒤에 오는 서명 부분의 크기입니다."),
		"signature":            t("ECDSA P-256 signature over the quote header and body, by the attestation key.", "증명 키가 쿼트 헤더와 본문에 대해 만든 ECDSA P-256 서명입니다."),
		"attestation_key":      t("The attestation key's public point; the QE report binds it.", "증명 키의 공개 값으로, QE 보고서가 이를 보증합니다."),
		"qe_report.mr_enclave": t("Measurement of the quoting enclave.", "쿼팅 엔클레이브의 측정값입니다."),
		"qe_report.mr_signer":  t("Signer of the quoting enclave; Intel's QE identity names the expected value.", "쿼팅 엔클레이브의 서명자로, Intel QE identity에 기대값이 있습니다."),
		"qe_report.isv_svn":    t("Security version of the quoting enclave, judged by the QE identity.", "쿼팅 엔클레이브의 보안 버전으로, QE identity로 평가합니다."),
		"qe_report.report_data": t("SHA-256 of the attestation key and QE authentication data: the QE vouches for the key that signs the quote.",
			"증명 키와 QE 인증 데이터의 SHA-256으로, QE가 쿼트 서명 키를 보증합니다."),
		"pck.fmspc":        t("Platform family (FMSPC) from the PCK certificate; selects Intel's TCB info.", "PCK 인증서의 플랫폼 계열(FMSPC)로, Intel TCB 정보를 고르는 데 씁니다."),
		"pck.pce_id":       t("ID of the provisioning certification enclave.", "프로비저닝 인증 엔클레이브의 ID입니다."),
		"pck.cpu_svn":      t("CPU security versions certified in the PCK certificate.", "PCK 인증서에 인증된 CPU 보안 버전입니다."),
		"pck.pce_svn":      t("PCE security version certified in the PCK certificate.", "PCK 인증서에 인증된 PCE 보안 버전입니다."),
		"pck.leaf":         t("The PCK certificate: Intel's certificate for this platform's key.", "PCK 인증서: 이 플랫폼 키에 대한 Intel의 인증서입니다."),
		"pck.intermediate": t("Intel's PCK platform or processor CA that issued the PCK certificate.", "PCK 인증서를 발급한 Intel PCK 플랫폼/프로세서 CA입니다."),
		"pck.root":         t("Root of the PCK chain; trusted only if it is Intel's SGX root CA.", "PCK 체인의 루트로, Intel SGX 루트 CA일 때만 신뢰합니다."),
		"padding":          t("Zero bytes after the quote, ignored.", "쿼트 뒤의 0 바이트로, 무시합니다."),

		// TD quote v5 (TDX 1.5, protocol §13).
		"body.type": t("What the v5 body holds: 2 a TDX 1.0 TD report, 3 a TDX 1.5 one (adds tee_tcb_svn2 and mr_servicetd), 4 TDX 1.5 with service-TD fields.",
			"v5 본문의 종류입니다. 2는 TDX 1.0 TD 보고서, 3은 TDX 1.5 보고서(tee_tcb_svn2와 mr_servicetd 추가), 4는 서비스 TD 필드가 있는 TDX 1.5 보고서입니다."),
		"body.size": t("Size of the v5 body (584, 648 or 885 bytes by type); the quote signature covers this descriptor too.",
			"v5 본문의 크기입니다(유형에 따라 584, 648, 885바이트). 쿼트 서명은 이 설명자까지 덮습니다."),
		"tee_tcb_svn2 (module SVN)": t("Major and minor SVN of the TDX module running now; the major SVN names its module identity (TDX_01, TDX_03) in Intel's TCB info.",
			"지금 실행 중인 TDX 모듈의 주 SVN과 부 SVN입니다. 주 SVN이 Intel TCB 정보의 모듈 identity(TDX_01, TDX_03)를 정합니다."),
		"mr_servicetd": t("Hash of the service TDs bound to this TD (zero when none); equals TDINFO.servtd_hash in the TDREPORT.",
			"이 TD에 묶인 서비스 TD들의 해시입니다(없으면 0). TDREPORT의 TDINFO.servtd_hash와 같습니다."),
		"envelope": t("The message the quote arrived in (Intel's quote generation service); the quote inside was read and verified.",
			"쿼트가 담겨 온 메시지(Intel 쿼트 생성 서비스)입니다. 안의 쿼트를 꺼내 읽고 검증했습니다."),
		"ext.vmid":             t("Service-TD VM ID (body type 4).", "서비스 TD의 VM ID입니다(본문 유형 4)."),
		"ext.td_id":            t("TD identifier (body type 4).", "TD 식별자입니다(본문 유형 4)."),
		"ext.devinfo":          t("Hash of the TD's device information (body type 4).", "TD 장치 정보의 해시입니다(본문 유형 4)."),
		"ext.init_servtd_hash": t("Service-TD hash when the TD was initialized (body type 4).", "TD를 초기화할 때의 서비스 TD 해시입니다(본문 유형 4)."),
		"ext.init_servtd_attr": t("Service-TD attributes when the TD was initialized (body type 4).", "TD를 초기화할 때의 서비스 TD 속성입니다(본문 유형 4)."),
		"ext.init_cpu_svn":     t("CPU SVN of the platform the TD was first initialized on, before any migration (body type 4).", "마이그레이션 전, TD를 처음 초기화한 플랫폼의 CPU SVN입니다(본문 유형 4)."),
		"ext.init_tee_tcb_svn": t("TEE TCB SVN of the platform the TD was first initialized on (body type 4).", "TD를 처음 초기화한 플랫폼의 TEE TCB SVN입니다(본문 유형 4)."),
		"ext.init_tee_fmspc":   t("CPU model of that first platform, a 12-byte encoding (not a 6-byte FMSPC) (body type 4).", "그 첫 플랫폼의 CPU 모델로, 12바이트 인코딩입니다(6바이트 FMSPC가 아님, 본문 유형 4)."),
		"ext.curr_servtd_hash": t("Service-TD hash now (body type 4).", "현재의 서비스 TD 해시입니다(본문 유형 4)."),
		"ext.curr_servtd_attr": t("Service-TD attributes now (body type 4).", "현재의 서비스 TD 속성입니다(본문 유형 4)."),
	}
})
