package workshop_test

import (
	"path/filepath"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// A --network run whose AMD KDS fetch got no answer ends with that network error, and the
// page's header must not read PASS: none of its checks failed (the signature was skipped),
// but the step stopped. The TUI showed "✗ failed" beside a "Read report PASS" header.
func TestFetchFailureHeaderIsNotPass(t *testing.T) {
	set, err := evidence.LoadFiles([]string{filepath.Join(realdata.Dir(t), "azsnp-hcl-trustee-911b0ef8.bin")})
	if err != nil {
		t.Fatal(err)
	}
	f := workshop.NewFiles(set, verify.Options{AllowNetwork: true, KDSBaseURL: "http://127.0.0.1:1"}, pages.Pager{})
	steps := f.Steps()
	p, err := f.Run(t.Context(), steps[len(steps)-1])
	if fault.KindOf(err) != fault.Network {
		t.Fatalf("run error %v (kind %v), want the KDS fetch's network error", err, fault.KindOf(err))
	}
	if p.Verdict == check.Pass || p.Checks.Counts()[check.Fail] != 0 {
		t.Errorf("page verdict %s with %d failed checks; want a header that is not PASS and the checks as they were", p.Verdict, p.Checks.Counts()[check.Fail])
	}
}
