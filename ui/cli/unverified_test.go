//go:build unix

package cli

import (
	"path/filepath"
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
			// The AK from a file verifies the quote but is anchored by nothing: exit 2 until
			// its certificate chains to a root the caller chose.
			akpub := write(t, dir, "ak.pub", s.AKPub)
			r = runCLI(t, "inspect", "--trust-simulated", "-o", "json", msg, sig, akpub)
			c = r.report.Checks.Find("evidence.unverified")
			if r.code != 2 || r.verdict("tpm.quote.signature") != check.Pass || len(c) != 1 || !strings.Contains(c[0].Summary, "ak.pub: the AK that signs the TPM quote (nothing anchors it)") ||
				!strings.Contains(c[0].Summary, "--vtpm-root") {
				t.Errorf("TPM quote with a bare AK: exit %d, evidence.unverified %+v", r.code, c)
			}
			if r := runCLI(t, "inspect", "-o", "json", msg, sig, akpub, write(t, dir, "ak.crt", s.AKCert)); r.code != 2 || r.verdict("ak.certificate") != check.Fail {
				t.Errorf("TPM quote with its AK certificate, simulated root not trusted: exit %d, ak.certificate %s", r.code, r.verdict("ak.certificate"))
			}
			inspectOK(t, "TPM quote with its AK and AK certificate", []string{msg, sig, akpub, write(t, dir, "ak.crt", s.AKCert)}, "tpm.quote.signature", "ak.certificate")
		})
	}
}

// An event log, and an event log with PCR values, but no TPM quote: every event and value is
// shown and replayed, yet nothing signed says a TPM measured them, so the run fails closed
// (exit 2, evidence.unverified naming the files and the quote and AK to add), in English and
// Korean. With the quote and its AK the same log verifies (TestInspectGivesAloneVerdicts,
// TestExportRoundTripSEVSNP).
func TestInspectFailsUnsignedMeasurements(t *testing.T) {
	dir := realDir(t)
	log := filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	pcrs := filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json")
	for _, tc := range []struct {
		name  string
		files []string
		names string
	}{
		{"log alone", []string{log}, log + ": the event log (no signature covers it)"},
		{"log and PCR values", []string{log, pcrs}, log + ", " + pcrs + ": the event log and the PCR values (no signature covers it)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"inspect", "-o", "json"}, tc.files...)...)
			u := r.report.Checks.Find("evidence.unverified")
			if r.code != 2 || r.report.OK || len(u) != 1 || u[0].Verdict != check.Fail || !strings.Contains(u[0].Summary, tc.names) ||
				!strings.Contains(u[0].Summary, "add the TPM quote") || !strings.Contains(u[0].Summary, "HCLAkPub") {
				t.Fatalf("exit %d, evidence.unverified %+v", r.code, u)
			}
			if r.verdict("eventlog.replay") == check.Fail || len(r.report.Pages) == 0 {
				t.Errorf("the log itself should still replay and be shown: eventlog.replay %s, %d pages", r.verdict("eventlog.replay"), len(r.report.Pages))
			}
			if ko, _ := u[0].In("ko"); !strings.Contains(ko, "TPM 쿼트가 없어") || strings.Contains(ko, "no signature") {
				t.Errorf("Korean: %q", ko)
			}
			text := runCLI(t, append([]string{"inspect", "-o", "text"}, tc.files...)...)
			if text.code != 2 || !strings.Contains(text.stdout, `"Exit Boot Services Returned with Success"`) {
				t.Errorf("text: exit %d; the events are not all shown", text.code)
			}
		})
	}
}
