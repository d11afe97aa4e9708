package cli

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// A --vtpm-root path that cannot be read is said in Korean with the system's words quoted
// as received, not left as English inside the Korean sentence.
func TestVTPMRootReadErrorInKorean(t *testing.T) {
	dir := t.TempDir()
	_, err := loadVTPMRoots([]string{dir})
	if err == nil {
		t.Fatal("a directory given as --vtpm-root was accepted")
	}
	en, _ := fault.MessageIn(err, "en")
	ko, hintKO := fault.MessageIn(err, "ko")
	if !strings.Contains(en, "--vtpm-root "+dir) || !strings.Contains(en, "not a regular file") {
		t.Errorf("English: %q", en)
	}
	if !strings.Contains(ko, "읽을 수 없습니다: 오류 원문: 「") || !strings.Contains(hintKO, "PEM CA 인증서를 줍니다") {
		t.Errorf("Korean: %q / %q; want the system's words quoted and the hint", ko, hintKO)
	}
}
