package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// newKey returns a fresh ed25519 SSH key.
func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// printEnv makes each session print its environment and exit 0 (see TestMain): a session
// that ran at all, cheaply.
var printEnv = []string{"CVMSCOPE_TEST_PRINT_ENV=1"}

// sessionRuns opens a session with a terminal on client, the client sending the
// variables vars, and returns the environment the stand-in printed there.
func sessionRuns(t *testing.T, client *gossh.Client, vars map[string]string) map[string]string {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range vars {
		// The library accepts every variable; the server chooses which reach cvmscope.
		if err := sess.Setenv(k, v); err != nil {
			t.Fatalf("setenv %s: %v", k, err)
		}
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := newScreen(t, in)
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Start(""); err != nil {
		t.Fatal(err)
	}
	if err := ended(t, sess); err != nil {
		t.Fatalf("session: %v\n%s", err, out.String())
	}
	env := map[string]string{}
	// The test binary asks the terminal for its colours before it prints (answered by the
	// screen): only what follows the queries on a line is read.
	for _, m := range envLine.FindAllStringSubmatch(out.String(), -1) {
		env[m[1]] = m[2]
	}
	if env["CVMSCOPE_SERVE"] != "1" {
		t.Fatalf("session printed %q, want its environment", out.String())
	}
	return env
}

var envLine = regexp.MustCompile(`([A-Z][A-Z0-9_]*)=([^\r\n]*)`)

// runPty runs args in a session with a terminal, answering the terminal's queries as the
// attendee's terminal would, and returns how the session ended and its screen.
func runPty(t *testing.T, client *gossh.Client, args string) (*screen, error) {
	t.Helper()
	sess, out, _ := attend(t, client, 24, 80, args)
	return out, ended(t, sess)
}

// refused wants connecting with auth to fail authentication.
func refused(t *testing.T, addr, what string, auth ...gossh.AuthMethod) {
	t.Helper()
	c, err := connect(addr, auth...)
	if err == nil {
		c.Close()
		t.Errorf("%s: connected, want refused", what)
		return
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("%s: %v, want an authentication failure", what, err)
	}
}

// Only a listed key comes in when the room code is off; any other key, or none, is
// refused.
func TestServeAuthorizedKeys(t *testing.T) {
	listed, other := newKey(t), newKey(t)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	content := "# the instructor's list\n" + string(gossh.MarshalAuthorizedKey(listed.PublicKey()))
	if err := os.WriteFile(keys, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, done := startServe(t, printEnv, "--authorized-keys", keys, "--room-code", "off")
	client, err := connect(addr, gossh.PublicKeys(listed))
	if err != nil {
		t.Fatalf("listed key: %v", err)
	}
	defer client.Close()
	sessionRuns(t, client, nil)
	refused(t, addr, "another key", gossh.PublicKeys(other))
	refused(t, addr, "a room code when there is none", roomCode(testRoomCode))
	refused(t, addr, "no authentication")
	stop()
	serveStopped(t, done)
}

// The room code lets people without a key in, however they write it; a wrong code and
// no authentication at all (which got a session before) are refused.
func TestServeRoomCode(t *testing.T) {
	addr, stop, done := startServe(t, printEnv)
	for _, typed := range []string{testRoomCode, "TEST ROOM CODE", "testroomcode"} {
		client, err := connect(addr, roomCode(typed))
		if err != nil {
			t.Fatalf("room code %q: %v", typed, err)
		}
		if typed == testRoomCode {
			sessionRuns(t, client, nil)
		}
		client.Close()
	}
	// What ssh shows before the session (and its --lang) exists is in both languages.
	var banner, instruction, question string
	cfg := &gossh.ClientConfig{User: "attendee", HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: hangGuard,
		BannerCallback: func(m string) error { banner = m; return nil },
		Auth: []gossh.AuthMethod{gossh.KeyboardInteractive(func(_, instr string, qs []string, _ []bool) ([]string, error) {
			instruction, question = instr, strings.Join(qs, "|")
			return []string{testRoomCode}, nil
		})}}
	c, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatalf("room code, reading the prompts: %v", err)
	}
	c.Close()
	// The instruction and the prompt stay ASCII: OpenSSH's client prints them octal-escaped
	// otherwise (the prompt under a C locale); the banner has the Korean after the English.
	if !strings.Contains(banner, "Come in with the room code") || !strings.Contains(banner, "룸 코드로 들어옵니다") ||
		!strings.Contains(instruction, "type the room code") || strings.ContainsFunc(instruction, func(r rune) bool { return r > 0x7e }) ||
		question != "Room code: " {
		t.Errorf("pre-session text not in both languages: banner %q, instruction %q, question %q", banner, instruction, question)
	}
	// Clients set to password authentication only give the code as a password.
	client, err := connect(addr, gossh.Password(testRoomCode))
	if err != nil {
		t.Fatalf("room code as a password: %v", err)
	}
	client.Close()
	refused(t, addr, "a wrong code", roomCode("test-room-cod"))
	refused(t, addr, "a wrong password", gossh.Password("guess"))
	refused(t, addr, "no authentication")
	refused(t, addr, "an unlisted key", gossh.PublicKeys(newKey(t)))
	stop()
	serveStopped(t, done)
}

// An open room takes anyone, and says so on stderr; it cannot be combined with a code,
// and turning the code off without keys leaves no way in.
func TestServeOpenRoom(t *testing.T) {
	serveEnv = append([]string{"CVMSCOPE_TEST_AS_MAIN=1"}, printEnv...)
	t.Cleanup(func() { serveEnv = nil })
	ctx, stop := context.WithCancel(t.Context())
	var errb lockedBuffer
	addrc, exit := make(chan string, 1), make(chan int, 1)
	go func() {
		exit <- runServe(ctx, []string{"--open-room", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "k")}, io.Discard, &errb, func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-exit:
		t.Fatalf("serve --open-room exited %d: %s", code, errb.String())
	case <-time.After(hangGuard):
		t.Fatal("serve --open-room did not start")
	}
	if !strings.Contains(errb.String(), "WARNING: --open-room") {
		t.Errorf("no warning for an open room: %q", errb.String())
	}
	client, err := connect(addr)
	if err != nil {
		t.Fatalf("open room, no authentication: %v", err)
	}
	sessionRuns(t, client, nil)
	client.Close()
	stop()
	serveStopped(t, exit)

	for _, args := range [][]string{
		{"--open-room", "--room-code", "abcdefgh"},
		{"--room-code", "off"},
		{"--room-code", "abc"},
	} {
		var errb bytes.Buffer
		args = append(args, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "k"))
		if code := runServe(t.Context(), args, io.Discard, &errb, func(string) { t.Errorf("%q listened", args) }); code != 1 || errb.Len() == 0 {
			t.Errorf("%q: exit %d, %q; want 1 and a reason", args, code, errb.String())
		}
	}
}

