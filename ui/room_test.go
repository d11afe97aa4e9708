package ui

import (
	"bufio"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// fakeRoom is a Room whose sessions a test sets and whose pushes it records.
type fakeRoom struct {
	mu      sync.Mutex
	rows    []RoomSession
	changed chan struct{}
	pushes  []RoomPush
}

func newFakeRoom(rows ...RoomSession) *fakeRoom {
	return &fakeRoom{rows: rows, changed: make(chan struct{})}
}

func (f *fakeRoom) Sessions() []RoomSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]RoomSession(nil), f.rows...)
}

func (f *fakeRoom) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

func (f *fakeRoom) Push(p RoomPush) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pushes = append(f.pushes, p)
	if p.To != 0 {
		return 1, nil
	}
	return len(f.rows), nil
}

func (f *fakeRoom) set(rows ...RoomSession) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = rows
	close(f.changed)
	f.changed = make(chan struct{})
}

// roomDrive feeds msg to m and runs the commands it returns, feeding their messages back,
// as the Bubble Tea loop would, synchronously. The watch that a sessions message returns
// waits for the next change, so it is not run: tests feed the next sessions themselves.
func roomDrive(t *testing.T, m tea.Model, msg tea.Msg) {
	t.Helper()
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		_, cmd := m.Update(msg)
		if _, watch := msg.(roomRowsMsg); watch {
			continue
		}
		queue = append(queue, roomRun(cmd)...)
	}
}

