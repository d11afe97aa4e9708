package ui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// blob matches a JSON string long enough to be an encoded byte string (a report, a
// certificate, a quote) rather than a word.
var blob = regexp.MustCompile(`"([A-Za-z0-9+/_=-]{64,})"`)

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
			m := blob.FindStringSubmatchIndex(rest)
			if m == nil {
				break
			}
			b.WriteString(p.c.hl(rest[:m[2]], st.Value, p.query))
			s := rest[m[2]:m[3]]
			b.WriteString(st.CodeBlob.Render(s[:12] + "…" + p.c.cat.f("code.bytes", blobBytes(s))))
			rest = rest[m[3]:]
		}
		b.WriteString(p.c.hl(rest, st.Value, p.query))
		out = append(out, fit(b.String(), w))
	}
	return out
}

// blobBytes is the decoded size of a hex or base64 (standard or URL, padded or not) string.
func blobBytes(s string) int {
	hex := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			hex = false
			break
		}
	}
	if hex && len(s)%2 == 0 {
		return len(s) / 2
	}
	s = strings.TrimRight(s, "=")
	return len(s) * 3 / 4
}
