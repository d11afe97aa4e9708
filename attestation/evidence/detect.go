package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"strings"
)

// Kind is what a file holds, recognised by content, never by name.
type Kind string

const (
	KindUnknown       Kind = "unknown"
	KindBundle        Kind = "bundle"         // a cvmscope evidence bundle (JSON)
	KindHCLReport     Kind = "hcl-report"     // NV 0x01400001 ("HCLA")
	KindSNPReport     Kind = "snp-report"     // raw 1184-byte SEV-SNP report
	KindTDReport      Kind = "td-report"      // raw 1024-byte TDREPORT
	KindTDQuote       Kind = "td-quote"       // Intel DCAP TD quote v4/v5
	KindTPMAttest     Kind = "tpm-attest"     // TPMS_ATTEST (quote or certify)
	KindSignature     Kind = "signature"      // raw 256-byte RSA signature
	KindPCRs          Kind = "pcrs"           // 24 × 32-byte SHA-256 PCR values, or PCR JSON
	KindEventLog      Kind = "event-log"      // TCG2 crypto-agile event log
	KindCertificates  Kind = "certificates"   // PEM or DER X.509
	KindPublicKey     Kind = "public-key"     // PEM/DER SubjectPublicKeyInfo (an AK public)
	KindTPMPublic     Kind = "tpm-public"     // TPM2B_PUBLIC
	KindCRL           Kind = "crl"            // DER/PEM CRL
	KindJWT           Kind = "jwt"            // compact JWS
	KindJWKS          Kind = "jwks"           // {"keys":[...]} signing keys
	KindRuntimeClaims Kind = "runtime-claims" // HCL runtime-claims JSON
	KindTCBInfo       Kind = "tdx-tcb-info"   // Intel TCB info JSON
	KindQEIdentity    Kind = "tdx-qe-identity"
)

// ParseCheck is the id of the check that fails when a file of this kind does not parse.
func (k Kind) ParseCheck() string {
	switch k {
	case KindHCLReport, KindRuntimeClaims:
		return "hcl.parse"
	case KindSNPReport:
		return "snp.parse"
	case KindTDReport, KindTDQuote:
		return "tdx.parse"
	case KindTPMAttest, KindSignature:
		return "tpm.quote.parse"
	case KindPCRs:
		return "pcrs.parse"
	case KindEventLog:
		return "eventlog.parse"
	case KindCertificates:
		return "certs.parse"
	case KindPublicKey, KindTPMPublic:
		return "ak.parse"
	case KindCRL:
		return "crl.parse"
	case KindJWT:
		return "jwt.parse"
	case KindJWKS:
		return "jwks.parse"
	case KindTCBInfo, KindQEIdentity:
		return "tdx.collateral.parse"
	case KindTrustee:
		return "trustee.parse"
	case KindHCLBody, KindConstellation:
		return "hcl.parse"
	case KindTrusteeQuote, KindTPMTSig, KindGoTPM:
		return "tpm.quote.parse"
	case KindPCRFile, KindPCRValues:
		return "pcrs.parse"
	case KindUnknown:
		return "input.unknown"
	}
	return string(k) + ".parse"
}

// Detect recognises a file's kind from its content. It looks at signatures (magic numbers,
// headers, PEM armour, known JSON keys), not at whether the rest parses: a damaged file of a
// known kind must reach that kind's parser, which says what is wrong and where.
func Detect(b []byte) Kind {
	t := bytes.TrimSpace(b)
	switch {
	case len(b) >= 4 && string(b[:4]) == "HCLA":
		return KindHCLReport
	case len(b) >= 4 && binary.BigEndian.Uint32(b) == 0xff544347:
		return KindTPMAttest
	case len(t) > 0 && t[0] == '{':
		return detectJSON(t)
	case bytes.HasPrefix(t, []byte("-----BEGIN")):
		return detectPEM(t)
	case detectOther(b) != "":
		return detectOther(b)
	case bytes.HasPrefix(t, []byte("eyJ")):
		// base64url of `{"`: a JOSE header, so a JWT, whole or not.
		return KindJWT
	case isEventLog(b):
		return KindEventLog
	case isTDQuote(b):
		return KindTDQuote
	case isSNPReport(b):
		return KindSNPReport
	case isTDReport(b):
		return KindTDReport
	case len(b) == 24*32:
		return KindPCRs
	case isDER(b):
		return detectDER(b)
	case isTPM2BPublic(b):
		return KindTPMPublic
	case len(b) == 256 || len(b) == 384 || len(b) == 512:
		return KindSignature
	}
	return KindUnknown
}

