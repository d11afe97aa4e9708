package ui

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestLessonFirmwareSVNByMAAName: the workshop's table names x-ms-sevsnpvm-firmware-svn,
// which MAA sends as x-ms-sevsnpvm-snpfw-svn; the lesson's row shows the token's value and
// the name it has there instead of an empty dash, and the workshop's name when a token has it.
func TestLessonFirmwareSVNByMAAName(t *testing.T) {
	jwt := func(payload string) string {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(payload)) + ".c2ln"
	}
	for _, tc := range []struct {
		name, payload, want, notWant string
	}{
		{"MAA's name", `{"x-ms-isolation-tee":{"x-ms-sevsnpvm-snpfw-svn":24}}`, "24 (토큰에서의 이름: x-ms-isolation-tee.x-ms-sevsnpvm-snpfw-svn)", "—"},
		{"the workshop's name", `{"x-ms-isolation-tee":{"x-ms-sevsnpvm-firmware-svn":23}}`, "23 (토큰에서 x-ms-isolation-tee 아래)", "snpfw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestModel(t, uitest.New(), 160, 48, false, present.KO)
			m.token = jwt(tc.payload)
			m.lessonPage = lessonPages - 1
			var row string
			for _, l := range m.lessonLines(160) {
				if strings.Contains(l, "x-ms-sevsnpvm-firmware-svn") {
					row = l
				}
			}
			if !strings.Contains(row, tc.want) || strings.Contains(row, tc.notWant) {
				t.Errorf("firmware-svn row %q, want %q", strings.TrimSpace(row), tc.want)
			}
		})
	}
}

// TestTabsDropWholeWords: at 80 columns the tab strip shortens the steps other than the
// selected one by whole words, the longest first, never to half a word ("3 요청 만들…"),
// and keeps the selected step's name whole.
func TestTabsDropWholeWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"3 요청 만들기", "3 요청…"}, {"3 요청…", "3…"}, {"3…", "3…"}, {"2 Read report", "2 Read…"},
	} {
		if got := dropWord(tc.in); got != tc.want {
			t.Errorf("dropWord(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, lang := range []present.Lang{present.EN, present.KO} {
		m := newTestModel(t, uitest.New(), 80, 24, false, lang)
		keys(m, "esc", "a")
		for sel := range m.steps {
			m.sel = sel
			line := strings.Split(ansi.Strip(m.View()), "\n")[1]
			parts := strings.Split(strings.TrimSpace(line), " │ ")
			if len(parts) != len(m.steps) || cells(line) > 80 {
				t.Fatalf("%s: tab line %q", lang, line)
			}
			for i, p := range parts {
				_, name, _ := strings.Cut(p, " ") // after the state icon
				full := fmt.Sprintf("%d %s", i+1, m.steps[i].Title().In(lang))
				short, cut := strings.CutSuffix(name, "…")
				switch {
				case i == sel && name != full:
					t.Errorf("%s: selected tab %q, want %q whole", lang, name, full)
				case cut && !strings.HasPrefix(full, short+" "):
					t.Errorf("%s: tab %q cuts %q inside a word", lang, name, full)
				case !cut && name != full:
					t.Errorf("%s: tab %q, want %q", lang, name, full)
				}
			}
		}
	}
}
