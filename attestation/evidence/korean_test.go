package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Loading errors a person reads in --lang ko are Korean and still name the file.
func TestLoadErrorsInKorean(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "mystery.bin")
	if err := os.WriteFile(unknown, []byte("not evidence at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errDir := ReadFile(dir)
	_, errMissing := ReadFile(filepath.Join(dir, "absent"))
	_, errUnknown := LoadFiles([]string{unknown})
	s := &Set{}
	_ = s.Add("a.jwt", []byte("eyJhbGciOiJub25lIn0.e30."))
	errSecond := s.Add("b.jwt", []byte("eyJhbGciOiJub25lIn0.eyJhIjoxfQ."))
	for what, err := range map[string]error{"directory": errDir, "missing": errMissing, "unknown": errUnknown, "second token": errSecond} {
		if err == nil {
			t.Errorf("%s: no error", what)
			continue
		}
		msg, _ := fault.MessageIn(err, "ko")
		hangul := false
		for _, r := range msg {
			hangul = hangul || unicode.Is(unicode.Hangul, r)
		}
		if !hangul || !containsAny(msg, dir, "a.jwt", "b.jwt") {
			t.Errorf("%s: Korean message %q (English %q)", what, msg, err)
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
