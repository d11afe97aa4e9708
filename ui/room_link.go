package ui

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"slices"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// The room link joins an attendee's session to `cvmscope serve`: the session is a process
// of its own (each has its own TPM simulator), so what the instructor's view shows and
// sends travels as JSON lines over one socket the server hands the child as a file
// descriptor (CVMSCOPE_ROOM_FD). The session reports its state; the room sends commands.

// RoomStateWord is a step's state as the room reads it, the same in every language.
var roomStateWords = [...]string{waiting: "waiting", running: "running", cancelling: "running", cancelled: "cancelled",
	passed: "passed", warned: "warned", failed: "failed", skipped: "skipped"}

// RoomStep is one step of a session, as reported to the room.
type RoomStep struct {
	ID    string `json:"id"`
	State string `json:"state"`           // waiting, running, passed, warned, failed, skipped, cancelled
	Stale bool   `json:"stale,omitempty"` // an earlier step ran again since
}

// RoomState is what a session reports whenever it changes.
type RoomState struct {
	Lang  string     `json:"lang"`
	Steps []RoomStep `json:"steps"`
}

// RoomCommand is what the room sends a session. Message and Lang act at once; Changed tells
// a session the server has just restarted that the instructor changed it ("scenario" with
// Scenario, or "reset"), so that its status line says so.
type RoomCommand struct {
	Message  string `json:"message,omitempty"`
	Lang     string `json:"lang,omitempty"`
	Changed  string `json:"changed,omitempty"`
	Scenario string `json:"scenario,omitempty"`
}

// addRoomLinkChrome adds the status lines of the room's commands to chrome.
func addRoomLinkChrome(chrome map[string]present.Text) {
	for id, t := range map[string]present.Text{
		"status.room.msg":      present.T("Instructor: %s", "강사: %s"),
		"status.room.lang":     present.T("The instructor switched your session to English.", "강사가 이 세션을 한국어로 바꿨습니다."),
		"status.room.scenario": present.T("The instructor switched your session to scenario %s: press a to run every step.", "강사가 이 세션을 시나리오 %s(으)로 바꿨습니다. a를 눌러 모든 단계를 실행합니다."),
		"status.room.noscen":   present.T("The instructor switched your session back to no scenario: press a to run every step.", "강사가 이 세션을 시나리오 없이 되돌렸습니다. a를 눌러 모든 단계를 실행합니다."),
		"status.room.reset":    present.T("The instructor reset your session: press a to run every step.", "강사가 이 세션을 처음부터 다시 시작했습니다. a를 눌러 모든 단계를 실행합니다."),
	} {
		chrome[id] = t
	}
}

// roomCmdMsg is a command from the room, read off the link.
type roomCmdMsg RoomCommand

// roomCommand applies a command from the room and says so on the status line, in the
// attendee's language (after a language switch, in the new one).
func (m *model) roomCommand(c roomCmdMsg) {
	if c.Lang != "" {
		if l := present.Lang(c.Lang); l == present.EN || l == present.KO {
			if l != m.c.lang() {
				m.switchLang()
			}
			m.setStatus(statusInfo, m.c.cat.t("status.room.lang"))
		}
	}
	switch c.Changed {
	case "scenario":
		if c.Scenario == "" || c.Scenario == "none" {
			m.setStatus(statusInfo, m.c.cat.t("status.room.noscen"))
		} else {
			m.setStatus(statusInfo, m.c.cat.f("status.room.scenario", c.Scenario))
		}
	case "reset":
		m.setStatus(statusInfo, m.c.cat.t("status.room.reset"))
	}
	if c.Message != "" {
		m.setStatus(statusInfo, m.c.cat.f("status.room.msg", c.Message))
	}
}

// roomState is what the session reports now.
func (m *model) roomState() RoomState {
	s := RoomState{Lang: string(m.c.lang())}
	for i, id := range m.steps {
		s.Steps = append(s.Steps, RoomStep{ID: string(id), State: roomStateWords[m.runs[i].state], Stale: m.runs[i].stale})
	}
	return s
}

// roomLinkFile is the link's socket when this process is a session of `cvmscope serve`
// given one; nil otherwise.
func roomLinkFile() *os.File {
	if !served() || os.Getenv("CVMSCOPE_ROOM_FD") != "3" {
		return nil
	}
	return os.NewFile(3, "room link")
}

// roomLink carries the session's reports to the room and its commands back. Reports are
// posted from Update without blocking (the latest replaces one not yet written); one
// goroutine writes them, so Update never does I/O.
type roomLink struct {
	rw io.ReadWriter

	mu      sync.Mutex
	latest  *RoomState
	sent    RoomState
	pending chan struct{}
	done    chan struct{}
}

func newRoomLink(rw io.ReadWriter) *roomLink {
	return &roomLink{rw: rw, pending: make(chan struct{}, 1), done: make(chan struct{})}
}

// post queues s unless it equals what was last queued.
func (l *roomLink) post(s RoomState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Lang == l.sent.Lang && slices.Equal(s.Steps, l.sent.Steps) {
		return
	}
	l.sent, l.latest = s, &s
	select {
	case l.pending <- struct{}{}:
	default:
	}
}

// write sends queued reports until close; a room that has gone away is not an error for
// the attendee, so write errors end the reports quietly.
func (l *roomLink) write() {
	enc := json.NewEncoder(l.rw)
	for {
		select {
		case <-l.done:
			return
		case <-l.pending:
		}
		l.mu.Lock()
		s := l.latest
		l.latest = nil
		l.mu.Unlock()
		if s != nil && enc.Encode(s) != nil {
			return
		}
	}
}

// read hands the room's commands to the program until the link closes. A line that is
// not a command is skipped: the server writes them, but a session must not crash on one.
func (l *roomLink) read(send func(tea.Msg)) {
	sc := bufio.NewScanner(l.rw)
	sc.Buffer(nil, 64<<10)
	for sc.Scan() {
		var c RoomCommand
		if json.Unmarshal(sc.Bytes(), &c) == nil {
			send(roomCmdMsg(c))
		}
	}
}

func (l *roomLink) close() { close(l.done) }

// roomed is the model of a session with a room link: after every update it posts the
// session's state, if it changed.
type roomed struct {
	*model
	link *roomLink
}

func (r roomed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if c, ok := msg.(roomCmdMsg); ok {
		r.model.roomCommand(c)
	}
	_, cmd := r.model.Update(msg)
	r.link.post(r.model.roomState())
	return r, cmd
}