// --max-sessions 1: the second session is refused with a message while the first runs,
// and comes in once the first has left. Under CVMSCOPE_LOG=debug the session's log is
// written in its own directory and goes with it.
func TestServeMaxSessionsAndLogs(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("CVMSCOPE_LOG", "debug")
	addr, stop, done := startServe(t, nil, "--max-sessions", "1")
	client := dial(t, addr)
	sess, out, in := attend(t, client, 40, 120, "--lang en")
	out.wait(t, "Ready.")
	logs, err := filepath.Glob(filepath.Join(tmp, "cvmscope-ssh-*", "cvmscope-*.log"))
	if err != nil || len(logs) != 1 {
		t.Errorf("session logs in its directory: %v %v, want one", logs, err)
	}

	second := dial(t, addr)
	var exit *gossh.ExitError
	if out2, err := runPty(t, second, "--lang en"); !errors.As(err, &exit) || exit.ExitStatus() != 1 || !out2.has("the room is full") || !out2.has("--max-sessions") {
		t.Errorf("second session with --max-sessions 1: %v, %q; want exit status 1 and why", err, out2.String())
	}

	send(t, in, "q")
	if err := ended(t, sess); err != nil {
		t.Errorf("first session ended with %v", err)
	}
	// The place is free again: a session runs (and refuses the value, exit status 1,
	// which shows cvmscope ran rather than the cap refusing it).
	if out3, err := runPty(t, second, "--lang xx"); !errors.As(err, &exit) || exit.ExitStatus() != 1 || out3.has("the room is full") {
		t.Errorf("session after the first left: %v, %q", err, out3.String())
	}
	stop()
	serveStopped(t, done)
	if left, _ := filepath.Glob(filepath.Join(tmp, "cvmscope*")); len(left) != 0 {
		t.Errorf("left in TMPDIR after the sessions: %v", left)
	}
}

