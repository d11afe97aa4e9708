package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// hugeKeyCert makes a certificate holding an RSA "key" of bits bits (a random odd modulus:
// nobody can sign with it, but checking a signature with it costs the same), signed by a
// P-256 key so that making it is instant.
func hugeKeyCert(t *testing.T, bits int) []byte {
	t.Helper()
	n, err := rand.Prime(rand.Reader, 64)
	if err != nil {
		t.Fatal(err)
	}
	n.Lsh(n, uint(bits-64)).SetBit(n, 0, 1)
	signer, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "huge"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rsa.PublicKey{N: n, E: 65537}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// A certificate whose RSA key is over MaxRSABits is refused by its size (checking one
// signature with a key of millions of bits takes minutes); MaxRSABits itself is accepted.
func TestOversizedRSAKeyRefused(t *testing.T) {
	for _, c := range []struct {
		bits int
		ok   bool
	}{{MaxRSABits, true}, {MaxRSABits + 8, false}, {1 << 20, false}} {
		der := hugeKeyCert(t, c.bits)
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if err := Oversized(cert); (err == nil) != c.ok || err != nil && !strings.Contains(err.Error(), "RSA key of") {
			t.Errorf("%d bits: %v, want accepted %v", c.bits, err, c.ok)
		}
		_, err = FromPEM(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		if (err == nil) != c.ok {
			t.Errorf("%d bits, FromPEM: %v, want accepted %v", c.bits, err, c.ok)
		}
	}
}
