package ui

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestInitDrawsTheFirstFrame: with a screen to draw on, Init puts the first frame there
// before it returns (Bubble Tea would draw it only at its first tick), from the top left,
// line for line as View has it, each line shorter than the screen cleared to its end; it
// draws once, and not at all for a model New built (teatest, sessions over SSH).
func TestInitDrawsTheFirstFrame(t *testing.T) {
	for _, lang := range []present.Lang{present.EN, present.KO} {
		m := newTestModel(t, uitest.New(), 120, 40, true, lang)
		view := m.View()
		var screen bytes.Buffer
		m.first = &screen
		m.Init()
		got := screen.String()
		want := strings.Split(view, "\n")
		if !strings.HasPrefix(got, ansi.CursorHomePosition) || !strings.HasSuffix(got, ansi.CursorPosition(0, len(want))) {
			t.Fatalf("%s: the frame does not start at the top left and end on the last line: %q...%q", lang, got[:min(len(got), 20)], got[max(len(got)-20, 0):])
		}
		lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(got, ansi.CursorHomePosition), ansi.CursorPosition(0, len(want))), "\r\n")
		if len(lines) != len(want) {
			t.Fatalf("%s: %d lines drawn, the view has %d", lang, len(lines), len(want))
		}
		for i, l := range lines {
			w := want[i]
			if ansi.StringWidth(w) < 120 {
				w += ansi.EraseLineRight
			}
			if l != w {
				t.Errorf("%s line %d: drawn %q, want %q", lang, i, l, w)
			}
		}
		if !strings.Contains(ansi.Strip(got), map[present.Lang]string{present.EN: "Welcome to cvmscope", present.KO: "cvmscope에 오신 것을 환영합니다"}[lang]) {
			t.Errorf("%s: the first frame is not the welcome:\n%s", lang, ansi.Strip(got))
		}
		if v := m.View(); v != view {
			t.Errorf("%s: the view after Init is not the frame it drew", lang)
		}
		screen.Reset()
		m.Init()
		if screen.Len() != 0 {
			t.Errorf("%s: a second Init drew again (%d bytes)", lang, screen.Len())
		}
		// The frame Init drew answers View only until the model changes.
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if lines := strings.Split(m.View(), "\n"); len(lines) != 30 || ansi.StringWidth(lines[0]) > 100 {
			t.Errorf("%s: after a resize to 100x30 the view is %d lines, the first %d wide", lang, len(lines), ansi.StringWidth(lines[0]))
		}
	}
	m := New(uitest.New(), Options{Lang: present.EN, Width: 120, Height: 40}).(*model)
	if m.first != nil {
		t.Error("New set a screen for Init to draw on; only Run, which owns the terminal, may")
	}
}

// terminalChild is set in the environment of the test binary that TestRunInATerminal
// starts in a pseudo-terminal.
const terminalChild = "CVMSCOPE_UI_TERMINAL_CHILD"

