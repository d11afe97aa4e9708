package ui

import "github.com/cvmscope/cvmscope/attestation/present"

// maxValueLines bounds how far a selected value unfolds; y copies the rest.
const maxValueLines = 8

// fieldRow draws a Fields or Checks row: key, value and verdict on one line, the
// explanation beside them on wide panes and on a dim line below otherwise. Checks put the
// badge first, because the verdict is what a reader scans a check list for.
func (p *pane) fieldRow(si int, sec *present.Section, r *present.Row, selected bool, w int, badgeFirst bool) []string {
	l := p.layout(si, sec, w)
	st := p.c.st
	keySt := st.Key
	if selected {
		keySt = st.Cursor
	}
	key := p.cell(r.KeyIn(p.c.lang()), l.keyW, keySt)
	head := p.keyLines(r.KeyIn(p.c.lang()), l.keyW, w-p.badgeW(l.verdict && badgeFirst), keySt)
	if head != nil {
		key = spaces(l.keyW)
	}
	badge := ""
	if l.verdict {
		badge = st.badge(r.Verdict, p.c.cat)
	}
	explain := r.Explain.In(p.c.lang())
	val := r.ValueIn(p.c.lang())
	valW := l.valW
	if badgeFirst {
		valW = w - l.keyW - 1 - p.badgeW(l.verdict)
	}

	value := p.cell(val, valW, st.Value)
	var rest []string
	if selected && cells(val) > valW {
		// The whole value, wrapped under the value column.
		ind := l.keyW + 1
		if badgeFirst {
			ind += p.badgeW(l.verdict)
		}
		vs := p.block(val, 0, valW, st.Value)
		if len(vs) > maxValueLines {
			vs = append(vs[:maxValueLines-1], st.Explain.Render(fit(p.c.cat.f("value.more", len([]rune(val))), valW)))
		}
		value = pad(vs[0], valW)
		for _, v := range vs[1:] {
			rest = append(rest, spaces(ind)+v)
		}
	}

	var line string
	if badgeFirst {
		if l.verdict {
			line = badge + " "
			if head != nil {
				// The badge leads the name's line; the value's line keeps its column.
				head[0] = badge + " " + head[0]
				for i := 1; i < len(head); i++ {
					head[i] = spaces(p.badgeW(true)) + head[i]
				}
				line = spaces(p.badgeW(true))
			}
		}
		line += key + " " + value
	} else {
		line = key + " " + value
		if l.verdict {
			line += " " + badge
		}
	}
	out := append(head, line)
	if l.beside && !badgeFirst && explain != "" {
		ew := w - cells(line) - 2
		if selected || ew < 12 {
			out = append(out, rest...)
			return append(out, p.more(r, 2, w, true)...)
		}
		out[len(out)-1] += "  " + p.cell(explain, ew, st.Explain)
		out = append(out, rest...)
		return out
	}
	out = append(out, rest...)
	if selected {
		return append(out, p.more(r, 2, w, true)...)
	}
	if explain != "" {
		out = append(out, "  "+p.cell(explain, w-2, st.Explain))
	}
	return out
}
