package cli

import (
	"bytes"
	"context"
	"io"
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

// startEmulator runs `cvmscope emulator` with args until the test ends and returns its URL
// and output. It listens on port 0 and reads the port it got from its output: a port
// found free and closed before the emulator takes it can be taken by another test first.
func startEmulator(t *testing.T, args ...string) (string, *screen) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := newScreen(t, nil)
	done := make(chan int, 1)
	go func() { done <- runEmulator(ctx, append([]string{"--listen", "127.0.0.1:0"}, args...), out, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("emulator exit %d", code)
			}
		case <-time.After(hangGuard):
			t.Error("emulator did not stop when its context ended")
		}
	})
	// "try:" comes after the URL, once the CA is written; errors start with the command.
	out.wait(t, "try:", "cvmscope emulator:")
	m := regexp.MustCompile(`listening at (\S+)`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "try:") {
		t.Fatalf("the emulator did not say where it listens:\n%s", out.String())
	}
	return m[1], out
}

// A standalone emulator serves a simulated CVM in another run, as in a workshop room where
// one presenter's emulator answers everyone: cvmscope -a URL pins it as the issuer, and
// --emulator-ca lets the connection through its test CA.
func TestStandaloneEmulator(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	url, out := startEmulator(t, "--ca-file", caFile)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("emulator URL %q, want https on loopback\n%s", url, out.String())
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil || !strings.Contains(out.String(), string(caPEM)) || !strings.Contains(out.String(), "TEST CA") {
		t.Fatalf("the test CA should be written to --ca-file and printed, labelled: %v\n%s", err, out.String())
	}
	if fi, _ := os.Stat(caFile); fi.Mode().Perm() != 0o644 {
		t.Errorf("CA file mode %v", fi.Mode())
	}

	// Without the CA, TLS refuses the emulator: its certificate is no public one.
	r := runCLI(t, "--platform", "sim", "-a", url, "-o", "json")
	if r.code == 0 || r.verdict("maa.call") == check.Pass {
		t.Errorf("a run without --emulator-ca reached the emulator: exit %d", r.code)
	}
	r = runCLI(t, "--platform", "sim", "-a", url, "--emulator-ca", caFile, "-o", "json")
	if r.code != 0 || r.verdict("jwt.issuer") != check.Pass || r.verdict("jwt.signature") != check.Pass {
		t.Errorf("run against the standalone emulator: exit %d\n%s%s", r.code, failing(r.report.Checks), r.stderr)
	}
	if c := first(r.report.Checks.Find("maa.endpoint")); !strings.Contains(c.Summary, "-a") {
		t.Errorf("maa.endpoint should say -a chose the provider: %q", c.Summary)
	}

	// cvmscope verify fetches keys from the -a provider, through the CA...
	tokFile := filepath.Join(t.TempDir(), "t.jwt")
	os.WriteFile(tokFile, []byte(r.report.Token), 0o600)
	v := runCLI(t, "verify", "-o", "json", "-a", url, "--emulator-ca", caFile, tokFile)
	if v.verdict("jwt.signature") != check.Pass || v.verdict("jwt.issuer") != check.Pass {
		t.Errorf("verify -a %s: %s", url, failing(v.report.Checks))
	}
	// ...but never from wherever a token says: a loopback issuer is not an Azure provider,
	// and the CA adds no trust of its own.
	v = runCLI(t, "verify", "-o", "json", tokFile)
	if c := first(v.report.Checks.Find("jwt.signature")); c.Verdict != check.Fail || v.code != 2 {
		t.Errorf("verify without -a or --jwks: %+v exit %d, want a failed signature check (no key source)", c, v.code)
	}
	for _, tc := range []struct{ args []string }{
		{[]string{"verify", "--emulator-ca", caFile, tokFile}},
		{[]string{"verify", "-a", "https://sharedkrc.krc.attest.azure.net", "--emulator-ca", caFile, tokFile}},
		{[]string{"verify", "-a", url, "--emulator-ca", tokFile, tokFile}},
	} {
		if r := runCLI(t, tc.args...); r.code != 1 || !strings.Contains(r.stderr, "--emulator-ca") {
			t.Errorf("%v: exit %d, stderr %q; want 1 naming --emulator-ca", tc.args, r.code, r.stderr)
		}
	}
}

// --http keeps the plain-http emulator for loopback clients that want no TLS.
func TestStandaloneEmulatorPlainHTTP(t *testing.T) {
	url, out := startEmulator(t, "--http", "--ca-file", filepath.Join(t.TempDir(), "unused.pem"))
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.Contains(out.String(), "TEST CA") {
		t.Fatalf("emulator URL %q\n%s", url, out.String())
	}
	r := runCLI(t, "--platform", "sim", "-a", url, "-o", "json")
	if r.code != 0 || r.verdict("jwt.signature") != check.Pass {
		t.Errorf("run against the plain-http emulator: exit %d\n%s", r.code, failing(r.report.Checks))
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
	cmd, out, exited := runMain(t, nil, "emulator", "--listen", "127.0.0.1:0", "--ca-file", filepath.Join(t.TempDir(), "ca.pem"))
	out.wait(t, "listening at https://127.0.0.1:")
	terminate(t, cmd, exited, out)
}
