package evidence

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// vtpmChain makes an AK certificate under a two-level vTPM PKI named as Azure's.
func vtpmChain(t *testing.T, vmID string) (ak, ca, root *x509.Certificate) {
	t.Helper()
	make := func(cn string, parent *x509.Certificate, signer *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
			BasicConstraintsValid: true, IsCA: isCA, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
		if parent == nil {
			parent, signer = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c, key
	}
	root, rootKey := make("Azure Virtual TPM Root Certificate Authority 2023", nil, nil, true)
	ca, caKey := make("Azure Virtual TPM CA - 01", root, rootKey, true)
	ak, _ = make(vmID+".TrustedVM.Azure.net", ca, caKey, false)
	return ak, ca, root
}

func pemOf(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

// An AK certificate saved with its chain (leaf first, as `cat ak.pem chain.pem` makes it):
// the vTPM CA was taken for the AK certificate too, as its issuer's name says "Virtual TPM",
// and the last one read won, so the set's AK certificate was the CA's (ak.certificate: "for a
// different key than the AK") or, CA first, the CA was dropped from the chain. A CA is never
// the AK certificate, and two different AK certificates are refused, not the first dropped.
func TestAddCertsSortsAKCertificateFromItsChain(t *testing.T) {
	ak, ca, root := vtpmChain(t, "B056B6AB-A55A-4B81-94D7-9D2854EF1AF2")
	for _, order := range [][]*x509.Certificate{{ak, ca, root}, {ca, root, ak}, {root, ak, ca}} {
		s := &Set{}
		if err := s.Add("chain.pem", pemOf(order...)); err != nil {
			t.Fatal(err)
		}
		if string(s.AKCert) != string(ak.Raw) {
			t.Errorf("order %s: the set's AK certificate is %q, want the AK's", cns(order), testCertCN(s.AKCert))
		}
		if len(s.Certs) != 2 {
			t.Errorf("order %s: %d certificates kept for the chain, want the CA and the root", cns(order), len(s.Certs))
		}
	}
	other, _, _ := vtpmChain(t, "8F8E3C2A-1B2C-4D5E-8F90-A1B2C3D4E5F6")
	s := &Set{}
	if err := s.Add("ak.pem", pemOf(ak)); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("other.pem", pemOf(other)); err == nil || !strings.Contains(err.Error(), "other.pem") || !strings.Contains(err.Error(), "second AK certificate") {
		t.Errorf("a second AK certificate: got %v, want it refused by file name", err)
	}
	s = &Set{}
	if err := s.Add("two.pem", pemOf(other, ak)); err == nil || !strings.Contains(err.Error(), "second AK certificate") {
		t.Errorf("two AK certificates in one file: got %v, want them refused", err)
	}
	// The same certificate again is the same evidence.
	s = &Set{}
	if err := s.Add("ak.pem", pemOf(ak)); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("again.pem", pemOf(ak, ca)); err != nil {
		t.Errorf("the same AK certificate twice: %v", err)
	}
}

func cns(l []*x509.Certificate) string {
	var n []string
	for _, c := range l {
		n = append(n, c.Subject.CommonName)
	}
	return strings.Join(n, " + ")
}

func testCertCN(der []byte) string {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return "(none)"
	}
	return c.Subject.CommonName
}
