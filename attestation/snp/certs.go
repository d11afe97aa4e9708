package snp

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// koErr is an error in English with its Korean beside it, both formatted from the same
// arguments, for fault.MessageIn.
func koErr(en, ko string, a ...any) error {
	return fault.Korean(fmt.Errorf(en, a...), fmt.Sprintf(ko, a...), "")
}

// ParseCerts reads certificates from a PEM bundle (any number of CERTIFICATE blocks, e.g.
// THIM's vcekCert + certificateChain), from DER (one or several concatenated), or from the
// JSON that IMDS returns for /metadata/THIM/amd/certification.
func ParseCerts(data []byte) ([]*x509.Certificate, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, koErr("certificates: the input is empty", "인증서: 입력이 비어 있습니다")
	}
	if trimmed[0] == '{' {
		return parseTHIM(trimmed)
	}
	if bytes.Contains(trimmed, []byte("-----BEGIN")) {
		return parsePEM(trimmed)
	}
	// DER is binary: its last bytes may look like whitespace, so parse the untrimmed input.
	certs, err := x509.ParseCertificates(data)
	if err != nil {
		return nil, koErr("certificates: not PEM, and not DER X.509: %v", "인증서: PEM도 아니고 DER X.509도 아닙니다: %v", err)
	}
	return certs, nil
}

func parsePEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for n := 1; ; n++ {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, koErr("certificates: PEM block %d is %q, want CERTIFICATE", "인증서: PEM 블록 %d이 %q이지만 CERTIFICATE여야 합니다", n, blk.Type)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, koErr("certificates: PEM block %d is not a valid X.509 certificate: %v", "인증서: PEM 블록 %d이 올바른 X.509 인증서가 아닙니다: %v", n, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, koErr("certificates: no complete PEM CERTIFICATE block found", "인증서: 완전한 PEM CERTIFICATE 블록이 없습니다")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, koErr("certificates: %d bytes after certificate %d are not a PEM block (truncated file?)",
			"인증서: 인증서 %[2]d 뒤의 %[1]d바이트가 PEM 블록이 아닙니다(파일이 잘렸을 수 있습니다)", len(rest), len(certs))
	}
	return certs, nil
}

// thimResponse is the body of IMDS GET /metadata/THIM/amd/certification (protocol §3.1).
type thimResponse struct {
	VcekCert         string `json:"vcekCert"`
	CertificateChain string `json:"certificateChain"`
	TCBM             string `json:"tcbm"`
}

func parseTHIM(data []byte) ([]*x509.Certificate, error) {
	var t thimResponse
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, koErr("certificates: input looks like JSON but is not THIM's response: %v", "인증서: 입력이 JSON처럼 보이지만 THIM 응답이 아닙니다: %v", err)
	}
	if t.VcekCert == "" {
		return nil, koErr("certificates: THIM JSON has no vcekCert", "인증서: THIM JSON에 vcekCert가 없습니다")
	}
	return parsePEM([]byte(t.VcekCert + "\n" + t.CertificateChain))
}

// Chain is the AMD certificate chain sorted out of whatever mix the user supplied.
type Chain struct {
	// VCEK is the leaf that signs reports: a VCEK, or a VLEK (Key says which).
	VCEK *x509.Certificate
	// ASK is the intermediate: ASK (SEV-<product>) for a VCEK, ASVK (SEV-VLEK-<product>) for a VLEK.
	ASK *x509.Certificate
	// ARK is the self-signed AMD root (ARK-<product>).
	ARK *x509.Certificate
	// Others are certificates that fit none of the roles or duplicated one.
	Others []*x509.Certificate
}

// Key is "VCEK", "VLEK" or "" when there is no leaf.
func (c Chain) Key() string {
	if c.VCEK == nil {
		return ""
	}
	if strings.HasPrefix(c.VCEK.Subject.CommonName, "SEV-VLEK") {
		return "VLEK"
	}
	return "VCEK"
}

// NewChain sorts certificates by role. Shape decides first (self-signed → ARK, other CA →
// ASK, non-CA → leaf), so that names that differ from AMD's still land in their role; AMD's
// names break ties (a self-signed "SEV-VCEK" in a test is still the leaf).
func NewChain(certs []*x509.Certificate) Chain {
	var c Chain
	put := func(slot **x509.Certificate, x *x509.Certificate) {
		if *slot == nil {
			*slot = x
		} else {
			c.Others = append(c.Others, x)
		}
	}
	for _, x := range certs {
		cn := x.Subject.CommonName
		switch {
		case cn == "SEV-VCEK" || cn == "SEV-VLEK" || !x.IsCA:
			put(&c.VCEK, x)
		case bytes.Equal(x.RawSubject, x.RawIssuer) || strings.HasPrefix(cn, "ARK-"):
			put(&c.ARK, x)
		default:
			put(&c.ASK, x)
		}
	}
	return c
}

// Product is the product line named by the chain: from the leaf's issuer CN ("SEV-Milan",
// "SEV-VLEK-Genoa"), else the intermediate's subject, else the root's ("ARK-Turin"); "" if
// none names one.
func (c Chain) Product() string {
	if c.VCEK != nil {
		if p := productFromCN(c.VCEK.Issuer.CommonName); p != "" {
			return p
		}
	}
	if c.ASK != nil {
		if p := productFromCN(c.ASK.Subject.CommonName); p != "" {
			return p
		}
	}
	if c.ARK != nil {
		return productFromCN(c.ARK.Subject.CommonName)
	}
	return ""
}

func productFromCN(cn string) string {
	for _, p := range []string{"SEV-VLEK-", "SEV-", "ARK-"} {
		// Only the first word counts, so "ARK-Milan SIMULATED" still names Milan.
		rest, ok := strings.CutPrefix(cn, p)
		if f := strings.Fields(rest); ok && len(f) > 0 && f[0] != "VCEK" && f[0] != "VLEK" {
			return f[0]
		}
	}
	return ""
}
