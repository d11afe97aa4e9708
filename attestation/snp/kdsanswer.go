package snp

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
)

// KDSAnswerParses says whether a 200 answer from AMD KDS is what its URL asks for: the
// PEM ASK (or ASVK) and ARK (…/cert_chain), a DER CRL (…/crl) or a DER certificate (a VCEK or
// VLEK). A cache keeps only answers that parse, so a proxy's sign-in page or an answer cut
// short is asked for again; whether what parses is genuine is go-sev-guest's and
// snp.chain's to judge, on every use.
func KDSAnswerParses(u *url.URL, body []byte) error {
	switch {
	case strings.HasSuffix(u.Path, "/cert_chain"):
		n := 0
		for rest := body; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if _, err := x509.ParseCertificate(b.Bytes); err != nil {
				return fmt.Errorf("%s: certificate %d: %v", u.Path, n+1, err)
			}
			n++
		}
		if n != 2 {
			return fmt.Errorf("%s: %d PEM certificates, want the ASK (or ASVK) and the ARK", u.Path, n)
		}
	case strings.HasSuffix(u.Path, "/crl"):
		if _, err := x509.ParseRevocationList(body); err != nil {
			return fmt.Errorf("%s: %v", u.Path, err)
		}
	default:
		if _, err := x509.ParseCertificate(body); err != nil {
			return fmt.Errorf("%s: %v", u.Path, err)
		}
	}
	return nil
}
