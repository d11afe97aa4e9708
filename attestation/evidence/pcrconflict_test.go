package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two PCR files that disagree on a PCR: the later one replaced the earlier's value, so the
// first file's word on it was read by nothing while the run could pass. They are refused by
// name; files that agree (or give different PCRs) still make one set.
func TestLoadFilesRefusesPCRFilesThatDisagree(t *testing.T) {
	dir := t.TempDir()
	a, b := strings.Repeat("aa", 32), strings.Repeat("bb", 32)
	w := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := w("first.json", `{"pcr0":"`+a+`","pcr1":"`+a+`"}`)
	same := w("same.json", `{"pcr0":"`+a+`","pcr1":"`+a+`","pcr2":"`+b+`"}`)
	other := w("other.json", `{"pcrs":{"1":"`+b+`"}}`)
	banks := w("banks.json", `{"pcrs":{"3":"`+a+`"},"pcrBanks":{"sha1":{"0":"`+strings.Repeat("cc", 20)+`"}}}`)
	banks2 := w("banks2.json", `{"pcrs":{"4":"`+a+`"},"pcrBanks":{"sha1":{"0":"`+strings.Repeat("dd", 20)+`"}}}`)
	if s, err := LoadFiles([]string{first, same, banks}); err != nil || len(s.PCRs) != 4 {
		t.Errorf("agreeing files: %v, %d PCRs", err, len(s.PCRs))
	}
	for _, bad := range [][]string{{first, other}, {banks, banks2}} {
		_, err := LoadFiles(bad)
		last := filepath.Base(bad[1])
		if err == nil || !strings.Contains(err.Error(), last) || !strings.Contains(err.Error(), "earlier file") {
			t.Errorf("%v: got %v, want an error naming %s", bad, err, last)
		}
	}
	// A file whose other banks do not parse adds none of its SHA-256 values either.
	broken := w("broken.json", `{"pcr0":"`+a+`","pcrBanks":{"md5":{"0":"00"}}}`)
	s, err := LoadFiles([]string{broken})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.PCRs) != 0 || s.Files[0].Err == "" {
		t.Errorf("damaged PCR file: %d PCRs in the set, error %q; want none and the parse error", len(s.PCRs), s.Files[0].Err)
	}
}
