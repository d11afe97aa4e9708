package present

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// Evidence is untrusted: a token's kid, iss and claims, event-log strings, certificate
// subjects, HTTP error bodies and file names are chosen by whoever made them, and a
// terminal obeys the control characters among them (clear the screen, write the clipboard
// with OSC 52, colour a fake PASS, reorder text with bidi overrides). Safe and SafeLines
// show such characters as visible escapes instead, and are applied where text becomes
// terminal output, before cvmscope adds its own styling.

// Safe returns s for one terminal line: C0 controls (newline and tab included), DEL and
// C1 controls become \n, \t, \r or \xNN; Unicode bidi controls become \uNNNN; bytes that
// are not UTF-8 become \xNN. Printable text, Hangul included, is kept as is.
func Safe(s string) string { return safe(s, false) }

// SafeLines is Safe for multi-line text (details, code bodies, explanations): line breaks
// are kept, and a tab becomes four spaces, because terminals move the cursor for a tab
// while width functions count it as nothing.
func SafeLines(s string) string { return safe(s, true) }

func safe(s string, lines bool) string {
	// Most text needs nothing; return it without copying (pages hold thousands of rows).
	i := 0
	for i < len(s) {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) && !(lines && r == '\n') {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case lines && r == '\n':
			b.WriteByte('\n')
		case lines && r == '\t':
			b.WriteString("    ")
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r, n):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports whether the rune r, n bytes long in its string, must not reach a
// terminal raw.
func unsafeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1: // not UTF-8
		return true
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	}
	return isBidi(r)
}

// isBidi reports the Unicode bidi controls: embeddings and overrides (U+202A–U+202E),
// isolates (U+2066–U+2069), the LTR/RTL marks (U+200E, U+200F) and the Arabic letter mark
// (U+061C). They reorder what follows them, so "evil‮txt.exe" can read as something else.
func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// SafeJSON escapes, as \uNNNN, the characters of encoded JSON that encoding/json leaves
// raw but a terminal obeys: DEL, C1 controls and bidi controls. Outside strings JSON holds
// only ASCII punctuation, so each such character is inside a string, and the escaped
// document decodes to the same values. C0 controls and bytes that are not UTF-8 never
// reach here: encoding/json escapes the former and replaces the latter.
func SafeJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && r <= 0x9f || isBidi(r) {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && r <= 0x9f || isBidi(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// Safe returns a copy of the page with every string a terminal shows made safe: titles,
// keys, values, cells, explanations, details, code bodies, check subjects, summaries and
// details. Single-line fields get Safe, so a newline cannot fake a line of output;
// multi-line ones (details, bodies, explanations, notes) get SafeLines. Rendering a safe
// page is the one boundary every output path goes through, so none can be missed.
func (p Page) Safe() Page {
	p.Step = Safe(p.Step)
	p.Title = safeText(p.Title, Safe)
	p.Summary = safeText(p.Summary, SafeLines)
	// Kinds and verdicts come from code, but a page is plain data: nothing in it is exempt.
	p.Verdict = check.Verdict(Safe(string(p.Verdict)))
	if p.Sections != nil {
		secs := make([]Section, len(p.Sections))
		for i, s := range p.Sections {
			secs[i] = s.safe()
		}
		p.Sections = secs
	}
	if p.Checks != nil {
		cs := make(check.List, len(p.Checks))
		for i, c := range p.Checks {
			c.ID = Safe(c.ID)
			c.Verdict = check.Verdict(Safe(string(c.Verdict)))
			c.Subject = Safe(c.Subject)
			c.Summary = Safe(c.Summary)
			c.Details = safeAll(c.Details, Safe)
			c.SummaryKO = Safe(c.SummaryKO)
			c.DetailsKO = safeAll(c.DetailsKO, Safe)
			cs[i] = c
		}
		p.Checks = cs
	}
	return p
}

func (s Section) safe() Section {
	s.ID = Safe(s.ID)
	s.Kind = Kind(Safe(string(s.Kind)))
	s.Title = safeText(s.Title, Safe)
	s.Note = safeText(s.Note, SafeLines)
	if s.Columns != nil {
		cols := make([]Text, len(s.Columns))
		for i, c := range s.Columns {
			cols[i] = safeText(c, Safe)
		}
		s.Columns = cols
	}
	s.Body = SafeLines(s.Body)
	if s.Rows != nil {
		rows := make([]Row, len(s.Rows))
		for i, r := range s.Rows {
			rows[i] = r.safe()
		}
		s.Rows = rows
	}
	if each := s.Each; each != nil {
		// Streamed rows are made safe one at a time as they are asked for, so that the
		// section stays lazy: collecting them here would hold every row again.
		s.Each = func(yield func(Row) bool) {
			for r := range each {
				if !yield(r.safe()) {
					return
				}
			}
		}
	}
	return s
}

func (r Row) safe() Row {
	r.Key = Safe(r.Key)
	r.KeyKO = Safe(r.KeyKO)
	r.Value = Safe(r.Value)
	r.ValueKO = Safe(r.ValueKO)
	r.Verdict = check.Verdict(Safe(string(r.Verdict)))
	r.Cells = safeAll(r.Cells, Safe)
	r.CellsKO = safeAll(r.CellsKO, Safe)
	r.Explain = safeText(r.Explain, SafeLines)
	r.Hint = safeText(r.Hint, SafeLines)
	r.Detail = SafeLines(r.Detail)
	r.DetailKO = SafeLines(r.DetailKO)
	// What `y` copies is what is shown; a PEM or a multi-line value keeps its lines.
	r.Copy = SafeLines(r.Copy)
	return r
}

func safeText(t Text, f func(string) string) Text { return Text{EN: f(t.EN), KO: f(t.KO)} }

// safeAll returns ss itself when nothing in it needs escaping, a safe copy otherwise; the
// page's own slices are never written.
func safeAll(ss []string, f func(string) string) []string {
	var out []string
	for i, s := range ss {
		t := f(s)
		if out == nil && t != s {
			out = append(make([]string, 0, len(ss)), ss[:i]...)
		}
		if out != nil {
			out = append(out, t)
		}
	}
	if out == nil {
		return ss
	}
	return out
}
