package pages

import (
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// Rows carry their value and detail in both languages (present.Row.ValueKO, DetailKO):
// the views pick one. These helpers keep the two aligned line by line.

// lines is a detail being built in English and Korean at once.
type lines struct{ en, ko []string }

func (l *lines) add(en, ko string) { l.en, l.ko = append(l.en, en), append(l.ko, ko) }

// data adds a line that reads the same in both languages (a digest, a JSON header).
func (l *lines) data(s string) { l.add(s, s) }

// check adds a check as "verdict id: summary" and its details, in both languages.
func (l *lines) check(c check.Check) {
	l.add(c.String(), checkLineKO(c))
	_, ko := c.In("ko")
	for i, d := range c.Details {
		l.add(d, ko[i])
	}
}

// set gives row its detail in both languages; the Korean is left empty when it says
// nothing the English does not, so that it falls back.
func (l *lines) set(row *present.Row) {
	row.Detail = strings.Join(l.en, "\n")
	if ko := strings.Join(l.ko, "\n"); ko != row.Detail {
		row.DetailKO = ko
	}
}

var verdictKO = map[check.Verdict]string{check.Pass: "통과", check.Fail: "실패", check.Warn: "경고", check.Skip: "건너뜀"}

// checkLineKO is check.String in Korean: the verdict in words, the id as it is.
func checkLineKO(c check.Check) string {
	id := c.ID
	if c.Subject != "" {
		id += "[" + c.Subject + "]"
	}
	v, ok := verdictKO[c.Verdict]
	if !ok {
		v = string(c.Verdict)
	}
	s, _ := c.In("ko")
	return fmt.Sprintf("%s %s: %s", v, id, s)
}

// ko sets a row's Korean key and value; an empty one leaves what the row has (mrow's
// label, or nothing, which falls back to the English).
func ko(row present.Row, key, value string) present.Row {
	if key != "" {
		row.KeyKO = key
	}
	if value != "" {
		row.ValueKO = value
	}
	return row
}

// bytesKO is "n bytes" in Korean.
func bytesKO(n int) string { return fmt.Sprintf("%d바이트", n) }

// or is ko, or en when no Korean was written.
func or(ko, en string) string {
	if ko != "" {
		return ko
	}
	return en
}

// nameKO sets a certificate's name apart in a Korean sentence: a name of English words
// ("Intel SGX PCK Platform CA") is quoted so that it reads as the name it is, while a name
// of one token (SEV-VCEK, a VM ID) needs no quotes.
func nameKO(cn string) string {
	if strings.Contains(cn, " ") {
		return `"` + cn + `"`
	}
	return cn
}
