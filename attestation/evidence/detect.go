package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
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

// Detect recognises a file's kind from its content.
func Detect(b []byte) Kind {
	t := bytes.TrimSpace(b)
	switch {
	case len(b) >= 4 && string(b[:4]) == "HCLA":
		return KindHCLReport
	case len(b) >= 6 && binary.BigEndian.Uint32(b) == 0xff544347:
		return KindTPMAttest
	case len(t) > 0 && t[0] == '{':
		return detectJSON(t)
	case bytes.HasPrefix(t, []byte("-----BEGIN")):
		return detectPEM(t)
	case isJWT(t):
		return KindJWT
	case isEventLog(b):
		return KindEventLog
	case isTDQuote(b):
		return KindTDQuote
	case len(b) == 1184 && isSNPReport(b):
		return KindSNPReport
	case len(b) == 1024 && b[0] == 0x81:
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
		return KindUnknown
	}
	if f, ok := m["format"]; ok && strings.Contains(string(f), BundleFormat) {
		return KindBundle
	}
	if _, ok := m["tcbInfo"]; ok {
		return KindTCBInfo
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

func detectPEM(t []byte) Kind {
	block, _ := pem.Decode(t)
	if block == nil {
		return KindUnknown
	}
	switch block.Type {
	case "CERTIFICATE":
		return KindCertificates
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		return KindPublicKey
	case "X509 CRL":
		return KindCRL
	}
	return KindUnknown
}

func detectDER(b []byte) Kind {
	if _, err := x509.ParseCertificate(trimDER(b)); err == nil {
		return KindCertificates
	}
	if _, err := x509.ParsePKIXPublicKey(b); err == nil {
		return KindPublicKey
	}
	if _, err := x509.ParseRevocationList(b); err == nil {
		return KindCRL
	}
	return KindUnknown
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

func isJWT(t []byte) bool {
	if !bytes.HasPrefix(t, []byte("eyJ")) || bytes.Count(t, []byte(".")) != 2 {
		return false
	}
	for _, c := range t {
		if !(c == '.' || c == '-' || c == '_' || c == '=' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
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

// isTDQuote checks the DCAP quote header: version 4 or 5, ECDSA-P256 attestation key
// (type 2), TEE type TDX (0x81).
func isTDQuote(b []byte) bool {
	if len(b) < 48+584 {
		return false
	}
	le := binary.LittleEndian
	v := le.Uint16(b[0:])
	return (v == 4 || v == 5) && le.Uint16(b[2:]) == 2 && le.Uint32(b[4:]) == 0x81
}

// isSNPReport checks version 2..5 and signature algorithm 1 (ECDSA P-384 with SHA-384).
func isSNPReport(b []byte) bool {
	le := binary.LittleEndian
	v := le.Uint32(b[0:])
	return v >= 2 && v <= 5 && le.Uint32(b[0x34:]) == 1
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
