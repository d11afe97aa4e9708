package ui

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/muesli/termenv"
)

// testStyles are fixed, so snapshots do not depend on the terminal running the tests.
func testStyles(color bool) Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	return NewStyles(r, !color)
}

var fixedNow = time.Date(2026, 11, 23, 15, 41, 7, 0, time.UTC)

// hangGuard bounds the tests' waits for the program (a text on screen, the program or its
// runs ending, a report). It only turns a hang into a failure, never judges speed: a
// loaded CI machine running -race can take seconds for what takes milliseconds here.
const hangGuard = 2 * time.Minute

// newTestModel is the UI on the test-data runner with a stopped clock.
func newTestModel(t testing.TB, r workshop.Runner, w, h int, color bool, lang present.Lang) *model {
	t.Helper()
	m := newModel(context.Background(), r, Options{Lang: lang, Width: w, Height: h, Output: io.Discard}, testStyles(color))
	m.now = func() time.Time { return fixedNow }
	return m
}

// send feeds msg to the model and runs every command it returns, synchronously, feeding
// their messages back, as the Bubble Tea loop would. Spinner ticks are dropped (they
// would loop forever) and run times are fixed, so frames are reproducible.
func send(m *model, msg tea.Msg) {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		if d, ok := msg.(stepDoneMsg); ok {
			d.dur = 420 * time.Millisecond
			msg = d
		}
		_, cmd := m.Update(msg)
		queue = append(queue, runCmd(cmd)...)
	}
}

func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, runCmd(c)...)
		}
		return out
	case tea.QuitMsg:
		return nil
	default:
		if isTick(msg) {
			return nil
		}
		return []tea.Msg{msg}
	}
}

func keys(m *model, ks ...string) {
	for _, k := range ks {
		send(m, keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+n":
		return tea.KeyMsg{Type: tea.KeyCtrlN}
	case "ctrl+p":
		return tea.KeyMsg{Type: tea.KeyCtrlP}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// checkFrame fails when the frame is not exactly w×h cells.
func checkFrame(t testing.TB, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, lw, w, l)
		}
	}
}

func isTick(msg tea.Msg) bool {
	_, ok := msg.(spinner.TickMsg)
	return ok
}
