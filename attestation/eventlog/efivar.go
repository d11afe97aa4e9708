package eventlog

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/go-eventlog/tcg"
)

const globalVariableGUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// variableText describes a UEFI_VARIABLE_DATA event: the variable's name and vendor, and
// its value for the variables a reader cares about.
func variableText(typ tcg.EventType, data []byte) (string, bool) {
	v, err := tcg.ParseUEFIVariableData(bytesReader(data))
	if err != nil {
		return "", false
	}
	name := oneLine(v.VarName())
	vendor := v.Header.VariableName.String()
	label := name
	if vendor != globalVariableGUID {
		label = fmt.Sprintf("%s (%s)", name, guidName(vendor))
	}
	val := v.VariableData
	if typ == tcg.EFIVariableAuthority {
		return label + ": " + authorityText(v), true
	}
	switch {
	case name == "SecureBoot" && vendor == globalVariableGUID:
		return label + " = " + secureBootValue(val), true
	case name == "BootOrder" && vendor == globalVariableGUID:
		return label + " = " + bootOrderText(val), true
	case isBootEntry(name) && vendor == globalVariableGUID:
		return label + " " + loadOptionText(val), true
	case name == "PK" || name == "KEK" || name == "db" || name == "dbx" || name == "dbt" || name == "MokList" || name == "MokListX":
		return label + ": " + signatureListText(val), true
	}
	if s, ok := asciiText(val); ok {
		return fmt.Sprintf("%s = %q", label, s), true
	}
	return label + " = " + hexPreview(val), true
}

// secureBootValue reads the one-byte SecureBoot variable.
func secureBootValue(val []byte) string {
	switch {
	case len(val) == 0:
		return "(empty: Secure Boot variable not set, treated as disabled)"
	case val[0] == 1:
		return "1 (enabled)"
	case val[0] == 0:
		return "0 (disabled)"
	}
	return fmt.Sprintf("0x%02x (not a valid SecureBoot value)", val[0])
}

func bootOrderText(val []byte) string {
	if len(val)%2 != 0 || len(val) == 0 {
		return hexPreview(val)
	}
	var ids []string
	for i := 0; i+1 < len(val); i += 2 {
		ids = append(ids, fmt.Sprintf("Boot%04X", binary.LittleEndian.Uint16(val[i:])))
	}
	return strings.Join(ids, ", ")
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
func loadOptionText(val []byte) string {
	if len(val) < 6 {
		return hexPreview(val)
	}
	attrs := binary.LittleEndian.Uint32(val)
	pathLen := int(binary.LittleEndian.Uint16(val[4:]))
	desc, used, ok := ucs2Prefix(val[6:])
	if !ok || 6+used+pathLen > len(val) {
		return hexPreview(val)
	}
	out := fmt.Sprintf("%q", desc)
	if path, err := devicePathText(val[6+used : 6+used+pathLen]); err == nil && path != "" {
		out += " " + path
	}
	if attrs&1 == 0 {
		out += " (inactive)"
	}
	return out
}

// signatureListText summarises an EFI_SIGNATURE_LIST variable (PK, KEK, db, dbx). The
// lists are walked here rather than with go-eventlog's SignatureData, which trusts the
// size fields (a SignatureSize below 16 makes it allocate gigabytes) and rejects SHA-1 and
// SHA-384 hash lists that real dbx variables contain.
func signatureListText(val []byte) string {
	if len(val) == 0 {
		return "empty"
	}
	var names []string
	hashes, others := 0, 0
	for off := 0; off < len(val); {
		if len(val)-off < 28 {
			return fmt.Sprintf("%d bytes, signature list at offset %d truncated", len(val), off)
		}
		typ := guidString(val[off:])
		listSize := int(binary.LittleEndian.Uint32(val[off+16:]))
		headerSize := int(binary.LittleEndian.Uint32(val[off+20:]))
		sigSize := int(binary.LittleEndian.Uint32(val[off+24:]))
		if listSize < 28 || listSize > len(val)-off || sigSize < 16 || headerSize > listSize-28 || (listSize-28-headerSize)%sigSize != 0 {
			return fmt.Sprintf("%d bytes, signature list at offset %d has inconsistent sizes (list %d, header %d, entry %d)",
				len(val), off, listSize, headerSize, sigSize)
		}
		for e := off + 28 + headerSize; e < off+listSize; e += sigSize {
			entry := val[e+16 : e+sigSize] // after the owner GUID
			if typ != x509SignatureType {
				if hashSignatureTypes[typ] {
					hashes++
				} else {
					others++
				}
				continue
			}
			if c, err := x509.ParseCertificate(entry); err == nil {
				names = append(names, certName(c.Subject.CommonName, c.Subject.String()))
			} else {
				names = append(names, "unparseable certificate")
			}
		}
		off += listSize
	}
	var parts []string
	if len(names) > 0 {
		parts = append(parts, fmt.Sprintf("%d certificate%s (%s)", len(names), plural(len(names)), strings.Join(names, "; ")))
	}
	if hashes > 0 {
		parts = append(parts, fmt.Sprintf("%d hash%s", hashes, pluralES(hashes)))
	}
	if others > 0 {
		parts = append(parts, fmt.Sprintf("%d other entr%s", others, pluralY(others)))
	}
	if len(parts) == 0 {
		return "no entries"
	}
	return strings.Join(parts, ", ")
}

// x509SignatureType is EFI_CERT_X509_GUID.
const x509SignatureType = "a5c059a1-94e4-4aa7-87b5-ab155c2bf072"

// hashSignatureTypes are the EFI_CERT_* types that hold a digest (of an image or of a
// certificate's TBS data).
var hashSignatureTypes = map[string]bool{
	"c1c41626-504c-4092-aca9-41f936934328": true, // SHA-256
	"826ca512-cf10-4ac9-b187-be01496631bd": true, // SHA-1
	"0b6e5233-a65c-44c9-9407-d9ab83bfc8bd": true, // SHA-224
	"ff3e5307-9fd0-48c9-85f1-8ad56c701e01": true, // SHA-384
	"093e0fae-a6c4-4f50-9f1b-d41e2b89c19a": true, // SHA-512
	"3bd2a492-96c0-4079-b420-fcf98ef103ed": true, // X.509 TBS SHA-256
	"7076876e-80c2-4ee6-aad2-28b349a6865b": true, // X.509 TBS SHA-384
	"446dbf63-2502-4cda-bcfa-2465d2b0fe9d": true, // X.509 TBS SHA-512
}

// authorityText names the certificate that verified an image (EV_EFI_VARIABLE_AUTHORITY).
func authorityText(v tcg.UEFIVariableData) string {
	a, err := tcg.ParseUEFIVariableAuthority(v)
	if len(a.Certs) > 0 {
		c := a.Certs[0]
		return "verified by " + certName(c.Subject.CommonName, c.Subject.String())
	}
	if s, ok := asciiText(v.VariableData); ok {
		return fmt.Sprintf("%q", s)
	}
	if err != nil {
		return fmt.Sprintf("%s (%v)", hexPreview(v.VariableData), err)
	}
	return hexPreview(v.VariableData)
}

func certName(cn, dn string) string {
	if cn != "" {
		return cn
	}
	return dn
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
