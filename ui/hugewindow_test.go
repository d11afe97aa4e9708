package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// An SSH attendee sets the PTY's size with window-change: up to 65535 x 65535 cells. The
// page is laid out to fill the terminal, so that size made every frame (each spinner tick)
// a string of about 4 GiB in the attendee's cvmscope on the server. The layout stops at
// maxCols x maxRows; a terminal larger than that shows the page in its top-left corner.
func TestHugeWindowIsBounded(t *testing.T) {
	for _, lang := range []present.Lang{present.EN, present.KO} {
		m := newTestModel(t, uitest.New(), 120, 40, false, lang)
		send(m, tea.WindowSizeMsg{Width: 20000, Height: 5000})
		if m.width != maxCols || m.height != maxRows {
			t.Errorf("%s: laid out at %dx%d", lang, m.width, m.height)
		}
		// Every cell at most 4 bytes of UTF-8, plus a newline per row.
		if v := m.View(); len(v) > (4*maxCols+1)*maxRows {
			t.Errorf("%s: a frame of %d bytes", lang, len(v))
		}
		// A size within bounds is still taken as it is.
		send(m, tea.WindowSizeMsg{Width: 300, Height: 100})
		if m.width != 300 || m.height != 100 {
			t.Errorf("%s: 300x100 laid out at %dx%d", lang, m.width, m.height)
		}
	}
}
