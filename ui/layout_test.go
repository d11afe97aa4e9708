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
// after Latin text: widths are counted in cells, not bytes or runes. The Korean cells
// (CellsKO) and keys (KeyKO) are wider or narrower than the English ones, and a Korean
// cell left empty falls back to the English one.
func TestHangulAlignment(t *testing.T) {
	sec := present.Section{Kind: present.Table, Title: present.T("t", "t"),
		Columns: []present.Text{present.T("Claim", "클레임"), present.T("Label", "이름"), present.T("End", "끝")},
		Rows: []present.Row{
			{Key: "secureboot", Cells: []string{"Secure Boot", "MARK"}, CellsKO: []string{"보안 부팅 (Secure Boot)"}, PCR: -1},
			{Key: "x-ms-ver", Cells: []string{"token format", "MARK"}, CellsKO: []string{"토큰 형식", ""}, PCR: -1},
			{Key: "nonce", Cells: []string{"논스", "MARK"}, PCR: -1},
			{Key: "Event log", KeyKO: "이벤트 로그", Cells: []string{"replay", "MARK"}, CellsKO: []string{"재생 일치"}, PCR: -1},
		}}
	for _, lang := range []present.Lang{present.EN, present.KO} {
		p := newPane(newCommon(testStyles(true), lang, true))
		p.SetSize(80, 50)
		page := present.Page{Title: present.T("p", "p"), Sections: []present.Section{sec}}
		p.SetPage(&page)
		p.Select(-1)
		p.ensure()
		col := -1
		n := 0
		var text []string
		for _, l := range p.lines {
			plain := ansi.Strip(l)
			text = append(text, plain)
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
		if n != len(sec.Rows) {
			t.Fatalf("%s: found MARK in %d rows, want %d", lang, n, len(sec.Rows))
		}
		all := strings.Join(text, "\n")
		want, notWant := []string{"Secure Boot", "token format", "Event log", "논스"}, []string{"토큰 형식", "이벤트 로그"}
		if lang == present.KO {
			want, notWant = []string{"보안 부팅 (Secure Boot)", "토큰 형식", "이벤트 로그", "재생 일치", "논스"}, []string{"token format", "Event log"}
		}
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: %q not shown:\n%s", lang, w, all)
			}
		}
		for _, w := range notWant {
			if strings.Contains(all, w) {
				t.Errorf("%s: %q shown in the other language's table:\n%s", lang, w, all)
			}
		}
	}
}

// TestChainLinkNamesInKorean: a chain link's KeyKO is its name in Korean mode, the box
// stays the same width, and the link is still found by its English key.
func TestChainLinkNamesInKorean(t *testing.T) {
	sec := present.Section{Kind: present.Chain, Title: present.T("Chain of trust", "신뢰 체인"), Rows: []present.Row{
		{Key: "TPM quote", KeyKO: "TPM 쿼트", Value: "signed by the AK", Verdict: check.Pass, PCR: -1},
		{Key: "Event log", KeyKO: "이벤트 로그", Value: "38 events", Verdict: check.Pass, PCR: -1},
	}}
	widths := map[present.Lang]int{}
	for _, lang := range []present.Lang{present.EN, present.KO} {
		p := newPane(newCommon(testStyles(false), lang, true))
		p.SetSize(80, 50)
		page := present.Page{Title: present.T("p", "p"), Sections: []present.Section{sec}}
		p.SetPage(&page)
		p.ensure()
		all := ansi.Strip(strings.Join(p.lines, "\n"))
		name := sec.Rows[1].KeyIn(lang)
		if !strings.Contains(all, name) {
			t.Errorf("%s: link name %q not shown:\n%s", lang, name, all)
		}
		for _, l := range p.lines {
			if strings.Contains(l, name) {
				widths[lang] = ansi.StringWidth(ansi.Strip(l))
			}
		}
		p.query = "Event log"
		if m := p.Matches(); len(m) != 1 || m[0] != 1 {
			t.Errorf("%s: searching the English key found items %v, want [1]", lang, m)
		}
	}
	if widths[present.EN] != widths[present.KO] {
		t.Errorf("the link box is %d cells wide in English, %d in Korean", widths[present.EN], widths[present.KO])
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
		if got := present.BlobBytes(c.s); got != c.want {
			t.Errorf("BlobBytes(%.12s…) = %d, want %d", c.s, got, c.want)
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

// TestFullNamesAtEveryWidth: claim and field names are never cut, in Fields, Checks and
// Table sections, from 80 columns up to 200 (they were cut mid-name at 120 and at 200).
func TestFullNamesAtEveryWidth(t *testing.T) {
	names := []string{
		"x-ms-isolation-tee.x-ms-sevsnpvm-bootloader-svn",
		"x-ms-isolation-tee.x-ms-runtime.vm-configuration.root-cert-thumbprint",
		"x-ms-azurevm-default-securebootkeysvalidated",
		"secureboot",
	}
	var rows []present.Row
	for _, n := range names {
		rows = append(rows, present.Row{Key: n, Value: strings.Repeat("ab", 40), Cells: []string{strings.Repeat("cd", 30), "label"}, Verdict: check.Pass, PCR: -1})
	}
	page := present.Page{Title: present.T("p", "p"), Sections: []present.Section{
		{ID: "f", Title: present.T("Fields", "f"), Kind: present.Fields, Rows: rows},
		{ID: "c", Title: present.T("Checks", "c"), Kind: present.Checks, Rows: rows},
		{ID: "t", Title: present.T("Table", "t"), Kind: present.Table, Columns: []present.Text{present.T("Claim", ""), present.T("Value", ""), present.T("Label", "")}, Rows: rows},
	}}
	for _, w := range []int{80, 100, 120, 160, 200} {
		p := newPane(newCommon(testStyles(false), present.EN, true))
		p.SetSize(w, 500)
		p.SetPage(&page)
		p.Select(-1)
		p.ensure()
		text := ansi.Strip(strings.Join(p.lines, "\n"))
		for si, sec := range page.Sections {
			part := text[strings.Index(text, sec.Title.EN):]
			if si+1 < len(page.Sections) {
				part = part[:strings.Index(part, page.Sections[si+1].Title.EN)]
			}
			for _, n := range names {
				if !strings.Contains(part, n) {
					t.Errorf("width %d, %s section: %q is not shown whole:\n%s", w, sec.Kind, n, part)
				}
			}
		}
		for i, l := range p.lines {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("width %d: line %d is %d cells", w, i, lw)
			}
		}
	}
}
