package snp

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/go-sev-guest/abi"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// CPUID family/model pairs of the product lines (protocol §15.1), for v3+ reports.
var knownCPUs = map[[2]byte]string{{0x19, 0x01}: "Milan", {0x19, 0x11}: "Genoa", {0x1A, 0x02}: "Turin"}

// Structure is snp.structure: the report follows the layout of its version (2-5) beyond
// what Parse already refuses (reserved ranges 0x04C-0x04F, 0x18B/0x188-0x19F, 0x1EB, 0x1EF,
// 0x208-0x29F, policy bits 26-63, key_info bits 5-31): the mitigation vectors of v5 are zero
// before v5, platform_info bits that a version does not define are clear, the signer is a
// VCEK or VLEK with the chip key not masked, the signature algorithm is ECDSA P-384 with
// SHA-384, and the report was requested at VMPL 0, by Azure's paravisor.
func Structure(r *Report) check.Check {
	le := binary.LittleEndian
	b, v := r.Raw, r.Version()
	if v < 2 {
		return check.Warnf(IDStructure, "report version %d is the pre-release layout of 2022 previews; only versions 2-5 have a layout to hold it to", v).
			KO("보고서 버전 %d은 2022년 프리뷰의 출시 전 형식입니다. 형식을 검사할 수 있는 것은 버전 2-5뿐입니다", v)
	}
	var bad []detail
	fail := func(en, ko string, a ...any) { bad = append(bad, detail{fmt.Sprintf(en, a...), fmt.Sprintf(ko, a...)}) }
	var notes []detail
	note := func(en, ko string, a ...any) {
		notes = append(notes, detail{fmt.Sprintf(en, a...), fmt.Sprintf(ko, a...)})
	}

	if v < 5 {
		for i := 0x1F8; i < 0x208; i++ {
			if b[i] != 0 {
				fail("byte 0x%03x is 0x%02x: 0x1F8-0x207 is reserved before version 5 (LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR in v5)", "바이트 0x%03x가 0x%02x입니다. 0x1F8-0x207은 버전 5 이전에는 예약 영역입니다(v5의 LAUNCH_MIT_VECTOR, CURRENT_MIT_VECTOR)", i, b[i])
				break
			}
		}
		if pol := le.Uint64(b[0x08:]); pol&(1<<25) != 0 {
			fail("policy bit 25 (PAGE_SWAP_DISABLE) is set in a version %d report; it is defined from version 5", "버전 %d 보고서에서 정책 비트 25(PAGE_SWAP_DISABLE)가 켜져 있습니다. 이 비트는 버전 5부터 정의됩니다", v)
		}
	} else {
		note("LAUNCH_MIT_VECTOR 0x%016x, CURRENT_MIT_VECTOR 0x%016x", "LAUNCH_MIT_VECTOR 0x%016x, CURRENT_MIT_VECTOR 0x%016x", le.Uint64(b[0x1F8:]), le.Uint64(b[0x200:]))
	}
	// platform_info: bits 0-4 in every version, bit 5 ALIAS_CHECK_COMPLETE from v3, bit 7
	// SEV-TIO from v5; bit 6 and 8-63 are reserved.
	pi := le.Uint64(b[0x40:])
	allowed := uint64(0x1F)
	if v >= 3 {
		allowed |= 1 << 5
	}
	if v >= 5 {
		allowed |= 1 << 7
	}
	if extra := pi &^ allowed; extra != 0 {
		fail("platform_info 0x%x sets bits 0x%x that version %d does not define", "platform_info 0x%[1]x가 버전 %[3]d에 정의되지 않은 비트 0x%[2]x를 설정합니다", pi, extra, v)
	}
	if v >= 3 {
		cpu := [2]byte{b[0x188], b[0x189]}
		if pl, ok := knownCPUs[cpu]; ok {
			note("CPUID family %02Xh model %02Xh stepping %d: %s", "CPUID 패밀리 %02Xh 모델 %02Xh 스테핑 %d: %s", cpu[0], cpu[1], b[0x18A], pl)
		} else {
			fail("CPUID family %02Xh model %02Xh (0x188-0x189) is none of Milan (19h/01h), Genoa (19h/11h) or Turin (1Ah/02h)", "CPUID 패밀리 %02Xh 모델 %02Xh(0x188-0x189)가 Milan(19h/01h), Genoa(19h/11h), Turin(1Ah/02h) 어느 것도 아닙니다", cpu[0], cpu[1])
		}
	} else {
		note("version 2 has no CPUID: the product line comes from the certificates", "버전 2에는 CPUID가 없어 제품군은 인증서에서 정합니다")
	}
	ki := le.Uint32(b[0x48:])
	switch k := r.SigningKey(); k {
	case abi.VcekReportSigner, abi.VlekReportSigner:
		if ki&2 != 0 {
			fail("key_info bit 1 (MASK_CHIP_KEY) is set: the firmware did not sign with the chip key", "key_info 비트 1(MASK_CHIP_KEY)이 켜져 있습니다. 펌웨어가 칩 키로 서명하지 않았습니다")
		}
	default:
		fail("signer %v: the report is not signed by a VCEK or VLEK", "서명자 %v: 보고서가 VCEK나 VLEK로 서명되지 않았습니다", k)
	}
	if a := le.Uint32(b[0x34:]); a != abi.SignEcdsaP384Sha384 {
		fail("signature_algo %d is not 1 (ECDSA P-384 with SHA-384)", "signature_algo %d이 1(ECDSA P-384, SHA-384)이 아닙니다", a)
	}
	if vmpl := r.VMPL(); vmpl != 0 {
		fail("the report was requested at VMPL %d, not 0: on Azure only the paravisor (VMPL 0) makes the report, so software at a lower privilege chose this REPORT_DATA", "보고서를 VMPL 0이 아니라 VMPL %d에서 요청했습니다. Azure에서는 패러바이저(VMPL 0)만 보고서를 만들므로, 더 낮은 권한의 소프트웨어가 이 REPORT_DATA를 골랐습니다", vmpl)
	}

	if len(bad) > 0 {
		c := check.Failf(IDStructure, "report version %d does not follow its layout: %s", v, bad[0].en).
			KO("보고서 버전 %d이 그 형식을 따르지 않습니다: %s", v, bad[0].ko)
		for _, d := range append(bad[1:], notes...) {
			c = c.WithDetail(d.en, d.ko)
		}
		return c
	}
	scope := []string{"reserved fields zero", "platform_info bits defined for v" + fmt.Sprint(v), "signed by " + r.SigningKey().String() + " with the chip key", "ECDSA P-384/SHA-384", "VMPL 0"}
	c := check.Passf(IDStructure, "report version %d layout: %s", v, strings.Join(scope, ", ")).
		KO("보고서 버전 %d 형식: 예약 필드 0, 버전 %d에 정의된 platform_info 비트만 사용, 칩 키로 %v 서명, ECDSA P-384/SHA-384, VMPL 0", v, v, r.SigningKey())
	for _, d := range notes {
		c = c.WithDetail(d.en, d.ko)
	}
	return c
}
