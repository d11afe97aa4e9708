package ui

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// hostile is what an attacker puts in evidence to take over the presenter's terminal:
// each string with the escaped form the screen must show instead.
var hostile = []struct{ s, shown string }{
	{"\x1b[2J", `\x1b[2J`},
	{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},
	{"\x1b[32m[PASS]\x1b[0m", `\x1b[32m[PASS]\x1b[0m`},
	{"ok\rFAIL", `ok\rFAIL`},
	{"evil\u202etxt", `evil\u202etxt`},
	{"\u009b31mred", `\u009b31mred`},
	{"bad\xff\xfe", `bad\xff\xfe`},
	{"tab\there", `tab\there`},
	{"del\x7f", `del\x7f`},
}

// hostileRunner is the test-data runner with hostile text appended to every string of
// every page (keeping section kinds and verdicts, so each kind is drawn as it would be),
// in the banner, and in the error a failing step returns.
type hostileRunner struct{ *uitest.Runner }

func (r hostileRunner) Banner() workshop.Banner {
	b := r.Runner.Banner()
	b.Detail = "token" + hostile[0].s + ".jwt evil" + hostile[4].s
	return b
}

func (r hostileRunner) Run(ctx context.Context, step workshop.StepID) (present.Page, error) {
	p, err := r.Runner.Run(ctx, step)
	n := 0
	spoil(reflect.ValueOf(&p).Elem(), &n)
	return p, err
}

var (
	kindType    = reflect.TypeOf(present.Kind(""))
	verdictType = reflect.TypeOf(check.Verdict(""))
)

// spoil appends a hostile string to every string in v but kinds and verdicts.
func spoil(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		if v.Type() == kindType || v.Type() == verdictType || v.String() == "" {
			return
		}
		v.SetString(v.String() + hostile[*n%len(hostile)].s)
		*n++
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			spoil(v.Field(i), n)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			spoil(v.Index(i), n)
		}
	}
}

// sgr is the styling lipgloss emits: select graphic rendition, nothing else.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// rawControl finds, in a frame stripped of cvmscope's own SGR styling, a character the
// terminal would obey: ESC or any other C0 control but newline, DEL, C1, a bidi control, or
// a byte that is not UTF-8.
func rawControl(s string) (string, bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1,
			r < 0x20 && r != '\n', r >= 0x7f && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return s[max(i-24, 0):min(i+24, len(s))], true
		}
		i += n
	}
	return "", false
}

// Every page, every selected row's detail, the banner, the error pane and the status line
// are drawn from hostile text: after cvmscope's own colours are stripped, no control
// character is left, the escaped forms are on screen, and every frame keeps its size.
func TestHostileTextIsEscapedOnScreen(t *testing.T) {
	for _, lang := range []present.Lang{present.EN, present.KO} {
		for _, color := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s_%s", lang, colorName(color)), func(t *testing.T) {
				base := uitest.New()
				base.Fail = map[workshop.StepID]error{workshop.VerifyJWT: fmt.Errorf(
					"GET https://evil.example/certs: 400 Bad Request: %s%s", hostile[1].s, hostile[5].s)}
				const w, h = 160, 200
				m := newTestModel(t, hostileRunner{base}, w, h, color, lang)
				keys(m, "a")
				seen := map[string]bool{}
				look := func(where, frame string) {
					t.Helper()
					checkFrame(t, frame, w, h)
					// Without colour cvmscope writes no escape sequence at all, so the frame is
					// checked as is. With colour only SGR sequences are removed: a wholesale
					// ansi.Strip would also remove an attacker's OSC 52 and hide it.
					plain := frame
					if color {
						plain = sgr.ReplaceAllString(frame, "")
					}
					if near, bad := rawControl(plain); bad {
						t.Fatalf("%s: a raw control character is on screen near %q", where, near)
					}
					for _, hs := range hostile {
						if strings.Contains(plain, hs.shown) {
							seen[hs.shown] = true
						}
					}
				}
				look("the frame after the failed run", m.View())
				if !strings.Contains(ansi.Strip(m.statusView()), hostile[1].shown) {
					t.Errorf("the status line does not show the error's text escaped:\n%s", ansi.Strip(m.statusView()))
				}
				for i := range m.steps {
					m.sel = i
					p := m.pane()
					p.ensure()
					look(fmt.Sprintf("step %d", i+1), m.View())
					for it := range p.items {
						p.Select(it)
						look(fmt.Sprintf("step %d item %d", i+1, it), m.View())
					}
				}
				for _, hs := range hostile {
					if !seen[hs.shown] {
						t.Errorf("%q is never shown escaped", hs.shown)
					}
				}
			})
		}
	}
}

// The styling cvmscope adds is kept: a safe page still draws its verdict badges in colour.
func TestEscapingKeepsOwnColours(t *testing.T) {
	m := newTestModel(t, hostileRunner{uitest.New()}, 160, 48, true, present.EN)
	keys(m, "a")
	if frame := m.View(); !strings.Contains(frame, "\x1b[") {
		t.Error("the coloured frame has no SGR sequence left: escaping removed cvmscope's own styling")
	}
}
