package pages

import (
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// mrow is a row of the MAA pages explained from one of explain's MAA field kinds.
func mrow(kind, key, value string) present.Row {
	return present.Row{Key: key, Value: value, Explain: explain.Field(kind, key), PCR: -1}
}

// withChecks gives a row the folded verdict of the checks with the given ids, their
// summaries as detail and, when one is not healthy, the catalog's advice. A row no check
// covers says so instead of showing a verdict.
func withChecks(row present.Row, l check.List, ids ...string) present.Row {
	var found check.List
	for _, id := range ids {
		found = append(found, l.Find(id)...)
	}
	var lines []string
	if row.Detail != "" {
		lines = append(lines, row.Detail)
	}
	if len(found) == 0 {
		lines = append(lines, "not checked: no "+strings.Join(ids, " or ")+" check was run")
		row.Detail = strings.Join(lines, "\n")
		return row
	}
	row.Verdict = check.Fold(found)
	for _, c := range found {
		lines = append(lines, c.String())
		lines = append(lines, c.Details...)
		if row.Hint.Empty() {
			row.Hint = explain.HintFor(c)
		}
	}
	row.Detail = strings.Join(lines, "\n")
	return row
}