func detectJSON(t []byte) Kind {
	var m map[string]json.RawMessage
	if json.Unmarshal(t, &m) != nil {
		return damagedJSON(t)
	}
	if f, ok := m["format"]; ok && strings.Contains(string(f), BundleFormat) {
		return KindBundle
	}
	if k := detectOtherJSON(m); k != "" {
		return k
	}
	if _, ok := m["tcbInfo"]; ok {
		return KindTCBInfo
	}
	if _, ok := m["vcekCert"]; ok {
		return KindCertificates // IMDS THIM's answer
	}
	if _, ok := m["enclaveIdentity"]; ok {
		return KindQEIdentity
	}
	if _, ok := m["vm-configuration"]; ok {
		return KindRuntimeClaims
	}
	if k, ok := m["keys"]; ok {
		if bytes.Contains(k, []byte("HCLAkPub")) {
			return KindRuntimeClaims
		}
		return KindJWKS
	}
	if _, ok := m["pcrs"]; ok {
		return KindPCRs
	}
	if _, ok := m["pcr0"]; ok {
		return KindPCRs
	}
	return KindUnknown
}

// damagedJSON recognises a JSON object that does not decode (cut short, a byte flipped,
// nested past the decoder's limit) by the keys each kind opens with, so that its parser can
// say where it breaks. The tests are in the order of detectJSON.
func damagedJSON(t []byte) Kind {
	has := func(s string) bool { return bytes.Contains(t, []byte(s)) }
	switch {
	case has(`"format"`) && has(BundleFormat):
		return KindBundle
	case has(`"tcbInfo"`):
		return KindTCBInfo
	case has(`"vcekCert"`) || has(`"certificateChain"`):
		return KindCertificates
	case has(`"enclaveIdentity"`):
		return KindQEIdentity
	case has(`"tpm_quote"`) || has(`"quote"`) && has(`"report"`):
		return KindTrustee
	case has(`"signature"`) && has(`"message"`):
		return KindTrusteeQuote
	case has(`"Attestation"`) && has(`"InstanceInfo"`):
		return KindConstellation
	case has(`"vm-configuration"`) || has(`"HCLAkPub"`):
		return KindRuntimeClaims
	case has(`"keys"`):
		return KindJWKS
	case has(`"pcrs"`) || has(`"pcr0"`):
		return KindPCRs
	}
	return KindUnknown
}

// detectPEM goes by the armour's label, so that a block cut short or with bad base64 still
// reaches the certificate, key or CRL parser.
func detectPEM(t []byte) Kind {
	label := t[len("-----BEGIN"):]
	if i := bytes.Index(label, []byte("-----")); i >= 0 {
		label = label[:i]
	}
	switch strings.TrimSpace(string(label)) {
	case "CERTIFICATE", "TRUSTED CERTIFICATE":
		return KindCertificates
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		return KindPublicKey
	case "X509 CRL":
		return KindCRL
	}
	return KindUnknown
}

func detectDER(b []byte) Kind {
	// A TBS opening with the explicit version tag [0] is a certificate whether or not the rest
	// parses (no public key or CRL has that tag there), so the full parse is left to
	// ParseCertificates, which reads it anyway. A v1 certificate has no tag: it is parsed.
	if derShape(b) == KindCertificates {
		return KindCertificates
	}
	if _, err := x509.ParseCertificate(trimDER(b)); err == nil {
		return KindCertificates
	}
	if _, err := x509.ParsePKIXPublicKey(b); err == nil {
		return KindPublicKey
	}
	if _, err := x509.ParseRevocationList(b); err == nil {
		return KindCRL
	}
	return derShape(b)
}

