package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyFileErrorsInKorean: a policy path that cannot be read (missing, a directory, a
// device) is explained in Korean with --lang ko, for policy check, --policy and
// --draft-policy alike; the system's English ("no such file or directory") is not left
// untranslated. English stays as it was.
func TestPolicyFileErrorsInKorean(t *testing.T) {
	tok := filepath.Join(realDir(t), "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	missing := filepath.Join(t.TempDir(), "missing.policy")
	for _, tc := range []struct {
		args     []string
		ko, gone string
	}{
		{[]string{"policy", "check", "--lang", "ko", missing, tok}, "파일이 없습니다", "no such file"},
		{[]string{"policy", "check", "--lang", "ko", t.TempDir(), tok}, "일반 파일이 아니라 디렉터리입니다", "not a regular file"},
		{[]string{"policy", "check", "--lang", "ko", "/dev/null", tok}, "일반 파일이 아니라 장치입니다", "not a regular file"},
		{[]string{"--platform", "sim", "--lang", "ko", "-o", "text", "--policy", missing}, "--policy " + missing + ": 파일이 없습니다", "no such file"},
		{[]string{"--platform", "sim", "--lang", "ko", "-o", "text", "--flow", "platform", "--draft-policy", missing}, "--draft-policy " + missing + ": 파일이 없습니다", "no such file"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.ko) || strings.Contains(r.stderr, tc.gone) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q without %q", tc.args, r.code, r.stderr, tc.ko, tc.gone)
		}
	}
	if r := runCLI(t, "policy", "check", missing, tok); r.code != 1 || !strings.Contains(r.stderr, missing+": no such file or directory") {
		t.Errorf("in English: exit %d, stderr %q", r.code, r.stderr)
	}
}
