package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// codeLines draws a Code body. Collapsed, each long blob becomes its first characters and
// its decoded size, so the shape of the request is readable at a glance; expanded, every
// byte is shown, wrapped to the pane.
func (p *pane) codeLines(sec *present.Section, w int) []string {
	st := p.c.st
	var out []string
	for _, line := range strings.Split(strings.TrimRight(sec.Body, "\n"), "\n") {
		line = strings.ReplaceAll(line, "\t", "    ")
		if p.expand {
			for _, l := range strings.Split(ansi.Hardwrap(line, w, true), "\n") {
				out = append(out, p.c.hl(l, st.Value, p.query))
			}
			continue
		}
		var b strings.Builder
		rest := line
		for {
			m := present.Blob().FindStringSubmatchIndex(rest)
			if m == nil {
				break
			}
			b.WriteString(p.c.hl(rest[:m[2]], st.Value, p.query))
			s := rest[m[2]:m[3]]
			b.WriteString(st.CodeBlob.Render(s[:12] + "…" + p.c.cat.f("code.bytes", present.BlobBytes(s))))
			rest = rest[m[3]:]
		}
		b.WriteString(p.c.hl(rest, st.Value, p.query))
		out = append(out, fit(b.String(), w))
	}
	return out
}
