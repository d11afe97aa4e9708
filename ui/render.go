package ui

import (
	"fmt"

	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// secLayout is what a section's rows share: column widths and whether they carry verdicts.
type secLayout struct {
	keyW    int   // Fields, Checks, Events: width of the key column
	valW    int   // Fields: width of the value column
	beside  bool  // Fields, Checks: explanation beside the value rather than below
	cols    []int // Table: width of each column, key first
	verdict bool  // some row has a verdict, so a badge column is kept
}

// wideExplain is the content width from which explanations sit beside values.
const wideExplain = 120

func (p *pane) layout(si int, sec *present.Section, w int) *secLayout {
	if l, ok := p.layouts[si]; ok {
		return l
	}
	l := &secLayout{}
	maxKey, maxVal := 0, 0
	for ri, r := range sec.Rows {
		key := r.KeyIn(p.c.lang())
		if sec.Kind == present.Events {
			key = eventKey(&sec.Rows[ri], ri, p.c.lang())
		}
		maxKey = max(maxKey, cells(key))
		maxVal = max(maxVal, cells(r.ValueIn(p.c.lang())))
		l.verdict = l.verdict || r.Verdict != ""
	}
	switch sec.Kind {
	case present.Table:
		l.cols = tableColumns(sec, p.c.lang(), w-p.badgeW(l.verdict))
	case present.Events:
		// EV_EFI_BOOT_SERVICES_APPLICATION, the longest type, is 32 cells.
		l.keyW = min(maxKey, max(32, w/3))
	default:
		l.keyW = min(maxKey, keyCap(w))
		l.beside = w >= wideExplain
		l.valW = w - l.keyW - 1 - p.badgeW(l.verdict)
		if l.beside {
			// The explanation beside keeps about 30 cells; selecting a row shows it whole.
			l.valW = min(maxVal, max(l.valW/2, l.valW-32))
		}
	}
	p.layouts[si] = l
	return l
}

// keyCap is the widest a key column grows: two fifths of the pane, so a claim name such as
// x-ms-isolation-tee.x-ms-sevsnpvm-bootloader-svn (47 cells) fits beside its value from
// 120 columns. A longer key is never cut: it gets a line of its own (keyLines).
func keyCap(w int) int { return max(12, w*2/5) }

// keyLines is a key too wide for its column, in full on lines of its own above the row, in
// st; nil when it fits.
func (p *pane) keyLines(key string, keyW, w int, st lipgloss.Style) []string {
	if cells(key) <= keyW {
		return nil
	}
	var out []string
	for _, l := range wrap(key, w) {
		out = append(out, p.c.hl(l, st, p.query))
	}
	return out
}

// badgeW is the width a badge takes with its separating space, zero when there is none.
func (p *pane) badgeW(has bool) int {
	if !has {
		return 0
	}
	return cells(p.c.st.badge("pass", p.c.cat)) + 1
}

// cell fits plain text into w cells, highlights search matches and pads it.
func (p *pane) cell(text string, w int, st lipgloss.Style) string {
	plain := shorten(text, w)
	out := p.c.hl(plain, st, p.query)
	if n := w - cells(plain); n > 0 {
		out += spaces(n)
	}
	return out
}

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%*s", n, "")
}

// block wraps plain text to w cells in style st, each line indented by ind cells.
func (p *pane) block(text string, ind, w int, st lipgloss.Style) []string {
	var out []string
	for _, l := range wrap(text, w-ind) {
		out = append(out, spaces(ind)+p.c.hl(l, st, p.query))
	}
	return out
}

// more is what a selected row adds below itself: explanation, what to do, detail.
func (p *pane) more(r *present.Row, ind, w int, explain bool) []string {
	var out []string
	if explain && !r.Explain.Empty() {
		out = append(out, p.block(r.Explain.In(p.c.lang()), ind, w, p.c.st.Explain)...)
	}
	if !r.Hint.Empty() {
		out = append(out, p.block("→ "+r.Hint.In(p.c.lang()), ind, w, p.c.st.Hint)...)
	}
	if d := r.DetailIn(p.c.lang()); d != "" {
		out = append(out, p.block(d, ind, w, p.c.st.Detail)...)
	}
	return out
}

func (p *pane) sectionHeader(si int, sec *present.Section, w int) []string {
	out := []string{p.c.st.SectionTitle.Render(fit(sec.Title.In(p.c.lang()), w))}
	if !sec.Note.Empty() {
		out = append(out, p.block(sec.Note.In(p.c.lang()), 0, w, p.c.st.Note)...)
	}
	switch sec.Kind {
	case present.Table:
		out = append(out, p.tableHeading(si, sec, w))
	case present.Events:
		out = append(out, p.eventsHeading(sec, w))
	case present.Code:
		id := "code.collapsed"
		if p.expand {
			id = "code.expanded"
		}
		out = append(out, p.c.st.Explain.Render(fit(p.c.cat.t(id), w)))
	}
	return out
}

// render draws one item without its gutter, every line at most the content width.
func (p *pane) render(it item, selected bool) []string {
	w := p.contentWidth()
	sec := &p.page.Sections[it.sec]
	var out []string
	switch sec.Kind {
	case present.Code:
		out = p.codeLines(sec, w)
	case present.Table:
		out = p.tableRow(it.sec, sec, &sec.Rows[it.row], selected, w)
	case present.Events:
		out = p.eventRow(it.sec, sec, it.row, selected, w)
	case present.Chain:
		out = p.chainLink(sec, it.row, selected, w)
	case present.Checks:
		out = p.fieldRow(it.sec, sec, &sec.Rows[it.row], selected, w, true)
	default:
		out = p.fieldRow(it.sec, sec, &sec.Rows[it.row], selected, w, false)
	}
	for i, l := range out {
		out[i] = fit(l, w)
	}
	return out
}
