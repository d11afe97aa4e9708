package eventlog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/go-eventlog/tcg"
)

// text is one description in English and Korean. Both are built by the same code so the
// two cannot describe different data; the event's own data (names, paths, strings, hex)
// appears unchanged in both.
type text struct{ en, ko string }

// same is data that reads the same in both languages: a quoted string, a path, a name.
func same(s string) text { return text{s, s} }

// both formats the English and Korean patterns with the same arguments; a text argument
// contributes its English to the English line and its Korean to the Korean one.
func both(en, ko string, args ...any) text {
	enArgs, koArgs := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(text); ok {
			enArgs[i], koArgs[i] = t.en, t.ko
		} else {
			enArgs[i], koArgs[i] = a, a
		}
	}
	return text{fmt.Sprintf(en, enArgs...), fmt.Sprintf(ko, koArgs...)}
}

// join joins texts with sep in each language.
func join(ts []text, sep string) text {
	var en, ko []string
	for _, t := range ts {
		en, ko = append(en, t.en), append(ko, t.ko)
	}
	return text{strings.Join(en, sep), strings.Join(ko, sep)}
}

// describe renders the event's data in one line. It never fails: data it cannot decode
// is shown as a hex preview.
func describe(e Event, l *Log) text {
	t := tcg.EventType(e.Type)
	d := e.Data
	switch t {
	case tcg.NoAction:
		return noActionText(d, l)
	case tcg.Separator:
		return separatorText(d)
	case tcg.EFIVariableDriverConfig, tcg.EFIVariableBoot, tcg.EFIVariableBoot2, tcg.EFIVariableAuthority:
		if s, ok := variableText(t, d); ok {
			if e.Digest != nil && !e.DataMeasured() {
				// The replay vouches for the digest, not for this: say so beside the value.
				return text{s.en + " [data not what its digest covers: unvouched]", s.ko + " [다이제스트가 담보하지 않는 데이터: 보증되지 않음]"}
			}
			return s
		}
	case tcg.EFIBootServicesApplication, tcg.EFIBootServicesDriver, tcg.EFIRuntimeServicesDriver:
		if s, ok := imageLoadText(d); ok {
			return s
		}
	case tcg.SCRTMVersion:
		if s, ok := ucs2Text(d); ok && len(d) >= 2 {
			if s == "" {
				return both("S-CRTM version (empty)", "S-CRTM 버전 (비어 있음)")
			}
			return both("S-CRTM version %q", "S-CRTM 버전 %q", s)
		}
		if s, ok := asciiText(d); ok {
			return both("S-CRTM version %q", "S-CRTM 버전 %q", s)
		}
		if len(d) == 16 {
			return both("S-CRTM version GUID %s", "S-CRTM 버전 GUID %s", guidString(d))
		}
	case tcg.PostCode, tcg.SCRTMContents, tcg.EFIPlatformFirmwareBlob:
		if s, ok := asciiText(d); ok {
			return same(fmt.Sprintf("%q", s))
		}
		if len(d) == 16 {
			return blobText(d)
		}
	case tcg.EFIPlatformFirmwareBlob2:
		if s, ok := blob2Text(d); ok {
			return s
		}
	case tcg.EventTag:
		if s, ok := taggedText(d); ok {
			return s
		}
	case tcg.EFIGPTEvent:
		if s, ok := gptText(d); ok {
			return s
		}
	case tcg.EFIHandoffTables:
		if s, ok := handoffText(d); ok {
			return s
		}
	}
	// EV_IPL (grub commands, kernel command lines), EV_EFI_ACTION, EV_ACTION,
	// EV_PLATFORM_CONFIG_FLAGS, EV_COMPACT_HASH and friends are usually plain strings.
	if s, ok := asciiText(d); ok {
		return same(fmt.Sprintf("%q", s))
	}
	if s, ok := ucs2Whole(d); ok {
		return same(fmt.Sprintf("%q", s))
	}
	if s, rest, ok := textPrefix(d); ok {
		return both("%q + %s", "%q + %s", s, hexPreview(rest))
	}
	return hexPreview(d)
}

func noActionText(d []byte, l *Log) text {
	switch {
	case bytes.HasPrefix(d, []byte(specIDSignature)):
		if l.CryptoAgile {
			banks := strings.Join(l.Banks, ", ")
			return both("Spec ID Event03: TCG2 crypto-agile log, banks %s", "TCG2 다중 알고리즘 로그 헤더(\"Spec ID Event03\"), 뱅크 %s", banks)
		}
		return both("Spec ID Event03", "로그 헤더(\"Spec ID Event03\")")
	case bytes.HasPrefix(d, []byte("StartupLocality\x00")) && len(d) == 17:
		return both("StartupLocality: TPM2_Startup ran from locality %d (PCR0 starts at %d)",
			"StartupLocality: TPM2_Startup이 로컬리티 %d에서 실행되었습니다(PCR0은 %d에서 시작합니다)", d[16], d[16])
	case bytes.HasPrefix(d, []byte("Spec ID Event00")):
		return both("Spec ID Event00: TPM 1.2 style log", "TPM 1.2 형식 로그 헤더(\"Spec ID Event00\")")
	}
	// Other EV_NO_ACTION events (SP800-155 Event, NvIndexInstance...) start with a
	// NUL-terminated signature.
	if i := bytes.IndexByte(d, 0); i > 0 && i <= 24 {
		if s, ok := asciiText(d[:i]); ok {
			return both("%s (%d bytes, not extended)", "%s (%d바이트, 확장되지 않음)", s, len(d))
		}
	}
	return both("%s (not extended)", "%s (확장되지 않음)", hexPreview(d))
}