// roomRun runs cmd and the commands it batches.
func roomRun(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, roomRun(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

func roomKeys(t *testing.T, m tea.Model, ks ...string) {
	t.Helper()
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		roomDrive(t, m, msg)
	}
}

func plain(v string) string { return ansi.Strip(v) }

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func roomRows() []RoomSession {
	steps := func(states ...string) []RoomStep {
		var out []RoomStep
		for i, s := range states {
			out = append(out, RoomStep{ID: string(uitest.New().Steps()[i]), State: s})
		}
		return out
	}
	return []RoomSession{
		{ID: 1, User: "alice", Remote: "10.0.0.7", Lang: "en", TEE: "tdx", Steps: steps("passed", "passed", "running", "waiting", "waiting"), Started: t0},
		{ID: 2, User: "bob", Remote: "10.0.0.9", Lang: "ko", TEE: "sevsnp", Scenario: "maa-429", Steps: steps("passed", "warned", "passed", "failed", "waiting"), Started: t0.Add(-90 * time.Second)},
	}
}

func newTestRoomView(t *testing.T, room Room, lang present.Lang) tea.Model {
	t.Helper()
	m := NewRoomView(t.Context(), room, RoomOptions{Lang: lang, NoColor: true, Now: func() time.Time { return t0.Add(75 * time.Second) }})
	roomDrive(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	// Init's other command is the clock's tick.
	roomDrive(t, m, m.(*roomModel).loadRows())
	return m
}

// The table lists every session with its steps' marks and time in the room, and follows
// the room as it changes.
func TestRoomViewTable(t *testing.T) {
	room := newFakeRoom(roomRows()...)
	m := newTestRoomView(t, room, present.EN)
	v := plain(m.View())
	for _, want := range []string{"2 sessions", "to: everyone", "#1  alice", "10.0.0.7", "tdx", "✓ ✓ … · ·", "1m15s", "#2  bob", "maa-429", "✓ ! ✓ ✗ ·", "2m45s"} {
		if !strings.Contains(v, want) {
			t.Errorf("room view lacks %q:\n%s", want, v)
		}
	}
	if lines := strings.Split(m.View(), "\n"); len(lines) != 30 {
		t.Errorf("%d lines, want the window's 30", len(lines))
	}
	// A session reports progress: the view's watch wakes and reads the sessions again.
	_, watch := m.Update(m.(*roomModel).loadRows())
	rows := roomRows()
	rows[0].Steps[2].State, rows[0].Steps[3].State = "passed", "running"
	room.set(rows...)
	roomDrive(t, m, watch())
	if v := plain(m.View()); !strings.Contains(v, "✓ ✓ ✓ … ·") {
		t.Errorf("the view did not follow the room:\n%s", v)
	}
}

// Keys push to everyone or to the selected session: a scenario, a language, a reset (after
// y) and a message; esc and any key but y cancel.
func TestRoomViewPushes(t *testing.T) {
	room := newFakeRoom(roomRows()...)
	m := newTestRoomView(t, room, present.EN)
	roomKeys(t, m, "s")
	if v := plain(m.View()); !strings.Contains(v, "Scenario for everyone") || !strings.Contains(v, "secureboot-off") {
		t.Fatalf("scenario picker:\n%s", v)
	}
	roomKeys(t, m, "j", "enter") // the first after none
	roomKeys(t, m, "j", "l", "j", "enter")
	roomKeys(t, m, "R", "n") // not reset
	roomKeys(t, m, "R", "y") // reset #2
	roomKeys(t, m, "tab", "m")
	for _, r := range "switch Secure Boot off" {
		roomDrive(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	roomKeys(t, m, "enter")
	roomKeys(t, m, "s", "esc")
	want := []RoomPush{
		{To: 0, Kind: PushScenario, Value: "clock-skew"},
		{To: 2, Kind: PushLang, Value: "ko"},
		{To: 2, Kind: PushReset},
		{To: 0, Kind: PushMessage, Value: "switch Secure Boot off"},
	}
	if len(room.pushes) != len(want) {
		t.Fatalf("pushes %+v, want %+v", room.pushes, want)
	}
	for i := range want {
		if room.pushes[i] != want[i] {
			t.Errorf("push %d: %+v, want %+v", i, room.pushes[i], want[i])
		}
	}
	if v := plain(m.View()); !strings.Contains(v, "Message sent to 2 session(s).") {
		t.Errorf("status after the message:\n%s", v)
	}
}

// The help lists the room view's keys, in English and in Korean (L switches).
func TestRoomViewHelp(t *testing.T) {
	m := newTestRoomView(t, newFakeRoom(roomRows()...), present.EN)
	roomKeys(t, m, "?")
	v := plain(m.View())
	for _, want := range []string{"Keys of the room view", "push a scenario", "push a language", "reset", "message to the status line", "send to: selected / everyone"} {
		if !strings.Contains(v, want) {
			t.Errorf("English help lacks %q:\n%s", want, v)
		}
	}
	roomKeys(t, m, "esc", "L", "?")
	v = plain(m.View())
	for _, want := range []string{"룸 화면의 키", "시나리오 보내기", "언어 보내기", "상태 줄 메시지"} {
		if !strings.Contains(v, want) {
			t.Errorf("Korean help lacks %q:\n%s", want, v)
		}
	}
}

// A session with a room link reports its steps as they change and shows the room's
// commands on its status line, in its language.
func TestRoomLinkSession(t *testing.T) {
	server, child := net.Pipe()
	defer server.Close()
	link := newRoomLink(child)
	go link.write()
	defer link.close()
	m := roomed{model: newModel(t.Context(), uitest.New(), Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40}, testStyles(false)), link: link}
	reports := make(chan RoomState, 16)
	go func() {
		sc := bufio.NewScanner(server)
		for sc.Scan() {
			var s RoomState
			if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
				t.Errorf("report %q: %v", sc.Text(), err)
				return
			}
			reports <- s
		}
	}()
	next := func() RoomState {
		t.Helper()
		select {
		case s := <-reports:
			return s
		case <-time.After(hangGuard):
			t.Fatal("no report from the session")
		}
		return RoomState{}
	}
	roomDrive(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if s := next(); s.Lang != "en" || len(s.Steps) != 5 || s.Steps[0].State != "waiting" {
		t.Fatalf("first report %+v", s)
	}
	roomDrive(t, m, tea.KeyMsg{Type: tea.KeyEsc})   // closes the welcome
	roomDrive(t, m, tea.KeyMsg{Type: tea.KeyEnter}) // runs the first step
	for s := next(); s.Steps[0].State != "passed"; s = next() {
	}
	roomDrive(t, m, roomCmdMsg{Message: "look at PCR 7"})
	if !strings.Contains(m.model.status, "Instructor: look at PCR 7") {
		t.Errorf("status after a message: %q", m.model.status)
	}
	roomDrive(t, m, roomCmdMsg{Lang: "ko"})
	if m.model.c.lang() != present.KO || !strings.Contains(m.model.status, "강사가 이 세션을 한국어로") {
		t.Errorf("after a language push: %s, %q", m.model.c.lang(), m.model.status)
	}
	if s := next(); s.Lang != "ko" {
		t.Errorf("report after the switch: %+v", s)
	}
	roomDrive(t, m, roomCmdMsg{Changed: "scenario", Scenario: "secureboot-off"})
	if !strings.Contains(m.model.status, "시나리오 secureboot-off") {
		t.Errorf("status after a scenario: %q", m.model.status)
	}
}

// A user name is what the attendee typed: control characters in it are shown escaped, never
// sent to the instructor's terminal.
func TestRoomViewEscapesUserNames(t *testing.T) {
	rows := roomRows()
	rows[0].User = "\x1b]52;c;cm0gLXJmIH4=\x07eve"
	m := newTestRoomView(t, newFakeRoom(rows...), present.EN)
	roomKeys(t, m, "k") // selects it, so the title names it too
	v := m.View()
	if strings.Contains(v, "\x1b]52") || strings.Contains(v, "\x07") {
		t.Errorf("the user name's control characters reached the view:\n%q", v)
	}
	if !strings.Contains(v, `\x1b]52;`) {
		t.Errorf("the user name is not shown escaped:\n%s", v)
	}
}

// At 80 columns the addresses give way, and the steps and the time stay in view.
func TestRoomViewNarrow(t *testing.T) {
	m := newTestRoomView(t, newFakeRoom(roomRows()...), present.EN)
	roomDrive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	v := plain(m.View())
	for _, want := range []string{"✓ ✓ … · ·  1m15s", "✓ ! ✓ ✗ ·  2m45s", "maa-429"} {
		if !strings.Contains(v, want) {
			t.Errorf("80 columns: %q not in view:\n%s", want, v)
		}
	}
	if strings.Contains(v, "10.0.0.7") {
		t.Errorf("80 columns: the address is still shown:\n%s", v)
	}
	for i, line := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(line); w != 80 {
			t.Errorf("line %d is %d cells, want 80", i+1, w)
		}
	}
}
