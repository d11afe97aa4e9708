package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestNoOverflow walks every step, scrolled and unscrolled, in both languages, at several
// sizes and through resizes: every frame must be exactly the terminal's size.
func TestNoOverflow(t *testing.T) {
	sizes := [][2]int{{80, 24}, {60, 15}, {100, 30}, {160, 48}, {120, 20}}
	for _, lang := range []present.Lang{present.EN, present.KO} {
		r := uitest.New()
		r.SecureBootOff = true
		m := newTestModel(t, r, 80, 24, true, lang)
		keys(m, "a")
		for _, sz := range sizes {
			send(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			for step := range m.steps {
				m.sel = step
				for _, k := range []string{"", "j", "j", "G", "e", "f", "?", "?", "/", "x", "esc"} {
					if k != "" {
						keys(m, k)
					}
					checkFrame(t, m.View(), sz[0], sz[1])
					if t.Failed() {
						t.Fatalf("lang %s size %v step %d after key %q", lang, sz, step, k)
					}
				}
			}
		}
	}
}

// TestHangulAlignment checks that a column after Hangul text starts at the same cell as
// after Latin text: widths are counted in cells, not bytes or runes.
func TestHangulAlignment(t *testing.T) {
	sec := present.Section{Kind: present.Table, Title: present.T("t", "t"),
		Columns: []present.Text{present.T("Claim", "클레임"), present.T("Label", "이름"), present.T("End", "끝")},
		Rows: []present.Row{
			{Key: "secureboot", Cells: []string{"보안 부팅", "MARK"}, PCR: -1},
			{Key: "x-ms-ver", Cells: []string{"token format", "MARK"}, PCR: -1},
			{Key: "nonce", Cells: []string{"논스", "MARK"}, PCR: -1},
		}}
	for _, lang := range []present.Lang{present.EN, present.KO} {
		p := newPane(newCommon(testStyles(true), lang))
		p.SetSize(80, 50)
		page := present.Page{Title: present.T("p", "p"), Sections: []present.Section{sec}}
		p.SetPage(&page)
		p.Select(-1)
		p.ensure()
		col := -1
		n := 0
		for _, l := range p.lines {
			plain := ansi.Strip(l)
			i := strings.Index(plain, "MARK")
			if i < 0 {
				continue
			}
			n++
			c := ansi.StringWidth(plain[:i])
			if col >= 0 && c != col {
				t.Errorf("%s: MARK at cell %d, want %d, in %q", lang, c, col, plain)
			}
			col = c
		}
		if n != 3 {
			t.Fatalf("%s: found MARK in %d rows, want 3", lang, n)
		}
	}
}

// TestBadgesReadWithoutColour checks that verdicts are words, of one width, in both languages.
func TestBadgesReadWithoutColour(t *testing.T) {
	st := testStyles(false)
	for _, c := range []struct {
		lang present.Lang
		want []string
	}{
		{present.EN, []string{"[PASS]", "[FAIL]", "[WARN]", "[SKIP]"}},
		{present.KO, []string{"[통과  ]", "[실패  ]", "[경고  ]", "[건너뜀]"}},
	} {
		cat := catalog{lang: c.lang}
		for i, v := range []string{"pass", "fail", "warn", "skip"} {
			if got := st.badge(verdictOf(v), cat); got != c.want[i] {
				t.Errorf("%s badge %s = %q, want %q", c.lang, v, got, c.want[i])
			}
		}
	}
}

func TestBlobSummaries(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{strings.Repeat("ab", 32), 32},            // hex
		{strings.Repeat("QUJD", 16), 48},          // base64, no padding
		{strings.Repeat("QUJD", 15) + "QUI=", 47}, // base64 with padding
		{strings.Repeat("_-Aa", 20), 60},          // base64url
	} {
		if got := blobBytes(c.s); got != c.want {
			t.Errorf("blobBytes(%.12s…) = %d, want %d", c.s, got, c.want)
		}
	}
	if got := shorten("0123456789abcdef0123456789abcdef", 11); got != "01234…bcdef" {
		t.Errorf("shorten kept %q", got)
	}
	if got := shorten("보안 부팅이 꺼져 있습니다", 10); cellsOf(got) > 10 {
		t.Errorf("shorten of Hangul is %d cells wide", cellsOf(got))
	}
}

func cellsOf(s string) int { return ansi.StringWidth(s) }

func verdictOf(s string) check.Verdict { return check.Verdict(s) }
