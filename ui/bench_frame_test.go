package ui

import (
	"testing"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// BenchmarkFrame160x48Events10k is BenchmarkFrame160x48 with a 10,000-event log: one
// frame (Update plus View) as the cursor moves through the events. Target: under 2 ms,
// the same as with 1,000 events, since a frame draws only what fits on the screen.
func BenchmarkFrame160x48Events10k(b *testing.B) {
	r := uitest.New()
	r.Events = 10000
	m := newTestModel(b, r, 160, 48, true, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter", "f", "f")
	framesMovingCursor(b, m)
}

// BenchmarkFrame160x48Claims500 is one frame as the cursor moves through a token of 500
// claims on the Verify JWT page. Target: under 2 ms, as for the events.
func BenchmarkFrame160x48Claims500(b *testing.B) {
	r := uitest.New()
	r.Claims = 500
	m := newTestModel(b, r, 160, 48, true, present.EN)
	m.sel = m.stepIndex(workshop.VerifyJWT)
	keys(m, "enter", "]")
	if _, row := m.pane().Selected(); row == nil || row.Key != "x-ms-attestation-type" {
		b.Fatalf("] did not reach the claims table: selected %+v", row)
	}
	framesMovingCursor(b, m)
}
