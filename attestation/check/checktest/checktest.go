// Package checktest holds what tests of Korean text share: whether a string has Hangul.
package checktest

import (
	"strings"
	"unicode"
)

// HasHangul reports whether s holds at least one Hangul letter: the Korean text exists and
// was not left as the English.
func HasHangul(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) })
}
