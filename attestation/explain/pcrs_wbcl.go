package explain

import (
	"sync"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// windowsPCRs are the PCRs whose meaning differs on a Windows guest: Windows boot manager
// and loader measure into 4 and 11-14 (Windows' measured boot, what BitLocker and MAA's
// Windows claims read); the others mean what pcrs says.
// Built when first used, not at every start: most runs never look it up.
var windowsPCRs = sync.OnceValue(func() map[int]struct{ short, long present.Text } {
	return map[int]struct{ short, long present.Text }{
		4: {t("boot manager (bootmgfw.efi)", "부팅 관리자 (bootmgfw.efi)"), t("Windows Boot Manager (bootmgfw.efi) and any other UEFI application the firmware started.",
			"Windows 부팅 관리자(bootmgfw.efi)와 펌웨어가 시작한 다른 UEFI 애플리케이션입니다.")},
		11: {t("BitLocker access control", "BitLocker 접근 제어"), t("Windows boot-time measurements for BitLocker; Windows extends it with a cap when it leaves the boot phase.",
			"BitLocker용 Windows 부팅 측정값입니다. 부팅 단계를 마치면 Windows가 마감 값을 확장합니다.")},
		12: {t("Windows boot configuration (SIPA)", "Windows 부팅 구성 (SIPA)"), t("Windows boot configuration as SIPA records: boot counter, boot and kernel debugging, code integrity, test signing, DEP, the loader's first modules.",
			"SIPA 레코드로 기록한 Windows 부팅 구성입니다: 부팅 카운터, 부팅·커널 디버깅, 코드 무결성, 테스트 서명, DEP, 로더가 처음 읽은 모듈.")},
		13: {t("Windows boot modules (SIPA)", "Windows 부팅 모듈 (SIPA)"), t("The drivers and modules Windows loader loaded (file, Authenticode hash), and ELAM drivers.",
			"Windows 로더가 읽은 드라이버와 모듈(파일, Authenticode 해시), ELAM 드라이버입니다.")},
		14: {t("Windows boot authorities (SIPA)", "Windows 부팅 서명 기관 (SIPA)"), t("The authorities (signers) of what Windows boot loaded.",
			"Windows 부팅이 읽은 구성 요소의 서명 기관입니다.")},
	}
})

// WindowsPCR is PCR for a Windows guest's log.
func WindowsPCR(i int) present.Text {
	if w, ok := windowsPCRs()[i]; ok {
		return w.long
	}
	return PCR(i)
}

// WindowsPCRShort is PCRShort for a Windows guest's log.
func WindowsPCRShort(i int) present.Text {
	if w, ok := windowsPCRs()[i]; ok {
		return w.short
	}
	return PCRShort(i)
}
