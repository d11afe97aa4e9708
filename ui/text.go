package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Every width below is measured in terminal cells with grapheme-aware functions, so a
// Hangul syllable counts two cells and styled text counts only what is printed.

func cells(s string) int { return ansi.StringWidth(s) }

// fit cuts plain or styled s to w cells, marking the cut with an ellipsis.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cells(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad fits s to exactly w cells.
func pad(s string, w int) string {
	s = fit(s, w)
	if n := w - cells(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// shorten keeps the head and tail of a long plain value (hex digests, base64) because the
// ends are what people compare by eye; other text is cut at the end.
func shorten(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cells(s) <= w {
		return s
	}
	if w < 9 || !isBlob(s) {
		return fit(s, w)
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return s[:head] + "…" + s[len(s)-tail:]
}

// isBlob reports whether s is one ASCII token (hex, base64) that reads well middle-cut.
func isBlob(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// wrap breaks plain text into lines of at most w cells, at spaces when it can.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		if !strings.Contains(para, " ") {
			// One long token (base64, hex): cut at the width, not at its hyphens.
			out = append(out, strings.Split(ansi.Hardwrap(para, w, true), "\n")...)
			continue
		}
		out = append(out, strings.Split(ansi.Wrap(para, w, ""), "\n")...)
	}
	return out
}
