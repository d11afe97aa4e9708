package ui

import (
	"errors"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestResultCarriesFailures: a session's result holds every step's checks and the error
// that stopped a step, so the command's exit code can say what headless output would.
func TestResultCarriesFailures(t *testing.T) {
	r := uitest.New()
	r.SecureBootOff = true
	m := newTestModel(t, r, 120, 40, false, present.EN)
	keys(m, "a")
	res := m.result()
	if len(res.Checks) == 0 {
		t.Fatal("no checks in the result after running every step")
	}
	if res.Checks.OK() {
		t.Error("a failed run's result has no failing check")
	}

	r = uitest.New()
	r.Fail = map[workshop.StepID]error{workshop.CallMAA: fault.New(fault.Network, errors.New("no answer"))}
	m = newTestModel(t, r, 120, 40, false, present.EN)
	keys(m, "a")
	if res := m.result(); fault.KindOf(res.Err) != fault.Network {
		t.Errorf("result error %v, want the step's network error", res.Err)
	}

	m = newTestModel(t, uitest.New(), 120, 40, false, present.EN)
	if res := m.result(); len(res.Checks) != 0 || res.Err != nil {
		t.Errorf("a session that ran nothing has a result: %+v", res)
	}
	keys(m, "a")
	if res := m.result(); !res.Checks.OK() || res.Err != nil || res.Checks.Verdict("snp.signature") != check.Pass {
		t.Errorf("a passing run's result: err %v, ok %v", res.Err, res.Checks.OK())
	}
}
