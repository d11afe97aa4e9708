package akcert

import (
	"crypto/rand"
	"crypto/rsa"
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
	const links = "hcl.binding, ak.binding, snp.signature, snp.chain"
	bound, pending := Hardware{Bound: links}, Hardware{Pending: true}
	for _, tc := range []struct {
		name    string
		der     []byte
		anchors []*x509.Certificate
		hw      Hardware
		verdict check.Verdict
		summary string
	}{
		{"no anchors, AK bound to hardware: informational", valid, nil, bound, check.Pass, "chain not verified (informational: the hardware binding " + links + " is what anchors the AK)"},
		{"no anchors, AK not bound: the certificate is the only link, unchecked", valid, nil, Hardware{}, check.Fail, "not checked against a root you chose"},
		{"no anchors, hardware binding not checked yet: skipped", valid, nil, pending, check.Skip, "not verified yet"},
		{"anchor that issued it, binding pending", valid, []*x509.Certificate{ca}, pending, check.Pass, "chain verified to"},
		{"no anchors, binding pending, self-signed: fails", self, nil, pending, check.Fail, "is self-signed"},
		{"no anchors: self-signed fails", self, nil, bound, check.Fail, "is self-signed"},
		{"anchor that issued it", valid, []*x509.Certificate{ca}, Hardware{}, check.Pass, `chain verified to "Azure Cloud Virtual TPM CA - 11"`},
		{"anchor that issued it, AK also bound", valid, []*x509.Certificate{ca}, bound, check.Pass, `chain verified to "Azure Cloud Virtual TPM CA - 11"`},
		{"anchor of the same name, another key", valid, []*x509.Certificate{otherKeyCA}, Hardware{}, check.Fail, "not issued by a vTPM CA you trust"},
		{"anchor of the same name, another key, AK bound: still fails", valid, []*x509.Certificate{otherKeyCA}, bound, check.Fail, "not issued by a vTPM CA you trust"},
		{"no anchors: signed by its own key under another issuer name", selfOtherName, nil, bound, check.Fail, "is self-signed"},
		{"self-signed with anchors", self, []*x509.Certificate{ca}, Hardware{}, check.Fail, "not issued by a vTPM CA you trust"},
		{"expired stays expired", issue(t, ca.Subject.CommonName, &ak.PublicKey, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)), []*x509.Certificate{ca}, bound, check.Fail, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CheckChain(tc.der, &ak.PublicKey, now, tc.anchors, nil, tc.hw)
			if c.Verdict != tc.verdict || !strings.Contains(c.Summary, tc.summary) {
				t.Fatalf("%s %q, want %s containing %q", c.Verdict, c.Summary, tc.verdict, tc.summary)
			}
			if c.SummaryKO == "" || c.SummaryKO == c.Summary {
				t.Errorf("no Korean summary: %q", c.SummaryKO)
			}
		})
	}
}

// An intermediate the evidence carries fills the path to a chosen root, but a root the
// evidence carries never ends it.
func TestCheckChainCarriedIntermediate(t *testing.T) {
	keys(t)
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(tmpl, parent *x509.Certificate, pub *rsa.PublicKey, signer *rsa.PrivateKey) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	caTmpl := func(serial int64, cn string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, NotBefore: now.AddDate(-1, 0, 0),
			NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	}
	root := mk(caTmpl(10, "Azure Virtual TPM Root Certificate Authority 2023"), caTmpl(10, "Azure Virtual TPM Root Certificate Authority 2023"), &rootKey.PublicKey, rootKey)
	inter := mk(caTmpl(11, "Azure Virtual TPM CA - 01"), root, &caKey.PublicKey, rootKey)
	leaf := issue(t, inter.Subject.CommonName, &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	for _, tc := range []struct {
		name             string
		anchors, carried []*x509.Certificate
		verdict          check.Verdict
	}{
		{"chosen root, carried intermediate", []*x509.Certificate{root}, []*x509.Certificate{inter}, check.Pass},
		{"chosen root, no intermediate", []*x509.Certificate{root}, nil, check.Fail},
		{"no chosen root, root and intermediate carried", nil, []*x509.Certificate{inter, root}, check.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c := CheckChain(leaf, &ak.PublicKey, now, tc.anchors, tc.carried, Hardware{}); c.Verdict != tc.verdict {
				t.Fatalf("%s %q, want %s", c.Verdict, c.Summary, tc.verdict)
			}
		})
	}
}
