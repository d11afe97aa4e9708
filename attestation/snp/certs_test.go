package snp

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseCertsFormats(t *testing.T) {
	bundle := readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	vcekPEM := readReal(t, "amd-milan-vcek-trustee-ev-v0.pem")
	askArk := readReal(t, "amd-ask_ark_milan.pem")
	thim, _ := json.Marshal(map[string]string{"vcekCert": string(vcekPEM), "certificateChain": string(askArk), "tcbm": "DB18000000000004"})
	der := readReal(t, "amd-milan-vcek-gosevguest.der")
	var ask, ark []byte
	if cs, err := ParseCerts(askArk); err == nil && len(cs) == 2 {
		ask, ark = cs[0].Raw, cs[1].Raw
	}
	for _, tc := range []struct {
		name string
		in   []byte
		n    int
	}{
		{"PEM bundle VCEK+ASK+ARK", bundle, 3},
		{"single PEM", vcekPEM, 1},
		{"THIM JSON", thim, 3},
		{"DER", der, 1},
		{"concatenated DER", append(append(bytes.Clone(der), ask...), ark...), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := ParseCerts(tc.in)
			if err != nil || len(cs) != tc.n {
				t.Fatalf("got %d certificates, err %v; want %d", len(cs), err, tc.n)
			}
		})
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "  \n", "empty"},
		{"garbage", "hello", "not PEM, and not DER"},
		{"truncated PEM", string(bundle[:len(bundle)-200]), "not a PEM block"},
		{"private key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", `"PRIVATE KEY", want CERTIFICATE`},
		{"THIM without VCEK", `{"certificateChain":""}`, "no vcekCert"},
		{"broken JSON", `{"vcekCert":`, "not THIM's response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCerts([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNewChain(t *testing.T) {
	cs := realCerts(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	// Any order sorts the same way.
	mixed := []*x509.Certificate{cs[2], cs[0], cs[1]}
	c := NewChain(mixed)
	if c.VCEK != cs[0] || c.ASK != cs[1] || c.ARK != cs[2] || len(c.Others) != 0 {
		t.Errorf("chain sorted as VCEK=%v ASK=%v ARK=%v others=%d", name(c.VCEK), name(c.ASK), name(c.ARK), len(c.Others))
	}
	if c.Product() != "Milan" || c.Key() != "VCEK" {
		t.Errorf("product %q key %q, want Milan VCEK", c.Product(), c.Key())
	}
	for file, want := range map[string]string{
		"amd-ask_ark_genoa.pem": "Genoa", "amd-ask_ark_turin_vcek.pem": "Turin", "amd-ask_ark_genoa_vlek.pem": "Genoa",
	} {
		c := NewChain(realCerts(t, file))
		if c.VCEK != nil || c.ASK == nil || c.ARK == nil || c.Product() != want {
			t.Errorf("%s: VCEK=%v ASK=%v ARK=%v product %q, want no leaf and %s", file, name(c.VCEK), name(c.ASK), name(c.ARK), c.Product(), want)
		}
	}
	dup := NewChain(append(cs, realCerts(t, "amd-ask_ark_genoa.pem")...))
	if len(dup.Others) != 2 || dup.Product() != "Milan" {
		t.Errorf("a second ASK/ARK must go to Others (got %d) and not change the product (%q)", len(dup.Others), dup.Product())
	}
}

func name(c *x509.Certificate) string {
	if c == nil {
		return "<nil>"
	}
	return c.Subject.CommonName
}
