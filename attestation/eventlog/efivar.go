package eventlog

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-eventlog/tcg"
)

const globalVariableGUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// variableText describes a UEFI_VARIABLE_DATA event: the variable's name and vendor, and
// its value for the variables a reader cares about.
func variableText(typ tcg.EventType, data []byte) (text, bool) {
	v, err := tcg.ParseUEFIVariableData(bytesReader(data))
	if err != nil {
		return text{}, false
	}
	name := oneLine(v.VarName())
	vendor := v.Header.VariableName.String()
	label := same(name)
	if vendor != globalVariableGUID {
		label = both("%s (%s)", "%s (%s)", name, guidName(vendor))
	}
	val := v.VariableData
	if typ == tcg.EFIVariableAuthority {
		return both("%s: %s", "%s: %s", label, authorityText(v)), true
	}
	switch {
	case name == "SecureBoot" && vendor == globalVariableGUID:
		return both("%s = %s", "%s = %s", label, secureBootValue(val)), true
	case name == "BootOrder" && vendor == globalVariableGUID:
		return both("%s = %s", "%s = %s", label, bootOrderText(val)), true
	case isBootEntry(name) && vendor == globalVariableGUID:
		return both("%s %s", "%s %s", label, loadOptionText(val)), true
	case name == "PK" || name == "KEK" || name == "db" || name == "dbx" || name == "dbt" || name == "MokList" || name == "MokListX":
		return both("%s: %s", "%s: %s", label, signatureListText(val)), true
	}
	if s, ok := asciiText(val); ok {
		return both("%s = %q", "%s = %q", label, s), true
	}
	return both("%s = %s", "%s = %s", label, hexPreview(val)), true
}

// secureBootValue reads the one-byte SecureBoot variable.
func secureBootValue(val []byte) text {
	switch {
	case len(val) == 0:
		return both("(empty: Secure Boot variable not set, treated as disabled)", "(비어 있음: 보안 부팅 변수가 설정되지 않아 꺼진 것으로 봅니다)")
	case val[0] == 1:
		return both("1 (enabled)", "1 (켜짐)")
	case val[0] == 0:
		return both("0 (disabled)", "0 (꺼짐)")
	}
	return both("0x%02x (not a valid SecureBoot value)", "0x%02x (올바른 SecureBoot 값이 아닙니다)", val[0])
}

func bootOrderText(val []byte) text {
	if len(val)%2 != 0 || len(val) == 0 {
		return hexPreview(val)
	}
	var ids []string
	for i := 0; i+1 < len(val); i += 2 {
		ids = append(ids, fmt.Sprintf("Boot%04X", binary.LittleEndian.Uint16(val[i:])))
	}
	return same(strings.Join(ids, ", "))
}

func isBootEntry(name string) bool {
	if len(name) != 8 || !strings.HasPrefix(name, "Boot") {
		return false
	}
	for _, c := range name[4:] {
		if !strings.ContainsRune("0123456789ABCDEFabcdef", c) {
			return false
		}
	}
	return true
}

// loadOptionText reads an EFI_LOAD_OPTION: attributes, device path length, description,
// device path.
func loadOptionText(val []byte) text {
	if len(val) < 6 {
		return hexPreview(val)
	}
	attrs := binary.LittleEndian.Uint32(val)
	pathLen := int(binary.LittleEndian.Uint16(val[4:]))
	desc, used, ok := ucs2Prefix(val[6:])
	if !ok || 6+used+pathLen > len(val) {
		return hexPreview(val)
	}
	out := same(fmt.Sprintf("%q", desc))
	if path, err := devicePathText(val[6+used : 6+used+pathLen]); err == nil && path != "" {
		out = both("%s %s", "%s %s", out, path)
	}
	if attrs&1 == 0 {
		out = both("%s (inactive)", "%s (비활성)", out)
	}
	return out
}

