package claims

// paravisorMeasurement is a TDX measurement register. On Azure the TD is the paravisor's,
// so these describe Azure's paravisor, never the guest OS (that is what vTPM PCRs are for).
func paravisorMeasurement(name, what, whatKO string) Entry {
	return Entry{Name: name,
		Meaning:        what + " On Azure this describes the paravisor's TD, not the guest OS; guest measurements are in the vTPM PCRs.",
		Healthy:        "any; changes with Azure paravisor updates",
		IfUnexpected:   "Compare only with values Microsoft publishes for the paravisor; the guest OS never changes it.",
		MeaningKO:      whatKO + " Azure에서는 게스트 OS가 아니라 패러바이저 TD를 나타내며, 게스트 측정값은 vTPM PCR에 있습니다.",
		HealthyKO:      "제한 없음; Azure 패러바이저 업데이트 시 바뀜",
		IfUnexpectedKO: "Microsoft가 패러바이저에 대해 공개한 값과만 비교합니다. 게스트 OS는 이 값을 바꾸지 않습니다."}
}

func tdAttribute(name, healthy, what, risk, whatKO, riskKO string) Entry {
	return flag(name, healthy, what, risk, whatKO, riskKO)
}

func tdxEntries() []Entry {
	return []Entry{
		entry("attester_tcb_status",
			"Intel's TCB status for the platform, from the TDX TCB info collateral (e.g. UpToDate, OutOfDate, SWHardeningNeeded).",
			"UpToDate",
			"OutOfDate or ConfigurationNeeded means the host lacks Intel security updates; Intel's status can change under a running VM when new advisories appear.",
			"TDX TCB 정보 콜래터럴에 따른 플랫폼의 Intel TCB 상태입니다(예: UpToDate, OutOfDate, SWHardeningNeeded).",
			"UpToDate",
			"OutOfDate나 ConfigurationNeeded는 호스트에 Intel 보안 업데이트가 적용되지 않았음을 뜻합니다. 새 보안 권고가 나오면 실행 중인 VM에서도 상태가 바뀔 수 있습니다."),
		entry("dbgstat",
			"Debug status of the TD in the EAT profile (disabled when TD debug is off).",
			"disabled",
			"The TD is debuggable: the host can read its memory. Never release secrets to it.",
			"EAT 프로필의 TD 디버그 상태입니다(TD 디버그가 꺼져 있으면 \"disabled\").",
			"disabled",
			"TD를 디버그할 수 있어 호스트가 메모리를 읽을 수 있습니다. 비밀 정보를 넘기지 않습니다."),
		info("eat_profile", "EAT profile the token follows (https://aka.ms/maa-eat-profile-tdxvm).",
			"토큰이 따르는 EAT 프로필입니다(https://aka.ms/maa-eat-profile-tdxvm)."),
		info("intuse", "Intended use of the token in the EAT profile (generic).",
			"EAT 프로필에서 토큰의 용도입니다(generic)."),
		paravisorMeasurement("tdx_mrconfigid", "MRCONFIGID: software-defined id of the TD's configuration (48 bytes).", "MRCONFIGID: TD 구성을 나타내는 소프트웨어 정의 ID(48바이트)입니다."),
		paravisorMeasurement("tdx_mrowner", "MROWNER: software-defined id of the TD's owner (48 bytes).", "MROWNER: TD 소유자를 나타내는 소프트웨어 정의 ID(48바이트)입니다."),
		paravisorMeasurement("tdx_mrownerconfig", "MROWNERCONFIG: owner-defined configuration id (48 bytes).", "MROWNERCONFIG: 소유자가 정의한 구성 ID(48바이트)입니다."),
		pinnable("tdx_mrseam", "MRSEAM: measurement of the Intel TDX module running on the host.",
			"MRSEAM: 호스트에서 실행 중인 Intel TDX 모듈의 측정값입니다."),
		pinnable("tdx_mrsignerseam", "MRSIGNERSEAM: measurement of the TDX module's signer (zero for Intel's own module).",
			"MRSIGNERSEAM: TDX 모듈 서명자의 측정값입니다(Intel 자체 모듈이면 0)."),
		paravisorMeasurement("tdx_mrtd", "MRTD: measurement of the TD's initial memory image.", "MRTD: TD 초기 메모리 이미지의 측정값입니다."),
		entry("tdx_report_data",
			"REPORTDATA of the TD report: the hash of the paravisor's runtime claims, zero-padded to 64 bytes.",
			"SHA-256 of the runtime claims followed by zeros",
			"If it does not match the runtime claims, the keys and user data in the token are not bound to the hardware report.",
			"TD 보고서의 REPORTDATA로, 패러바이저 런타임 클레임의 해시를 64바이트까지 0으로 채운 값입니다.",
			"런타임 클레임의 SHA-256 뒤에 0",
			"런타임 클레임과 일치하지 않으면 토큰의 키와 user-data가 하드웨어 보고서에 묶여 있지 않은 것입니다."),
		paravisorMeasurement("tdx_rtmr0", "RTMR0: runtime measurement register 0 (virtual firmware and its configuration).", "RTMR0: 런타임 측정 레지스터 0(가상 펌웨어와 그 구성)입니다."),
		paravisorMeasurement("tdx_rtmr1", "RTMR1: runtime measurement register 1.", "RTMR1: 런타임 측정 레지스터 1입니다."),
		paravisorMeasurement("tdx_rtmr2", "RTMR2: runtime measurement register 2.", "RTMR2: 런타임 측정 레지스터 2입니다."),
		paravisorMeasurement("tdx_rtmr3", "RTMR3: runtime measurement register 3.", "RTMR3: 런타임 측정 레지스터 3입니다."),
		info("tdx_seam_attributes", "SEAM attributes of the TDX module (hex).", "TDX 모듈의 SEAM 속성(16진수)입니다."),
		pinnable("tdx_seamsvn", "Security version number of the TDX module.", "TDX 모듈의 보안 버전(SVN)입니다."),
		info("tdx_td_attributes", "TD attributes (hex); the tdx_td_attributes_* claims decode its bits.",
			"TD 속성(16진수)이며, tdx_td_attributes_* 클레임이 각 비트를 풀어 보여 줍니다."),
		tdAttribute("tdx_td_attributes_debug", "false",
			"Whether the TD runs in debug mode (TD attribute DEBUG).",
			"The host can read and change the TD's memory and registers: the VM is not confidential. Never release secrets to it.",
			"TD가 디버그 모드로 실행되는지 여부(TD 속성 DEBUG)입니다.",
			"호스트가 TD의 메모리와 레지스터를 읽고 바꿀 수 있어 기밀성이 없습니다. 이 VM에 비밀 정보를 넘기지 않습니다."),
		tdAttribute("tdx_td_attributes_key_locker", "any",
			"Whether the TD may use Intel Key Locker.", infoOnlyEN,
			"TD가 Intel Key Locker를 사용할 수 있는지 여부입니다.", infoOnlyKO),
		tdAttribute("tdx_td_attributes_perfmon", "any",
			"Whether the TD may use performance monitoring.", infoOnlyEN,
			"TD가 성능 모니터링 기능을 사용할 수 있는지 여부입니다.", infoOnlyKO),
		tdAttribute("tdx_td_attributes_protection_keys", "any",
			"Whether the TD may use supervisor protection keys.", infoOnlyEN,
			"TD가 슈퍼바이저 보호 키(PKS)를 사용할 수 있는지 여부입니다.", infoOnlyKO),
		tdAttribute("tdx_td_attributes_septve_disable", "true",
			"Whether EPT-violation #VE exceptions are disabled for the TD (SEPT_VE_DISABLE).",
			"With #VE on EPT violations enabled the guest must handle them itself; a paravisor-managed TD normally disables them.",
			"TD에서 EPT 위반 #VE 예외가 비활성화되어 있는지 여부(SEPT_VE_DISABLE)입니다.",
			"EPT 위반 #VE가 켜져 있으면 게스트가 직접 처리해야 합니다. 패러바이저가 관리하는 TD는 보통 이를 끕니다."),
		tcbComponent("tdx_tee_tcb_svn"),
		info("tdx_xfam", "XFAM: extended CPU features (XSAVE) the TD may use (hex).",
			"XFAM: TD가 사용할 수 있는 확장 CPU 기능(XSAVE) 마스크(16진수)입니다."),
	}
}

func tcbComponent(name string) Entry {
	return entry(name,
		"TEE TCB SVN: security version numbers of the TDX module and its components (16 bytes, hex).",
		"matches an UpToDate level in Intel's TCB info",
		"A level Intel lists as OutOfDate, or none at all, means the host's TDX module lacks security updates; see attester_tcb_status.",
		"TEE TCB SVN: TDX 모듈과 구성 요소의 보안 버전(16바이트, 16진수)입니다.",
		"Intel TCB 정보의 UpToDate 수준과 일치",
		"Intel이 OutOfDate로 분류한 수준이거나 일치하는 수준이 없으면 호스트의 TDX 모듈에 보안 업데이트가 적용되지 않은 것입니다. attester_tcb_status를 확인합니다.")
}
