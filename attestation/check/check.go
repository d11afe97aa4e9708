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
	// SummaryKO is the summary in Korean; empty falls back to Summary. DetailsKO[i] is
	// Details[i] in Korean; a missing or empty entry falls back to the English line.
	SummaryKO string   `json:"summaryKo,omitempty"`
	DetailsKO []string `json:"detailsKo,omitempty"`
	// Unreachable, on a failed check, is why a source the check needed could not be read
	// (a fault.Network error, e.g. the provider's keys, or fault.Interrupted when the run
	// was cancelled while reading it): the check failed for that alone, so that error, not
	// the evidence, decides the exit code (3 or 130) unless something else failed. It is
	// not part of the JSON: a report read back fails closed, as integrity.
	Unreachable error `json:"-"`
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

// KO returns c with its Korean summary set, formatted like Passf and the others.
func (c Check) KO(format string, a ...any) Check {
	c.SummaryKO = fmt.Sprintf(format, a...)
	return c
}

// WithDetail returns c with one detail line appended in English and Korean; the two stay
// aligned whatever was appended before.
func (c Check) WithDetail(en, ko string) Check {
	n := len(c.Details)
	c.Details = append(append([]string(nil), c.Details...), en)
	kos := make([]string, n+1)
	copy(kos, c.DetailsKO)
	kos[n] = ko
	c.DetailsKO = kos
	return c
}

// In returns the summary and details in lang ("ko" for Korean; anything else English),
// falling back to English line by line where no Korean was given.
func (c Check) In(lang string) (summary string, details []string) {
	if lang != "ko" {
		return c.Summary, c.Details
	}
	summary = c.Summary
	if c.SummaryKO != "" {
		summary = c.SummaryKO
	}
	if len(c.DetailsKO) == 0 {
		return summary, c.Details
	}
	details = make([]string, len(c.Details))
	for i, en := range c.Details {
		details[i] = en
		if i < len(c.DetailsKO) && c.DetailsKO[i] != "" {
			details[i] = c.DetailsKO[i]
		}
	}
	return summary, details
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
