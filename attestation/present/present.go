// Package present is the terminal-agnostic shape of what cvmscope shows: pages of sections
// of rows, each row a value with its verdict and its explanation in English and Korean.
//
// The attestation steps build pages from typed evidence; the TUI and the plain-text report
// render them. Neither side knows the other: the steps know nothing about terminals, the UI
// nothing about TPM commands. Explanations are domain text and live with the data model
// (see package explain), never inside views.
package present

import (
	"iter"
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// Lang is a display language.
type Lang string

const (
	EN Lang = "en"
	KO Lang = "ko"
)

// Text is a string in both languages. An empty KO falls back to EN.
type Text struct {
	EN string `json:"en,omitempty"`
	KO string `json:"ko,omitempty"`
}

// In returns the text in lang.
func (t Text) In(l Lang) string {
	if l == KO && t.KO != "" {
		return t.KO
	}
	return t.EN
}

// Empty reports whether neither language has text.
func (t Text) Empty() bool { return t.EN == "" && t.KO == "" }

// T builds a Text.
func T(en, ko string) Text { return Text{EN: en, KO: ko} }

// Kind says how a section is laid out.
type Kind string

const (
	// Fields: one row per field: key, value, verdict, explanation.
	Fields Kind = "fields"
	// Table: Columns headings and Cells; rows still carry verdicts and explanations.
	Table Kind = "table"
	// Chain: the chain of trust, one row per link, drawn top to bottom.
	Chain Kind = "chain"
	// Events: an event log; rows carry their PCR for filtering.
	Events Kind = "events"
	// Code: a block of text (the request JSON) in Body.
	Code Kind = "code"
	// Checks: one row per check.
	Checks Kind = "checks"
)

// Row is one line of a section.
type Row struct {
	// Key is the field, claim, PCR or link name, shown as is (claim names are not translated).
	// It is also the row's stable name: tests, search and saved JSON find rows by it.
	Key string `json:"key"`
	// KeyKO is Key in Korean, for keys that are words rather than identifiers (the names of
	// the chain of trust's links); empty means Key. See KeyIn.
	KeyKO string `json:"key_ko,omitempty"`
	// Value is the value as text: hex, decoded number, string.
	Value string `json:"value,omitempty"`
	// ValueKO is Value in Korean when the value is words ("1200 bytes of JSON", a check's
	// summary); empty means Value, as for digests and claim values. See ValueIn.
	ValueKO string `json:"value_ko,omitempty"`
	// Cells are the columns of a Table row after Key, in English. They are also what `y`
	// copies when a row has neither Copy nor Value, so they stay the language-neutral form.
	Cells []string `json:"cells,omitempty"`
	// CellsKO are the Korean cells, column by column; a missing or empty cell falls back to
	// the one in Cells, so only the words need a Korean form, not digests. See CellsIn.
	CellsKO []string `json:"cells_ko,omitempty"`
	// Verdict is set when the row is a check or carries one; empty otherwise.
	Verdict check.Verdict `json:"verdict,omitempty"`
	// Explain is what the row means; Hint what to do when it is not healthy.
	Explain Text `json:"explain,omitempty"`
	Hint    Text `json:"hint,omitempty"`
	// Detail is longer text shown when the row is selected (expected vs. actual, a decoded
	// event, a full certificate subject).
	Detail string `json:"detail,omitempty"`
	// DetailKO is Detail in Korean; empty means Detail. See DetailIn.
	DetailKO string `json:"detail_ko,omitempty"`
	// PCR is the PCR index an event or PCR row belongs to, -1 when none.
	PCR int `json:"pcr"`
	// Copy is what `y` copies for this row; Value when empty.
	Copy string `json:"copy,omitempty"`
}

// KeyIn returns the key as shown in lang.
func (r Row) KeyIn(l Lang) string {
	if l == KO && r.KeyKO != "" {
		return r.KeyKO
	}
	return r.Key
}

// ValueIn returns the value as shown in lang.
func (r Row) ValueIn(l Lang) string {
	if l == KO && r.ValueKO != "" {
		return r.ValueKO
	}
	return r.Value
}

// DetailIn returns the detail as shown in lang.
func (r Row) DetailIn(l Lang) string {
	if l == KO && r.DetailKO != "" {
		return r.DetailKO
	}
	return r.Detail
}

// CellsIn returns the table cells as shown in lang. The result is Cells itself in English
// and a fresh slice in Korean, with Cells filling whatever CellsKO leaves out.
func (r Row) CellsIn(l Lang) []string {
	if l != KO || len(r.CellsKO) == 0 {
		return r.Cells
	}
	out := make([]string, max(len(r.Cells), len(r.CellsKO)))
	copy(out, r.Cells)
	for i, c := range r.CellsKO {
		if c != "" {
			out[i] = c
		}
	}
	return out
}

// Section is a titled group of rows.
type Section struct {
	ID      string `json:"id"`
	Title   Text   `json:"title"`
	Kind    Kind   `json:"kind"`
	Note    Text   `json:"note,omitempty"` // a line under the title (e.g. the Azure TDX caveat)
	Columns []Text `json:"columns,omitempty"`
	Rows    []Row  `json:"rows,omitempty"`
	Body    string `json:"body,omitempty"` // Code sections
	// Each, when set, stands for Rows (then empty): it makes the rows one at a time as a
	// writer asks for them, so that output written once and in order (-o json, text) never
	// holds a large event log's rows all at once. Only pages.Pager{Stream: true} sets it.
	Each iter.Seq[Row] `json:"-"`
}

// Page is what one workshop step shows.
type Page struct {
	Step     string        `json:"step"`
	Title    Text          `json:"title"`
	Summary  Text          `json:"summary,omitempty"`
	Sections []Section     `json:"sections,omitempty"`
	Checks   check.List    `json:"checks,omitempty"`
	Verdict  check.Verdict `json:"verdict"`
}

// CheckRows turns checks into rows, with explanations from lookup (which may be nil). The
// row's value and detail are the check's summary and details in both languages (check.In),
// so a Korean reader sees the Korean a check carries, and English where it has none.
func CheckRows(l check.List, lookup func(id string) (Text, Text)) []Row {
	rows := make([]Row, 0, len(l))
	for _, c := range l {
		key := c.ID
		if c.Subject != "" {
			key += " " + c.Subject
		}
		r := Row{Key: key, Value: c.Summary, Verdict: c.Verdict, PCR: -1}
		if lookup != nil {
			var hint Text
			r.Explain, hint = lookup(c.ID)
			// What to do belongs to checks that did not pass; a skip's summary says what it lacked.
			if c.Verdict == check.Fail || c.Verdict == check.Warn {
				r.Hint = hint
			}
		}
		r.Detail = strings.Join(c.Details, "\n")
		if ko, details := c.In(string(KO)); ko != c.Summary || !slices.Equal(details, c.Details) {
			r.ValueKO = ko
			r.DetailKO = strings.Join(details, "\n")
		}
		rows = append(rows, r)
	}
	return rows
}
