//go:build unix

package sshserve

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/creack/pty"
)

// slowSession is the attendee's side of a session whose channel is slow to take output,
// as on a loaded server: each write waits before it is taken.
type slowSession struct {
	ssh.Session
	delay time.Duration
	mu    sync.Mutex
	got   bytes.Buffer
	input chan struct{} // closed at the end: the attendee typed nothing
}

func (s *slowSession) Read([]byte) (int, error) { <-s.input; return 0, io.EOF }

func (s *slowSession) Write(p []byte) (int, error) {
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got.Write(p)
}

// TestCopyPtyFinishWaitsForTheLastOutput: finish returns once the child's last output has
// been written to the session, however long the session takes to accept it. The library
// closes the channel when the handler returns; a fixed wait after the PTY was read out (the
// way before copyPty) lost a short session's whole output when the copier was slower than
// that, which a loaded machine made it now and then (TestServeOpenRoom,
// TestServeSessionEnvironment: the attendee saw only the terminal queries).
func TestCopyPtyFinishWaitsForTheLastOutput(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no PTY on this system: %v", err)
	}
	defer master.Close()
	s := &slowSession{delay: 200 * time.Millisecond, input: make(chan struct{})}
	defer close(s.input)
	var p ssh.Pty
	p.Master, p.Slave = master, slave
	finish := copyPty(s, p)
	if _, err := io.WriteString(slave, "CVMSCOPE_SERVE=1\n"); err != nil {
		t.Fatal(err)
	}
	finish(time.Minute)
	s.mu.Lock()
	defer s.mu.Unlock()
	if got := s.got.String(); got != "CVMSCOPE_SERVE=1\r\n" {
		t.Errorf("the session got %q when finish returned", got)
	}
}
