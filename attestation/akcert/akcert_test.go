package akcert

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	keysOnce  sync.Once
	caKey, ak *rsa.PrivateKey
	otherAK   *rsa.PrivateKey
	keysErr   error
)

func keys(t *testing.T) {
	t.Helper()
	keysOnce.Do(func() {
		for _, k := range []**rsa.PrivateKey{&caKey, &ak, &otherAK} {
			if *k, keysErr = rsa.GenerateKey(rand.Reader, 2048); keysErr != nil {
				return
			}
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
}

// issue makes an AK certificate as Azure's vTPM CA would: issued by a CA key to the AK,
// with AIA pointing at the issuer.
func issue(t *testing.T, issuerCN string, key *rsa.PublicKey, notBefore, notAfter time.Time) []byte {
	t.Helper()
	keys(t)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: issuerCN},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(0x1234abcd),
		Subject:   pkix.Name{CommonName: "3404ef27-0000-0000-0000-000000000000.TrustedVM.Azure.windows.net"},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		IssuingCertificateURL: []string{"http://crl.microsoft.com/pkiinfra/Certs/vtpm-ca.crt"}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, key, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestCheck(t *testing.T) {
	keys(t)
	valid := issue(t, "Azure Cloud Virtual TPM CA - 11", &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	padded := append(bytes.Clone(valid), make([]byte, 4096-len(valid))...)
	for _, tc := range []struct {
		name    string
		der     []byte
		ak      *rsa.PublicKey
		verdict check.Verdict
		summary string
	}{
		{"valid", valid, &ak.PublicKey, check.Pass, "key equals the AK; chain not verified"},
		{"valid zero-padded", padded, &ak.PublicKey, check.Pass, "valid until 2026-06-01"},
		{"no AK given", valid, nil, check.Pass, "key not compared"},
		{"wrong key", valid, &otherAK.PublicKey, check.Fail, "different key"},
		{"expired", issue(t, "Azure Cloud Virtual TPM CA - 11", &ak.PublicKey, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1)), &ak.PublicKey, check.Fail, "expired on 2025-05-31"},
		{"not yet valid", issue(t, "Azure Cloud Virtual TPM CA - 11", &ak.PublicKey, now.AddDate(0, 0, 2), now.AddDate(1, 0, 0)), &ak.PublicKey, check.Fail, "not valid until"},
		{"placeholder", issue(t, "Microsoft Azure Trusted VM RSA 2021", &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)), &ak.PublicKey, check.Fail, "not provisioned yet; retry after some time"},
		{"all zeros", make([]byte, 4096), nil, check.Fail, "all zeros"},
		{"truncated", valid[:len(valid)/2], nil, check.Fail, "truncated"},
		{"not DER", []byte("-----BEGIN CERTIFICATE-----"), nil, check.Fail, "want 0x30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Check(tc.der, tc.ak, now)
			if c.ID != ID || c.Verdict != tc.verdict || !strings.Contains(c.Summary, tc.summary) {
				t.Fatalf("got %v\nwant %s containing %q", c, tc.verdict, tc.summary)
			}
		})
	}
}

func TestExpiryNoticeInDetails(t *testing.T) {
	keys(t)
	der := issue(t, "Global Virtual TPM CA - 03", &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(0, 0, 30))
	c := Check(der, &ak.PublicKey, now)
	if c.Verdict != check.Pass || !strings.Contains(strings.Join(c.Details, "\n"), "expires in 30 days") {
		t.Fatalf("%v %v", c, c.Details)
	}
}

func TestTrim(t *testing.T) {
	keys(t)
	der := issue(t, "Azure Cloud Virtual TPM CA - 11", &ak.PublicKey, now, now.AddDate(1, 0, 0))
	for _, pad := range []int{0, 1, 100, 4096 - len(der)} {
		got, err := Trim(append(bytes.Clone(der), make([]byte, pad)...))
		if err != nil || !bytes.Equal(got, der) {
			t.Fatalf("pad %d: got %d bytes, err %v", pad, len(got), err)
		}
	}
	// A short-form length and a DER value that ends in zero bytes.
	short := []byte{0x30, 0x03, 0x02, 0x01, 0x00, 0, 0, 0}
	if got, err := Trim(short); err != nil || !bytes.Equal(got, short[:5]) {
		t.Fatalf("short form: %x %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0x30}, {0x30, 0x80}, {0x30, 0x85, 1, 1, 1, 1, 1}, {0x30, 0x82, 0x01}} {
		if _, err := Trim(bad); err == nil {
			t.Errorf("Trim(%x) accepted", bad)
		}
	}
}

func TestFields(t *testing.T) {
	keys(t)
	cert, err := Parse(append(issue(t, "Azure Cloud Virtual TPM CA - 11", &ak.PublicKey, now, now.AddDate(1, 0, 0)), 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range Fields(cert) {
		got[f.Name] = f.Value
	}
	for name, want := range map[string]string{
		"Issuer":           "CN=Azure Cloud Virtual TPM CA - 11",
		"Serial":           "1234ABCD",
		"Key":              "RSA-2048, e=65537",
		"CA issuers (AIA)": "http://crl.microsoft.com/pkiinfra/Certs/vtpm-ca.crt",
		"Not after":        "2026-06-01T12:00:00Z",
	} {
		if !strings.Contains(got[name], want) {
			t.Errorf("%s = %q, want it to contain %q", name, got[name], want)
		}
	}
}