// A connection that does not authenticate within --auth-timeout is closed, whether it says
// nothing or only sends its version line; one that authenticated stays. The timeout's
// timer is the test's: each connection's is fired by hand, none runs out by itself.
func TestServeAuthTimeout(t *testing.T) {
	type timer struct {
		d    time.Duration
		fire func()
	}
	timers := make(chan timer, 8)
	serveAfterFunc = func(d time.Duration, f func()) func() bool {
		timers <- timer{d, f}
		return func() bool { return true }
	}
	t.Cleanup(func() { serveAfterFunc = nil })
	addr, stop, done := startServe(t, printEnv, "--auth-timeout", "42s")
	next := func() timer {
		t.Helper()
		select {
		case tm := <-timers:
			if tm.d != 42*time.Second {
				t.Errorf("pre-auth timer of %v, want --auth-timeout's 42s", tm.d)
			}
			return tm
		case <-time.After(hangGuard):
			t.Fatal("the server set no pre-auth timer for a connection")
		}
		return timer{}
	}
	for _, hello := range []string{"", "SSH-2.0-idle\r\n"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if hello != "" {
			if _, err := io.WriteString(c, hello); err != nil {
				t.Fatal(err)
			}
		}
		next().fire()
		// A deadline only so that a server that never closes fails the test rather than
		// hanging it.
		if err := c.SetReadDeadline(time.Now().Add(hangGuard)); err != nil {
			t.Fatal(err)
		}
		// Closed with the version line still unread, the server's end answers with a reset.
		if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("connection sending %q: %v, want it closed by the server", hello, err)
		}
	}
	// The timer of a connection that authenticated (and so opened a session) closes
	// nothing: another session runs on it after it fired.
	client := dial(t, addr)
	authed := next()
	sessionRuns(t, client, nil)
	authed.fire()
	sessionRuns(t, client, nil)
	stop()
	serveStopped(t, done)
}

// Beyond --conn-rate connections from one address are closed before the SSH handshake.
// The limit's clock is frozen, so no connection comes back while the test runs.
func TestServeConnRate(t *testing.T) {
	frozen := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	serveNow = func() time.Time { return frozen }
	t.Cleanup(func() { serveNow = nil })
	addr, stop, done := startServe(t, nil, "--conn-rate", "2")
	greeting := func() (string, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.SetReadDeadline(time.Now().Add(hangGuard)); err != nil {
			t.Fatal(err)
		}
		return bufio.NewReader(c).ReadString('\n')
	}
	for i := range 2 {
		if line, err := greeting(); err != nil || !strings.HasPrefix(line, "SSH-2.0-") {
			t.Fatalf("connection %d within the rate: %q, %v", i+1, line, err)
		}
	}
	if line, err := greeting(); !errors.Is(err, io.EOF) || line != "" {
		t.Errorf("third connection at --conn-rate 2: %q, %v; want it closed unanswered", line, err)
	}
	stop()
	serveStopped(t, done)
}

// A session's environment is built, not inherited: the terminal, the attendee's locale,
// its own HOME and TMPDIR, a minimal PATH and what cvmscope needs; nothing of the
// server's, nor anything else the client sends.
func TestServeSessionEnvironment(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("CVMSCOPE_TEST_SERVER_SECRET", "s3cret")
	addr, stop, done := startServe(t, printEnv)
	client := dial(t, addr)
	env := sessionRuns(t, client, map[string]string{"LANG": "ko_KR.UTF-8", "LC_TIME": "$(reboot)", "LD_PRELOAD": "/tmp/x.so"})
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"CVMSCOPE_ROOM_FD", "CVMSCOPE_SERVE", "CVMSCOPE_SERVE_SAVE", "CVMSCOPE_TEST_AS_MAIN", "CVMSCOPE_TEST_PRINT_ENV", "HOME", "LANG", "PATH", "TERM", "TMPDIR"}
	if !slices.Equal(keys, want) {
		t.Errorf("session environment has %q, want exactly %q:\n%v", keys, want, env)
	}
	if env["TERM"] != "xterm-256color" || env["LANG"] != "ko_KR.UTF-8" || env["PATH"] != "/usr/bin:/bin" {
		t.Errorf("TERM %q LANG %q PATH %q", env["TERM"], env["LANG"], env["PATH"])
	}
	if home := env["HOME"]; filepath.Dir(home) != tmp || !strings.HasPrefix(filepath.Base(home), "cvmscope-ssh-") || env["TMPDIR"] != home {
		t.Errorf("HOME %q, TMPDIR %q: want the session's own directory in %s", home, env["TMPDIR"], tmp)
	}
	if !strings.Contains(env["CVMSCOPE_SERVE_SAVE"], "--save-to-stdout > bundle.json") {
		t.Errorf("CVMSCOPE_SERVE_SAVE %q", env["CVMSCOPE_SERVE_SAVE"])
	}
	stop()
	serveStopped(t, done)
}

