package ui

import (
	"strings"

	"github.com/cvmscope/cvmscope/attestation/present"
)

const colGap = 2

// tableColumns sizes columns to their content, then narrows the widest (a digest, as a
// rule) until the row fits, so short columns such as a PCR index never get cut.
//
// The key column (a claim name) is narrowed last, and never below keyCap: a name longer
// than that goes on a line of its own rather than being cut.
func tableColumns(sec *present.Section, lang present.Lang, w int) []int {
	n := len(sec.Columns)
	for _, r := range sec.Rows {
		n = max(n, len(r.CellsIn(lang))+1)
	}
	cols := make([]int, n)
	for i, c := range sec.Columns {
		cols[i] = cells(c.In(lang))
	}
	for _, r := range sec.Rows {
		cols[0] = max(cols[0], cells(r.KeyIn(lang)))
		for i, c := range r.CellsIn(lang) {
			cols[i+1] = max(cols[i+1], cells(c))
		}
	}
	total := func() int {
		t := colGap * (n - 1)
		for _, c := range cols {
			t += c
		}
		return t
	}
	const minCol = 8
	if cols[0] > keyCap(w) && total() > w {
		cols[0] = keyCap(w)
	}
	for total() > w {
		wi := -1
		for i := 1; i < n; i++ {
			if cols[i] > minCol && (wi < 0 || cols[i] > cols[wi]) {
				wi = i
			}
		}
		if wi < 0 {
			if cols[0] <= minCol {
				break
			}
			wi = 0
		}
		cols[wi]--
	}
	return cols
}

func (p *pane) tableHeading(si int, sec *present.Section, w int) string {
	l := p.layout(si, sec, w)
	parts := make([]string, len(l.cols))
	for i, cw := range l.cols {
		h := ""
		if i < len(sec.Columns) {
			h = sec.Columns[i].In(p.c.lang())
		}
		parts[i] = p.c.st.Heading.Render(pad(h, cw))
	}
	return strings.Join(parts, spaces(colGap))
}

// tableRow draws one row; when selected, every cell that had to be shortened is shown in
// full below it, with its column heading.
func (p *pane) tableRow(si int, sec *present.Section, r *present.Row, selected bool, w int) []string {
	l := p.layout(si, sec, w)
	// Korean cells and English ones differ in width: both are measured in cells, and the
	// layout was sized in the language shown (tableColumns), so columns stay aligned.
	vals := append([]string{r.KeyIn(p.c.lang())}, r.CellsIn(p.c.lang())...)
	keySt := p.c.st.Value
	if selected {
		keySt = p.c.st.Cursor
	}
	head := p.keyLines(vals[0], l.cols[0], w, keySt)
	parts := make([]string, len(l.cols))
	for i, cw := range l.cols {
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		st := p.c.st.Value
		if i == 0 {
			st = keySt
			if head != nil {
				v = ""
			}
		}
		parts[i] = p.cell(v, cw, st)
	}
	line := strings.Join(parts, spaces(colGap))
	if l.verdict {
		line += " " + p.c.st.badge(r.Verdict, p.c.cat)
	}
	out := append(head, line)
	if !selected {
		return out
	}
	for i, v := range vals {
		if i > 0 && i < len(l.cols) && cells(v) > l.cols[i] {
			h := ""
			if i < len(sec.Columns) {
				h = sec.Columns[i].In(p.c.lang()) + ": "
			}
			out = append(out, p.block(h+v, 2, w, p.c.st.Detail)...)
		}
	}
	return append(out, p.more(r, 2, w, true)...)
}
