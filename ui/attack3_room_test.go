package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestAttackRoomForgedState: a session's report is whatever its process wrote on the room
// link. A forged one (terminal escapes in the language and in step ids and states, an
// unknown state, thousands of steps) neither reaches the instructor's terminal as control
// sequences nor breaks the table's shape, and other sessions' rows are untouched.
func TestAttackRoomForgedState(t *testing.T) {
	rows := roomRows()
	evil := []RoomStep{}
	for i := 0; i < 5000; i++ {
		evil = append(evil, RoomStep{ID: "\x1b]52;c;cm0gLXJmIH4=\x07", State: "\x1b[2J\x1b[31mpassed"})
	}
	evil = append(evil, RoomStep{ID: "ok", State: "passed"})
	rows[0].Lang = "\x1b]0;pwned\x07en"
	rows[0].Steps = evil
	m := newTestRoomView(t, newFakeRoom(rows...), present.EN)
	for _, sel := range []string{"", "k"} {
		if sel != "" {
			roomKeys(t, m, sel)
		}
		v := m.View()
		for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "\x1b[31m"} {
			if strings.Contains(v, bad) {
				t.Errorf("%q from a session's report reached the view", bad)
			}
		}
		lines := strings.Split(v, "\n")
		if len(lines) != 30 {
			t.Errorf("%d lines, want the window's 30", len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > 120 {
				t.Errorf("a line is %d columns wide in a 120-column window: %.80q", w, ansi.Strip(l))
			}
		}
		if p := plain(v); !strings.Contains(p, "#2  bob") || !strings.Contains(p, "✓ ! ✓ ✗ ·") || !strings.Contains(p, `\x1b]`) {
			t.Errorf("the forged row spoiled the table, or its language is not shown escaped:\n%s", p)
		}
	}
}

// TestAttackRoomCommandEscapes: what arrives on the room link reaches the attendee's screen
// escaped: a message, a scenario name or a language carrying terminal escapes (a link
// written by something other than cvmscope serve, or a hostile value passed through) never
// drives the attendee's terminal, and an unknown language changes nothing.
func TestAttackRoomCommandEscapes(t *testing.T) {
	m := newModel(t.Context(), uitest.New(), Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40}, testStyles(false))
	roomDrive(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, c := range []roomCmdMsg{
		{Message: "\x1b]52;c;cm0gLXJmIH4=\x07hi"},
		{Changed: "scenario", Scenario: "\x1b[2J\x1b]0;pwned\x07"},
		{Lang: "\x1b[31mko"},
	} {
		m.roomCommand(c)
		v := m.View()
		if c.Message != "" && !strings.Contains(ansi.Strip(v), "Instructor:") {
			t.Fatalf("the message is not on the screen, so this row checks nothing:\n%s", ansi.Strip(v))
		}
		for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "\x1b[31m"} {
			if strings.Contains(v, bad) {
				t.Errorf("%+v: %q reached the attendee's screen", c, bad)
			}
		}
	}
	if m.c.lang() != present.EN {
		t.Errorf("an unknown language switched the session to %s", m.c.lang())
	}
}
