package snp

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/google/go-sev-guest/abi"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// TestChainRefusesReportGoSevGuestReadsOtherwise: a report whose bytes go-sev-guest does not
// read back as they are (here a STEPPING byte above 0x0F, which its CPUID field keeps only
// four bits of) is signed over bytes go-sev-guest never verifies. Since go-sev-guest was
// handed the report without its signature, its own check of the signature over the report
// it read no longer ran, and such a report passed snp.chain where it used to be refused.
func TestChainRefusesReportGoSevGuestReadsOtherwise(t *testing.T) {
	_, real := hclSNP(t, "azsnp-hcl-trustee-ev-v0.bin")
	if real.Version() < abi.ReportVersion3 {
		t.Fatalf("the sample is a v%d report; the stepping byte is read from v3 on", real.Version())
	}
	raw := bytes.Clone(real.Raw)
	raw[0x18A] |= 0xF0
	r, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	names := simNames{ark: described(amdName("ARK-Milan")), ask: described(amdName("SEV-Milan")), vcek: described(amdName("SEV-VCEK"))}
	signed, vcek, ask, ark := simChain(t, r, names)
	if enc, err := abi.ReportToAbiBytes(signed.Proto); err != nil || bytes.Equal(enc[:0x2A0], signed.Raw[:0x2A0]) {
		t.Fatalf("go-sev-guest reads the altered report back as it is (%v): the test no longer tests anything", err)
	}
	got := Verify(signed, []*x509.Certificate{vcek, ask, ark}, Options{Now: when, ExtraRoots: []Roots{{ARK: ark, ASK: ask}}})
	if c := got.Find(IDSignature); len(c) != 1 || c[0].Verdict != check.Pass {
		t.Fatalf("snp.signature over the bytes read: %+v; want a pass", c)
	}
	c := got.Find(IDChain)
	if len(c) != 1 || c[0].Verdict != check.Fail {
		t.Fatalf("snp.chain: %+v; want go-sev-guest's refusal", c)
	}
	if want := "go-sev-guest: report signature verification error"; len(c[0].Details) == 0 || !strings.HasPrefix(c[0].Details[0], want) {
		t.Errorf("snp.chain details %q; want go-sev-guest's words %q first", c[0].Details, want)
	}

	// The same chain over the report as it came stays a pass: only the re-read matters.
	same, vcek, ask, ark := simChain(t, real, names)
	got = Verify(same, []*x509.Certificate{vcek, ask, ark}, Options{Now: when, ExtraRoots: []Roots{{ARK: ark, ASK: ask}}})
	if c := got.Find(IDChain); len(c) != 1 || c[0].Verdict != check.Pass {
		t.Errorf("snp.chain of the unaltered report: %+v; want a pass", c)
	}
}
