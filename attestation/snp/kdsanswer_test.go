package snp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/url"
	"testing"
	"time"
)

// TestKDSAnswerParses: what AMD KDS serves at each path parses; a proxy's page, a cut
// answer or the wrong document for the path does not.
func TestKDSAnswerParses(t *testing.T) {
	chain := readReal(t, "amd-ask_ark_milan.pem")
	vcek := readReal(t, "amd-milan-vcek-gosevguest.der")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ARK-Milan"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCRLSign | x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ca, _ := x509.ParseCertificate(caDER)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Unix(0, 0), NextUpdate: time.Unix(1<<31, 0)}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	page := []byte("<html>sign in</html>")
	for _, tc := range []struct {
		path string
		body []byte
		ok   bool
	}{
		{"/vcek/v1/Milan/cert_chain", chain, true},
		{"/vcek/v1/Milan/cert_chain", page, false},
		{"/vcek/v1/Milan/cert_chain", chain[:len(chain)-100], false},
		{"/vcek/v1/Milan/crl", crl, true},
		{"/vcek/v1/Milan/crl", vcek, false},
		{"/vcek/v1/Milan/0123abcd", vcek, true},
		{"/vcek/v1/Milan/0123abcd", vcek[:len(vcek)-10], false},
		{"/vcek/v1/Milan/0123abcd", page, false},
	} {
		err := KDSAnswerParses(&url.URL{Path: tc.path}, tc.body)
		if (err == nil) != tc.ok {
			t.Errorf("%s (%d bytes): %v, want ok=%v", tc.path, len(tc.body), err, tc.ok)
		}
	}
}
