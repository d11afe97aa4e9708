package eventlog

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
)

// Windows boot manager and loader measure their configuration into PCRs 12-14 as
// EV_EVENT_TAG events whose tag is a SIPA container (Windows' "System Integrity Platform
// Attestation" records, the WBCL). Each record is a little-endian type and size, then
// data; containers nest records. The type values are those go-attestation's
// attest/win_events.go lists, which is also what ParseWindows reads them with.

// sipa names a SIPA record type and says how its value reads.
type sipa struct {
	name text
	kind sipaKind
}

type sipaKind int

const (
	sipaHex sipaKind = iota
	sipaBool
	sipaUint
	sipaString
	sipaContainerKind
)

// Built on first use, not at init: only a Windows boot log has SIPA events.
var sipaTypes = sync.OnceValue(func() map[uint32]sipa {
	return map[uint32]sipa{
		0x40010001: {text{"trust boundary", "신뢰 경계"}, sipaContainerKind},
		0x40010002: {text{"ELAM driver", "ELAM 드라이버"}, sipaContainerKind},
		0x40010003: {text{"loaded module", "로드된 모듈"}, sipaContainerKind},
		0xC0010004: {text{"trust point", "신뢰 지점"}, sipaContainerKind},
		0x40010005: {text{"KSR", "KSR"}, sipaContainerKind},
		0x40010006: {text{"KSR signed measurement", "KSR 서명 측정"}, sipaContainerKind},
		0x00020001: {text{"information", "정보"}, sipaHex},
		0x00020002: {text{"boot counter", "부팅 카운터"}, sipaUint},
		0x00020003: {text{"transfer control", "제어 이전"}, sipaUint},
		0x00020004: {text{"application return", "애플리케이션 반환"}, sipaUint},
		0x00020005: {text{"BitLocker unlock", "BitLocker 잠금 해제"}, sipaUint},
		0x00020006: {text{"event counter", "이벤트 카운터"}, sipaUint},
		0x00020007: {text{"counter id", "카운터 ID"}, sipaUint},
		0x00020008: {text{"MOR bit not cancelable", "MOR 비트 취소 불가"}, sipaBool},
		0x00020009: {text{"application SVN", "애플리케이션 SVN"}, sipaUint},
		0x0002000A: {text{"SVN chain status", "SVN 체인 상태"}, sipaUint},
		0x0002000B: {text{"MOR bit API status", "MOR 비트 API 상태"}, sipaUint},
		0x00040001: {text{"boot debugging", "부팅 디버깅"}, sipaBool},
		0x00040002: {text{"boot revocation list", "부팅 해지 목록"}, sipaHex},
		0x00050001: {text{"kernel debugging", "커널 디버깅"}, sipaBool},
		0x00050002: {text{"code integrity", "코드 무결성"}, sipaBool},
		0x00050003: {text{"test signing", "테스트 서명"}, sipaBool},
		0x00050004: {text{"DEP", "DEP"}, sipaBool},
		0x00050005: {text{"safe mode", "안전 모드"}, sipaBool},
		0x00050006: {text{"WinPE", "WinPE"}, sipaBool},
		0x00050007: {text{"PAE", "PAE"}, sipaBool},
		0x00050008: {text{"OS device", "OS 장치"}, sipaUint},
		0x00050009: {text{"system root", "시스템 루트"}, sipaString},
		0x0005000A: {text{"hypervisor launch type", "하이퍼바이저 시작 유형"}, sipaUint},
		0x0005000B: {text{"hypervisor path", "하이퍼바이저 경로"}, sipaString},
		0x0005000C: {text{"hypervisor IOMMU policy", "하이퍼바이저 IOMMU 정책"}, sipaUint},
		0x0005000D: {text{"hypervisor debugging", "하이퍼바이저 디버깅"}, sipaBool},
		0x0005000E: {text{"driver load policy", "드라이버 로드 정책"}, sipaUint},
		0x0005000F: {text{"SI policy", "SI 정책"}, sipaHex},
		0x00050010: {text{"hypervisor MMIO NX policy", "하이퍼바이저 MMIO NX 정책"}, sipaUint},
		0x00050011: {text{"hypervisor MSR filter policy", "하이퍼바이저 MSR 필터 정책"}, sipaUint},
		0x00050012: {text{"VSM launch type", "VSM 시작 유형"}, sipaUint},
		0x00050013: {text{"OS revocation list", "OS 해지 목록"}, sipaHex},
		0x00050020: {text{"VSM IDK info", "VSM IDK 정보"}, sipaHex},
		0x00050021: {text{"flight signing", "플라이트 서명"}, sipaBool},
		0x00050022: {text{"pagefile encryption", "페이지 파일 암호화"}, sipaBool},
		0x00050023: {text{"VSM IDKS info", "VSM IDKS 정보"}, sipaHex},
		0x00050024: {text{"hibernation disabled", "최대 절전 모드 끔"}, sipaBool},
		0x00050025: {text{"dumps disabled", "덤프 끔"}, sipaBool},
		0x00050026: {text{"dump encryption", "덤프 암호화"}, sipaBool},
		0x00050027: {text{"dump encryption key digest", "덤프 암호화 키 다이제스트"}, sipaHex},
		0x00050028: {text{"LSA ISO config", "LSA ISO 구성"}, sipaUint},
		0x00060001: {text{"no authority", "서명 기관 없음"}, sipaHex},
		0x00060002: {text{"authority public key", "서명 기관 공개 키"}, sipaHex},
		0x00070001: {text{"file", "파일"}, sipaString},
		0x00070002: {text{"image size", "이미지 크기"}, sipaUint},
		0x00070003: {text{"hash algorithm", "해시 알고리즘"}, sipaUint},
		0x00070004: {text{"Authenticode hash", "Authenticode 해시"}, sipaHex},
		0x00070005: {text{"issuer", "발급자"}, sipaString},
		0x00070006: {text{"serial", "일련번호"}, sipaHex},
		0x00070007: {text{"image base", "이미지 기준 주소"}, sipaUint},
		0x00070008: {text{"publisher", "게시자"}, sipaString},
		0x00070009: {text{"authority SHA-1 thumbprint", "서명 기관 SHA-1 지문"}, sipaHex},
		0x0007000A: {text{"image validated", "이미지 검증됨"}, sipaBool},
		0x0007000B: {text{"module SVN", "모듈 SVN"}, sipaUint},
		0x00090001: {text{"ELAM key name", "ELAM 키 이름"}, sipaString},
		0x00090002: {text{"ELAM configuration", "ELAM 구성"}, sipaHex},
		0x00090003: {text{"ELAM policy", "ELAM 정책"}, sipaHex},
		0x00090004: {text{"ELAM measured", "ELAM 측정값"}, sipaHex},
		0x000A0001: {text{"VBS: VSM required", "VBS: VSM 필수"}, sipaBool},
		0x000A0002: {text{"VBS: Secure Boot required", "VBS: 보안 부팅 필수"}, sipaBool},
		0x000A0003: {text{"VBS: IOMMU required", "VBS: IOMMU 필수"}, sipaBool},
		0x000A0004: {text{"VBS: NX required", "VBS: NX 필수"}, sipaBool},
		0x000A0005: {text{"VBS: MSR filtering required", "VBS: MSR 필터링 필수"}, sipaBool},
		0x000A0006: {text{"VBS: mandatory enforcement", "VBS: 강제 적용"}, sipaBool},
		0x000A0007: {text{"VBS: HVCI policy", "VBS: HVCI 정책"}, sipaUint},
		0x000A0008: {text{"VBS: Microsoft boot chain required", "VBS: Microsoft 부팅 체인 필수"}, sipaBool},
		0x000B0001: {text{"KSR signature", "KSR 서명"}, sipaHex},
	}
})

