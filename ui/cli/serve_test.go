package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestMain lets the test binary stand in for cvmscope when `cvmscope serve` starts it for
// an SSH session (os.Executable is the test binary here).
func TestMain(m *testing.M) {
	if os.Getenv("CVMSCOPE_TEST_AS_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// screen collects what the session draws and answers the terminal queries a real terminal
// answers (background colour, cursor position), as the attendee's terminal would; without
// answers the program waits out its query timeouts.
type screen struct {
	mu     sync.Mutex
	b      bytes.Buffer
	answer io.Writer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var reply string
	if bytes.Contains(p, []byte("\x1b]11;?")) {
		reply += "\x1b]11;rgb:0000/0000/0000\x1b\\"
	}
	if bytes.Contains(p, []byte("\x1b[6n")) {
		reply += "\x1b[1;1R"
	}
	if reply != "" && s.answer != nil {
		go io.WriteString(s.answer, reply)
	}
	return s.b.Write(p)
}

func (s *screen) has(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.b.Bytes(), []byte(text))
}

// An attendee connects over SSH, gets the TUI on a simulated CVM of their own, runs every
// step and quits; the server's host key is written with mode 0600.
func TestServeOverSSH(t *testing.T) {
	serveEnv = []string{"CVMSCOPE_TEST_AS_MAIN=1"}
	defer func() { serveEnv = nil }()
	keyPath := filepath.Join(t.TempDir(), "keys", "host_ed25519")
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--listen", "127.0.0.1:0", "--host-key", keyPath}, io.Discard, io.Discard, func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited %d", code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key %v mode %v, want 0600", err, fi)
	}

	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "attendee", HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := sess.StdinPipe()
	out := &screen{answer: in}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Start("--lang en --sim-tee tdx"); err != nil {
		t.Fatal(err)
	}
	wait := func(text string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if out.has(text) {
				return
			}
		}
		t.Fatalf("%q never appeared on the session's screen:\n%s", text, out.b.String())
	}
	wait("Ready.")
	io.WriteString(in, "a")
	wait("Verify JWT passed")
	wait("SIMULATED CVM (Intel TDX)")
	// The attendee narrows the window: the step list becomes tabs, as at 80 columns locally.
	if err := sess.WindowChange(24, 80); err != nil {
		t.Fatal(err)
	}
	wait("2 Read repo…")
	io.WriteString(in, "q")
	werr := make(chan error, 1)
	go func() { werr <- sess.Wait() }()
	select {
	case err := <-werr:
		if err != nil {
			t.Errorf("session ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("session did not end after q")
	}

	// Flags that would reach beyond the session's simulated CVM are refused.
	sess2, _ := client.NewSession()
	sess2.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
	var out2 bytes.Buffer
	sess2.Stdout, sess2.Stderr = &out2, &out2
	sess2.Run("--platform azure")
	if !strings.Contains(out2.String(), "not available over SSH") {
		t.Errorf("--platform over SSH: %q", out2.String())
	}

	client.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeRefusesRemoteListenByDefault(t *testing.T) {
	var errb bytes.Buffer
	if code := runServe(t.Context(), []string{"--listen", "0.0.0.0:2222", "--host-key", filepath.Join(t.TempDir(), "k")}, io.Discard, &errb, nil); code != 1 || !strings.Contains(errb.String(), "--allow-remote") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}
