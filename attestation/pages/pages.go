// Package pages builds the workshop's pages (present.Page) from evidence and verification
// results: what each step shows, in which order, with which verdicts and explanations.
//
// It joins three things that know nothing of each other: the parsed evidence (verify.Result),
// the checks, and the explanation catalog (package explain). The views only render what it
// returns; it renders nothing itself.
package pages

import (
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// Step IDs as package workshop names them; repeated here because workshop depends on this
// package through its Pager interface, not the other way round.
const (
	stepPreflight  = "preflight"
	stepReadReport = "read-report"
)

// Pager builds pages; it satisfies workshop.Pager.
type Pager struct {
	// Stream makes the event log's rows as they are written (present.Section.Each) instead
	// of listing them, for output written once and in order (-o json, -o text): every row
	// of a 100,000-event log held at once was most of the memory inspect needed.
	Stream bool
}

// ReadReport builds the "Read report" page.
func (p Pager) ReadReport(s *evidence.Set, r *verify.Result) present.Page {
	return readReport(s, r, p.Stream)
}

// Preflight builds the "Preflight" page.
func (Pager) Preflight(checks check.List) present.Page { return Preflight(checks) }

// Lookup explains a check ID from the catalog: its meaning and what to do.
func Lookup(id string) (present.Text, present.Text) { return explain.Check(id) }

// Checks is the section listing checks, each with its explanation.
// A row's hint is for the check as it came out (explain.HintFor), so a refused simulated root
// says --trust-simulated and a passing check says nothing.
func Checks(l check.List) present.Section {
	rows := present.CheckRows(l, Lookup)
	for i, c := range l {
		rows[i].Hint = explain.HintFor(c)
	}
	return present.Section{ID: "checks", Title: present.T("Checks", "검증 항목"), Kind: present.Checks, Rows: rows}
}

// Preflight builds the "Preflight" page: one row per preflight check.
func Preflight(checks check.List) present.Page {
	return present.Page{
		Step:     stepPreflight,
		Title:    present.T("Preflight", "사전 점검"),
		Summary:  countSummary(present.T("Preflight", "사전 점검"), checks),
		Sections: []present.Section{Checks(checks)},
		Checks:   checks,
		Verdict:  check.Fold(checks),
	}
}

// countSummary is "<what>: 5 passed, 1 failed…" in both languages, naming the first failure.
func countSummary(what present.Text, l check.List) present.Text {
	c := l.Counts()
	en := fmt.Sprintf("%s: %d passed, %d failed, %d warnings, %d skipped", what.EN, c[check.Pass], c[check.Fail], c[check.Warn], c[check.Skip])
	ko := fmt.Sprintf("%s: 통과 %d, 실패 %d, 경고 %d, 건너뜀 %d", what.KO, c[check.Pass], c[check.Fail], c[check.Warn], c[check.Skip])
	for _, ch := range l {
		if ch.Verdict == check.Fail {
			en += "; first failure: " + ch.ID
			ko += "; 첫 실패: " + ch.ID
			break
		}
	}
	return present.T(en, ko)
}
