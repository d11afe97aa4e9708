package akcert

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// caCert is the CA certificate for caKey, as issue's CA template names it.
func caCert(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	keys(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckChain(t *testing.T) {
	keys(t)
	ca := caCert(t, "Azure Cloud Virtual TPM CA - 11")
	valid := issue(t, ca.Subject.CommonName, &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	// Self-signed by the AK itself, as a forger holding the AK would make it.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "AK"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)}
	self, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ak.PublicKey, ak)
	if err != nil {
		t.Fatal(err)
	}
	tmpl2 := &x509.Certificate{SerialNumber: big.NewInt(8), Subject: pkix.Name{CommonName: "AK"}, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)}
	selfOtherName, err := x509.CreateCertificate(rand.Reader, tmpl2, &x509.Certificate{Subject: pkix.Name{CommonName: "Azure Virtual TPM Root Certificate Authority 2023"}}, &ak.PublicKey, ak)
	if err != nil {
		t.Fatal(err)
	}
	otherKeyCA := func() *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ca.Subject.CommonName},
			NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &otherAK.PublicKey, otherAK)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}()
	for _, tc := range []struct {
		name    string
		der     []byte
		anchors []*x509.Certificate
		verdict check.Verdict
		summary string
	}{
		{"no anchors: not verified, as before", valid, nil, check.Pass, "chain not verified"},
		{"no anchors: self-signed fails", self, nil, check.Fail, "is self-signed"},
		{"anchor that issued it", valid, []*x509.Certificate{ca}, check.Pass, `chain verified to "Azure Cloud Virtual TPM CA - 11"`},
		{"anchor of the same name, another key", valid, []*x509.Certificate{otherKeyCA}, check.Fail, "not issued by a vTPM CA you trust"},
		{"no anchors: signed by its own key under another issuer name", selfOtherName, nil, check.Fail, "is self-signed"},
		{"self-signed with anchors", self, []*x509.Certificate{ca}, check.Fail, "not issued by a vTPM CA you trust"},
		{"expired stays expired", issue(t, ca.Subject.CommonName, &ak.PublicKey, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)), []*x509.Certificate{ca}, check.Fail, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CheckChain(tc.der, &ak.PublicKey, now, tc.anchors)
			if c.Verdict != tc.verdict || !strings.Contains(c.Summary, tc.summary) {
				t.Fatalf("%s %q, want %s containing %q", c.Verdict, c.Summary, tc.verdict, tc.summary)
			}
			if c.SummaryKO == "" || c.SummaryKO == c.Summary {
				t.Errorf("no Korean summary: %q", c.SummaryKO)
			}
		})
	}
}
