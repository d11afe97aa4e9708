package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestMain lets the test binary stand in for cvmscope when `cvmscope serve` starts it for
// an SSH session (os.Executable is the test binary here).
func TestMain(m *testing.M) {
	if os.Getenv("CVMSCOPE_TEST_AS_MAIN") == "1" {
		if os.Getenv("CVMSCOPE_TEST_PRINT_ENV") == "1" {
			// A session's whole environment, one variable a line, as `env` prints it.
			for _, e := range os.Environ() {
				fmt.Println(e)
			}
			os.Exit(0)
		}
		// A server run this way starts its sessions as this binary too: their environment
		// is built, not inherited, so it is passed on explicitly.
		serveEnv = []string{"CVMSCOPE_TEST_AS_MAIN=1"}
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	// The tests expect English unless they ask for Korean, and to reach their loopback and
	// namespace servers directly: the shell's locale or proxy must not decide (with
	// LANG=ko_KR.UTF-8 some 30 tests failed on Korean messages, with HTTPS_PROXY the vTPM
	// namespace client asked the proxy). A test that needs either sets it itself.
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}

// screen collects what the session draws and answers the terminal queries a real terminal
// answers (background colour, cursor position), as the attendee's terminal would; without
// answers the program waits out its query timeouts. It is the session's Stdout and Stderr
// at once, which the SSH client fills from two goroutines.
type screen struct {
	mu      sync.Mutex
	b       bytes.Buffer
	scanned int         // where the search for the next query starts
	replies chan string // the answers, sent in the order of the queries
	changed chan struct{}
}

// queries are the terminal queries cvmscope sends and a terminal's answers to them.
var queries = []struct{ ask, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
	{"\x1b[6n", "\x1b[1;1R"},
}

// newScreen returns a screen that answers queries on answer (nil: no answers).
func newScreen(t *testing.T, answer io.Writer) *screen {
	s := &screen{changed: make(chan struct{}, 1)}
	if answer != nil {
		// One writer, in order: a program asking for the background colour follows the
		// question with a cursor-position query and takes an answer to that first as "no
		// colour answer"; the colour answer arriving after it would then be read as keys.
		// Not written inline, as Write runs in the client's stdout copier.
		replies := make(chan string, 64)
		s.replies = replies
		// The writer ranges over its own copy: the cleanup below clears the field.
		go func() {
			for r := range replies {
				if _, err := io.WriteString(answer, r); err != nil {
					return
				}
			}
		}()
		t.Cleanup(func() {
			// Under the lock: the session may still be drawing.
			s.mu.Lock()
			defer s.mu.Unlock()
			close(s.replies)
			s.replies = nil
		})
	}
	return s
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.replies != nil {
		s.answer()
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return n, err
}

// answer replies to the queries written since the last call, in their order, including a
// query split across writes.
func (s *screen) answer() {
	b := s.b.Bytes()
	for {
		at, which := -1, -1
		for i, q := range queries {
			if j := bytes.Index(b[s.scanned:], []byte(q.ask)); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			break
		}
		s.replies <- queries[which].answer
		s.scanned += at + len(queries[which].ask)
	}
	// A query may have begun in the last few bytes.
	longest := 0
	for _, q := range queries {
		longest = max(longest, len(q.ask))
	}
	s.scanned = max(s.scanned, len(b)-longest+1)
}

func (s *screen) has(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.b.Bytes(), []byte(text))
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hangGuard bounds every wait of these tests for something to happen (a server starting,
// a screen showing a text, a session or process ending). It only turns a hang into a
// failure, never judges speed: at load ~20 with -race, five steps took more than 15 s.
const hangGuard = 2 * time.Minute

// wait returns once one of texts is on the screen, failing the test after hangGuard.
func (s *screen) wait(t *testing.T, texts ...string) {
	t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for {
		for _, text := range texts {
			if s.has(text) {
				return
			}
		}
		select {
		case <-s.changed:
		case <-timeout.C:
			t.Fatalf("none of %q appeared on the session's screen:\n%s", texts, s.String())
		}
	}
}

// testRoomCode is the room code of the servers the tests start.
const testRoomCode = "test-room-code"

// startServe runs runServe with args (after --listen and --host-key, and the room code
// unless args choose another way in) in the background until the test ends or stop is
// called, and returns its address and a channel with its exit code. Sessions run this
// test binary as cvmscope, with env added to their environment.
func startServe(t *testing.T, env []string, args ...string) (addr string, stop context.CancelFunc, done <-chan int) {
	t.Helper()
	serveEnv = append([]string{"CVMSCOPE_TEST_AS_MAIN=1"}, env...)
	t.Cleanup(func() { serveEnv = nil })
	keyPath := filepath.Join(t.TempDir(), "keys", "host_ed25519")
	if !slices.ContainsFunc(args, func(a string) bool { return a == "--room-code" || a == "--open-room" }) {
		args = append(args, "--room-code", testRoomCode)
	}
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	exit := make(chan int, 1)
	var errb lockedBuffer
	go func() {
		exit <- runServe(ctx, append([]string{"--listen", "127.0.0.1:0", "--host-key", keyPath}, args...), io.Discard, &errb, func(a string) { addrc <- a })
	}()
	select {
	case addr = <-addrc:
	case code := <-exit:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(hangGuard):
		t.Fatal("serve did not start")
	}
	// The key is the server's secret; its directory, missing before, is made private.
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key %v mode %v, want 0600", err, fi)
	}
	if fi, err := os.Stat(filepath.Dir(keyPath)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("host key directory %v mode %v, want 0700", err, fi)
	}
	return addr, cancel, exit
}

// roomCode answers the server's keyboard-interactive questions with code.
func roomCode(code string) gossh.AuthMethod {
	return gossh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
		answers := make([]string, len(questions))
		for i := range answers {
			answers[i] = code
		}
		return answers, nil
	})
}

