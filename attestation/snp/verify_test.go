package snp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

func wantVerdicts(t *testing.T, l check.List, sig, chain check.Verdict) {
	t.Helper()
	if got := l.Verdict(IDSignature); got != sig {
		t.Errorf("%s = %s, want %s", IDSignature, got, sig)
	}
	if got := l.Verdict(IDChain); got != chain {
		t.Errorf("%s = %s, want %s", IDChain, got, chain)
	}
	if t.Failed() || testing.Verbose() {
		for _, c := range l {
			t.Logf("%s %v", c, c.Details)
		}
	}
}

func TestVerifyTrusteeWithBundle(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	l := Verify(r, realCerts(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"), Options{Now: when})
	wantVerdicts(t, l, check.Pass, check.Pass)
	c := l.Find(IDChain)[0]
	if !strings.Contains(c.Summary, "ARK-Milan root as embedded in go-sev-guest") || strings.Contains(c.Summary, "simulated") {
		t.Errorf("chain summary must name AMD's Milan root: %q", c.Summary)
	}
	details := strings.Join(c.Details, "\n")
	if !strings.Contains(details, "supplied ARK is byte-identical") {
		t.Errorf("chain details must say the supplied ARK is AMD's: %s", details)
	}
}

func TestVerifyTrusteeV3WithVCEKOnly(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-ev-v0.bin")
	l := Verify(r, realCerts(t, "amd-milan-vcek-trustee-ev-v0.pem"), Options{Now: when})
	wantVerdicts(t, l, check.Pass, check.Pass)
	details := strings.Join(l.Find(IDChain)[0].Details, "\n")
	for _, want := range []string{"no ASK supplied", "no ARK supplied", "Milan (from the report's CPUID)"} {
		if !strings.Contains(details, want) {
			t.Errorf("chain details lack %q:\n%s", want, details)
		}
	}
}

func TestVerifyGoSevGuestDER(t *testing.T) {
	r, err := Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	l := Verify(r, realCerts(t, "amd-milan-vcek-gosevguest.der"), Options{Now: when})
	wantVerdicts(t, l, check.Pass, check.Pass)
}

func TestVerifyKinvolkWrongChip(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-kinvolk-baefd3e1.bin")
	l := Verify(r, realCerts(t, "amd-milan-vcek-ask-ark-kinvolk.pem"), Options{Now: when})
	// The VCEK is genuine (its chain verifies) but belongs to another chip.
	wantVerdicts(t, l, check.Fail, check.Pass)
	details := strings.Join(l.Find(IDSignature)[0].Details, "\n")
	if !strings.Contains(details, "belongs to another chip") {
		t.Errorf("signature details must say the VCEK is another chip's:\n%s", details)
	}
}

func TestVerifyGarbled(t *testing.T) {
	_, good := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	certs := realCerts(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	for name, off := range map[string]int{"signature R": 0x2A0 + 5, "signature S": 0x2E8 + 9, "measurement": 0x90, "report_data": 0x50} {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(good.Raw)
			b[off] ^= 0x01
			r, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			wantVerdicts(t, Verify(r, certs, Options{Now: when}), check.Fail, check.Pass)
		})
	}
}

func TestVerifyMissingVCEK(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	l := Verify(r, realCerts(t, "amd-ask_ark_milan.pem"), Options{Now: when})
	wantVerdicts(t, l, check.Skip, check.Skip)
	if l.Verdict(IDBinding) != check.Skip || l.Verdict(IDStructure) != check.Pass {
		t.Errorf("binding %s, structure %s; want skip and pass", l.Verdict(IDBinding), l.Verdict(IDStructure))
	}
	for _, c := range l[:2] {
		if !strings.Contains(c.Summary, "/metadata/THIM/amd/certification") || !strings.Contains(c.Summary, "kdsintf.amd.com/vcek/v1/") {
			t.Errorf("skip reason must say which file to supply: %q", c.Summary)
		}
	}
}

func TestVerifyExpiredAtNow(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	later := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC) // the VCEK expires 2030-05-02
	l := Verify(r, realCerts(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"), Options{Now: later})
	wantVerdicts(t, l, check.Pass, check.Fail)
	if d := strings.Join(l.Find(IDChain)[0].Details, "\n"); !strings.Contains(d, "expired") {
		t.Errorf("chain failure must say the certificate expired:\n%s", d)
	}
}

func TestVerifySuppliedRootIgnored(t *testing.T) {
	// A Genoa ASK/ARK next to a Milan VCEK: trust comes from the embedded Milan root, and the
	// summary still names it; the supplied pair is reported as ignored.
	_, r := hclSNP(t, "azsnp-hcl-trustee-ev-v0.bin")
	l := Verify(r, realCerts(t, "amd-milan-vcek-trustee-ev-v0.pem", "amd-ask_ark_genoa.pem"), Options{Now: when})
	wantVerdicts(t, l, check.Pass, check.Pass)
	if d := strings.Join(l.Find(IDChain)[0].Details, "\n"); !strings.Contains(d, `supplied ARK ("ARK-Genoa") is not the trusted one`) {
		t.Errorf("details must flag the foreign ARK:\n%s", d)
	}
}

// BenchmarkParseAndVerifyHCL is the whole offline SNP path for one Azure report.
func BenchmarkParseAndVerifyHCL(b *testing.B) {
	raw := readReal(b, "azsnp-hcl-trustee-911b0ef8.bin")
	pemBytes := readReal(b, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	for b.Loop() {
		h, err := hclParse(raw)
		if err != nil {
			b.Fatal(err)
		}
		r, err := Parse(h)
		if err != nil {
			b.Fatal(err)
		}
		certs, err := ParseCerts(pemBytes)
		if err != nil {
			b.Fatal(err)
		}
		if l := Verify(r, certs, Options{Now: when}); !l.OK() || l.Verdict(IDChain) != check.Pass {
			b.Fatalf("verification failed: %v", l)
		}
	}
}
