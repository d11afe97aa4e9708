package platform

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// TestSimulatedCVMVerifiesEndToEnd provisions each simulated TEE on the embedded simulator,
// reads the report with a nonce, and runs every check: all that apply must pass.
func TestSimulatedCVMVerifiesEndToEnd(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			ctx := context.Background()
			p, err := Open(ctx, Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: true})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if p.Source != evidence.SourceSim || !strings.Contains(p.Reason, "--platform sim") {
				t.Errorf("source %q reason %q", p.Source, p.Reason)
			}
			s, err := p.ReadReport(ctx, "workshop-nonce")
			if err != nil {
				t.Fatal(err)
			}
			// Untrusted by default: the simulated roots are trusted only when the caller says so.
			if tee == "sevsnp" {
				bare := verify.Evidence(s, verify.Options{Now: time.Now()})
				if c := bare.Checks.Find("snp.chain"); len(c) != 1 || c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, "--trust-simulated") {
					t.Errorf("without trust, snp.chain = %v; want a failure that says how to opt in", c)
				}
			}
			a, err := simroots.Anchors()
			if err != nil {
				t.Fatal(err)
			}
			// All the simulated roots, as a run that opened the simulated CVM trusts them: without
			// the vTPM root, Trusted Launch's AK certificate would be a link nobody chose.
			trust := verify.Trust{AMD: []snp.Roots{{ARK: a.ARK, ASK: a.ASK}}, Intel: []*x509.Certificate{a.PCKRoot},
				VTPM: []*x509.Certificate{a.VTPMRoot, a.VTPMIntermediate}}
			res := verify.Evidence(s, verify.Options{Now: time.Now(), Trust: trust})
			for _, c := range res.Checks {
				t.Log(c)
				if c.Verdict == check.Fail || c.Verdict == check.Warn {
					t.Errorf("%s", c)
				}
			}
			mustPass := []string{"tpm.quote.signature", "tpm.quote.nonce", "tpm.quote.pcr-digest", "ak.certificate", "eventlog.replay"}
			switch tee {
			case "sevsnp":
				mustPass = append(mustPass, "hcl.binding", "ak.binding", "snp.signature", "snp.chain")
			case "tdx":
				mustPass = append(mustPass, "hcl.binding", "ak.binding")
			}
			for _, id := range mustPass {
				if v := res.Checks.Verdict(id); v != check.Pass {
					t.Errorf("%s: %s, want pass", id, v)
				}
			}
			if tee == "trustedlaunch" {
				if s.TEE != evidence.TEETrustedLaunch || len(s.HCLReport) != 0 {
					t.Errorf("trusted launch: TEE %q with a %d-byte report", s.TEE, len(s.HCLReport))
				}
				return
			}
			if got, want := res.Claims.UserData, hcl.UserDataHex(UserData("workshop-nonce")); got != want {
				t.Errorf("report user-data %s, want %s", got, want)
			}
		})
	}
}
