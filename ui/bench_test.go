package ui

import (
	"io"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// BenchmarkFrame160x48 is one frame at 160x48 on the Read report page with a 1,000-event
// log, the cursor moving through the events: Update plus View. Target: under 5 ms.
func BenchmarkFrame160x48(b *testing.B) {
	r := uitest.New()
	r.Events = 1000
	m := newTestModel(b, r, 160, 48, true, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter", "f", "f")
	keys(m, "0") // all events of PCR 0, then back to all with the same key
	keys(m, "0")
	framesMovingCursor(b, m)
}

// BenchmarkFirstFrame is the UI's share of start-up: building the model and drawing the
// first frame (the runner's own start-up is not included).
func BenchmarkFirstFrame(b *testing.B) {
	st := testStyles(true)
	for i := 0; i < b.N; i++ {
		m := newModel(b.Context(), uitest.New(), Options{Lang: present.EN, Width: 160, Height: 48}, st)
		_ = m.View()
	}
}

// BenchmarkLanguageSwitch redraws the 1,000-event page after L, the worst single frame.
func BenchmarkLanguageSwitch(b *testing.B) {
	r := uitest.New()
	r.Events = 1000
	m := newTestModel(b, r, 160, 48, true, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		keys(m, "L")
		_ = m.View()
	}
}

// BenchmarkStartToFirstFrameSim is start-up in simulated mode from nothing to the first
// frame: the real Live runner over the simulated CVM, the UI model with the styles New
// builds, and its first View. Target: under 150 ms. The runner must not provision the
// simulator before that frame (TestFirstFrameDoesNotOpenThePlatform); what the program
// does before (flag parsing, the terminal's background-colour query) is measured by hand
// in tmux: screenshots/make.sh prints it for each run.
func BenchmarkStartToFirstFrameSim(b *testing.B) {
	for b.Loop() {
		r := workshop.NewLive(workshop.LiveOptions{
			Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
			Pager:    pages.Pager{},
		})
		m := New(r, Options{Lang: present.EN, Output: io.Discard, Width: 160, Height: 48})
		_ = m.View()
		r.Close()
	}
}

// framesMovingCursor times b.N frames (Update plus View) as the cursor moves 200 rows down,
// then 200 up, and so on.
func framesMovingCursor(b *testing.B, m *model) {
	down, up := keyMsg("j"), keyMsg("k")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg := down
		if (i/200)%2 == 1 {
			msg = up
		}
		m.Update(msg)
		_ = m.View()
	}
}
