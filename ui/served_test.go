package ui

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Over SSH the save message names the file in the session's directory as ~/NAME. HOME is
// read when the message is made: serve sets it per session.
func TestInSessionHome(t *testing.T) {
	t.Setenv("HOME", "/tmp/cvmscope-ssh-123")
	for in, want := range map[string]string{
		"cvmscope-evidence-1.json":         "~/cvmscope-evidence-1.json",
		"/tmp/cvmscope-ssh-123/b.json":     "~/b.json",
		"/tmp/cvmscope-ssh-123/sub/b.json": "~/sub/b.json",
		"/tmp/elsewhere/b.json":            "/tmp/elsewhere/b.json",
		"/tmp/cvmscope-ssh-1234/b.json":    "/tmp/cvmscope-ssh-1234/b.json",
	} {
		if got := inSessionHome(in); got != want {
			t.Errorf("inSessionHome(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSavedStatusReadsServeEnvAtUse: the status after `s` follows CVMSCOPE_SERVE,
// CVMSCOPE_SERVE_SAVE and HOME as they are when it is made, not as they were when the
// program started (they used to be package variables read at load).
func TestSavedStatusReadsServeEnvAtUse(t *testing.T) {
	c := catalog{lang: present.EN}
	t.Setenv("CVMSCOPE_SERVE", "")
	if got := savedStatus(c, "/tmp/s5home/b.json"); strings.Contains(got, "server") {
		t.Errorf("outside serve the status says %q", got)
	}
	t.Setenv("CVMSCOPE_SERVE", "1")
	t.Setenv("CVMSCOPE_SERVE_SAVE", "ssh -p 2222 room@host save > b.json")
	t.Setenv("HOME", "/tmp/s5home")
	got := savedStatus(c, "/tmp/s5home/b.json")
	if !strings.Contains(got, "Saved on the server") || !strings.Contains(got, "ssh -p 2222 room@host save > b.json") || !strings.Contains(got, "~/b.json") {
		t.Errorf("inside serve the status is %q; want the server wording, the take-home command and ~/b.json", got)
	}
}
