// Package swtpmtest starts swtpm for tests: a real software TPM reachable over TCP both
// by this module (tpm.Open("tcp://" + addr)) and by tpm2-tools (TPM2TOOLS_TCTI).
package swtpmtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Start runs `swtpm socket --tpm2` on free loopback ports with fresh state and stops it
// when the test ends. addr is the data channel ("127.0.0.1:PORT"); tcti is the value for
// TPM2TOOLS_TCTI ("swtpm:host=127.0.0.1,port=PORT"; tpm2-tss takes the control channel
// to be PORT+1, so it is placed there).
//
// When swtpm is not installed the test is skipped, unless the environment variable CI is
// set: then it fails, so that CI cannot pass without running these tests.
func Start(t testing.TB) (addr string, tcti string) {
	t.Helper()
	bin, err := exec.LookPath("swtpm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("swtpm is not installed and CI is set: apt-get install -y swtpm swtpm-tools tpm2-tools")
		}
		t.Skip("swtpm is not installed (apt-get install -y swtpm swtpm-tools tpm2-tools); skipping")
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePortPair()
		if err != nil {
			lastErr = err
			continue
		}
		addr, err := run(t, bin, port)
		if err == nil {
			return addr, fmt.Sprintf("swtpm:host=127.0.0.1,port=%d", port)
		}
		lastErr = err
	}
	t.Fatalf("could not start swtpm: %v", lastErr)
	return "", ""
}

// freePortPair finds a port P with P+1 also free on 127.0.0.1. Another process may
// still take them before swtpm binds; Start then retries.
func freePortPair() (int, error) {
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		l.Close()
		if err == nil {
			l2.Close()
			return p, nil
		}
	}
	return 0, fmt.Errorf("no free pair of adjacent loopback ports")
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func run(t testing.TB, bin string, port int) (string, error) {
	dir := t.TempDir()
	cmd := exec.Command(bin, "socket", "--tpm2",
		"--server", fmt.Sprintf("type=tcp,port=%d,bindaddr=127.0.0.1", port),
		"--ctrl", fmt.Sprintf("type=tcp,port=%d,bindaddr=127.0.0.1", port+1),
		"--flags", "not-need-init,startup-clear",
		"--tpmstate", "dir="+dir)
	var out syncBuf
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	// Wait on the control channel: probing the data channel would take swtpm's only
	// client slot and could race with the test's own connection.
	ctrl := fmt.Sprintf("127.0.0.1:%d", port+1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			return "", fmt.Errorf("swtpm exited: %v: %s", err, out.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", ctrl, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("swtpm did not listen on %s within 10s: %s", ctrl, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("swtpm output:\n%s", out.String())
		}
	})
	return fmt.Sprintf("127.0.0.1:%d", port), nil
}