// TestRunInATerminal runs the UI as the program runs it, in a terminal (a pty of 132x43
// answering the background-colour and cursor-position queries as a terminal does), until
// the welcome is drawn and q ends it. The terminal is asked for its background once in
// the whole session (Bubble Tea's init asks; Run reuses that answer instead of a second
// round trip before the first frame), and the first frame is already laid out for 132x43,
// not for 80x24 until Bubble Tea reports the size.
func TestRunInATerminal(t *testing.T) {
	if os.Getenv(terminalChild) != "" {
		if err := Run(context.Background(), uitest.New(), Options{Lang: present.EN}); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunInATerminal$", "-test.count=1")
	for _, kv := range os.Environ() {
		// CI=... makes termenv skip its queries; the others would change the terminal.
		if k, _, _ := strings.Cut(kv, "="); k != "CI" && k != "TERM" && k != "NO_COLOR" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, terminalChild+"=1", "TERM=xterm-256color")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 132, Rows: 43})
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	// Only a hang guard: the session takes milliseconds, a loaded -race run seconds.
	var hung atomic.Bool
	guard := time.AfterFunc(2*time.Minute, func() { hung.Store(true); _ = cmd.Process.Kill() })
	defer guard.Stop()

	var seen bytes.Buffer
	// Answered in the order asked, as a terminal does: termenv sends both queries at once
	// and takes a cursor report read first as "no background answer", and the background
	// answer arriving after it as key presses ('/' opened the search, q was typed into it).
	replies := []struct{ ask, answer string }{
		{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
		{"\x1b[6n", "\x1b[1;1R"},
	}
	scanned := 0 // seen is answered up to here
	quit := false
	buf := make([]byte, 32<<10)
	for {
		n, err := ptmx.Read(buf)
		seen.Write(buf[:n])
		for {
			at, which := -1, -1
			for i, r := range replies {
				if j := strings.Index(seen.String()[scanned:], r.ask); j >= 0 && (at < 0 || j < at) {
					at, which = j, i
				}
			}
			if at < 0 {
				break
			}
			_, _ = ptmx.WriteString(replies[which].answer)
			scanned += at + len(replies[which].ask)
		}
		if !quit && strings.Contains(seen.String(), "Welcome to cvmscope") {
			quit = true
			_, _ = ptmx.WriteString("q")
		}
		if err != nil {
			break // EIO once the child has closed the terminal
		}
	}
	werr := cmd.Wait()
	out := seen.String()
	if hung.Load() {
		t.Fatalf("the session did not end within the hang guard; q sent: %v; output:\n%q", quit, out)
	}
	if werr != nil {
		t.Fatalf("the session ended with %v; output:\n%q", werr, out)
	}
	if !quit {
		t.Fatalf("the welcome never appeared; output:\n%q", out)
	}
	if n := strings.Count(out, "\x1b]11;?"); n != 1 {
		t.Errorf("the terminal was asked for its background %d times, want once (Bubble Tea's init)", n)
	}
	// The first frame: from the first cursor-home after entering the alt screen to the
	// cursor's move to the start of its last line, where every frame ends.
	_, alt, ok := strings.Cut(out, "\x1b[?1049h")
	if !ok {
		t.Fatalf("the alt screen was never entered; output:\n%q", out)
	}
	_, frame, _ := strings.Cut(alt, ansi.CursorHomePosition)
	frame = strings.TrimPrefix(frame, "\r")
	end := strings.Index(frame, ansi.CursorPosition(0, 43))
	if end < 0 {
		t.Fatalf("no frame of 43 lines ends on the 43rd line: the first frame was laid out for another size; output after the alt screen:\n%q", alt)
	}
	frame = frame[:end]
	if lines := strings.Split(frame, "\r\n"); len(lines) != 43 || !strings.Contains(frame, "Welcome to cvmscope") {
		t.Errorf("the first frame has %d lines, want 43, with the welcome:\n%s", len(lines), ansi.Strip(frame))
	}
}

// TestHelpLaidOutWhenOpened: the key help is no longer laid out at every size while it is
// hidden; opened after a resize, it is what a model made at that size shows, and a
// resize while it is open lays it out again.
func TestHelpLaidOutWhenOpened(t *testing.T) {
	for _, lang := range []present.Lang{present.EN, present.KO} {
		want := newTestModel(t, uitest.New(), 90, 30, true, lang)
		keys(want, "?")
		m := newTestModel(t, uitest.New(), 120, 40, true, lang)
		m.Update(tea.WindowSizeMsg{Width: 90, Height: 30})
		keys(m, "?")
		if got, w := m.View(), want.View(); got != w {
			t.Errorf("%s: help opened after a resize to 90x30:\n%s\nwant:\n%s", lang, ansi.Strip(got), ansi.Strip(w))
		}
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		wide := newTestModel(t, uitest.New(), 120, 40, true, lang)
		keys(wide, "?")
		if got, w := m.View(), wide.View(); got != w {
			t.Errorf("%s: help resized to 120x40 while open:\n%s\nwant:\n%s", lang, ansi.Strip(got), ansi.Strip(w))
		}
	}
}
