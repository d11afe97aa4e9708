package explain

import (
	"fmt"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// eventTypes explains the TCG and UEFI event types by the names eventlog.TypeName gives.
// Built when first used, not at every start: most runs never look it up.
var eventTypes = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"EV_PREBOOT_CERT":            t("Reserved pre-boot certificate event (unused).", "예약된 부팅 전 인증서 이벤트입니다(사용하지 않음)."),
		"EV_POST_CODE":               t("Firmware code measured during power-on self test (BIOS/UEFI code).", "전원 켜기 자체 검사(POST) 중에 측정된 펌웨어 코드입니다."),
		"EV_UNUSED":                  t("Reserved event type, unused.", "예약된 이벤트 유형으로 사용하지 않습니다."),
		"EV_NO_ACTION":               t("Information for the log reader, not extended into any PCR (the Spec ID header, startup locality).", "로그를 읽는 쪽을 위한 정보로, PCR에 확장되지 않습니다(로그 형식을 밝히는 \"Spec ID Event03\" 헤더, 시작 로컬리티)."),
		"EV_SEPARATOR":               t("Separator between pre-OS and OS measurements of a PCR; an error value means the firmware failed to measure.", "PCR의 OS 이전 측정과 OS 측정 사이의 구분자입니다. 오류 값이면 펌웨어가 측정에 실패한 것입니다."),
		"EV_ACTION":                  t("A firmware action as a string (e.g. calling the boot loader).", "문자열로 기록된 펌웨어 동작(예: 부트로더 호출)입니다."),
		"EV_EVENT_TAG":               t("Tagged event; the Linux EFI stub uses it for the initrd and load options.", "태그가 붙은 이벤트로, Linux EFI 스텁이 initrd와 로드 옵션에 씁니다."),
		"EV_S_CRTM_CONTENTS":         t("Contents of the static core root of trust for measurement (the first firmware code).", "정적 측정 신뢰 루트(S-CRTM), 즉 최초 펌웨어 코드의 내용입니다."),
		"EV_S_CRTM_VERSION":          t("Version of the S-CRTM firmware.", "S-CRTM 펌웨어의 버전입니다."),
		"EV_CPU_MICROCODE":           t("CPU microcode update loaded by the firmware.", "펌웨어가 불러온 CPU 마이크로코드 업데이트입니다."),
		"EV_PLATFORM_CONFIG_FLAGS":   t("Platform configuration flags.", "플랫폼 설정 플래그입니다."),
		"EV_TABLE_OF_DEVICES":        t("Table of devices found by the firmware.", "펌웨어가 찾은 장치 목록입니다."),
		"EV_COMPACT_HASH":            t("A hash recorded for a platform-specific purpose.", "플랫폼별 용도로 기록된 해시입니다."),
		"EV_IPL":                     t("Initial program load: on Linux, GRUB commands, the kernel command line and loaded files.", "초기 프로그램 로드: Linux에서는 GRUB 명령, 커널 명령줄, 읽은 파일입니다."),
		"EV_IPL_PARTITION_DATA":      t("Partition data used by the initial program loader.", "초기 프로그램 로더가 쓴 파티션 데이터입니다."),
		"EV_NONHOST_CODE":            t("Code of a non-host processor (such as a management engine).", "호스트가 아닌 프로세서(예: 관리 엔진)의 코드입니다."),
		"EV_NONHOST_CONFIG":          t("Configuration of a non-host processor.", "호스트가 아닌 프로세서의 설정입니다."),
		"EV_NONHOST_INFO":            t("Information about a non-host processor.", "호스트가 아닌 프로세서에 관한 정보입니다."),
		"EV_OMIT_BOOT_DEVICE_EVENTS": t("The firmware stopped measuring boot-device events.", "펌웨어가 부팅 장치 이벤트 측정을 중단했습니다."),
		"EV_EFI_EVENT_BASE":          t("Base of the UEFI event types; not a real event.", "UEFI 이벤트 유형의 기준값으로 실제 이벤트가 아닙니다."),
		"EV_EFI_VARIABLE_DRIVER_CONFIG": t("A UEFI variable that configures the firmware: SecureBoot, PK, KEK, db, dbx (PCR 7), other settings (PCR 1).",
			"펌웨어를 설정하는 UEFI 변수입니다: SecureBoot, PK, KEK, db, dbx(PCR 7)와 기타 설정(PCR 1)."),
		"EV_EFI_VARIABLE_BOOT":             t("A boot variable: BootOrder or a Boot#### entry.", "부팅 변수: BootOrder 또는 Boot#### 항목입니다."),
		"EV_EFI_BOOT_SERVICES_APPLICATION": t("A UEFI application that was loaded and run: shim, GRUB, the kernel's EFI stub (PCR 4).", "불러와 실행된 UEFI 애플리케이션: shim, GRUB, 커널 EFI 스텁(PCR 4)입니다."),
		"EV_EFI_BOOT_SERVICES_DRIVER":      t("A UEFI boot-services driver (option ROM or firmware driver, PCR 2).", "UEFI 부트 서비스 드라이버(옵션 ROM 또는 펌웨어 드라이버, PCR 2)입니다."),
		"EV_EFI_RUNTIME_SERVICES_DRIVER":   t("A UEFI runtime-services driver, which stays after the OS starts.", "OS 시작 후에도 남는 UEFI 런타임 서비스 드라이버입니다."),
		"EV_EFI_GPT_EVENT":                 t("The GPT partition table of the boot disk (PCR 5).", "부팅 디스크의 GPT 파티션 테이블(PCR 5)입니다."),
		"EV_EFI_ACTION":                    t("A UEFI action as a string (\"Calling EFI Application from Boot Option\", \"Exit Boot Services Invocation\").", "문자열로 기록된 UEFI 동작(\"Calling EFI Application from Boot Option\", \"Exit Boot Services Invocation\")입니다."),
		"EV_EFI_PLATFORM_FIRMWARE_BLOB":    t("A firmware volume measured by address and length (PCR 0).", "주소와 길이로 측정된 펌웨어 볼륨(PCR 0)입니다."),
		"EV_EFI_HANDOFF_TABLES":            t("Configuration tables the firmware hands to the OS (SMBIOS, ACPI).", "펌웨어가 OS에 넘기는 설정 테이블(SMBIOS, ACPI)입니다."),
		"EV_EFI_PLATFORM_FIRMWARE_BLOB2":   t("A named firmware volume measured by address and length (PCR 0).", "이름이 있는 펌웨어 볼륨을 주소와 길이로 측정했습니다(PCR 0)."),
		"EV_EFI_HANDOFF_TABLES2":           t("Named configuration tables handed to the OS.", "이름이 있는, OS에 넘긴 설정 테이블입니다."),
		"EV_EFI_VARIABLE_BOOT2":            t("A boot variable measured as a whole (Boot####).", "전체로 측정된 부팅 변수(Boot####)입니다."),
		"EV_EFI_HCRTM_EVENT":               t("Hardware core root of trust measured before the firmware; PCR 0 then starts from 4.", "펌웨어보다 먼저 측정된 하드웨어 CRTM으로, PCR 0이 4에서 시작합니다."),
		"EV_EFI_VARIABLE_AUTHORITY":        t("The certificate (db entry or MOK) that authorised a boot component under Secure Boot (PCR 7).", "보안 부팅에서 부팅 구성 요소를 승인한 인증서(db 항목 또는 MOK)입니다(PCR 7)."),
		"EV_GOOGLE_DRTM_EVENT":             t("Google's dynamic-root-of-trust event (not a TCG type).", "Google의 동적 신뢰 루트 이벤트입니다(TCG 유형이 아님)."),
	}
})

// EventType explains an event type by its TCG name; an EV_UNKNOWN(...) type the eventlog
// package could not name gets a generic explanation.
func EventType(name string) present.Text {
	if txt, ok := eventTypes()[name]; ok {
		return txt
	}
	if strings.HasPrefix(name, "EV_UNKNOWN") {
		return t(fmt.Sprintf("%s: a type no TCG or UEFI specification defines; its digest still counts in the replay.", name),
			fmt.Sprintf("%s: TCG나 UEFI 규격에 없는 유형입니다. 그래도 다이제스트는 재생에 포함됩니다.", name))
	}
	return present.Text{}
}

// EventTypeNames lists the catalogued event type names, sorted.
func EventTypeNames() []string { return keys(eventTypes(), nil) }
