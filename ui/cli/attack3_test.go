//go:build unix

package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
)

// TestAttackExportOverwrite: export -o never loses data by accident. An existing file is
// kept unless --force; a symlink, a FIFO or a terminal is never written through, even with
// --force (a FIFO would block, a symlink would land elsewhere); a forced replacement is 0600
// even when the old file was world-readable.
func TestAttackExportOverwrite(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "b.json")
	if r := runCLI(t, "--platform", "sim", "-o", "json", "--save", bundle); r.code != 0 {
		t.Fatal(r.stderr)
	}
	precious := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(precious, []byte("do not lose me"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("symlink target"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pem")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.pem")
	if err := os.Symlink(filepath.Join(dir, "nowhere", "x"), dangling); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		force      bool
		want       string
	}{
		{"existing file", precious, false, "exists (14 bytes): give --force"},
		{"symlink to a file", link, false, "symbolic link"},
		{"symlink with --force", link, true, "symbolic link"},
		{"dangling symlink", dangling, false, "symbolic link"},
		{"FIFO", fifo, false, "named pipe"},
		{"FIFO with --force", fifo, true, "named pipe"},
		{"terminal device", "/dev/null", true, "character device"},
		{"directory", dir, true, "directory"},
	} {
		args := []string{"export", "vcek-chain", "--from", bundle, "-o", tc.path}
		if tc.force {
			args = append(args, "--force")
		}
		r := runCLI(t, args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d %q, want 1 saying %q", tc.name, r.code, r.stderr, tc.want)
		}
	}
	for path, want := range map[string]string{precious: "do not lose me", target: "symlink target"} {
		if b, _ := os.ReadFile(path); string(b) != want {
			t.Errorf("%s was changed to %q", path, b)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("the dangling symlink's target was created")
	}
	if r := runCLI(t, "export", "vcek-chain", "--from", bundle, "-o", precious, "--force"); r.code != 0 {
		t.Fatalf("--force onto a regular file: exit %d %s", r.code, r.stderr)
	}
	fi, err := os.Stat(precious)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(precious); !strings.Contains(string(b), "BEGIN CERTIFICATE") || fi.Mode().Perm() != 0o600 {
		t.Errorf("--force: mode %v, contents %.40q; want 0600 and the chain", fi.Mode().Perm(), b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".cvmscope-export-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// unprovenKey offers a public key it holds no private key for: its signatures are garbage.
type unprovenKey struct{ pub gossh.PublicKey }

func (k unprovenKey) PublicKey() gossh.PublicKey { return k.pub }
func (k unprovenKey) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	return &gossh.Signature{Format: k.pub.Type(), Blob: make([]byte, 64)}, nil
}

// TestAttackInstructorKeyUnproven: an attendee who knows the instructor's public key (it
// is public) offers it without the private key: refused, whether alone or followed by the
// room code (the server ends the handshake at the bad signature, so the accepted query can
// never become the session's key; charmbracelet/ssh also keeps the key only from the
// method that succeeded, the fix for CVE-2024-45337's shape).
func TestAttackInstructorKeyUnproven(t *testing.T) {
	teacher := newKey(t)
	keys := filepath.Join(t.TempDir(), "instructors")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(teacher.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, done := startServe(t, nil, "--instructor-keys", keys)
	defer func() { stop(); serveStopped(t, done) }()
	for name, auth := range map[string][]gossh.AuthMethod{
		"alone":              {gossh.PublicKeys(unprovenKey{teacher.PublicKey()})},
		"then the room code": {gossh.PublicKeys(unprovenKey{teacher.PublicKey()}), roomCode(testRoomCode)},
	} {
		if c, err := connect(addr, auth...); err == nil {
			c.Close()
			t.Errorf("%s: the instructor's public key, unproven, was let in", name)
		}
	}
	// The room code alone still gives an attendee's session, not the room view.
	_, out, _ := attend(t, dial(t, addr), 40, 120, "--lang en")
	out.wait(t, "Ready.", "cvmscope room")
	if out.has("cvmscope room") {
		t.Fatalf("the room code got the room view:\n%s", out.String())
	}
}

// TestAttackSecretsInJSONLogs: a secret reaches no JSON log line, whatever shape carries it:
// a JWT whose header JSON is spaced or starts on a new line (its base64 does not begin
// "eyJ"), a token or private key inside a slice, a struct or a byte string, an error
// wrapping one, and the message itself.
func TestAttackSecretsInJSONLogs(t *testing.T) {
	t.Setenv(envLogFormat, "json")
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	b64 := base64.RawURLEncoding.EncodeToString
	spaced := b64([]byte(`{ "alg": "RS256", "typ": "JWT" }`)) + "." + b64([]byte(`{"sub":"attendee-secret-claims"}`)) + "." + b64([]byte("signature-bytes-xyz"))
	newline := b64([]byte("{\n\"alg\":\"RS256\"}")) + "." + b64([]byte(`{"sub":"x"}`)) + "." + b64([]byte("sig-bytes-abc"))
	plainJWT := "eyJhbGciOiJSUzI1NiJ9.eyJuYW1lIjoiY3Ztc2NvcGUifQ.c2lnbmF0dXJlLWJ5dGVz"
	pemKey := "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPRIVATEBYTES\n-----END EC PRIVATE KEY-----"
	raw := []byte("Authorization: Bearer abcdefghijklmnopq")
	secrets := []string{spaced, newline, plainJWT, "MHcCAQEEIPRIVATEBYTES", "abcdefghijklmnopq", base64.StdEncoding.EncodeToString(raw)}
	var buf bytes.Buffer
	setupLogging(false, &buf, false)
	slog.Info("answer "+spaced, "spaced", spaced, "newline", newline,
		"args", []string{"--jwks", "x", plainJWT},
		"cfg", struct{ Key, Name string }{pemKey, "ok"},
		"raw", raw,
		"err", fmt.Errorf("wrapped: %w", errors.New("MAA answered "+plainJWT)))
	slog.Info("ssh session", "user", "eve\u009b2J\u202egnp.exe")
	out := buf.String()
	if strings.Contains(out, "\u009b") || strings.Contains(out, "\u202e") || !strings.Contains(out, `eve\u009b2J\u202egnp.exe`) {
		t.Errorf("a C1 or bidi control reached the JSON log raw, or the user name is not there escaped:\n%q", out)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("%.30q… reached the log:\n%s", s, out)
		}
	}
	if !strings.Contains(out, `\"Name\":\"ok\"`) {
		t.Errorf("the struct's other fields were lost: %s", out)
	}
}

// TestAttackHostileTHIM: a THIM the user pointed at (--thim, here a loopback attacker)
// answers a list of "MRTDs" carrying terminal escapes, C1 controls and bidi overrides, and
// 404 for the MRTD asked about. Its words reach the terminal escaped (text) or as \u
// escapes (JSON), and the look-up fails: exit 2.
func TestAttackHostileTHIM(t *testing.T) {
	evil := []string{"\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b[2J\x1b[H" + strings.Repeat("A", 96), "\u009b31m", "\u202eDEDROSNE"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/endorsement/tdx/mrtds" {
			b, _ := json.Marshal(map[string][]string{"mrtds": evil})
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	mrtd := strings.Repeat("ab", 48)
	for _, format := range []string{"text", "json"} {
		code, out, errs := endorse(t, "--thim", srv.URL, "--mrtd", mrtd, "-o", format)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (not endorsed)\n%s%s", format, code, out, errs)
		}
		for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e"} {
			if strings.Contains(out, bad) || strings.Contains(errs, bad) {
				t.Errorf("%s: %q from THIM reached the terminal:\n%q", format, bad, out)
			}
		}
		if format == "text" && !strings.Contains(out, `\x1b]52;`) {
			t.Errorf("text: the hostile entries are not shown escaped:\n%s", out)
		}
		if format == "json" {
			var res endorsementsResult
			if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.MRTDs) != len(evil) {
				t.Errorf("json: the escaped document does not decode to the same list: %v\n%s", err, out)
			}
		}
	}
}

// TestAttackExportControlsToTerminal: an item is exported byte for byte, so a hostile
// bundle's runtime claims (JSON holding ESC, BEL, C1 and bidi controls) or its token's
// claims are not written to a terminal, which would obey them; to a file, or as hex, they
// are written as they are.
func TestAttackExportControlsToTerminal(t *testing.T) {
	dir := t.TempDir()
	claims := []byte("{\"keys\":[],\"vm-configuration\":{\"x\":\"\x1b]52;c;cm0gLXJmIH4=\x07\u009b2J\u202e\"}}")
	bundle := filepath.Join(dir, "hostile.json")
	doc, _ := json.Marshal(map[string]any{"format": "cvmscope-evidence", "version": 1, "evidence": map[string]any{"runtimeClaims": claims}})
	if err := os.WriteFile(bundle, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	var seen bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = seen.ReadFrom(ptmx); close(read) }()
	for _, f := range []string{"json", "raw"} {
		var errb bytes.Buffer
		if code := Main([]string{"export", "runtime-claims", bundle, "--format", f}, tty, &errb); code != 1 || !strings.Contains(errb.String(), "control characters") {
			t.Errorf("--format %s to a terminal: exit %d %q, want 1 naming the control characters", f, code, errb.String())
		}
	}
	var errb bytes.Buffer
	if code := Main([]string{"export", "runtime-claims", bundle, "--format", "hex"}, tty, &errb); code != 0 {
		t.Errorf("hex to a terminal: exit %d %q", code, errb.String())
	}
	tty.Close()
	<-read
	if strings.Contains(seen.String(), "\x1b]52") || strings.Contains(seen.String(), "\x07") {
		t.Errorf("control characters reached the terminal: %q", seen.String())
	}
	out := filepath.Join(dir, "claims.json")
	if r := runCLI(t, "export", "runtime-claims", bundle, "-o", out); r.code != 0 {
		t.Fatalf("to a file: exit %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, claims) {
		t.Errorf("to a file the claims changed: %q", b)
	}
}
