package sshserve

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
