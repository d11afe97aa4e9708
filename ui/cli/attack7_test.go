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
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
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

// An AK certificate saved with its vTPM chain, leaf first (`cat ak.pem chain.pem`), failed
// ak.certificate "for a different key than the AK": the CA, whose issuer is named "Virtual
// TPM" too, was read as a second AK certificate and replaced the AK's. Two different AK
// certificates kept the last and dropped the other unread; they are refused now.
func TestAKCertificateBesideItsChain(t *testing.T) {
	tmp := t.TempDir()
	s := simEvidence(t, tmp, "trustedlaunch")
	ca, err := simroots.NewVTPMCA(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pcrs := runCLI(t, "export", "pcrs", "--from", write(t, dir, "b.json", bundleWith(t, s)), "-o", filepath.Join(dir, "pcrs.json"))
	if pcrs.code != 0 {
		t.Fatalf("export pcrs: exit %d: %s", pcrs.code, pcrs.stderr)
	}
	base := []string{"inspect", "-o", "json", "--trust-simulated", write(t, dir, "quote.msg", s.Quote.Msg), write(t, dir, "quote.sig", s.Quote.Sig),
		write(t, dir, "ak.pub", s.AKPub), filepath.Join(dir, "pcrs.json")}
	leafFirst := write(t, dir, "ak-chain.pem", append(certsPEM([][]byte{s.AKCert}), ca.ChainPEM()...))
	if r := runCLI(t, append(base, leafFirst)...); r.code != 0 || r.verdict("ak.certificate") != check.Pass {
		t.Errorf("AK certificate, then its chain: exit %d, ak.certificate %s; failing: %s", r.code, r.verdict("ak.certificate"), attackFailing(r))
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.IssueAKCert(&key.PublicKey, "8f8e3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	two := write(t, dir, "two.pem", certsPEM([][]byte{other, s.AKCert}))
	if r := runCLI(t, append(base, two)...); r.code != 1 || !strings.Contains(r.stderr, "second AK certificate") {
		t.Errorf("another AK's certificate before the AK's own: exit %d, want 1 refusing it\n%s", r.code, r.stderr)
	}
}
