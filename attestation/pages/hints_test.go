package pages

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// "What to do" is for checks that did not pass, and says the fix that applies.
func TestChecksSectionHintsOnlyWhereSomethingIsToDo(t *testing.T) {
	l := check.List{
		check.Passf("preflight.platform", "simulated CVM (--platform sim)"),
		check.Skipf("snp.chain", "no VCEK given"),
		check.Failf("snp.chain", "the VCEK comes from cvmscope's simulated CVM, whose test roots are not trusted here: pass --trust-simulated to trust them"),
		check.Failf("hcl.binding", "REPORT_DATA does not bind the runtime claims"),
	}
	rows := Checks(l).Rows
	if !rows[0].Hint.Empty() || !rows[1].Hint.Empty() {
		t.Errorf("pass/skip rows carry hints: %q / %q", rows[0].Hint.EN, rows[1].Hint.EN)
	}
	if h := rows[2].Hint; !strings.Contains(h.EN, "--trust-simulated") || !strings.Contains(h.KO, "--trust-simulated") || strings.Contains(h.EN, "THIM") {
		t.Errorf("simulated chain hint %q", h.EN)
	}
	if rows[3].Hint.Empty() {
		t.Error("failed hcl.binding has no hint")
	}
	for _, r := range rows {
		if r.Explain.Empty() {
			t.Errorf("%s lost its explanation", r.Key)
		}
	}
}