// connect connects as an attendee who authenticates with auth (none: no method at all).
func connect(addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "attendee", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: hangGuard})
}

// dial connects as an attendee with the tests' room code.
func dial(t *testing.T, addr string) *gossh.Client {
	t.Helper()
	client, err := connect(addr, roomCode(testRoomCode))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// attend starts a session with a terminal of rows×cols running cvmscope with args, and
// returns the session, its screen and its stdin.
func attend(t *testing.T, client *gossh.Client, rows, cols int, args string) (*gossh.Session, *screen, io.Writer) {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := newScreen(t, in)
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Start(args); err != nil {
		t.Fatal(err)
	}
	return sess, out, in
}

// ended waits for the session to end and returns how.
func ended(t *testing.T, sess *gossh.Session) error {
	t.Helper()
	werr := make(chan error, 1)
	go func() { werr <- sess.Wait() }()
	select {
	case err := <-werr:
		return err
	case <-time.After(hangGuard):
		t.Fatal("session did not end")
	}
	return nil
}

func send(t *testing.T, in io.Writer, keys string) {
	t.Helper()
	if _, err := io.WriteString(in, keys); err != nil {
		t.Fatalf("typing %q: %v", keys, err)
	}
}

func serveStopped(t *testing.T, done <-chan int) {
	t.Helper()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit %d", code)
		}
	case <-time.After(hangGuard):
		t.Fatal("serve did not stop")
	}
}

// An attendee connects over SSH, gets the TUI on a simulated CVM of their own, runs every
// step and quits; the server's host key is written with mode 0600.
func TestServeOverSSH(t *testing.T) {
	addr, stop, done := startServe(t, nil)
	client := dial(t, addr)
	sess, out, in := attend(t, client, 40, 120, "--lang en --sim-tee tdx")
	out.wait(t, "Ready.")
	send(t, in, "a")
	// The status line sums up the run, or names its last step.
	out.wait(t, "5 steps: 5 passed", "Verify JWT passed")
	out.wait(t, "SIMULATED CVM (Intel TDX)")
	// The attendee narrows the window: the step list becomes tabs, as at 80 columns locally:
	// the first and third steps drawn on one line (in the wide layout's column each has its
	// own), however the names are shortened to fit.
	mark := len(out.String())
	if err := sess.WindowChange(24, 80); err != nil {
		t.Fatal(err)
	}
	out.waitFrom(t, mark, regexp.MustCompile(`1 Preflight[^\n]*3 Build`))
	// Saving says the file stays on the server and how to take a bundle home.
	send(t, in, "s")
	out.wait(t, "Saved on the server, deleted at logout. Take one home: ssh -p")
	// Wide enough, the line ends with the file's name in the session's home.
	if err := sess.WindowChange(40, 200); err != nil {
		t.Fatal(err)
	}
	out.wait(t, "--sim-tee=tdx --save-to-stdout > bundle.json   (this one: ~/cvmscope-evidence-")
	send(t, in, "q")
	if err := ended(t, sess); err != nil {
		t.Errorf("session ended with %v", err)
	}

	// Flags that would reach beyond the session's simulated CVM are refused.
	sess2, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess2.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out2 := newScreen(t, nil)
	sess2.Stdout, sess2.Stderr = out2, out2
	var exit *gossh.ExitError
	if err := sess2.Run("--platform azure"); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("--platform over SSH ended with %v, want exit status 1", err)
	}
	if !out2.has("not available over SSH") {
		t.Errorf("--platform over SSH: %q", out2.String())
	}

	// A value cvmscope refuses fails the ssh command too (it exited 0 before).
	if outLang, err := runPty(t, client, "--lang xx"); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("--lang xx over SSH ended with %v, want exit status 1:\n%s", err, outLang.String())
	}

	// A session without a terminal runs nothing.
	sess3, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out3 := newScreen(t, nil)
	sess3.Stdout, sess3.Stderr = out3, out3
	if err := sess3.Run(""); !errors.As(err, &exit) || exit.ExitStatus() != 1 || !out3.has("needs a terminal") {
		t.Errorf("session without a PTY: %v, %q", err, out3.String())
	}

	client.Close()
	stop()
	serveStopped(t, done)
}

