package present

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Blob matches a JSON string long enough to be an encoded byte string (a report, a
// certificate, a quote) rather than a word; group 1 is the string's content. It is compiled
// on first use: the {64,} repetition makes a large program, and compiling it at init cost
// every process (cvmscope --version included) about 0.03 ms.
var Blob = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"([A-Za-z0-9+/_=-]{64,})"`)
})

// BlobBytes is the decoded size of a hex or base64 (standard or URL, padded or not) string.
func BlobBytes(s string) int {
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

// SummariseBlobs shortens every blob of a Code body to its first characters and decoded
// size, keeping the body valid JSON, for output a person reads (-o text, -o json); the
// evidence bundle keeps every byte.
func SummariseBlobs(body string) string {
	return Blob().ReplaceAllStringFunc(body, func(m string) string {
		s := m[1 : len(m)-1]
		return fmt.Sprintf("\"%s…(%d bytes)\"", s[:12], BlobBytes(s))
	})
}

// Summarised returns a copy of the page with the blobs of its Code sections summarised.
func (p Page) Summarised() Page {
	secs := make([]Section, len(p.Sections))
	copy(secs, p.Sections)
	for i := range secs {
		if secs[i].Kind == Code {
			secs[i].Body = SummariseBlobs(secs[i].Body)
		}
	}
	p.Sections = secs
	return p
}
