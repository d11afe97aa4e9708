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

// wrap breaks plain text into lines of at most w cells at spaces, never inside a word: a
// reader of "decry/pt" or "ARK-/Milan" loses the word. Only a word wider than the whole
// line (a digest, base64) is cut, at the width.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		// Leading spaces are indentation the text chose (a decoded event); keep them.
		body := strings.TrimLeft(para, " ")
		ind := para[:len(para)-len(body)]
		if cells(ind) >= w {
			ind = ""
		}
		line, lineW := ind, cells(ind)
		empty := true
		flush := func() {
			out = append(out, line)
			line, lineW, empty = ind, cells(ind), true
		}
		for _, word := range strings.Fields(body) {
			ww := cells(word)
			if !empty && lineW+1+ww > w {
				flush()
			}
			if ww > w-lineW {
				// Too long for any line: cut it, at the width, and go on after the cut.
				parts := strings.Split(ansi.Hardwrap(word, w-lineW, false), "\n")
				for _, part := range parts[:len(parts)-1] {
					line += part
					flush()
				}
				word, ww = parts[len(parts)-1], cells(parts[len(parts)-1])
			}
			if !empty {
				line += " "
				lineW++
			}
			line += word
			lineW += ww
			empty = false
		}
		flush()
	}
	return out
}
