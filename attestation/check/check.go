// Package check defines the verdicts every verification step in cvmscope reports.
//
// A check has a stable ID (for example "hcl.binding" or "jwt.signature") so that tests,
// JSON consumers and the explanation catalog can refer to it, a verdict, and a one-line
// summary that states exactly what was covered. A check never claims more than it covered:
// a summary names its scope ("quote signature and PCK chain; TCB status not evaluated").
package check

import (
	"fmt"
	"sort"
)

// Verdict is the outcome of one check.
type Verdict string

const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	Warn Verdict = "warn"
	Skip Verdict = "skip"
)

// Check is one verification result.
type Check struct {
	// ID is stable across releases, e.g. "snp.signature".
	ID string `json:"id"`
	// Subject narrows a check that runs more than once, e.g. "PCR4" for eventlog.replay
	// or a file name. Empty when the check runs once.
	Subject string  `json:"subject,omitempty"`
	Verdict Verdict `json:"verdict"`
	// Summary is one line: what was checked and what was found, in English.
	Summary string `json:"summary"`
	// Details are optional further lines (expected vs. actual values, the certificate
	// that failed, what to do).
	Details []string `json:"details,omitempty"`
}

// String renders "verdict id[subject]: summary".
func (c Check) String() string {
	id := c.ID
	if c.Subject != "" {
		id += "[" + c.Subject + "]"
	}
	return fmt.Sprintf("%-4s %s: %s", c.Verdict, id, c.Summary)
}

// Passf, Failf, Warnf and Skipf build checks with a formatted summary.
func Passf(id, format string, a ...any) Check { return newf(id, Pass, format, a...) }
func Failf(id, format string, a ...any) Check { return newf(id, Fail, format, a...) }
func Warnf(id, format string, a ...any) Check { return newf(id, Warn, format, a...) }
func Skipf(id, format string, a ...any) Check { return newf(id, Skip, format, a...) }

func newf(id string, v Verdict, format string, a ...any) Check {
	return Check{ID: id, Verdict: v, Summary: fmt.Sprintf(format, a...)}
}

// WithSubject returns c with its subject set.
func (c Check) WithSubject(s string) Check { c.Subject = s; return c }

// WithDetails returns c with lines appended to its details.
func (c Check) WithDetails(lines ...string) Check {
	c.Details = append(append([]string(nil), c.Details...), lines...)
	return c
}

// List is an ordered set of checks.
type List []Check

// OK reports whether no check failed. Warnings and skips do not make a list fail:
// a skipped check says it was not run, never that it passed.
func (l List) OK() bool {
	for _, c := range l {
		if c.Verdict == Fail {
			return false
		}
	}
	return true
}

// Find returns the checks with the given ID, in order.
func (l List) Find(id string) List {
	var out List
	for _, c := range l {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

// Verdict folds the checks with the given ID into one verdict: fail if any failed, else
// warn if any warned, else pass if any passed, else skip (also when there is none).
func (l List) Verdict(id string) Verdict {
	return Fold(l.Find(id))
}

// Fold folds a list into one verdict as Verdict does.
func Fold(l List) Verdict {
	rank := map[Verdict]int{Skip: 0, Pass: 1, Warn: 2, Fail: 3}
	best := Skip
	for _, c := range l {
		if rank[c.Verdict] > rank[best] {
			best = c.Verdict
		}
	}
	return best
}

// Counts returns how many checks have each verdict.
func (l List) Counts() map[Verdict]int {
	m := map[Verdict]int{}
	for _, c := range l {
		m[c.Verdict]++
	}
	return m
}

// IDs returns the distinct IDs in the list, sorted.
func (l List) IDs() []string {
	seen := map[string]bool{}
	var ids []string
	for _, c := range l {
		if !seen[c.ID] {
			seen[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	sort.Strings(ids)
	return ids
}