// derShape tells a damaged certificate, CRL or public key apart by how its outer SEQUENCE
// begins: a certificate's TBS opens with the explicit version tag [0], a v2 CRL's TBS with
// INTEGER 1, a SubjectPublicKeyInfo with the algorithm SEQUENCE holding an OID.
func derShape(b []byte) Kind {
	inner := derBody(b, 0)
	if inner < 0 || inner+2 > len(b) || b[inner] != 0x30 {
		return KindUnknown
	}
	in2 := derBody(b, inner)
	if in2 < 0 || in2+3 > len(b) {
		return KindUnknown
	}
	switch {
	case b[in2] == 0xa0:
		return KindCertificates
	case b[in2] == 0x02 && b[in2+1] == 0x01 && b[in2+2] == 0x01:
		return KindCRL
	case b[in2] == 0x06:
		return KindPublicKey
	}
	return KindUnknown
}

// derBody returns the offset of the content of the DER element at off, or -1.
func derBody(b []byte, off int) int {
	if off+2 > len(b) {
		return -1
	}
	l := b[off+1]
	switch {
	case l < 0x80:
		return off + 2
	case l >= 0x81 && l <= 0x83:
		return off + 2 + int(l-0x80)
	}
	return -1
}

// isDER reports whether b starts with a DER SEQUENCE with a long-form length.
func isDER(b []byte) bool {
	return len(b) > 4 && b[0] == 0x30 && (b[1] == 0x82 || b[1] == 0x81)
}

// trimDER cuts zero padding after a DER SEQUENCE (the AK certificate NV index is padded).
func trimDER(b []byte) []byte {
	if len(b) < 4 || b[0] != 0x30 {
		return b
	}
	var n, hdr int
	switch {
	case b[1] < 0x80:
		n, hdr = int(b[1]), 2
	case b[1] == 0x81:
		n, hdr = int(b[2]), 3
	case b[1] == 0x82:
		n, hdr = int(b[2])<<8|int(b[3]), 4
	default:
		return b
	}
	if hdr+n <= len(b) {
		return b[:hdr+n]
	}
	return b
}

// isEventLog looks for the TCG2 Spec ID event that opens a crypto-agile log: PCR 0,
// type EV_NO_ACTION (3), a 20-byte zero digest, then the "Spec ID Event03" signature.
func isEventLog(b []byte) bool {
	if len(b) < 48 {
		return false
	}
	le := binary.LittleEndian
	return le.Uint32(b[0:]) == 0 && le.Uint32(b[4:]) == 3 && bytes.HasPrefix(b[32:], []byte("Spec ID Event"))
}

// isTDQuote checks the DCAP quote header: version 3 to 5, ECDSA-P256 attestation key
// (type 2), TEE type TDX (0x81) or SGX (0, which the parser refuses by name); or an Intel
// QGS GET_QUOTE_RESP message (version 1.1, type 1, its size the whole input), which
// tdx.ParseQuote unwraps.
func isTDQuote(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	le := binary.LittleEndian
	if len(b) >= 24 && le.Uint16(b[0:]) == 1 && le.Uint16(b[2:]) == 1 && le.Uint32(b[4:]) == 1 && int(le.Uint32(b[8:])) == len(b) {
		return true
	}
	v, tee := le.Uint16(b[0:]), le.Uint32(b[4:])
	return v >= 3 && v <= 5 && le.Uint16(b[2:]) == 2 && (tee == 0x81 || tee == 0)
}

// isSNPReport checks version 2..5 and signature algorithm 1 (ECDSA P-384 with SHA-384), at
// any length: the parser says when it is cut short.
func isSNPReport(b []byte) bool {
	if len(b) < 0x38 {
		return false
	}
	le := binary.LittleEndian
	v := le.Uint32(b[0:])
	return v >= 2 && v <= 5 && le.Uint32(b[0x34:]) == 1
}

// isTDReport checks REPORTMACSTRUCT's type: TEE type TDX (0x81), subtype 0, version 0 or 1,
// reserved 0.
func isTDReport(b []byte) bool {
	return len(b) >= 8 && b[0] == 0x81 && b[1] == 0 && b[2] <= 1 && b[3] == 0
}

// isTPM2BPublic checks a TPM2B_PUBLIC whose size matches and whose type is RSA or ECC.
func isTPM2BPublic(b []byte) bool {
	if len(b) < 10 {
		return false
	}
	n := int(binary.BigEndian.Uint16(b))
	typ := binary.BigEndian.Uint16(b[2:])
	return n+2 == len(b) && (typ == 0x0001 || typ == 0x0023)
}