// Stopping the server (Ctrl-C or SIGTERM reach runServe as the end of its context) ends
// the sessions still running and removes every session's directory before runServe
// returns.
func TestServeStopEndsSessions(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	addr, stop, done := startServe(t, nil)
	client := dial(t, addr)
	var sessions []*gossh.Session
	for range 2 {
		sess, out, _ := attend(t, client, 40, 120, "--lang en")
		out.wait(t, "Ready.")
		sessions = append(sessions, sess)
	}
	dirs := func() []string {
		m, err := filepath.Glob(filepath.Join(tmp, "cvmscope-ssh-*"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if n := len(dirs()); n != 2 {
		t.Fatalf("%d session directories in %s while 2 sessions run, want 2", n, tmp)
	}

	stop()
	serveStopped(t, done)
	if left := dirs(); len(left) != 0 {
		t.Errorf("session directories left after serve stopped: %s", strings.Join(left, ", "))
	}
	// The sessions are over; the line saying why is best effort (see sshserve.tell), so it
	// is not checked here.
	for _, sess := range sessions {
		ended(t, sess)
	}
}

func TestServeRefusesRemoteListenByDefault(t *testing.T) {
	var errb bytes.Buffer
	if code := runServe(t.Context(), []string{"--listen", "0.0.0.0:2222", "--host-key", filepath.Join(t.TempDir(), "k")}, io.Discard, &errb, nil); code != 1 || !strings.Contains(errb.String(), "--allow-remote") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

// runMain starts this test binary as cvmscope with args and env, its output on a screen;
// the process is killed when the test ends, if it is still running.
func runMain(t *testing.T, env []string, args ...string) (*exec.Cmd, *screen, <-chan error) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM cannot be sent on Windows")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return startCmd(t, exe, env, args...)
}

// startCmd starts exe as runMain does.
func startCmd(t *testing.T, exe string, env []string, args ...string) (*exec.Cmd, *screen, <-chan error) {
	t.Helper()
	out := newScreen(t, nil)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), "CVMSCOPE_TEST_AS_MAIN=1"), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited, done := make(chan error, 1), make(chan struct{})
	go func() {
		exited <- cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	})
	return cmd, out, exited
}

// terminate sends SIGTERM and wants exit status 0 (hangGuard only stops a hang).
func terminate(t *testing.T, cmd *exec.Cmd, exited <-chan error, out *screen) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(hangGuard):
		t.Fatalf("still running %v after SIGTERM\n%s", hangGuard, out.String())
	}
}

// `cvmscope serve` stops on SIGTERM (as from systemd or docker stop) as on Ctrl-C: it exits
// 0 after ending its sessions and removing their directories.
func TestServeStopsOnSIGTERM(t *testing.T) {
	tmp := t.TempDir()
	cmd, out, exited := runMain(t, []string{"TMPDIR=" + tmp}, "serve", "--room-code", testRoomCode, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "k"))
	out.wait(t, "attendees:")
	m := regexp.MustCompile(`over SSH at (\S+):`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no address in the output of serve:\n%s", out.String())
	}
	sess, scr, _ := attend(t, dial(t, m[1]), 40, 120, "--lang en")
	scr.wait(t, "Ready.")
	dirs := func() []string {
		d, err := filepath.Glob(filepath.Join(tmp, "cvmscope-ssh-*"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if len(dirs()) != 1 {
		t.Fatalf("session directories %v, want one", dirs())
	}
	terminate(t, cmd, exited, out)
	if left := dirs(); len(left) != 0 {
		t.Errorf("session directories left after SIGTERM: %v", left)
	}
	ended(t, sess)
}
