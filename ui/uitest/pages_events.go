package uitest

import (
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/present"
)

type ev struct {
	pcr     int
	typ     string
	value   string
	explain T
}

// bootEvents is the shape of an Azure CVM's TCG2 log in boot order.
var bootEvents = []ev{
	{0, "EV_NO_ACTION", "Spec ID Event03 · sha1 sha256 sha384", t("Log header: which hash banks the log records.", "로그 헤더: 로그가 기록하는 해시 뱅크입니다.")},
	{0, "EV_S_CRTM_VERSION", "Hyper-V UEFI Release v4.1", t("Version of the firmware's root of trust for measurement.", "펌웨어 측정 신뢰 루트의 버전입니다.")},
	{0, "EV_EFI_PLATFORM_FIRMWARE_BLOB2", "HCL firmware volume 0x00fe0000+0x20000", t("A firmware volume measured before it ran.", "실행 전에 측정된 펌웨어 볼륨입니다.")},
	{1, "EV_EFI_VARIABLE_BOOT2", "BootOrder = 0001 0000", t("UEFI boot order.", "UEFI 부팅 순서입니다.")},
	{1, "EV_EFI_VARIABLE_BOOT2", "Boot0001 = ubuntu (\\EFI\\ubuntu\\shimx64.efi)", t("A UEFI boot entry.", "UEFI 부팅 항목입니다.")},
	{1, "EV_EFI_VARIABLE_BOOT2", "Boot0000 = UEFI Microsoft Virtual Disk", t("A UEFI boot entry.", "UEFI 부팅 항목입니다.")},
	{1, "EV_EFI_HANDOFF_TABLES2", "SMBIOS 3.1 tables", t("Hardware description tables handed to the OS.", "OS에 넘겨지는 하드웨어 설명 테이블입니다.")},
	{7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "SecureBoot = 01", t("Whether Secure Boot is on; 01 means enabled.", "보안 부팅 여부. 01은 켜짐입니다.")},
	{7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "PK = Microsoft Corporation KEK CA (1 cert)", t("Platform key: who may change the Secure Boot databases.", "플랫폼 키: 보안 부팅 데이터베이스를 바꿀 수 있는 주체입니다.")},
	{7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "KEK = Microsoft Corporation KEK CA 2011", t("Key exchange keys: may update db and dbx.", "키 교환 키: db와 dbx를 갱신할 수 있습니다.")},
	{7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "db = Microsoft Windows PCA 2011, Microsoft UEFI CA 2011", t("Allowed signers of boot code.", "부팅 코드의 허용된 서명자입니다.")},
	{7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "dbx = 371 revoked hashes", t("Revoked boot code.", "폐기된 부팅 코드입니다.")},
	{7, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{0, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{1, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{2, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{3, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{4, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{5, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{6, "EV_SEPARATOR", "00000000", t("End of pre-boot configuration for this PCR.", "이 PCR의 부팅 전 설정이 끝났음을 표시합니다.")},
	{4, "EV_EFI_ACTION", "Calling EFI Application from Boot Option", t("Firmware is about to start a boot loader.", "펌웨어가 부트로더를 시작하려 합니다.")},
	{5, "EV_EFI_GPT_EVENT", "GPT: 3 partitions on Microsoft Virtual Disk", t("The disk's partition table.", "디스크의 파티션 테이블입니다.")},
	{7, "EV_EFI_VARIABLE_AUTHORITY", "db: Microsoft Corporation UEFI CA 2011", t("The db certificate that allowed the next image.", "다음 이미지를 허용한 db 인증서입니다.")},
	{4, "EV_EFI_BOOT_SERVICES_APPLICATION", "\\EFI\\ubuntu\\shimx64.efi (Authenticode sha256 9f1c…)", t("The shim boot loader, measured before it ran.", "실행 전에 측정된 shim 부트로더입니다.")},
	{14, "EV_IPL", "MokList", t("Machine owner keys that shim trusts.", "shim이 신뢰하는 머신 소유자 키입니다.")},
	{14, "EV_IPL", "MokListX", t("Machine owner keys shim refuses.", "shim이 거부하는 머신 소유자 키입니다.")},
	{7, "EV_EFI_VARIABLE_AUTHORITY", "SbatLevel = sbat,1,2023012900", t("SBAT revocation level shim enforces.", "shim이 적용하는 SBAT 폐기 수준입니다.")},
	{7, "EV_EFI_VARIABLE_AUTHORITY", "shim: Canonical Ltd. Master Certificate Authority", t("The vendor certificate that allowed GRUB.", "GRUB을 허용한 공급업체 인증서입니다.")},
	{4, "EV_EFI_BOOT_SERVICES_APPLICATION", "\\EFI\\ubuntu\\grubx64.efi (Authenticode sha256 51b7…)", t("The GRUB boot loader.", "GRUB 부트로더입니다.")},
	{8, "EV_IPL", "grub_cmd: set root=hd0,gpt1", t("A GRUB command line.", "GRUB 명령줄입니다.")},
	{8, "EV_IPL", "grub_cmd: linux /vmlinuz-6.8.0-1021-azure root=UUID=… ro", t("A GRUB command line.", "GRUB 명령줄입니다.")},
	{9, "EV_IPL", "/boot/vmlinuz-6.8.0-1021-azure", t("The kernel file GRUB read.", "GRUB이 읽은 커널 파일입니다.")},
	{8, "EV_IPL", "kernel_cmdline: /vmlinuz-6.8.0-1021-azure root=UUID=… ro console=ttyS0", t("The kernel command line.", "커널 명령줄입니다.")},
	{9, "EV_IPL", "/boot/initrd.img-6.8.0-1021-azure", t("The initial RAM disk GRUB read.", "GRUB이 읽은 초기 RAM 디스크입니다.")},
	{4, "EV_EFI_BOOT_SERVICES_APPLICATION", "Linux kernel EFI stub", t("The kernel image as an EFI application.", "EFI 응용 프로그램으로서의 커널 이미지입니다.")},
	{5, "EV_EFI_ACTION", "Exit Boot Services Invocation", t("The OS is taking over from firmware.", "OS가 펌웨어로부터 제어를 넘겨받습니다.")},
	{5, "EV_EFI_ACTION", "Exit Boot Services Returned with Success", t("Firmware has handed over.", "펌웨어가 제어를 넘겼습니다.")},
	{9, "EV_EVENT_TAG", "LOADED_IMAGE::LoadOptions", t("Kernel load options measured by the EFI stub.", "EFI 스텁이 측정한 커널 로드 옵션입니다.")},
	{9, "EV_EVENT_TAG", "Linux initrd", t("The initrd measured by the EFI stub.", "EFI 스텁이 측정한 initrd입니다.")},
	{11, "EV_IPL", "systemd-stub: .linux section", t("A unified kernel image section.", "통합 커널 이미지 섹션입니다.")},
}

// Events returns n test events in boot order; past the template it repeats with numbers.
func Events(n int, secureBootOff bool) []present.Row {
	rows := make([]present.Row, 0, n)
	for i := 0; i < n; i++ {
		e := bootEvents[i%len(bootEvents)]
		value := e.value
		if i >= len(bootEvents) {
			value = fmt.Sprintf("%s (#%d)", value, i/len(bootEvents))
		}
		if secureBootOff && e.typ == "EV_EFI_VARIABLE_DRIVER_CONFIG" && e.value == "SecureBoot = 01" {
			value = "SecureBoot = 00"
		}
		digest := hexOf(fmt.Sprint("ev", i), 32)
		rows = append(rows, present.Row{
			Key: e.typ, Value: value, PCR: e.pcr, Explain: e.explain, Copy: digest,
			Detail: fmt.Sprintf("sha256 %s\nsha384 %s\nevent data (%d bytes): %s", digest, hexOf(fmt.Sprint("ev384", i), 48), len(e.value)*2, hexOf(e.value, min(len(e.value), 24))),
		})
	}
	return rows
}
