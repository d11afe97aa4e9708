package simroots

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

var akNotBefore = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// realAKPub is a real Azure vTPM AK public key (kinvolk sample); the simulated CA must be
// able to certify an AK exactly like the ones Azure's vTPM holds.
func realAKPub(t *testing.T) *rsa.PublicKey {
	t.Helper()
	block, _ := pem.Decode(realSample(t, "azvtpm-akpub-kinvolk-2024.pem"))
	if block == nil {
		t.Fatal("azvtpm-akpub-kinvolk-2024.pem holds no PEM block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PublicKey)
}

func TestIssueAKCertVerifies(t *testing.T) {
	ca, err := NewVTPMCA(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	ak := realAKPub(t)
	const vmID = "911B0EF8-1D4B-4C5F-9A1E-2B3C4D5E6F70"
	der, err := ca.IssueAKCert(ak, vmID, akNotBefore)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != vmID+".TrustedVM.Azure.simulated" {
		t.Errorf("CN = %q", cert.Subject.CommonName)
	}
	if !ak.Equal(cert.PublicKey) {
		t.Error("AK certificate does not certify the AK")
	}
	if !cert.NotBefore.Equal(akNotBefore) || !cert.NotAfter.Equal(akNotBefore.Add(AKCertValidity)) {
		t.Errorf("validity %v..%v", cert.NotBefore, cert.NotAfter)
	}
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ca.Root)
	inters.AddCert(ca.Intermediate)
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: akNotBefore.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	chains, err := cert.Verify(opts)
	if err != nil {
		t.Fatalf("AK certificate does not chain to the simulated vTPM root: %v", err)
	}
	if len(chains[0]) != 3 {
		t.Errorf("chain length %d, want leaf, intermediate, root", len(chains[0]))
	}
	for _, c := range chains[0] {
		if !IsSimulated(c) {
			t.Errorf("%s lacks the SIMULATED label", c.Subject)
		}
	}
	// The chain PEM a verifier would be given must carry the same two CA certificates.
	rest := ca.ChainPEM()
	for _, want := range []*x509.Certificate{ca.Intermediate, ca.Root} {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || !bytes.Equal(b.Bytes, want.Raw) {
			t.Fatal("ChainPEM is not intermediate then root")
		}
	}
	// After its validity, and against a root that is not the simulated one, it must fail.
	opts.CurrentTime = akNotBefore.Add(AKCertValidity + time.Hour)
	if _, err := cert.Verify(opts); err == nil {
		t.Error("expired AK certificate verified")
	}
	_, maaCert, err := NewMAASigner(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	other := x509.NewCertPool()
	other.AddCert(maaCert)
	opts.Roots, opts.CurrentTime = other, akNotBefore.Add(time.Hour)
	if _, err := cert.Verify(opts); err == nil {
		t.Error("AK certificate verified against an unrelated root")
	}
}

func TestIssueAKCertDeterministic(t *testing.T) {
	ca1, _ := NewVTPMCA([]byte("a"))
	ca2, _ := NewVTPMCA([]byte("b"))
	ak := realAKPub(t)
	d1, err := ca1.IssueAKCert(ak, "vm-1", akNotBefore)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := ca2.IssueAKCert(ak, "vm-1", akNotBefore.Add(300*time.Millisecond))
	if !bytes.Equal(d1, d2) {
		t.Error("same AK, vm id and second gave different AK certificates")
	}
	d3, _ := ca1.IssueAKCert(ak, "vm-2", akNotBefore)
	if bytes.Equal(d1, d3) {
		t.Error("another vm id gave the same AK certificate")
	}
	if !bytes.Equal(ca1.Root.Raw, ca2.Root.Raw) || !bytes.Equal(ca1.Intermediate.Raw, ca2.Intermediate.Raw) {
		t.Error("vTPM CA certificates must not depend on the seed")
	}
	again, err := buildVTPMCA()
	if err != nil || !bytes.Equal(again.Root.Raw, ca1.Root.Raw) || !bytes.Equal(again.Intermediate.Raw, ca1.Intermediate.Raw) {
		t.Errorf("rebuilding the vTPM CA gave different bytes (%v)", err)
	}
}

// TestAKCertSizeIndependentOfSecond: the AK certificate's size must not depend on the second
// it is issued in, or a page that shows it ("AikCert … (1001 bytes)") changes with the wall
// clock; the live goldens (ui TestLivePanes) failed one run in about 128 that way. At
// akNotBefore+283s this AK's serial hash starts with a zero byte: the serial had 119 bits and
// the certificate was 967 bytes instead of 968.
func TestAKCertSizeIndependentOfSecond(t *testing.T) {
	ca, err := NewVTPMCA(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	ak := realAKPub(t)
	for i := range 4096 {
		if n := akSerial(ak, "vm-1", akNotBefore.Add(time.Duration(i)*time.Second)).BitLen(); n != 127 {
			t.Fatalf("AK serial at akNotBefore+%ds has %d bits, want 127", i, n)
		}
	}
	base, err := ca.IssueAKCert(ak, "vm-1", akNotBefore)
	if err != nil {
		t.Fatal(err)
	}
	der, err := ca.IssueAKCert(ak, "vm-1", akNotBefore.Add(283*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(der) != len(base) {
		t.Errorf("AK certificate is %d bytes at akNotBefore+283s, %d at akNotBefore", len(der), len(base))
	}
}

func TestIssueAKCertBadInput(t *testing.T) {
	ca, err := NewVTPMCA(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	ak := realAKPub(t)
	small := &rsa.PublicKey{N: new(big.Int).Rsh(ak.N, 1100), E: 65537}
	for _, c := range []struct {
		name string
		ak   *rsa.PublicKey
		vm   string
		nb   time.Time
		want string
	}{
		{"nil key", nil, "vm", akNotBefore, "no AK"},
		{"small key", small, "vm", akNotBefore, "RSA-"},
		{"empty vm id", ak, "", akNotBefore, "1 to 64"},
		{"vm id with slash", ak, "vm/1", akNotBefore, "position 2"},
		{"zero time", ak, "vm", time.Time{}, "outside"},
		{"after the CA", ak, "vm", NotAfter.Add(time.Hour), "outside"},
	} {
		_, err := ca.IssueAKCert(c.ak, c.vm, c.nb)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := NewVTPMCA(nil); err == nil {
		t.Error("NewVTPMCA(nil) succeeded")
	}
	// Near the end of the CA's life the AK certificate is cut at the CA's notAfter.
	der, err := ca.IssueAKCert(ak, "vm", NotAfter.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if !cert.NotAfter.Equal(NotAfter) {
		t.Errorf("late AK certificate notAfter %v, want the CA's %v", cert.NotAfter, NotAfter)
	}
}

func TestMAASigner(t *testing.T) {
	key, cert, err := NewMAASigner(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() != 2048 || !key.PublicKey.Equal(cert.PublicKey) {
		t.Fatalf("MAA key is RSA-%d or does not match its certificate", key.N.BitLen())
	}
	// Not a CA, like MAA's own x5c certificates, so check the self-signature directly.
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Fatalf("MAA certificate is not validly self-signed: %v", err)
	}
	if !IsSimulated(cert) || cert.Subject.CommonName != MAASignerCN {
		t.Errorf("MAA certificate subject %s", cert.Subject)
	}
	// RS256 as the emulator will sign tokens, verified with the certificate's key.
	digest := sha256.Sum256([]byte("header.payload"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatal(err)
	}
	_, cert2, _ := NewMAASigner([]byte("x"))
	if !bytes.Equal(cert.Raw, cert2.Raw) {
		t.Error("MAA certificate differs between calls")
	}
	if _, _, err := NewMAASigner(nil); err == nil {
		t.Error("NewMAASigner(nil) succeeded")
	}
}
