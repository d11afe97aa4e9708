package cli

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/workshop"
	gossh "golang.org/x/crypto/ssh"
)

// waitFor returns once re matches the screen, failing the test after hangGuard.
func (s *screen) waitFor(t *testing.T, re *regexp.Regexp) {
	t.Helper()
	s.waitFrom(t, 0, re)
}

// waitFrom returns once re matches what the screen received from byte from on, failing the
// test after hangGuard.
func (s *screen) waitFrom(t *testing.T, from int, re *regexp.Regexp) {
	t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for !re.MatchString(s.String()[from:]) {
		select {
		case <-s.changed:
		case <-timeout.C:
			t.Fatalf("%s did not appear on the screen:\n%s", re, s.String())
		}
	}
}

// instructor opens the room view over SSH with key, colour off (NO_COLOR from the client)
// so that a table row reads as one piece of text.
func instructor(t *testing.T, addr string, key gossh.Signer) (*screen, io.Writer) {
	t.Helper()
	client, err := connect(addr, gossh.PublicKeys(key))
	if err != nil {
		t.Fatalf("instructor's key: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Setenv("NO_COLOR", "1"); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 40, 140, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := newScreen(t, in)
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Start("--lang en"); err != nil {
		t.Fatal(err)
	}
	return out, in
}

// row matches the room view's line of session id once it shows text, then marks (the five
// steps' states, e.g. "✓ ✓ ✓ ✓ ✓").
func row(id, text, marks string) *regexp.Regexp {
	return regexp.MustCompile(`#` + id + `\s+attendee[^\r\n\x1b]*` + regexp.QuoteMeta(text) + `[^\r\n\x1b]*` + regexp.QuoteMeta(marks))
}

// The instructor's key gets the room view: it sees two attendees come in and progress
// step by step, pushes a scenario that both then run (each told so on their status
// line), and sends a message both see. The instructor takes no place among
// --max-sessions, and an attendee's key is not an instructor's.
func TestServeInstructorView(t *testing.T) {
	teacher := newKey(t)
	keys := filepath.Join(t.TempDir(), "instructors")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(teacher.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, done := startServe(t, nil, "--instructor-keys", keys, "--max-sessions", "2")
	view, typeIn := instructor(t, addr, teacher)
	view.wait(t, "0 sessions")

	var screens []*screen
	var inputs []io.Writer
	for _, args := range []string{"--lang en", "--lang en --sim-tee tdx"} {
		_, out, in := attend(t, dial(t, addr), 40, 120, args)
		out.wait(t, "Ready.")
		screens, inputs = append(screens, out), append(inputs, in)
	}
	view.wait(t, "2 sessions")
	view.waitFor(t, row("1", "sevsnp", "· · · · ·"))
	view.waitFor(t, row("2", "tdx", "· · · · ·"))

	for i, in := range inputs {
		send(t, in, "a")
		screens[i].wait(t, "5 steps: 5 passed")
	}
	view.waitFor(t, row("1", "none", "✓ ✓ ✓ ✓ ✓"))
	view.waitFor(t, row("2", "none", "✓ ✓ ✓ ✓ ✓"))

	// s opens the scenario list (none first, then the names in order); enter pushes the
	// one under the cursor to everyone.
	down := strings.Repeat("j", 1+slices.Index(workshop.ScenarioNames(), "secureboot-off"))
	send(t, typeIn, "s"+down+"\r")
	view.wait(t, "Scenario secureboot-off sent to 2 session(s).")
	for i, in := range inputs {
		screens[i].wait(t, "The instructor switched your session to scenario secureboot-off")
		send(t, in, "a")
		// MAA's default policy refuses a VM booted without Secure Boot.
		screens[i].wait(t, "1 failed")
	}
	view.waitFor(t, row("1", "secureboot-off", "✓ ✓ ✗ ·"))
	view.waitFor(t, row("2", "secureboot-off", "✓ ✓ ✗ ·"))

	send(t, typeIn, "m")
	send(t, typeIn, "look at Call MAA\r")
	view.wait(t, "Message sent to 2 session(s).")
	for _, s := range screens {
		s.wait(t, "Instructor: look at Call MAA")
	}
	stop()
	serveStopped(t, done)
}

// A missing or malformed --instructor-keys file stops serve before it listens, naming the
// flag and the file.
func TestServeInstructorKeysRefused(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("ssh-ed25519 not-base64!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{filepath.Join(dir, "missing"), bad} {
		var errb strings.Builder
		args := []string{"--instructor-keys", file, "--room-code", testRoomCode, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "k")}
		code := runServe(t.Context(), args, io.Discard, &errb, func(string) { t.Errorf("%s: serve listened", file) })
		if code != 1 || !strings.Contains(errb.String(), "--instructor-keys "+file) {
			t.Errorf("%s: exit %d, %q; want 1 and the flag and file named", file, code, errb.String())
		}
	}
}

// An open room with --instructor-keys: every SSH client tries "none" first, and an open
// room that took it let the instructor in as an attendee before the key was offered (the
// room view was unreachable). The instructor's key gets the room view; a client with no
// key, an unlisted key or only a password still gets a session without being asked anything
// it could get wrong.
func TestServeOpenRoomKnowsTheInstructor(t *testing.T) {
	teacher := newKey(t)
	keys := filepath.Join(t.TempDir(), "instructors")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(teacher.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, done := startServe(t, printEnv, "--open-room", "--instructor-keys", keys)
	view, _ := instructor(t, addr, teacher)
	view.wait(t, "0 sessions")
	for what, auth := range map[string][]gossh.AuthMethod{
		"no key":          {roomCode("")},
		"an unlisted key": {gossh.PublicKeys(newKey(t)), roomCode("")},
		"a password":      {gossh.Password("anything")},
	} {
		client, err := connect(addr, auth...)
		if err != nil {
			t.Fatalf("open room, %s: %v", what, err)
		}
		sessionRuns(t, client, nil)
		client.Close()
	}
	stop()
	serveStopped(t, done)
}
