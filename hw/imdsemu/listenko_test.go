package imdsemu

import (
	"os"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// The Korean hint for a refused listen address points at the Korean README's own section
// (it named the English README's title), and that section exists.
func TestCheckListenKoreanHintNamesKoreanReadme(t *testing.T) {
	const section = "다른 클라이언트에서 쓰는 시뮬레이션 Azure vTPM"
	_, hint := fault.MessageIn(CheckListen("0.0.0.0:80"), "ko")
	if !strings.Contains(hint, "README.ko.md") || !strings.Contains(hint, section) || strings.Contains(hint, "for any client") {
		t.Errorf("Korean hint %q", hint)
	}
	readme, err := os.ReadFile("../../README.ko.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "## "+section+"\n") {
		t.Errorf("README.ko.md has no section %q", section)
	}
}
