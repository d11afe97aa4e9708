//go:build unix

package cli

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
)

// A TDX HCL report with no TD quote is only MAC'd by the CPU, so nothing vouches for its
// runtime claims or the AK they name. A genuine SEV-SNP report from another VM put beside it
// (as a file or a bundle field) was verified in its place and anchored that AK: the set exited
// 0 on a TDREPORT nobody checked. Each set must hold one VM's hardware report.
func TestAttackSEVSNPReportAnchorsATDXReport(t *testing.T) {
	tmp := t.TempDir()
	snpSet, tdxSet := simEvidence(t, tmp, "sevsnp"), simEvidence(t, tmp, "tdx")
	if len(snpSet.HCLReport) < 32+1184 || len(tdxSet.HCLReport) == 0 || tdxSet.Quote == nil {
		t.Fatal("simulated sets lack their HCL reports or quote")
	}
	genuineSNP := snpSet.HCLReport[32 : 32+1184] // the simulated SEV-SNP HCL report's own report

	// The TDX set without its TD quote: its TDREPORT is unsigned, so it must not pass alone.
	unsigned := *tdxSet
	unsigned.TDQuote, unsigned.Token, unsigned.JWKS, unsigned.MAA, unsigned.EncKey = nil, "", nil, nil, nil
	unsigned.Collateral = evidence.Collateral{}
	mixed := unsigned
	mixed.SNPReport, mixed.Certs = genuineSNP, snpSet.Certs

	dir := t.TempDir()
	trust := []string{"inspect", "-o", "json", "--trust-simulated"}
	if r := runCLI(t, append(trust, write(t, dir, "unsigned.json", bundleWith(t, &unsigned)))...); r.code != 2 {
		t.Fatalf("control: the TDX set without its TD quote exits %d, want 2; failing: %s", r.code, attackFailing(r))
	}

	r := runCLI(t, append(trust, write(t, dir, "mixed.json", bundleWith(t, &mixed)))...)
	if r.code != 2 || r.verdict("bundle.parse") != check.Fail {
		t.Errorf("bundle with a TDX HCL report and another VM's SEV-SNP report: exit %d, bundle.parse %s, want 2 and fail; failing: %s", r.code, r.verdict("bundle.parse"), attackFailing(r))
	}

	files := []string{write(t, dir, "tdx-hcl.bin", tdxSet.HCLReport), write(t, dir, "quote.msg", tdxSet.Quote.Msg),
		write(t, dir, "quote.sig", tdxSet.Quote.Sig), write(t, dir, "snp-report.bin", genuineSNP), write(t, dir, "vcek.pem", certsPEM(snpSet.Certs))}
	r = runCLI(t, append(trust, files...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "snp-report.bin") || !strings.Contains(r.stderr, "SEV-SNP and TDX") {
		t.Errorf("files: a TDX HCL report beside another VM's SEV-SNP report: exit %d, want 1 naming snp-report.bin\n%s", r.code, r.stderr)
	}
}
