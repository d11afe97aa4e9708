package snp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
)

// The real samples' VCEKs are theirs: binding and structure pass, with the scope said.
func TestBindingAndStructureRealSamples(t *testing.T) {
	for _, tc := range []struct{ hcl, certs string }{
		{"azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"},
		{"azsnp-hcl-trustee-ev-v0.bin", "amd-milan-vcek-trustee-ev-v0.pem"},
		{"", "amd-milan-vcek-gosevguest.der"},
	} {
		var r *Report
		if tc.hcl == "" {
			var err error
			if r, err = Parse(readReal(t, "snp-report-gosevguest.bin")); err != nil {
				t.Fatal(err)
			}
		} else {
			_, r = hclSNP(t, tc.hcl)
		}
		l := Verify(r, realCerts(t, tc.certs), Options{Now: when})
		b, s := l.Find(IDBinding)[0], l.Find(IDStructure)[0]
		if b.Verdict != check.Pass || !strings.Contains(b.Summary, "scope: binds reported_tcb only") || !strings.Contains(b.Summary, "hwID equals chip_id") {
			t.Errorf("%s binding: %v %v", tc.certs, b, b.Details)
		}
		if s.Verdict != check.Pass || !strings.Contains(s.Summary, "VMPL 0") {
			t.Errorf("%s structure: %v %v", tc.certs, s, s.Details)
		}
		for _, c := range []check.Check{b, s} {
			if ko, _ := c.In("ko"); !checktest.HasHangul(ko) {
				t.Errorf("%s: no Korean summary", c.ID)
			}
		}
	}
}

// A VCEK of another chip, or a report whose reported_tcb is not the VCEK's, is refused,
// naming the field; a 2022 pre-release report gets a warning, not a pass.
func TestBindingMismatches(t *testing.T) {
	_, kin := hclSNP(t, "azsnp-hcl-kinvolk-baefd3e1.bin")
	l := Verify(kin, realCerts(t, "amd-milan-vcek-ask-ark-kinvolk.pem"), Options{Now: when})
	if c := l.Find(IDBinding)[0]; c.Verdict != check.Fail || !strings.Contains(c.Summary, "belongs to another chip") {
		t.Errorf("kinvolk: %v", c)
	}
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	vcek := realCerts(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")[0]
	for _, tc := range []struct {
		name string
		off  int
		want string
	}{
		{"snpSPL", 0x180 + 6, "snpSPL (.3.3) is"},
		{"blSPL", 0x180 + 0, "blSPL (.3.1) is"},
		{"reserved TCB byte", 0x180 + 3, "reported_tcb byte 3 is"},
		{"chip id", 0x1A0 + 63, "belongs to another chip"},
	} {
		raw := slices.Clone(r.Raw)
		raw[tc.off] ^= 0x10
		r2, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c := Binding(r2, vcek)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary+strings.Join(c.Details, "\n"), tc.want) {
			t.Errorf("%s: %v %v", tc.name, c, c.Details)
		}
	}
	_, old := hclSNP(t, "azsnp-hcl-cvmga-a288f91e-2022.bin")
	if c := Structure(old); c.Verdict != check.Warn {
		t.Errorf("v1 structure: %v", c)
	}
}

func TestStructureViolations(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin") // version 2
	for _, tc := range []struct {
		name string
		edit func([]byte)
		want string
	}{
		{"mitigation vector before v5", func(b []byte) { b[0x1F8] = 1 }, "reserved before version 5"},
		{"VMPL 1", func(b []byte) { binary.LittleEndian.PutUint32(b[0x30:], 1) }, "requested at VMPL 1"},
		{"ALIAS_CHECK_COMPLETE on v2", func(b []byte) { b[0x40] |= 1 << 5 }, "sets bits 0x20 that version 2 does not define"},
		{"PAGE_SWAP_DISABLE on v2", func(b []byte) { b[0x08+3] |= 1 << 1 }, "PAGE_SWAP_DISABLE"},
		{"masked chip key", func(b []byte) { b[0x48] |= 2 }, "MASK_CHIP_KEY"},
		{"unknown CPU on v3", func(b []byte) { binary.LittleEndian.PutUint32(b, 3); b[0x188], b[0x189] = 0x17, 0x31 }, "none of Milan"},
	} {
		raw := slices.Clone(r.Raw)
		tc.edit(raw)
		r2, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c := Structure(r2)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, tc.want) {
			t.Errorf("%s: %v", tc.name, c)
		}
		if ko, _ := c.In("ko"); !checktest.HasHangul(ko) {
			t.Errorf("%s: no Korean", tc.name)
		}
	}
	// Version 5 defines the mitigation vectors and SEV-TIO.
	raw := slices.Clone(r.Raw)
	binary.LittleEndian.PutUint32(raw, 5)
	raw[0x188], raw[0x189], raw[0x1F8], raw[0x40] = 0x19, 0x11, 3, 0x81
	r5, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c := Structure(r5); c.Verdict != check.Pass || !slices.Contains(c.Details, "LAUNCH_MIT_VECTOR 0x0000000000000003, CURRENT_MIT_VECTOR 0x0000000000000000") {
		t.Errorf("v5: %v %v", c, c.Details)
	}
}

