package ui

import (
	"os"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Inside `cvmscope serve` (CVMSCOPE_SERVE=1) `s` saves on the server, in the session's
// directory that is removed at logout: the status line says so, and gives the command
// serve worked out for this session (CVMSCOPE_SERVE_SAVE) that prints a bundle of the same
// simulated VM for the attendee to keep.
var (
	served         = os.Getenv("CVMSCOPE_SERVE") == "1"
	servedTakeHome = os.Getenv("CVMSCOPE_SERVE_SAVE")
)

func init() {
	chrome["status.saved.served"] = present.T("Saved on the server (deleted at logout). Take one home: %s",
		"서버에 저장함 (로그아웃하면 삭제됩니다). 가져가려면: %s")
}

// savedStatus is the status line after `s` saved to path.
func savedStatus(c catalog, path string) string {
	if served && servedTakeHome != "" {
		return c.f("status.saved.served", servedTakeHome)
	}
	return c.f("status.saved", path)
}
