package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// chainLink draws one link of the chain of trust as a box whose border has the link's
// verdict colour, with an arrow down to the next link. The explanation sits beside the box
// when there is room and under it when the link is selected.
func (p *pane) chainLink(sec *present.Section, ri int, selected bool, w int) []string {
	r := &sec.Rows[ri]
	st := p.c.st
	inner := min(w-2, 52)
	text := inner - 2 // padding
	badge := ""
	if r.Verdict != "" {
		badge = st.badge(r.Verdict, p.c.cat) + " "
	}
	keySt := st.Key.Bold(true)
	if selected {
		keySt = st.Cursor
	}
	content := badge + p.c.hl(fit(r.KeyIn(p.c.lang()), text-cells(badge)), keySt, p.query)
	if v := r.ValueIn(p.c.lang()); v != "" {
		content += "\n" + p.c.hl(shorten(v, text), st.Value, p.query)
	}
	v := r.Verdict
	if v == "" {
		v = check.Skip
	}
	box := st.Link[v]
	if selected {
		box = box.Border(lipgloss.ThickBorder())
	}
	drawn := box.Width(inner).Render(content)

	ew := w - (inner + 2) - 2
	beside := ew >= 24 && !r.Explain.Empty()
	if beside && !selected {
		ex := wrap(r.Explain.In(p.c.lang()), ew)
		if n := lipgloss.Height(drawn); len(ex) > n {
			ex = append(ex[:n-1], fit(strings.Join(ex[n-1:], " "), ew))
		}
		for i := range ex {
			ex[i] = p.c.hl(ex[i], st.Explain, p.query)
		}
		drawn = lipgloss.JoinHorizontal(lipgloss.Top, drawn, "  ", strings.Join(ex, "\n"))
	}
	out := strings.Split(drawn, "\n")
	if selected {
		out = append(out, p.more(r, 2, w, true)...)
	}
	if ri < len(sec.Rows)-1 {
		out = append(out, spaces((inner+2)/2)+st.Arrow.Render("▼"))
	}
	return out
}
