package explain

import "github.com/cvmscope/cvmscope/attestation/present"

// pcrs says what measures each PCR on an Azure Linux guest booting through UEFI (TCG PC
// Client Platform Firmware Profile, shim/GRUB, systemd). Short is the table column, Long the
// explanation.
var pcrs = [24]struct{ short, long present.Text }{
	{t("firmware code", "펌웨어 코드"), t("UEFI firmware code (S-CRTM and firmware volumes). On Azure the virtual firmware Microsoft ships; it changes with Azure firmware updates.",
		"UEFI 펌웨어 코드(S-CRTM과 펌웨어 볼륨)입니다. Azure에서는 Microsoft가 제공하는 가상 펌웨어이며, Azure 펌웨어 업데이트 때 바뀝니다.")},
	{t("firmware config, boot variables", "펌웨어 설정, 부팅 변수"), t("Firmware configuration and boot variables (BootOrder, Boot####).",
		"펌웨어 설정과 부팅 변수(BootOrder, Boot####)입니다.")},
	{t("option ROMs, drivers", "옵션 ROM, 드라이버"), t("Option ROMs and UEFI drivers from devices.", "장치의 옵션 ROM과 UEFI 드라이버입니다.")},
	{t("option ROM config", "옵션 ROM 설정"), t("Configuration data of option ROMs and drivers.", "옵션 ROM과 드라이버의 설정 데이터입니다.")},
	{t("boot manager, loader (shim, GRUB)", "부트 관리자, 로더 (shim, GRUB)"), t("Boot manager and boot loader code: shim, GRUB, or systemd-boot, as UEFI applications.",
		"부트 관리자와 부트로더 코드: UEFI 애플리케이션인 shim, GRUB, systemd-boot입니다.")},
	{t("GPT, boot config", "GPT, 부팅 설정"), t("Boot configuration: the GPT partition table and boot attempts.", "부팅 설정: GPT 파티션 테이블과 부팅 시도입니다.")},
	{t("platform events", "플랫폼 이벤트"), t("Platform manufacturer events (resume from sleep, platform-specific).", "플랫폼 제조사 이벤트(절전 복귀 등 플랫폼별)입니다.")},
	{t("Secure Boot policy", "보안 부팅 정책"), t("Secure Boot policy: SecureBoot, PK, KEK, db, dbx, and the certificates that authorised each boot component.",
		"보안 부팅 정책: SecureBoot, PK, KEK, db, dbx와 각 부팅 구성 요소를 승인한 인증서입니다.")},
	{t("GRUB commands, kernel command line", "GRUB 명령, 커널 명령줄"), t("GRUB: every command it ran and the kernel command line.",
		"GRUB이 실행한 모든 명령과 커널 명령줄입니다.")},
	{t("kernel, initrd", "커널, initrd"), t("Files GRUB loaded (kernel, initrd, grub.cfg); the Linux EFI stub's initrd.",
		"GRUB이 읽은 파일(커널, initrd, grub.cfg)과 Linux EFI 스텁의 initrd입니다.")},
	{t("IMA", "IMA"), t("Linux IMA: files measured at run time, if IMA is on.", "Linux IMA: IMA가 켜져 있으면 실행 중에 측정된 파일입니다.")},
	{t("unified kernel image", "통합 커널 이미지"), t("Unified kernel image sections measured by systemd-stub; systemd boot phases.",
		"systemd-stub이 측정한 통합 커널 이미지(UKI) 섹션과 systemd 부팅 단계입니다.")},
	{t("kernel command line (stub)", "커널 명령줄 (스텁)"), t("Kernel command line and credentials passed by systemd-stub.", "systemd-stub이 넘긴 커널 명령줄과 자격 증명입니다.")},
	{t("system extensions", "시스템 확장"), t("System extension images (sysext) loaded by systemd-stub.", "systemd-stub이 읽은 시스템 확장 이미지(sysext)입니다.")},
	{t("MOK certificates", "MOK 인증서"), t("shim's Machine Owner Keys (MokList) and related variables.", "shim의 머신 소유자 키(MokList)와 관련 변수입니다.")},
	{t("system identity", "시스템 식별"), t("Used by systemd for the machine ID and file-system identity; usually zero.", "systemd가 머신 ID와 파일 시스템 식별에 씁니다. 보통 0입니다.")},
	{t("debug", "디버그"), t("Debug PCR: resettable, for testing; never trust it.", "디버그 PCR: 리셋할 수 있는 테스트용이므로 신뢰하지 않습니다.")},
	{t("DRTM", "DRTM"), t("Dynamic root of trust (DRTM); unused on Azure VMs, so all ones (its reset value).", "동적 신뢰 루트(DRTM)용이며 Azure VM에서는 쓰지 않아 모두 1(리셋 값)입니다.")},
	{t("DRTM", "DRTM"), t("Dynamic root of trust (DRTM); unused on Azure VMs, so all ones.", "동적 신뢰 루트(DRTM)용이며 Azure VM에서는 쓰지 않아 모두 1입니다.")},
	{t("DRTM", "DRTM"), t("Dynamic root of trust (DRTM); unused on Azure VMs, so all ones.", "동적 신뢰 루트(DRTM)용이며 Azure VM에서는 쓰지 않아 모두 1입니다.")},
	{t("DRTM", "DRTM"), t("Dynamic root of trust (DRTM); unused on Azure VMs, so all ones.", "동적 신뢰 루트(DRTM)용이며 Azure VM에서는 쓰지 않아 모두 1입니다.")},
	{t("DRTM", "DRTM"), t("Dynamic root of trust (DRTM); unused on Azure VMs, so all ones.", "동적 신뢰 루트(DRTM)용이며 Azure VM에서는 쓰지 않아 모두 1입니다.")},
	{t("DRTM", "DRTM"), t("Dynamic root of trust (DRTM); unused on Azure VMs, so all ones.", "동적 신뢰 루트(DRTM)용이며 Azure VM에서는 쓰지 않아 모두 1입니다.")},
	{t("application", "애플리케이션"), t("Application use: resettable, free for software to extend.", "애플리케이션용: 리셋할 수 있고 소프트웨어가 자유롭게 확장합니다.")},
}

// PCR explains what measures PCR i; the text is empty outside 0-23.
func PCR(i int) present.Text {
	if i < 0 || i >= len(pcrs) {
		return present.Text{}
	}
	return pcrs[i].long
}

// PCRShort is the few words a PCR table shows in its "measured by" column.
func PCRShort(i int) present.Text {
	if i < 0 || i >= len(pcrs) {
		return present.Text{}
	}
	return pcrs[i].short
}
