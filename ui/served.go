package ui

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Inside `cvmscope serve` (CVMSCOPE_SERVE=1) `s` saves on the server, in the session's
// directory that is removed at logout: the status line says where and so, and gives the
// command serve worked out for this session (CVMSCOPE_SERVE_SAVE) that prints a bundle of
// the same simulated VM for the attendee to keep. They are read when used, not when the
// package loads, so that a test (t.Setenv) or serve setting them is seen.
func served() bool { return os.Getenv("CVMSCOPE_SERVE") == "1" }

// addServedChrome adds the served session's status line to chrome.
func addServedChrome(chrome map[string]present.Text) {
	// What matters most comes first, as a narrow terminal cuts the line's end: that the
	// file is on the server and goes at logout, then how to keep one, then its name.
	chrome["status.saved.served"] = present.T("Saved on the server, deleted at logout. Take one home: %[2]s   (this one: %[1]s)",
		"서버에 저장함 (로그아웃하면 삭제됩니다). 가져가려면: %[2]s   (저장한 파일: %[1]s)")
}

// savedStatus is the status line after `s` saved to path.
func savedStatus(c catalog, path string) string {
	if takeHome := os.Getenv("CVMSCOPE_SERVE_SAVE"); served() && takeHome != "" {
		return c.f("status.saved.served", inSessionHome(path), takeHome)
	}
	return c.f("status.saved", path)
}

// inSessionHome writes a path in the session's directory as ~/NAME: short enough to leave
// the status line room for the command, and what the attendee's shell-less session calls
// home (serve makes the session's directory the HOME and working directory). A relative
// path is in it already.
func inSessionHome(path string) string {
	servedHome := os.Getenv("HOME")
	if !filepath.IsAbs(path) {
		return "~/" + filepath.ToSlash(path)
	}
	if rel, err := filepath.Rel(servedHome, path); err == nil && servedHome != "" && !strings.HasPrefix(rel, "..") {
		return "~/" + filepath.ToSlash(rel)
	}
	return path
}
