package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// hl renders plain text in base, with every case-insensitive occurrence of q in the match
// style. Text is cut to size before it is styled, so widths stay exact.
func (c *common) hl(text string, base lipgloss.Style, q string) string {
	if q == "" || text == "" {
		return base.Render(text)
	}
	lower := strings.ToLower(text)
	lq := strings.ToLower(q)
	// ToLower can change byte lengths for a few scripts; fall back to no highlight then.
	if len(lower) != len(text) {
		return base.Render(text)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lq)
		if i < 0 {
			b.WriteString(base.Render(text))
			return b.String()
		}
		if i > 0 {
			b.WriteString(base.Render(text[:i]))
		}
		b.WriteString(c.st.Match.Render(text[i : i+len(lq)]))
		text, lower = text[i+len(lq):], lower[i+len(lq):]
		if text == "" {
			return b.String()
		}
	}
}

// contains is the search predicate shared by highlighting and match navigation.
func contains(text, q string) bool {
	return q != "" && strings.Contains(strings.ToLower(text), strings.ToLower(q))
}
