//go:build unix

package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// An AK certificate anchors the quote's AK only when it certifies that key. Here the quote is
// checked with HCLAkPub from runtime claims no hardware report binds (anyone can write them),
// beside an AK certificate, issued under the trusted root, for another key: nothing ties the
// key that signed the quote to a TPM, so the run must not exit 0.
func TestAKCertificateForAnotherKeyAnchorsNothing(t *testing.T) {
	s := simEvidence(t, t.TempDir(), "sevsnp")
	rep, err := hcl.Parse(s.HCLReport)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := simroots.NewVTPMCA(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	otherCert, err := ca.IssueAKCert(&other.PublicKey, "8f8e3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := []string{write(t, dir, "claims.json", rep.Claims), write(t, dir, "quote.msg", s.Quote.Msg), write(t, dir, "quote.sig", s.Quote.Sig)}

	r := runCLI(t, append([]string{"inspect", "--trust-simulated", "-o", "json"}, append(files, write(t, dir, "ak.crt", otherCert))...)...)
	if r.code == 0 || r.verdict("tpm.quote.signature") != check.Pass {
		t.Errorf("quote by HCLAkPub from unbound claims, AK certificate for another key: exit %d, tpm.quote.signature %s, ak.certificate %s; want exit 2 with the quote verified",
			r.code, r.verdict("tpm.quote.signature"), r.verdict("ak.certificate"))
	}
	if c := r.report.Checks.Find("ak.certificate"); len(c) != 1 || c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, "different key") {
		t.Errorf("ak.certificate %+v; want a failure saying the certificate is for another key", c)
	}
	// The same claims with the certificate of their own AK: anchored, exit 0.
	r = runCLI(t, append([]string{"inspect", "--trust-simulated", "-o", "json"}, append(files, write(t, dir, "own.crt", s.AKCert))...)...)
	if r.code != 0 || r.verdict("ak.certificate") != check.Pass {
		t.Errorf("the AK's own certificate: exit %d, ak.certificate %s\n%s", r.code, r.verdict("ak.certificate"), r.stderr)
	}
}

// A TD quote beside a SEV-SNP report is not checked (the SEV-SNP report is), and input.unused
// says so: it said the quote carried no PCK chain, though every TD quote carries one.
func TestUnusedTDQuoteBesideSNPReport(t *testing.T) {
	real := realDir(t)
	quote := filepath.Join(real, "aztdx-tdquote-trustee-6332533d.bin")
	r := runCLI(t, "inspect", "--lang", "en", "-o", "json", "--now", "2024-06-01T00:00:00Z",
		filepath.Join(real, "snp-report-gosevguest.bin"), filepath.Join(real, "amd-milan-vcek-gosevguest.der"), quote)
	c := r.report.Checks.Find("input.unused")
	if r.code != 2 || len(c) != 1 || c[0].Subject != quote || !strings.Contains(c[0].Summary, "not beside a SEV-SNP report") || strings.Contains(c[0].Summary, "carries none") {
		t.Errorf("exit %d, input.unused %+v; want exit 2 and the quote named as left unchecked beside the SEV-SNP report", r.code, c)
	}
	if len(c) == 1 {
		if ko, _ := c[0].In("ko"); !strings.Contains(ko, "SEV-SNP 보고서와 함께") {
			t.Errorf("Korean: %q", ko)
		}
	}
}
