package evidence

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
)

// A set holds one VM's hardware report. verify checks only one of two (an HCL report's own
// SEV-SNP report or TDREPORT before a report file, SEV-SNP before TDX), so a second report or
// other runtime claims stayed unread while the set passed, and a TDX HCL report beside any
// genuine SEV-SNP report exited 0: the SEV-SNP report's signature anchored the HCL report's
// unsigned TDREPORT, its runtime claims and the AK they name.
func TestLoadFilesRefusesTwoVMsReports(t *testing.T) {
	dir := realDir(t)
	p := func(n string) string { return filepath.Join(dir, n) }
	snpHCL, tdxHCL := p("azsnp-hcl-trustee-911b0ef8.bin"), p("aztdx-hcl-trustee-6332533d.bin")
	otherSNP, otherClaims := p("snp-report-gosevguest.bin"), p("azcvm-hcl-vardata-kinvolk.json")
	tdQuote := p("aztdx-tdquote-trustee-6332533d.bin")

	// The HCL report's own pieces, given again on their own, are the same evidence.
	raw, err := os.ReadFile(snpHCL)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := hcl.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	rawTDX, err := os.ReadFile(tdxHCL)
	if err != nil {
		t.Fatal(err)
	}
	tdxRep, err := hcl.Parse(rawTDX)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	ownSNP, ownClaims, tdReport := filepath.Join(tmp, "own-snp.bin"), filepath.Join(tmp, "own-claims.json"), filepath.Join(tmp, "tdreport.bin")
	os.WriteFile(ownSNP, rep.SNPReport(), 0o600)
	os.WriteFile(ownClaims, rep.Claims, 0o600)
	os.WriteFile(tdReport, tdxRep.TDReport(), 0o600)
	for _, ok := range [][]string{{snpHCL, ownSNP}, {ownSNP, snpHCL}, {snpHCL, ownClaims}, {tdxHCL, tdQuote}, {tdxHCL, tdReport}} {
		if _, err := LoadFiles(ok); err != nil {
			t.Errorf("%v: %v, want one set", ok, err)
		}
	}

	for _, bad := range []struct {
		files []string
		say   string
	}{
		{[]string{tdxHCL, otherSNP}, "SEV-SNP and TDX"},
		{[]string{otherSNP, tdxHCL}, "SEV-SNP and TDX"},
		{[]string{snpHCL, otherSNP}, "other than the HCL report's own"},
		{[]string{otherSNP, snpHCL}, "other than the HCL report's own"},
		{[]string{snpHCL, otherClaims}, "other than the HCL report's own"},
		{[]string{otherClaims, tdxHCL}, "other than the HCL report's own"},
		{[]string{snpHCL, tdReport}, "SEV-SNP and TDX"},
		{[]string{otherSNP, tdReport}, "SEV-SNP and TDX"},
		{[]string{tdReport, otherSNP}, "SEV-SNP and TDX"},
	} {
		_, err := LoadFiles(bad.files)
		last := filepath.Base(bad.files[len(bad.files)-1])
		if err == nil || !strings.Contains(err.Error(), bad.say) || !strings.Contains(err.Error(), last) {
			t.Errorf("%v: got %v, want an error naming %s that says %q", bad.files, err, last, bad.say)
		}
	}
}

// A bundle is one set too: one whose fields hold two VMs' reports is refused by name.
func TestParseBundleRefusesTwoVMsReports(t *testing.T) {
	dir := realDir(t)
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ev := map[string]any{"source": "azure", "hclReport": read("aztdx-hcl-trustee-6332533d.bin"), "snpReport": read("snp-report-gosevguest.bin")}
	b, err := json.Marshal(map[string]any{"format": BundleFormat, "version": BundleVersion, "evidence": ev})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseBundle(b); err == nil || !strings.Contains(err.Error(), `"evidence.snpReport"`) || !strings.Contains(err.Error(), "SEV-SNP and TDX") {
		t.Errorf("bundle with a TDX HCL report and a SEV-SNP report: got %v", err)
	}
}
