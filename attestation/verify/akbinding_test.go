package verify_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// simSet reads the simulated CVM's evidence (HCL report, AK certificate from the simulated
// vTPM CA, quote) once per TEE; for TDX with the TD quote, as IMDS would turn the TDREPORT
// into one.
func simSet(t *testing.T, tee string) *evidence.Set {
	t.Helper()
	ctx := context.Background()
	p, err := platform.Open(ctx, platform.Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: true})
	if err != nil {
		t.Fatalf("open simulated CVM: %v", err)
	}
	defer p.Close()
	s, err := p.ReadReport(ctx, "ak-binding")
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	if len(s.AKCert) == 0 {
		t.Fatal("the simulated CVM gave no AK certificate")
	}
	if tee == "tdx" {
		rep, err := hcl.Parse(s.HCLReport)
		if err != nil {
			t.Fatal(err)
		}
		if s.TDQuote, err = p.CVM.TDX().Quote(rep.HardwareReport[:1024]); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestAKCertificateTrust: with no vTPM anchor chosen, the AK certificate passes only where a
// verified hardware report binds the AK (it is then informational), and fails where it is the
// quote's only link to a CA (Trusted Launch) or where the hardware evidence did not verify.
func TestAKCertificateTrust(t *testing.T) {
	a, err := simroots.Anchors()
	if err != nil {
		t.Fatal(err)
	}
	hw := verify.Trust{AMD: []snp.Roots{{ARK: a.ARK, ASK: a.ASK}}, Intel: []*x509.Certificate{a.PCKRoot}}
	vtpm := hw
	vtpm.VTPM = []*x509.Certificate{a.VTPMRoot, a.VTPMIntermediate}
	other := hw
	other.VTPM = []*x509.Certificate{a.ARK} // a chosen root, but not the one that issued it

	sets := map[string]*evidence.Set{}
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		sets[tee] = simSet(t, tee)
	}
	// As Read report has them on Azure: the VCEK chain and the TD quote come in the next step.
	noVCEK, noQuote := *sets["sevsnp"], *sets["tdx"]
	noVCEK.Certs, noQuote.TDQuote = nil, nil
	sets["sevsnp, no VCEK"], sets["tdx, no TD quote"] = &noVCEK, &noQuote
	for _, tc := range []struct {
		name, tee string
		trust     verify.Trust
		verdict   check.Verdict
		say       string
	}{
		{"SEV-SNP, hardware trusted, no vTPM root: the binding anchors the AK", "sevsnp", hw, check.Pass, "hcl.binding, ak.binding, snp.signature, snp.chain is what anchors the AK"},
		{"TDX, hardware trusted, no vTPM root: the binding anchors the AK", "tdx", hw, check.Pass, "hcl.binding, ak.binding, tdx.quote.signature, tdx.quote.matches-report is what anchors the AK"},
		{"SEV-SNP, hardware not trusted, no vTPM root", "sevsnp", verify.Trust{}, check.Fail, "not checked against a root you chose"},
		{"TDX, hardware not trusted, no vTPM root", "tdx", verify.Trust{}, check.Fail, "not checked against a root you chose"},
		{"SEV-SNP, no VCEK chain yet: pending", "sevsnp, no VCEK", hw, check.Skip, "not verified yet"},
		{"TDX, no TD quote yet: pending", "tdx, no TD quote", hw, check.Skip, "not verified yet"},
		{"TDX, no TD quote, the simulated vTPM root chosen", "tdx, no TD quote", vtpm, check.Pass, "chain verified to"},
		{"Trusted Launch, no vTPM root: nothing else binds the AK", "trustedlaunch", hw, check.Fail, "--vtpm-root FILE"},
		{"Trusted Launch, the simulated vTPM root chosen", "trustedlaunch", vtpm, check.Pass, "chain verified to"},
		{"Trusted Launch, another root chosen", "trustedlaunch", other, check.Fail, "not issued by a vTPM CA you trust"},
		{"SEV-SNP, another root chosen: a chosen root is still enforced", "sevsnp", other, check.Fail, "not issued by a vTPM CA you trust"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := verify.Options{Now: time.Now(), Trust: tc.trust}
			r := verify.Evidence(sets[tc.tee], opts)
			got := r.Checks.Find(akcert.ID)
			if len(got) != 1 {
				t.Fatalf("%d %s checks, want 1: %v", len(got), akcert.ID, r.Checks)
			}
			// Decided again (the live run, once the VCEK chain or TD quote came), without
			// the event log: the same verdict and words.
			if again := verify.AKCertificate(sets[tc.tee], opts); len(again) != 1 || again[0].Verdict != got[0].Verdict || again[0].Summary != got[0].Summary {
				t.Errorf("AKCertificate %v, Evidence %v", again, got)
			}
			if got[0].Verdict != tc.verdict || !strings.Contains(got[0].Summary, tc.say) {
				t.Fatalf("%s %q, want %s saying %q", got[0].Verdict, got[0].Summary, tc.verdict, tc.say)
			}
			if tc.verdict == check.Fail && r.Checks.OK() {
				t.Error("the list is OK with a failing AK certificate")
			}
			if got[0].SummaryKO == "" || got[0].SummaryKO == got[0].Summary {
				t.Errorf("no Korean summary: %q", got[0].SummaryKO)
			}
		})
	}
}
