package ui

import "testing"

// Over SSH the save message names the file in the session's directory as ~/NAME.
func TestInSessionHome(t *testing.T) {
	old := servedHome
	servedHome = "/tmp/cvmscope-ssh-123"
	t.Cleanup(func() { servedHome = old })
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
