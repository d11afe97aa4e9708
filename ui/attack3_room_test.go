package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/present"
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
