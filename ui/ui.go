// Package ui is cvmscope's terminal interface: a Bubble Tea program that runs the workshop
// steps live and shows each step's page (report fields, the chain of trust, PCRs, the event
// log, the request, the claims) with explanations in English and Korean.
//
// The UI knows nothing about TPMs or HTTP: it drives a workshop.Runner from commands and
// renders the present.Pages it returns. Update only moves state; each Runner call runs in
// a tea.Cmd with a context that Esc cancels.
package ui

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// Options configure the UI.
type Options struct {
	// Lang is the starting language; empty means DefaultLang().
	Lang present.Lang
	// NoColor draws without colour (NO_COLOR in the environment does the same).
	NoColor bool
	// Input and Output default to the terminal.
	Input  io.Reader
	Output io.Writer
	// Width and Height are the size before the terminal reports one (tests).
	Width, Height int
	// Save writes the evidence bundle and returns where it went; `s` calls it.
	Save func(*evidence.Set) (string, error)
	// Workshop opens the guided lesson (--workshop) instead of the welcome.
	Workshop bool
	// RunAtStart runs every step at once instead of opening the welcome: for a runner
	// whose answer is already decided and is all there is to show (policy check).
	RunAtStart bool
	// Demo, when set, plays its scenes by itself until a key is pressed (--demo); the
	// runner given to Run or New is the first scene's.
	Demo *Demo
	// Result, when set, receives what the session ended with, so that the exit code of a
	// TUI session means what it means headless.
	Result *Result
}

// Result is what a session ended with: the checks of every step's last page that is not
// stale, and the error of the last step that stopped with one.
type Result struct {
	Checks check.List
	Err    error
}

// DefaultLang is Korean when LC_ALL, LC_MESSAGES or LANG (first set wins) names a Korean
// locale, English otherwise.
func DefaultLang() present.Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			if strings.HasPrefix(strings.ToLower(s), "ko") {
				return present.KO
			}
			return present.EN
		}
	}
	return present.EN
}

// New builds the UI model for r. Styles follow opts.Output's colour profile.
func New(r workshop.Runner, opts Options) tea.Model {
	return newModel(context.Background(), r, opts, stylesFor(opts))
}

func stylesFor(opts Options) Styles {
	out := opts.Output
	if out == nil {
		out = os.Stdout
	}
	rd := lipgloss.NewRenderer(out)
	if out == os.Stdout {
		// Bubble Tea's init has already asked the terminal on stdout for its background
		// and waited for the answer, which lipgloss's default renderer keeps: asking
		// again cost a second round trip to the terminal before the first frame (a
		// network round trip over SSH).
		rd.SetHasDarkBackground(lipgloss.HasDarkBackground())
	} else {
		// Ask for the background now: once Bubble Tea owns the input, the terminal's
		// answer would arrive as key presses.
		rd.HasDarkBackground()
	}
	return NewStyles(rd, opts.NoColor || os.Getenv("NO_COLOR") != "")
}

