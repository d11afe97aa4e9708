package ui

import (
	"slices"
	"strings"
	"testing"
)

// TestWrapKeepsWords: text wraps at spaces only; a word is cut only when it is wider than
// a whole line, and every line fits.
func TestWrapKeepsWords(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want []string
	}{
		{"MAA could not decrypt the answer", 14, []string{"MAA could not", "decrypt the", "answer"}},
		{"signed by ARK-Milan and ASK-Milan", 14, []string{"signed by", "ARK-Milan and", "ASK-Milan"}},
		{"토큰을 복호화하지 못했습니다 다시 실행합니다", 16, []string{"토큰을", "복호화하지", "못했습니다 다시", "실행합니다"}},
		{"digest 0123456789abcdef0123", 10, []string{"digest", "0123456789", "abcdef0123"}},
		{"  indented text keeps its indent", 14, []string{"  indented", "  text keeps", "  its indent"}},
		{"a\n\nb", 5, []string{"a", "", "b"}},
	}
	for _, c := range cases {
		got := wrap(c.in, c.w)
		if !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
		for _, l := range got {
			if cells(l) > c.w {
				t.Errorf("wrap(%q, %d): line %q is %d cells", c.in, c.w, l, cells(l))
			}
		}
		// No word of the input is split unless it is wider than the line.
		joined := " " + strings.Join(got, " ") + " "
		for _, word := range strings.Fields(c.in) {
			if cells(word) <= c.w && !strings.Contains(joined, " "+word+" ") {
				t.Errorf("wrap(%q, %d) split the word %q: %q", c.in, c.w, word, got)
			}
		}
	}
}