// An existing directory of the host key keeps its mode (it was changed to 0700), and serve
// prints the new key's fingerprint.
func TestServeHostKeyLeavesItsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	key := filepath.Join(dir, "host_ed25519")
	ctx, stop := context.WithCancel(t.Context())
	exit := make(chan int, 1)
	var out lockedBuffer
	go func() {
		exit <- runServe(ctx, []string{"--room-code", testRoomCode, "--listen", "127.0.0.1:0", "--host-key", key}, &out, io.Discard, func(string) { stop() })
	}()
	serveStopped(t, exit)
	// serve prints the fingerprint attendees compare when ssh first asks.
	pem, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	if fp := gossh.FingerprintSHA256(signer.PublicKey()); !strings.Contains(out.String(), "host key: "+fp) {
		t.Errorf("serve's output does not show the host key %s:\n%s", fp, out.String())
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("host key directory: %v, mode %v; want 0755 as it was", err, fi.Mode().Perm())
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}

// `ssh host -- --save-to-stdout > bundle.json` takes a bundle home: the report goes to
// stderr, the bundle alone to stdout, and it verifies offline. With a terminal it is
// refused, as a PTY would mangle the bundle.
func TestServeSaveToStdout(t *testing.T) {
	addr, stop, done := startServe(t, nil)
	client := dial(t, addr)
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	if err := sess.Run("--sim-tee tdx --save-to-stdout"); err != nil {
		t.Fatalf("--save-to-stdout: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Verify JWT") || !strings.Contains(stderr.String(), "went to stdout") {
		t.Errorf("the report is not on stderr: %q", stderr.String())
	}
	bundle := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(bundle, stdout.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	back := runCLI(t, "inspect", "--trust-simulated", "-o", "json", bundle)
	if back.code != 0 || back.report.TEE != "tdx" {
		t.Errorf("inspect the bundle from --save-to-stdout: exit %d, TEE %q\n%s", back.code, back.report.TEE, back.stderr)
	}

	withPty, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := withPty.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out := newScreen(t, nil)
	withPty.Stdout, withPty.Stderr = out, out
	var exit *gossh.ExitError
	if err := withPty.Run("--save-to-stdout"); !errors.As(err, &exit) || exit.ExitStatus() != 1 || !out.has("without -t") {
		t.Errorf("--save-to-stdout with a terminal: %v, %q", err, out.String())
	}
	stop()
	serveStopped(t, done)
}

// One connection's channels are sessions of one attendee: the fifth while four run is
// refused with why, and another connection still comes in (the room's cap is not reached).
func TestServeSessionsPerConnection(t *testing.T) {
	addr, stop, done := startServe(t, nil)
	client := dial(t, addr)
	var ins []io.Writer
	var sessions []*gossh.Session
	for range 4 {
		sess, out, in := attend(t, client, 24, 80, "--lang en")
		out.wait(t, "Ready.")
		ins, sessions = append(ins, in), append(sessions, sess)
	}
	var exit *gossh.ExitError
	if out, err := runPty(t, client, "--lang en"); !errors.As(err, &exit) || exit.ExitStatus() != 1 || !out.has("this connection already holds 4 sessions") {
		t.Errorf("fifth session of one connection: %v, %q; want exit status 1 and why", err, out.String())
	}
	_, out, in := attend(t, dial(t, addr), 24, 80, "--lang en")
	out.wait(t, "Ready.")
	ins = append(ins, in)
	for i, in := range ins[:4] {
		send(t, in, "q")
		if err := ended(t, sessions[i]); err != nil {
			t.Errorf("session %d ended with %v", i+1, err)
		}
	}
	send(t, ins[4], "q")
	stop()
	serveStopped(t, done)
}
