package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A standalone emulator serves a simulated CVM in another run, as in a workshop room where
// one presenter's emulator answers everyone: cvmscope -a URL pins it as the issuer.
func TestStandaloneEmulator(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(t.Context())
	out := &lockedBuffer{}
	done := make(chan int)
	go func() { done <- runEmulator(ctx, []string{"--listen", addr}, out, io.Discard) }()
	url := ""
	re := regexp.MustCompile(`listening at (\S+)`)
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url != "http://"+addr {
		t.Fatalf("emulator URL %q, want http://%s\n%s", url, addr, out.String())
	}
	r := runCLI(t, "--platform", "sim", "-a", url, "-o", "json")
	if r.code != 0 || r.verdict("jwt.issuer") != check.Pass || r.verdict("jwt.signature") != check.Pass {
		t.Errorf("run against the standalone emulator: exit %d\n%s", r.code, failing(r.report.Checks))
	}
	if c := first(r.report.Checks.Find("maa.endpoint")); !strings.Contains(c.Summary, "-a") {
		t.Errorf("maa.endpoint should say -a chose the provider: %q", c.Summary)
	}

	// cvmscope verify fetches keys from the -a provider...
	tokFile := filepath.Join(t.TempDir(), "t.jwt")
	os.WriteFile(tokFile, []byte(r.report.Token), 0o600)
	v := runCLI(t, "verify", "-o", "json", "-a", url, tokFile)
	if v.verdict("jwt.signature") != check.Pass || v.verdict("jwt.issuer") != check.Pass {
		t.Errorf("verify -a %s: %s", url, failing(v.report.Checks))
	}
	// ...but never from wherever a token says: a loopback issuer is not an Azure provider.
	v = runCLI(t, "verify", "-o", "json", tokFile)
	if c := first(v.report.Checks.Find("jwt.signature")); c.Verdict != check.Fail || v.code != 2 {
		t.Errorf("verify without -a or --jwks: %+v exit %d, want a failed signature check (no key source)", c, v.code)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("emulator exit %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("emulator did not stop when its context ended")
	}
}

func TestEmulatorRefusesBadSetup(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0"}, "not loopback"},
		{[]string{"--scenario", "secureboot-off"}, "cvmscope --scenario secureboot-off"},
		{[]string{"--scenario", "nope"}, "unknown"},
	} {
		var errb bytes.Buffer
		if code := runEmulator(t.Context(), tc.args, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// `cvmscope emulator` stops on SIGTERM as on Ctrl-C, exiting 0.
func TestEmulatorStopsOnSIGTERM(t *testing.T) {
	cmd, out, exited := runMain(t, nil, "emulator", "--listen", "127.0.0.1:0")
	out.wait(t, "listening at http://127.0.0.1:")
	terminate(t, cmd, exited, out)
}
