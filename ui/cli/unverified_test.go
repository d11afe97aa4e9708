//go:build unix

package cli

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// A signed item whose signature check was skipped fails the run (exit 2, evidence.unverified)
// and the message names the file and what to supply; the same item with what checks it passes.
func TestInspectFailsUnverifiedSignedItems(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx"} {
		t.Run(tee, func(t *testing.T) {
			s := simEvidence(t, t.TempDir(), tee)
			dir := t.TempDir()
			report := write(t, dir, "hcl.bin", s.HCLReport)
			give, complete := "VCEK certificate", write(t, dir, "certs.pem", certsPEM(s.Certs))
			if tee == "tdx" {
				give, complete = "TD quote", write(t, dir, "td.quote", s.TDQuote)
			}
			r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", report)
			c := r.report.Checks.Find("evidence.unverified")
			if r.code != 2 || len(c) != 1 || c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, report) || !strings.Contains(c[0].Summary, give) {
				t.Errorf("HCL report alone: exit %d, evidence.unverified %+v; want exit 2 and a failure naming %s and the %s", r.code, c, report, give)
			}
			if ko, _ := c[0].In("ko"); len(c) == 1 && (ko == c[0].Summary || !strings.Contains(ko, "보증")) {
				t.Errorf("evidence.unverified has no Korean message: %q", ko)
			}
			// The fields are still shown: only the verdict changes.
			if r := runCLI(t, "inspect", "--trust-simulated", "-o", "text", report); r.code != 2 || !strings.Contains(r.stdout, "-- HCL report --") {
				t.Errorf("HCL report alone, text: exit %d, fields shown %v", r.code, strings.Contains(r.stdout, "-- HCL report --"))
			}
			inspectOK(t, "HCL report with what checks it", []string{report, complete}, "hcl.binding")

			// A TPM quote without its AK: named with what to give.
			msg, sig := write(t, dir, "quote.msg", s.Quote.Msg), write(t, dir, "quote.sig", s.Quote.Sig)
			r = runCLI(t, "inspect", "--trust-simulated", "-o", "json", msg, sig)
			c = r.report.Checks.Find("evidence.unverified")
			if r.code != 2 || len(c) != 1 || !strings.Contains(c[0].Summary, "TPM quote") || !strings.Contains(c[0].Summary, "AK public key") {
				t.Errorf("TPM quote without AK: exit %d, evidence.unverified %+v", r.code, c)
			}
			inspectOK(t, "TPM quote with its AK", []string{msg, sig, write(t, dir, "ak.pub", s.AKPub)}, "tpm.quote.signature")
		})
	}
}