// Run runs the UI full screen until the user quits or ctx ends, then cancels any running
// step and waits for it to return.
func Run(ctx context.Context, r workshop.Runner, opts Options) error {
	if opts.Output == nil {
		opts.Output = os.Stdout
	}
	if opts.Input == nil {
		opts.Input = os.Stdin
	}
	out := lockOutput(opts.Output)
	if opts.Width == 0 || opts.Height == 0 {
		// Lay the first frame out for the terminal's size, not 80x24 until Bubble Tea
		// reports the size: Init draws it at once (drawFirst).
		opts.Width, opts.Height = termSize(opts.Output)
	}
	m := newModel(ctx, r, opts, stylesFor(opts))
	m.clip = out
	if m.width == opts.Width && m.height == opts.Height {
		// Not for a terminal smaller than the least size the model lays out (20x6):
		// Bubble Tea cuts those frames to fit, drawFirst would not.
		m.first = out
	}
	var root tea.Model = m
	link := roomLinkFile()
	if link != nil {
		l := newRoomLink(link)
		root = roomed{model: m, link: l}
		defer link.Close()
		defer l.close()
		go l.write()
	}
	// Without Bubble Tea's own SIGINT/SIGTERM handler: the caller's context ends on them
	// (cli's NotifyContext), and with both, the library's handler could block forever
	// sending its QuitMsg to a loop the context had already ended, so the program hung on
	// SIGTERM until killed (seen as a 3 s wait when serve restarts a session).
	//
	// 120 frames a second, Bubble Tea's most: it draws only on its ticker, so a frame
	// waits up to one tick (8.3 ms; 16.7 at the default 60), and a frame is only redrawn
	// when the view changed, so idle ticks find nothing to do. The first frame does not
	// wait for a tick: Init draws it (drawFirst).
	p := tea.NewProgram(root, tea.WithContext(ctx), tea.WithAltScreen(), tea.WithMouseCellMotion(),
		tea.WithInput(opts.Input), tea.WithOutput(out), tea.WithoutSignalHandler(), tea.WithFPS(120))
	if r, ok := root.(roomed); ok {
		go r.link.read(p.Send)
	}
	final, err := p.Run()
	if r, ok := final.(roomed); ok {
		final = r.model
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wait(10 * time.Second)
	if m.demo != nil && m.demo.opened {
		// The caller closes the runner it gave; the demo closes the ones it made.
		m.runner.Close()
	}
	if fm, ok := final.(*model); ok && opts.Result != nil {
		*opts.Result = fm.result()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// lockOutput serialises writes, so an OSC 52 copy never lands inside a frame. It keeps
// the terminal's file descriptor visible to Bubble Tea for raw mode and window size.
func lockOutput(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return &lockedFile{File: f}
	}
	return &lockedWriter{w: w}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

type lockedFile struct {
	mu sync.Mutex
	*os.File
}

func (l *lockedFile) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.File.Write(b)
}

// WriteString takes the lock too: Bubble Tea writes its mode switches (alt screen,
// mouse, cursor) with io.WriteString, which would otherwise reach os.File's own
// WriteString past the lock.
func (l *lockedFile) WriteString(s string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.File.WriteString(s)
}

// termSize is the size of the terminal w writes to, 0, 0 when w is not a terminal.
func termSize(w io.Writer) (width, height int) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, 0
	}
	width, height, err := term.GetSize(f.Fd())
	if err != nil || width <= 0 || height <= 0 {
		return 0, 0
	}
	return width, height
}

// drawFirst puts the first frame, view, on a screen width cells wide, as Bubble Tea's
// renderer draws a frame in the alt screen: from the top left, each line cleared to its
// end when shorter than the screen. The renderer draws only on its frame ticker, so its
// first frame comes one tick after the program started; Init runs after the program
// entered the alt screen and before that tick. The tick then draws the same frame over
// this one, line for line, so the screen does not change.
func drawFirst(w io.Writer, view string, width int) {
	var b strings.Builder
	b.Grow(len(view) + 1024)
	b.WriteString(ansi.CursorHomePosition)
	lines := strings.Split(view, "\n")
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(l)
		if ansi.StringWidth(l) < width {
			b.WriteString(ansi.EraseLineRight)
		}
	}
	// Where the renderer leaves the cursor after a frame: the start of the last line.
	b.WriteString(ansi.CursorPosition(0, len(lines)))
	_, _ = io.WriteString(w, b.String())
}

// result collects the session's verdicts: a stale page was superseded by a rerun of an
// earlier step and no longer speaks for the evidence.
func (m *model) result() Result {
	var r Result
	for i, run := range m.runs {
		if run.stale {
			continue
		}
		if run.err != nil {
			r.Err = run.err
		}
		if i < len(m.last) && m.last[i] != nil {
			r.Checks = append(r.Checks, m.last[i].Checks...)
		}
	}
	return r
}
