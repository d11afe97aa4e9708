package sshserve

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/ssh"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/ui"
)

// The bucket gives burst connections at once, then one every 60/perMin seconds; addresses
// are counted apart.
func TestRateLimitRefills(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	r := newRateLimit(10, func() time.Time { return now })
	for i := range 10 {
		if !r.allow("10.0.0.1") {
			t.Fatalf("connection %d of a burst of 10 refused", i+1)
		}
	}
	if r.allow("10.0.0.1") {
		t.Error("11th connection in the same instant allowed")
	}
	if !r.allow("10.0.0.2") {
		t.Error("another address refused")
	}
	now = now.Add(5 * time.Second)
	if r.allow("10.0.0.1") {
		t.Error("allowed 5 s later, before a token came back (one every 6 s)")
	}
	now = now.Add(time.Second)
	if !r.allow("10.0.0.1") {
		t.Error("refused 6 s later, when one token is back")
	}
	if newRateLimit(0, time.Now).allow("x") != true {
		t.Error("no limit refused")
	}
}

func TestRoomCode(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		c, err := NewRoomCode()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[` + codeAlphabet + `]{4}-[` + codeAlphabet + `]{4}$`).MatchString(c) {
			t.Fatalf("room code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 50 {
		t.Errorf("%d distinct codes in 50", len(seen))
	}
	for typed, want := range map[string]bool{"k7mq-4xpa": true, "K7MQ 4XPA": true, "k7mq4xpa": true, "k7mq-4xp": false, "k7mq-4xpb": false, "": false} {
		if got := codeMatches(typed, "k7mq-4xpa"); got != want {
			t.Errorf("codeMatches(%q) = %v", typed, got)
		}
	}
}

func TestLoadAuthorizedKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb3hGZ0N8yQ0v0yU0r0V7m7KqfUoZ8b3xHq2G6n0c3e alice@laptop"
	keys, err := LoadAuthorizedKeys(write("ok", "# instructors\n\n"+key+"\n"))
	if err != nil || len(keys) != 1 {
		t.Fatalf("%v %v", keys, err)
	}
	for name, content := range map[string]string{
		"garbage": "not a key\n",
		"options": `from="10.0.0.0/8" ` + key + "\n",
		"empty":   "# nobody\n",
	} {
		if _, err := LoadAuthorizedKeys(write(name, content)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
	if _, err := LoadAuthorizedKeys(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestDefaultMaxSessions(t *testing.T) {
	if n := DefaultMaxSessions(); n < 1 || n > MaxSessionsCap {
		t.Errorf("DefaultMaxSessions() = %d, want 1..%d", n, MaxSessionsCap)
	}
}

// Only the attendee's locale and colour settings pass, and only plain values.
func TestSessionEnv(t *testing.T) {
	t.Setenv("CVMSCOPE_LOG", "")
	env := sessionEnv("/s", "xterm", []string{"LANG=ko_KR.UTF-8", "LC_ALL=$(id)", "LD_PRELOAD=/x.so", "COLORTERM=truecolor", "PATH=/evil"}, "ssh …", []string{"X=1"})
	want := []string{"TERM=xterm", "HOME=/s", "TMPDIR=/s", "PATH=/usr/bin:/bin", "CVMSCOPE_SERVE=1", "CVMSCOPE_SERVE_SAVE=ssh …", "LANG=ko_KR.UTF-8", "COLORTERM=truecolor", "X=1"}
	if strings.Join(env, "\n") != strings.Join(want, "\n") {
		t.Errorf("sessionEnv:\n%s\nwant\n%s", strings.Join(env, "\n"), strings.Join(want, "\n"))
	}
}

// fakeSession stands for an SSH session as a key of the room's registry.
type fakeSession struct {
	ssh.Session
	n int
}

// Pushes reach the sessions they name: a message goes down the session's link at once, a
// scenario changes its options and asks its loop for a restart with a note, unless its TEE
// cannot stage it; a session that has ended is named in the error.
func TestRoomPush(t *testing.T) {
	r := newRoom(10)
	snp, tl := Attendee{User: "a", TEE: "sevsnp", Args: []string{"--lang=en", "--scenario=maa-429"}}, Attendee{User: "b", TEE: "trustedlaunch"}
	as := make([]*Attendee, 2)
	for i, a := range []Attendee{snp, tl} {
		p, _, _, err := r.enter(fakeSession{n: i}, a)
		if err != nil {
			t.Fatal(err)
		}
		as[i] = p
	}
	server, child, err := socketPair()
	if err != nil {
		t.Fatal(err)
	}
	defer child.Close()
	r.attach(as[0], server)
	defer r.detach(as[0])

	changed := r.Changed()
	if n, err := r.Push(ui.RoomPush{To: as[0].ID, Kind: ui.PushMessage, Value: "look at PCR 7"}); n != 1 || err != nil {
		t.Fatalf("message: %d, %v", n, err)
	}
	line, err := bufio.NewReader(child).ReadString('\n')
	if err != nil || line != `{"message":"look at PCR 7"}`+"\n" {
		t.Errorf("the session read %q, %v", line, err)
	}

	n, err := r.Push(ui.RoomPush{Kind: ui.PushScenario, Value: "debug-enabled"})
	if n != 1 || err == nil || !strings.Contains(err.Error(), "#2") || !strings.Contains(err.Error(), "trustedlaunch") {
		t.Errorf("debug-enabled to everyone: %d, %v; want 1 and #2 (trustedlaunch) named", n, err)
	}
	// The instructor's view may be in Korean: every reason has its Korean words.
	if ko, _ := fault.MessageIn(err, "ko"); ko != "보내지 못한 세션: #2: trustedlaunch에는 시나리오 debug-enabled를 적용할 하드웨어 보고서가 없습니다" {
		t.Errorf("debug-enabled to everyone, in Korean: %q", ko)
	}
	select {
	case note := <-as[0].ctl.restart:
		if note.Changed != "scenario" || note.Scenario != "debug-enabled" {
			t.Errorf("restart note %+v", note)
		}
	default:
		t.Error("no restart asked of the SEV-SNP session")
	}
	select {
	case note := <-as[1].ctl.restart:
		t.Errorf("the Trusted Launch session was restarted: %+v", note)
	default:
	}
	if got := r.args(as[0]); strings.Join(got, " ") != "--lang=en --scenario=debug-enabled" {
		t.Errorf("options after the push: %q", got)
	}
	select {
	case <-changed:
	default:
		t.Error("the registry did not tell the views of the change")
	}
	if rows := r.Sessions(); len(rows) != 2 || rows[0].Scenario != "debug-enabled" || rows[1].Scenario != "" {
		t.Errorf("sessions after the push: %+v", rows)
	}

	// A reset keeps the options; "none" drops the scenario.
	if _, err := r.Push(ui.RoomPush{To: as[0].ID, Kind: ui.PushScenario, Value: ""}); err != nil {
		t.Fatal(err)
	}
	if got := r.args(as[0]); strings.Join(got, " ") != "--lang=en" {
		t.Errorf("options after pushing no scenario: %q", got)
	}
	// A --save-to-stdout run has no screen: it is named, not counted.
	saver, _, _, err := r.enter(fakeSession{n: 2}, Attendee{User: "c", TEE: "sevsnp", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Push(ui.RoomPush{To: saver.ID, Kind: ui.PushReset}); n != 0 || err == nil || !strings.Contains(err.Error(), "--save-to-stdout") {
		t.Errorf("reset of a --save-to-stdout run: %d, %v", n, err)
	} else if ko, _ := fault.MessageIn(err, "ko"); !strings.Contains(ko, "조종할 화면이 없습니다") {
		t.Errorf("reset of a --save-to-stdout run, in Korean: %q", ko)
	}
	r.leave(fakeSession{n: 1})
	if _, err := r.Push(ui.RoomPush{To: as[1].ID, Kind: ui.PushReset}); err == nil || !strings.Contains(err.Error(), "has ended") {
		t.Errorf("reset of a session that left: %v", err)
	} else if ko, _ := fault.MessageIn(err, "ko"); ko != fmt.Sprintf("세션 #%d는 끝났습니다", as[1].ID) {
		t.Errorf("reset of a session that left, in Korean: %q", ko)
	}
	// A system error (the session's link closed under the push) is quoted as received.
	as[0].ctl.mu.Lock()
	as[0].ctl.link.Close()
	as[0].ctl.mu.Unlock()
	_, err = r.Push(ui.RoomPush{To: as[0].ID, Kind: ui.PushMessage, Value: "hi"})
	if ko, _ := fault.MessageIn(err, "ko"); err == nil || !strings.HasPrefix(ko, fmt.Sprintf("보내지 못한 세션: #%d: 오류 원문: 「", as[0].ID)) {
		t.Errorf("a message over a closed link: %v; in Korean %q", err, ko)
	}
}

// One SSH connection may hold maxPerConn sessions at once: each of its channels starts a
// cvmscope, and one connection opening channel after channel took every place of the room.
// Another connection still comes in, and a place given back can be taken again.
func TestRoomSessionsPerConnection(t *testing.T) {
	r := newRoom(100)
	for i := range maxPerConn {
		if _, _, _, err := r.enter(fakeSession{n: i}, Attendee{User: "a", conn: "c1"}); err != nil {
			t.Fatalf("session %d of one connection: %v", i+1, err)
		}
	}
	if _, _, _, err := r.enter(fakeSession{n: maxPerConn}, Attendee{User: "a", conn: "c1"}); err == nil || !strings.Contains(err.Error(), "this connection already holds") {
		t.Errorf("session %d of one connection: %v, want refused", maxPerConn+1, err)
	}
	if _, _, _, err := r.enter(fakeSession{n: 100}, Attendee{User: "b", conn: "c2"}); err != nil {
		t.Errorf("another connection: %v", err)
	}
	r.leave(fakeSession{n: 0})
	if _, _, _, err := r.enter(fakeSession{n: 101}, Attendee{User: "a", conn: "c1"}); err != nil {
		t.Errorf("after one of its sessions left: %v", err)
	}
}