// keyCert makes a certificate shaped like AMD's VCEK/VLEK (names and AMD extensions) for
// the binding checks, which read names and extensions only; the chain is checked elsewhere.
func keyCert(t *testing.T, cn, issuer string, exts map[string]any) *x509.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}}
	parent := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: issuer}}
	for id, v := range exts {
		oid := append(slices.Clone(amdExtPrefix), parseOIDTail(id)...)
		var der []byte
		switch x := v.(type) {
		case string:
			der, err = asn1.MarshalWithParams(x, "ia5")
		case int:
			der, err = asn1.Marshal(x)
		case []byte:
			der = x
		}
		if err != nil {
			t.Fatal(err)
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oid, Value: der})
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func parseOIDTail(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ".") {
		n := 0
		for _, c := range p {
			n = n*10 + int(c-'0')
		}
		out = append(out, n)
	}
	return out
}

// Turin's layout (FMC first, 8-byte hwID) and VLEKs (no chip id, a CSP id) bind too.
func TestBindingTurinAndVLEK(t *testing.T) {
	_, base := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	raw := slices.Clone(base.Raw)
	binary.LittleEndian.PutUint32(raw, 3)
	raw[0x188], raw[0x189] = 0x1A, 0x02
	// reported_tcb, Turin order: fmc 1, bl 2, tee 3, snp 4, ucode 0x48 (bytes 4-6 zero).
	copy(raw[0x180:0x188], []byte{1, 2, 3, 4, 0, 0, 0, 0x48})
	chip := raw[0x1A0:0x1E0]
	for i := range chip {
		chip[i] = 0
	}
	copy(chip, "TURINCHP")
	turin, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	exts := map[string]any{"2": "Turin-B0", "3.9": 1, "3.1": 2, "3.2": 3, "3.3": 4, "3.8": 0x48, "4": []byte("TURINCHP")}
	if c := Binding(turin, keyCert(t, "SEV-VCEK", "SEV-Turin", exts)); c.Verdict != check.Pass || !strings.Contains(c.Summary, "fmcSPL 1, blSPL 2, teeSPL 3, snpSPL 4, ucodeSPL 72") {
		t.Errorf("Turin: %v %v", c, c.Details)
	}
	exts["3.9"] = 9
	if c := Binding(turin, keyCert(t, "SEV-VCEK", "SEV-Turin", exts)); c.Verdict != check.Fail || !strings.Contains(c.Summary, "fmcSPL (.3.9) is 9") {
		t.Errorf("Turin FMC mismatch: %v", c)
	}
	exts["3.9"] = 1
	if c := Binding(turin, keyCert(t, "SEV-VCEK", "SEV-Genoa", exts)); c.Verdict != check.Fail || !strings.Contains(c.Summary, "issued by \"SEV-Genoa\"") {
		t.Errorf("Turin cert from a Genoa issuer: %v", c)
	}

	// VLEK-signed Milan report: key_info signing key 1.
	raw = slices.Clone(base.Raw)
	raw[0x48] = 1 << 2
	vlekRep, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	tcb := vlekRep.Proto.GetReportedTcb()
	b := func(i int) int { return int(uint8(tcb >> (8 * i))) }
	vexts := map[string]any{"2": "Milan-B0", "3.1": b(0), "3.2": b(1), "3.3": b(6), "3.8": b(7), "5": "Microsoft"}
	if c := Binding(vlekRep, keyCert(t, "SEV-VLEK", "SEV-VLEK-Milan", vexts)); c.Verdict != check.Pass || !strings.Contains(c.Summary, `VLEK for cloud provider "Microsoft"`) {
		t.Errorf("VLEK: %v %v", c, c.Details)
	}
	if c := Binding(vlekRep, keyCert(t, "SEV-VCEK", "SEV-Milan", vexts)); c.Verdict != check.Fail || !strings.Contains(c.Summary, `subject is "SEV-VCEK"`) {
		t.Errorf("VCEK for a VLEK-signed report: %v", c)
	}
}
