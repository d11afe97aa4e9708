package eventlog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/go-eventlog/tcg"
)

// describe renders the event's data in one line. It never fails: data it cannot decode
// is shown as a hex preview.
func describe(e Event, l *Log) string {
	t := tcg.EventType(e.Type)
	d := e.Data
	switch t {
	case tcg.NoAction:
		return noActionText(d, l)
	case tcg.Separator:
		return separatorText(d)
	case tcg.EFIVariableDriverConfig, tcg.EFIVariableBoot, tcg.EFIVariableBoot2, tcg.EFIVariableAuthority:
		if s, ok := variableText(t, d); ok {
			return s
		}
	case tcg.EFIBootServicesApplication, tcg.EFIBootServicesDriver, tcg.EFIRuntimeServicesDriver:
		if s, ok := imageLoadText(d); ok {
			return s
		}
	case tcg.SCRTMVersion:
		if s, ok := ucs2Text(d); ok && len(d) >= 2 {
			if s == "" {
				return "S-CRTM version (empty)"
			}
			return fmt.Sprintf("S-CRTM version %q", s)
		}
		if s, ok := asciiText(d); ok {
			return fmt.Sprintf("S-CRTM version %q", s)
		}
		if len(d) == 16 {
			return "S-CRTM version GUID " + guidString(d)
		}
	case tcg.PostCode, tcg.SCRTMContents, tcg.EFIPlatformFirmwareBlob:
		if s, ok := asciiText(d); ok {
			return fmt.Sprintf("%q", s)
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
		return fmt.Sprintf("%q", s)
	}
	if s, ok := ucs2Whole(d); ok {
		return fmt.Sprintf("%q", s)
	}
	if s, rest, ok := textPrefix(d); ok {
		return fmt.Sprintf("%q + %s", s, hexPreview(rest))
	}
	return hexPreview(d)
}

func noActionText(d []byte, l *Log) string {
	switch {
	case bytes.HasPrefix(d, []byte(specIDSignature)):
		if l.CryptoAgile {
			return "Spec ID Event03: TCG2 crypto-agile log, banks " + strings.Join(l.Banks, ", ")
		}
		return "Spec ID Event03"
	case bytes.HasPrefix(d, []byte("StartupLocality\x00")) && len(d) == 17:
		return fmt.Sprintf("StartupLocality: TPM2_Startup ran from locality %d (PCR0 starts at %d)", d[16], d[16])
	case bytes.HasPrefix(d, []byte("Spec ID Event00")):
		return "Spec ID Event00: TPM 1.2 style log"
	}
	// Other EV_NO_ACTION events (SP800-155 Event, NvIndexInstance...) start with a
	// NUL-terminated signature.
	if i := bytes.IndexByte(d, 0); i > 0 && i <= 24 {
		if s, ok := asciiText(d[:i]); ok {
			return fmt.Sprintf("%s (%d bytes, not extended)", s, len(d))
		}
	}
	return hexPreview(d) + " (not extended)"
}

func separatorText(d []byte) string {
	switch {
	case isErrorSeparator(d):
		return fmt.Sprintf("ERROR separator (0x%08x): firmware reported an error while measuring this PCR", binary.LittleEndian.Uint32(d))
	case len(d) == 4 && binary.LittleEndian.Uint32(d) == 0:
		return "separator: end of pre-OS measurements for this PCR"
	}
	if s, ok := asciiText(d); ok {
		return fmt.Sprintf("separator %q", s)
	}
	return "separator with unusual data, " + hexPreview(d)
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

func blobText(d []byte) string {
	return fmt.Sprintf("firmware blob at 0x%x, %d bytes", binary.LittleEndian.Uint64(d), binary.LittleEndian.Uint64(d[8:]))
}

// blob2Text reads UEFI_PLATFORM_FIRMWARE_BLOB2: a length-prefixed description, base, size.
func blob2Text(d []byte) (string, bool) {
	if len(d) < 1 || len(d) != 1+int(d[0])+16 {
		return "", false
	}
	desc, ok := asciiText(d[1 : 1+d[0]])
	if !ok {
		desc = hexPreview(d[1 : 1+d[0]])
	}
	return fmt.Sprintf("%q %s", desc, blobText(d[1+d[0]:])), true
}

// taggedText reads TCG_PCClientTaggedEvent; the Linux EFI stub tags its initrd and load
// options this way.
func taggedText(d []byte) (string, bool) {
	ev, err := tcg.ParseTaggedEventData(d)
	if err != nil || 8+len(ev.Data) != len(d) {
		return "", false
	}
	if s, ok := asciiText(ev.Data); ok {
		return fmt.Sprintf("tag 0x%08x: %q", ev.ID, s), true
	}
	return fmt.Sprintf("tag 0x%08x: %s", ev.ID, hexPreview(ev.Data)), true
}

// handoffText reads UEFI_HANDOFF_TABLE_POINTERS: a count, then GUID and address pairs.
func handoffText(d []byte) (string, bool) {
	if len(d) < 8 {
		return "", false
	}
	n := binary.LittleEndian.Uint64(d)
	if n == 0 || n > uint64(len(d)-8)/24 || 8+24*int(n) != len(d) {
		return "", false
	}
	var names []string
	for i := 0; i < int(n); i++ {
		names = append(names, guidName(guidString(d[8+24*i:])))
	}
	return fmt.Sprintf("%d configuration table%s: %s", n, plural(int(n)), strings.Join(names, ", ")), true
}

// gptText reads UEFI_GPT_DATA: the 92-byte GPT header, a partition count, the entries.
func gptText(d []byte) (string, bool) {
	const hdr = 92
	if len(d) < hdr+8 || string(d[:8]) != "EFI PART" {
		return "", false
	}
	disk := guidString(d[56:72])
	entrySize := int(binary.LittleEndian.Uint32(d[84:]))
	n := binary.LittleEndian.Uint64(d[hdr:])
	if entrySize < 128 || n > uint64(len(d)-hdr-8)/uint64(entrySize) {
		return fmt.Sprintf("GPT disk %s (partition entries do not fit the event)", disk), true
	}
	var parts []string
	for i := 0; i < int(n); i++ {
		e := d[hdr+8+i*entrySize:]
		name, _, ok := ucs2Prefix(append(append([]byte(nil), e[56:128]...), 0, 0))
		if !ok || name == "" {
			name = guidName(guidString(e[:16]))
		}
		parts = append(parts, fmt.Sprintf("%q", name))
	}
	return fmt.Sprintf("GPT disk %s, %d partition%s: %s", disk, n, plural(int(n)), strings.Join(parts, ", ")), true
}
