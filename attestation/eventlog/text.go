package eventlog

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// previewBytes bounds hex previews so a description stays one line.
const previewBytes = 16

// hexPreview renders the first bytes of data in hex with the total length.
func hexPreview(data []byte) text {
	if len(data) == 0 {
		return both("0 bytes", "0바이트")
	}
	if len(data) <= previewBytes {
		return both("%d bytes: %s", "%d바이트: %s", len(data), hex.EncodeToString(data))
	}
	return both("%d bytes: %s…", "%d바이트: %s…", len(data), hex.EncodeToString(data[:previewBytes]))
}

// asciiText returns data as text when, after trailing NULs, it is printable UTF-8.
// Firmware often NUL-terminates strings and sometimes pads them.
func asciiText(data []byte) (string, bool) {
	s := strings.TrimRight(string(data), "\x00")
	if s == "" || !utf8.ValidString(s) {
		return "", false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return "", false
		}
	}
	return oneLine(s), true
}

// ucs2Text decodes a UCS-2 (UTF-16LE) string up to its NUL terminator.
func ucs2Text(data []byte) (string, bool) {
	if len(data)%2 != 0 {
		return "", false
	}
	u := make([]uint16, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		c := binary.LittleEndian.Uint16(data[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	s := string(utf16.Decode(u))
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "", false
		}
	}
	return s, true
}

// ucs2Whole decodes data that is entirely a UCS-2 string of printable ASCII, NUL padded;
// it guards the fallback for unknown events against binary that happens to decode.
// systemd-boot measures its load options with an odd, one-byte terminator.
func ucs2Whole(data []byte) (string, bool) {
	if len(data)%2 == 1 && data[len(data)-1] == 0 {
		data = data[:len(data)-1]
	}
	if len(data) < 4 || len(data)%2 != 0 {
		return "", false
	}
	var b strings.Builder
	end := false
	for i := 0; i < len(data); i += 2 {
		c := binary.LittleEndian.Uint16(data[i:])
		switch {
		case c == 0:
			end = true
		case end || c < 0x20 || c > 0x7e:
			return "", false
		default:
			b.WriteByte(byte(c))
		}
	}
	return b.String(), b.Len() > 0
}

// textPrefix finds a NUL-terminated printable signature of at least three characters at
// the start of binary data, e.g. "GCE NonHostInfo".
func textPrefix(data []byte) (string, []byte, bool) {
	i := bytes.IndexByte(data, 0)
	if i < 3 || i > 64 {
		return "", nil, false
	}
	s, ok := asciiText(data[:i])
	if !ok {
		return "", nil, false
	}
	return s, data[i+1:], true
}

// ucs2Prefix reads a NUL-terminated UCS-2 string from the start of data and returns it
// with the number of bytes it used, terminator included.
func ucs2Prefix(data []byte) (string, int, bool) {
	for i := 0; i+1 < len(data); i += 2 {
		if data[i] == 0 && data[i+1] == 0 {
			s, ok := ucs2Text(data[:i])
			return s, i + 2, ok
		}
	}
	return "", 0, false
}

// oneLine makes control characters visible so a value cannot break a one-line description.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, strings.TrimRight(s, "\n\r\t "))
}

// guidString formats a 16-byte EFI_GUID (mixed endian) in its registry form.
func guidString(b []byte) string {
	if len(b) < 16 {
		return hex.EncodeToString(b)
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

// knownGUIDs names the GUIDs that appear in firmware logs of the machines cvmscope meets,
// in English and Korean; vendor names stay as they are.
// Built on first use, not at init: only a described event log names GUIDs.
var knownGUIDs = sync.OnceValue(func() map[string]text {
	return map[string]text{
		"8be4df61-93ca-11d2-aa0d-00e098032b8c": {"EFI global variable", "EFI 전역 변수"},
		"d719b2cb-3d3a-4596-a3bc-dad00e67656f": {"EFI image security database", "EFI 이미지 보안 데이터베이스"},
		"605dab50-e046-4300-abb6-3dd810dd8b23": same("shim"),
		"77fa9abd-0359-4d32-bd60-28f4e78f784b": same("Microsoft"),
		"8868e871-e4f1-11d3-bc22-0080c73c8881": {"ACPI 2.0 table", "ACPI 2.0 테이블"},
		"eb9d2d30-2d88-11d3-9a16-0090273fc14d": {"ACPI 1.0 table", "ACPI 1.0 테이블"},
		"eb9d2d31-2d88-11d3-9a16-0090273fc14d": {"SMBIOS table", "SMBIOS 테이블"},
		"f2fd1544-9794-4a2c-992e-e5bbcf20e394": {"SMBIOS 3 table", "SMBIOS 3 테이블"},
		"c12a7328-f81f-11d2-ba4b-00a0c93ec93b": {"EFI system partition", "EFI 시스템 파티션"},
		"0fc63daf-8483-4772-8e79-3d69d8477de4": {"Linux filesystem", "Linux 파일 시스템"},
		"4f68bce3-e8cd-4db1-96e7-fbcaf984b709": {"Linux root (x86-64)", "Linux 루트 (x86-64)"},
		"21686148-6449-6e6f-744e-656564454649": {"BIOS boot partition", "BIOS 부팅 파티션"},
		"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7": {"Microsoft basic data", "Microsoft 기본 데이터"},
		"e3c9e316-0b5c-4db8-817d-f92df00215ae": {"Microsoft reserved", "Microsoft 예약"},
		"bc13c2ff-59e6-4262-a352-b275fd6f7172": {"Linux extended boot", "Linux 확장 부팅"},
	}
})

// guidName returns the name of a known GUID and the GUID itself otherwise.
func guidName(g string) text {
	if n, ok := knownGUIDs()[g]; ok {
		return n
	}
	return same(g)
}
