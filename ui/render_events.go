package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/present"
)

func (p *pane) eventsHeading(sec *present.Section, w int) string {
	shown := len(sec.Rows)
	which := p.c.cat.t("events.all")
	if p.filter >= 0 {
		which = strconv.Itoa(p.filter)
		shown = 0
		for _, r := range sec.Rows {
			if r.PCR == p.filter {
				shown++
			}
		}
	}
	return p.c.st.Explain.Render(fit(p.c.cat.f("events.filter", which, shown, len(sec.Rows)), w))
}

// eventRow draws one event: its number in the log (stable under filtering), the PCR it
// extends, its type and what it says. The selected event shows its decoded detail.
func (p *pane) eventRow(si int, sec *present.Section, ri int, selected bool, w int) []string {
	l := p.layout(si, sec, w)
	r := &sec.Rows[ri]
	st := p.c.st
	pcr := "    -"
	if r.PCR >= 0 {
		pcr = fmt.Sprintf("PCR%2d", r.PCR)
	}
	keySt := st.Key
	if selected {
		keySt = st.Cursor
	}
	line := fmt.Sprintf("%4d %s ", ri, st.Explain.Render(pcr)) + p.cell(eventKey(r, ri, p.c.lang()), l.keyW, keySt) + " "
	vw := w - 4 - 1 - 5 - 1 - l.keyW - 1 - p.badgeW(l.verdict)
	val := r.ValueIn(p.c.lang())
	line += p.cell(val, vw, st.Value)
	if l.verdict {
		line += " " + st.badge(r.Verdict, p.c.cat)
	}
	out := []string{line}
	if selected {
		if cells(val) > vw {
			out = append(out, p.block(val, 11, w, st.Value)...)
		}
		out = append(out, p.more(r, 11, w, true)...)
	}
	return out
}

// eventKey is the event's key without a leading "#<n> PCR<n> " when that repeats the number
// and PCR the row already shows: at 80 columns those ten cells are the event type's.
func eventKey(r *present.Row, ri int, l present.Lang) string {
	k := r.KeyIn(l)
	return strings.TrimPrefix(k, fmt.Sprintf("#%d PCR%d ", ri, r.PCR))
}