// calgNames are the Windows CryptoAPI ALG_IDs a loaded module's hash algorithm record holds.
var calgNames = map[uint32]string{0x8004: "SHA-1", 0x800c: "SHA-256", 0x800d: "SHA-384", 0x800e: "SHA-512"}

// isSIPAContainer says whether a tagged event's ID is a SIPA container (type class 1).
func isSIPAContainer(id uint32) bool { return id&0x000f0000 == 0x00010000 }

// maxSIPAShown bounds a description: a PCR 13 event lists every driver Windows loaded.
const maxSIPAShown = 12

// sipaText describes a SIPA container's records in one line, e.g. "Windows trust boundary:
// boot counter 7, kernel debugging off, file \Windows\System32\winload.efi, …". It fails
// (and the caller shows hex) when the records do not frame exactly.
func sipaText(id uint32, d []byte) (text, bool) {
	items, ok := sipaItems(d, 0)
	if !ok {
		return text{}, false
	}
	name := sipaName(id)
	shown := items
	if len(shown) > maxSIPAShown {
		shown = shown[:maxSIPAShown]
	}
	out := both("Windows %s (SIPA): %s", "Windows %s(SIPA): %s", name, join(shown, ", "))
	if n := len(items) - len(shown); n > 0 {
		out = both("%s, and %d more", "%s 외 %d개", out, n)
	}
	return out, true
}

func sipaName(id uint32) text {
	if s, ok := sipaTypes()[id]; ok {
		return s.name
	}
	return both("record 0x%08x", "레코드 0x%08x", id)
}

// sipaItems flattens records into "name value" texts; a loaded-module or ELAM container
// becomes one item named by its file or key.
func sipaItems(d []byte, depth int) ([]text, bool) {
	if depth > 8 {
		return nil, false
	}
	var out []text
	for len(d) > 0 {
		if len(d) < 8 {
			return nil, false
		}
		typ, size := binary.LittleEndian.Uint32(d), binary.LittleEndian.Uint32(d[4:])
		if uint64(size) > uint64(len(d)-8) {
			return nil, false
		}
		v := d[8 : 8+size]
		d = d[8+size:]
		s, known := sipaTypes()[typ]
		if !known {
			out = append(out, both("%s %s", "%s %s", sipaName(typ), hexPreview(v)))
			continue
		}
		if s.kind == sipaContainerKind {
			inner, ok := sipaItems(v, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, both("%s [%s]", "%s [%s]", s.name, join(inner, "; ")))
			continue
		}
		if typ == 0x00070003 && len(v) == 4 {
			if alg, ok := calgNames[binary.LittleEndian.Uint32(v)]; ok {
				out = append(out, both("%s %s", "%s %s", s.name, alg))
				continue
			}
		}
		out = append(out, both("%s %s", "%s %s", s.name, sipaValue(s.kind, v)))
	}
	return out, true
}

func sipaValue(k sipaKind, v []byte) text {
	switch {
	case k == sipaBool && len(v) >= 1 && len(v) <= 8:
		for _, b := range v {
			if b != 0 {
				return text{"on", "켜짐"}
			}
		}
		return text{"off", "꺼짐"}
	case k == sipaUint && len(v) == 4:
		return same(fmt.Sprint(binary.LittleEndian.Uint32(v)))
	case k == sipaUint && len(v) == 8:
		return same(fmt.Sprint(binary.LittleEndian.Uint64(v)))
	case k == sipaString && len(v)%2 == 0:
		if s, ok := ucs2Text(v); ok {
			return same(s)
		}
	case k == sipaHex && len(v) > 0 && len(v) <= 64:
		return same(hex.EncodeToString(v))
	}
	return hexPreview(v)
}