// signatureListText summarises an EFI_SIGNATURE_LIST variable (PK, KEK, db, dbx). The
// lists are walked here rather than with go-eventlog's SignatureData, which trusts the
// size fields (a SignatureSize below 16 makes it allocate gigabytes) and rejects SHA-1 and
// SHA-384 hash lists that real dbx variables contain.
func signatureListText(val []byte) text {
	if len(val) == 0 {
		return both("empty", "비어 있음")
	}
	var names []text
	hashes, others := 0, 0
	for off := 0; off < len(val); {
		if len(val)-off < 28 {
			return both("%d bytes, signature list at offset %d truncated", "%d바이트, 오프셋 %d의 서명 목록이 잘렸습니다", len(val), off)
		}
		typ := guidString(val[off:])
		listSize := int(binary.LittleEndian.Uint32(val[off+16:]))
		headerSize := int(binary.LittleEndian.Uint32(val[off+20:]))
		sigSize := int(binary.LittleEndian.Uint32(val[off+24:]))
		if listSize < 28 || listSize > len(val)-off || sigSize < 16 || headerSize > listSize-28 || (listSize-28-headerSize)%sigSize != 0 {
			return both("%d bytes, signature list at offset %d has inconsistent sizes (list %d, header %d, entry %d)",
				"%d바이트, 오프셋 %d의 서명 목록 크기가 서로 맞지 않습니다(목록 %d, 헤더 %d, 항목 %d)",
				len(val), off, listSize, headerSize, sigSize)
		}
		for e := off + 28 + headerSize; e < off+listSize; e += sigSize {
			entry := val[e+16 : e+sigSize] // after the owner GUID
			if typ != x509SignatureType {
				if hashSignatureTypes()[typ] {
					hashes++
				} else {
					others++
				}
				continue
			}
			if c, err := x509.ParseCertificate(entry); err == nil {
				names = append(names, certName(c.Subject.CommonName, c.Subject.String()))
			} else {
				names = append(names, both("unparseable certificate", "해석할 수 없는 인증서"))
			}
		}
		off += listSize
	}
	var parts []text
	if len(names) > 0 {
		parts = append(parts, both("%d certificate%s (%s)", "인증서 %[1]d개 (%[3]s)", len(names), plural(len(names)), join(names, "; ")))
	}
	if hashes > 0 {
		parts = append(parts, both("%d hash%s", "해시 %[1]d개", hashes, pluralES(hashes)))
	}
	if others > 0 {
		parts = append(parts, both("%d other entr%s", "기타 항목 %[1]d개", others, pluralY(others)))
	}
	if len(parts) == 0 {
		return both("no entries", "항목 없음")
	}
	return join(parts, ", ")
}

// x509SignatureType is EFI_CERT_X509_GUID.
const x509SignatureType = "a5c059a1-94e4-4aa7-87b5-ab155c2bf072"

// hashSignatureTypes are the EFI_CERT_* types that hold a digest (of an image or of a
// certificate's TBS data).
// Built on first use, not at init, as knownGUIDs is.
var hashSignatureTypes = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"c1c41626-504c-4092-aca9-41f936934328": true, // SHA-256
		"826ca512-cf10-4ac9-b187-be01496631bd": true, // SHA-1
		"0b6e5233-a65c-44c9-9407-d9ab83bfc8bd": true, // SHA-224
		"ff3e5307-9fd0-48c9-85f1-8ad56c701e01": true, // SHA-384
		"093e0fae-a6c4-4f50-9f1b-d41e2b89c19a": true, // SHA-512
		"3bd2a492-96c0-4079-b420-fcf98ef103ed": true, // X.509 TBS SHA-256
		"7076876e-80c2-4ee6-aad2-28b349a6865b": true, // X.509 TBS SHA-384
		"446dbf63-2502-4cda-bcfa-2465d2b0fe9d": true, // X.509 TBS SHA-512
	}
})

// authorityText names the certificate that verified an image (EV_EFI_VARIABLE_AUTHORITY).
func authorityText(v tcg.UEFIVariableData) text {
	a, err := tcg.ParseUEFIVariableAuthority(v)
	if len(a.Certs) > 0 {
		c := a.Certs[0]
		return both("verified by %s", "%s 인증서로 검증됨", certName(c.Subject.CommonName, c.Subject.String()))
	}
	if s, ok := asciiText(v.VariableData); ok {
		return same(fmt.Sprintf("%q", s))
	}
	if err != nil {
		// go-eventlog's words, kept as it wrote them.
		return both("%s (%v)", "%s (%v)", hexPreview(v.VariableData), err)
	}
	return hexPreview(v.VariableData)
}

// certName is a certificate's name as its subject gives it; the Korean quotes it, since it
// is the certificate's own (English) words inside a Korean sentence.
func certName(cn, dn string) text {
	if cn == "" {
		cn = dn
	}
	return text{cn, strconv.Quote(cn)}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func pluralES(n int) string {
	if n == 1 {
		return ""
	}
	return "es"
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}
