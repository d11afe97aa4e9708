package pages_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// TestReadReportSimulatedCVM reads a report from the simulated CVM (go-tpm-tools' simulator
// behind the simulated paravisor): every link verifies, and the root says it is a test root.
func TestReadReportSimulatedCVM(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			ctx := context.Background()
			p, err := platform.Open(ctx, platform.Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: true})
			if err != nil {
				t.Fatalf("open simulated CVM: %v", err)
			}
			defer p.Close()
			s, err := p.ReadReport(ctx, "workshop-nonce")
			if err != nil {
				t.Fatalf("read report: %v", err)
			}
			// The simulated vTPM CA issues the AK certificate at the current time. The run
			// trusts the simulated roots, as a run that started the simulated CVM does.
			a, err := simroots.Anchors()
			if err != nil {
				t.Fatal(err)
			}
			trust := verify.Trust{AMD: []snp.Roots{{ARK: a.ARK, ASK: a.ASK}}, Intel: []*x509.Certificate{a.PCKRoot}}
			r := verify.Evidence(s, verify.Options{Now: time.Now(), Trust: trust})
			page := pages.ReadReport(s, r)
			requireExplained(t, page)
			keys, v := chainVerdicts(t, page)
			switch tee {
			case "sevsnp":
				if !strings.HasPrefix(keys[0], "Simulated test root") || v[keys[0]] != check.Pass {
					t.Errorf("first link %q %s, want a passing simulated test root", keys[0], v[keys[0]])
				}
				for _, k := range []string{"VCEK", "SEV-SNP report", "REPORT_DATA", "Runtime claims", "HCLAkPub", "TPM quote", "PCRs", "Event log"} {
					if v[k] != check.Pass {
						t.Errorf("link %q is %s, want pass (%v)", k, v[k], r.Checks)
					}
				}
			case "tdx":
				if !strings.HasPrefix(keys[0], "Simulated test root") {
					t.Errorf("first link %q, want the simulated test root", keys[0])
				}
				for _, k := range []string{"REPORT_DATA", "Runtime claims", "HCLAkPub", "TPM quote", "PCRs", "Event log"} {
					if v[k] != check.Pass {
						t.Errorf("link %q is %s, want pass", k, v[k])
					}
				}
			case "trustedlaunch":
				if keys[0] != "AK certificate" {
					t.Errorf("Trusted Launch chain starts at %q, want the AK certificate", keys[0])
				}
				section(t, page, "akcert")
			}
			if !strings.Contains(page.Summary.EN, "simulated") {
				t.Errorf("summary %q does not say the evidence is simulated", page.Summary.EN)
			}
			ev := section(t, page, "events")
			if len(ev.Rows) != r.Log.Len() {
				t.Errorf("%d event rows for %d events", len(ev.Rows), r.Log.Len())
			}
			if tee == "trustedlaunch" {
				return
			}
			var user bool
			for _, row := range section(t, page, "claims").Rows {
				if row.Key == "user-data" {
					user = row.Verdict == check.Pass
				}
			}
			if !user {
				t.Error("user-data row does not confirm the nonce written")
			}
		})
	}
}