func separatorText(d []byte) text {
	switch {
	case isErrorSeparator(d):
		return both("ERROR separator (0x%08x): firmware reported an error while measuring this PCR",
			"오류 구분자 (0x%08x): 펌웨어가 이 PCR을 측정하다 오류를 알렸습니다", binary.LittleEndian.Uint32(d))
	case len(d) == 4 && binary.LittleEndian.Uint32(d) == 0:
		return both("separator: end of pre-OS measurements for this PCR", "구분자: 이 PCR의 OS 이전 측정이 끝났습니다")
	}
	if s, ok := asciiText(d); ok {
		return both("separator %q", "구분자 %q", s)
	}
	return both("separator with unusual data, %s", "데이터가 특이한 구분자, %s", hexPreview(d))
}

// isErrorSeparator recognises the error value of the PC Client Platform Firmware Profile
// (00000001h) and of the older Conventional BIOS specification (FFFFFFFFh).
func isErrorSeparator(d []byte) bool {
	if len(d) != 4 {
		return false
	}
	v := binary.LittleEndian.Uint32(d)
	return v == 1 || v == 0xFFFFFFFF
}

// IsErrorSeparator reports whether e is an EV_SEPARATOR that signals a measurement error
// rather than the normal end of pre-OS measurements.
func (e Event) IsErrorSeparator() bool {
	return e.Type == uint32(tcg.Separator) && isErrorSeparator(e.Data)
}

func blobText(d []byte) text {
	return both("firmware blob at 0x%x, %d bytes", "펌웨어 블롭: 주소 0x%x, %d바이트", binary.LittleEndian.Uint64(d), binary.LittleEndian.Uint64(d[8:]))
}

// blob2Text reads UEFI_PLATFORM_FIRMWARE_BLOB2: a length-prefixed description, base, size.
func blob2Text(d []byte) (text, bool) {
	if len(d) < 1 || len(d) != 1+int(d[0])+16 {
		return text{}, false
	}
	desc := hexPreview(d[1 : 1+d[0]])
	if s, ok := asciiText(d[1 : 1+d[0]]); ok {
		desc = same(s)
	}
	return both("%q %s", "%q %s", desc, blobText(d[1+d[0]:])), true
}

// taggedText reads TCG_PCClientTaggedEvent; the Linux EFI stub tags its initrd and load
// options this way.
func taggedText(d []byte) (text, bool) {
	ev, err := tcg.ParseTaggedEventData(d)
	if err != nil || 8+len(ev.Data) != len(d) {
		return text{}, false
	}
	if isSIPAContainer(ev.ID) {
		if s, ok := sipaText(ev.ID, ev.Data); ok {
			return s, true
		}
	}
	if s, ok := asciiText(ev.Data); ok {
		return both("tag 0x%08x: %q", "태그 0x%08x: %q", ev.ID, s), true
	}
	return both("tag 0x%08x: %s", "태그 0x%08x: %s", ev.ID, hexPreview(ev.Data)), true
}

// handoffText reads UEFI_HANDOFF_TABLE_POINTERS: a count, then GUID and address pairs.
func handoffText(d []byte) (text, bool) {
	if len(d) < 8 {
		return text{}, false
	}
	n := binary.LittleEndian.Uint64(d)
	if n == 0 || n > uint64(len(d)-8)/24 || 8+24*int(n) != len(d) {
		return text{}, false
	}
	var names []text
	for i := 0; i < int(n); i++ {
		names = append(names, guidName(guidString(d[8+24*i:])))
	}
	return both("%d configuration table%s: %s", "구성 테이블 %[1]d개: %[3]s", n, plural(int(n)), join(names, ", ")), true
}

// gptText reads UEFI_GPT_DATA: the 92-byte GPT header, a partition count, the entries.
func gptText(d []byte) (text, bool) {
	const hdr = 92
	if len(d) < hdr+8 || string(d[:8]) != "EFI PART" {
		return text{}, false
	}
	disk := guidString(d[56:72])
	entrySize := int(binary.LittleEndian.Uint32(d[84:]))
	n := binary.LittleEndian.Uint64(d[hdr:])
	if entrySize < 128 || n > uint64(len(d)-hdr-8)/uint64(entrySize) {
		return both("GPT disk %s (partition entries do not fit the event)", "GPT 디스크 %s (파티션 항목이 이벤트에 들어가지 않습니다)", disk), true
	}
	var parts []text
	for i := 0; i < int(n); i++ {
		e := d[hdr+8+i*entrySize:]
		name, _, ok := ucs2Prefix(append(append([]byte(nil), e[56:128]...), 0, 0))
		if !ok || name == "" {
			parts = append(parts, both("%q", "%q", guidName(guidString(e[:16]))))
			continue
		}
		parts = append(parts, same(fmt.Sprintf("%q", name)))
	}
	return both("GPT disk %s, %d partition%s: %s", "GPT 디스크 %[1]s, 파티션 %[2]d개: %[4]s", disk, n, plural(int(n)), join(parts, ", ")), true
}
