package workshop

import (
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// TestSNPVerdictsVerifyOnlyWhatIsNew: Build request verifies the report again only when
// THIM's chain brought a certificate Read report did not have, or Read report could not judge
// the signature; otherwise Read report's verdicts are the ones shown.
func TestSNPVerdictsVerifyOnlyWhatIsNew(t *testing.T) {
	read := &verify.Result{Checks: check.List{
		check.Passf("snp.signature", "read report"),
		check.Passf("snp.chain", "read report"),
		check.Passf("tpm.quote.signature", "not a hardware check"),
	}}
	fresh := check.List{check.Failf("snp.signature", "again"), check.Failf("snp.chain", "again")}
	for _, tc := range []struct {
		name    string
		res     *verify.Result
		added   bool
		wantRan bool
	}{
		{"same chain", read, false, false},
		{"THIM added a certificate", read, true, true},
		{"no Read report result", nil, false, true},
		{"Read report had no signature verdict", &verify.Result{Checks: check.List{check.Passf("tpm.quote.signature", "x")}}, false, true},
	} {
		ran := false
		got := snpVerdicts(tc.res, tc.added, func() check.List { ran = true; return fresh })
		if ran != tc.wantRan {
			t.Errorf("%s: verified again %t, want %t", tc.name, ran, tc.wantRan)
		}
		want := "read report"
		if tc.wantRan {
			want = "again"
		}
		if len(got) != 2 || got[0].ID != "snp.signature" || got[1].ID != "snp.chain" || got[0].Summary != want || got[1].Summary != want {
			t.Errorf("%s: got %+v, want snp.signature and snp.chain from %q", tc.name, got, want)
		}
	}
}
