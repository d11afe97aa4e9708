package ui

import (
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// WriteText renders pages as plain text in lang: the checks first (what a person scans
// for), then every section with its rows and explanations, then the count of all checks.
// It is `-o text` and what a pipe gets; it lives beside the panes so that both outputs say
// a thing with the same words (the verdicts, the counts).
//
// Pages and the banner (which names the files read) carry untrusted text, so each page is
// made safe for a terminal before anything is written.
func WriteText(w io.Writer, b workshop.Banner, pages []present.Page, all check.List, lang present.Lang) {
	cat := catalog{lang: lang}
	fmt.Fprintf(w, "%s\n%s\n\n", present.Safe(b.Text.In(lang)), present.Safe(b.DetailIn(lang)))
	for _, p := range pages {
		p = p.Safe()
		fmt.Fprintf(w, "== %s ==\n", p.Title.In(lang))
		if s := p.Summary.In(lang); s != "" {
			fmt.Fprintf(w, "%s\n", s)
		}
		for _, c := range p.Checks {
			summary, details := c.In(string(lang))
			id := c.ID
			if c.Subject != "" {
				id += "[" + c.Subject + "]"
			}
			// English keeps check.String's lower-case verdict; Korean names it in words.
			verdict := fmt.Sprintf("%-4s", c.Verdict)
			if lang == present.KO {
				verdict = pad(textVerdict(cat, c.Verdict), cat.verdictWidth())
			}
			fmt.Fprintf(w, "  %s %s: %s\n", verdict, id, summary)
			for _, d := range details {
				fmt.Fprintf(w, "        %s\n", d)
			}
		}
		for _, sec := range p.Sections {
			if sec.Kind == present.Checks {
				continue
			}
			fmt.Fprintf(w, "\n-- %s --\n", sec.Title.In(lang))
			if n := sec.Note.In(lang); n != "" {
				fmt.Fprintf(w, "   %s\n", n)
			}
			if sec.Kind == present.Code {
				fmt.Fprintln(w, sec.Body)
				continue
			}
			if len(sec.Columns) > 0 {
				var cols []string
				for _, c := range sec.Columns {
					cols = append(cols, c.In(lang))
				}
				fmt.Fprintf(w, "   %s\n", strings.Join(cols, " | "))
			}
			for r := range sectionRows(sec) {
				line := "   " + r.KeyIn(lang)
				if v := r.ValueIn(lang); v != "" {
					line += ": " + v
				}
				if cells := r.CellsIn(lang); len(cells) > 0 {
					line += " | " + strings.Join(cells, " | ")
				}
				if r.Verdict != "" {
					line += "  [" + textVerdict(cat, r.Verdict) + "]"
				}
				fmt.Fprintln(w, line)
				if e := r.Explain.In(lang); e != "" {
					fmt.Fprintf(w, "      %s\n", e)
				}
				if r.Verdict == check.Fail || r.Verdict == check.Warn {
					if h := r.Hint.In(lang); h != "" {
						fmt.Fprintf(w, "      → %s\n", h)
					}
				}
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, Counts(all, lang))
}

// sectionRows is a section's rows: Rows, or when that is empty the rows Each makes as
// they are written (a streamed event log), so that text output, like -o json, never holds
// them all. Text needs no column widths over all rows, so Each is iterated once.
func sectionRows(sec present.Section) iter.Seq[present.Row] {
	if len(sec.Rows) == 0 && sec.Each != nil {
		return sec.Each
	}
	return slices.Values(sec.Rows)
}

// textVerdict is a verdict's word; a verdict this build does not know (a page is data) is
// shown as it is, in capitals.
func textVerdict(cat catalog, v check.Verdict) string {
	if _, ok := chrome()["verdict."+string(v)]; ok {
		return cat.verdict(v)
	}
	return strings.ToUpper(string(v))
}

// Counts is "59 passed, 0 failed, 0 warnings, 0 skipped" in lang.
func Counts(l check.List, lang present.Lang) string {
	c := l.Counts()
	return catalog{lang: lang}.f("text.counts", c[check.Pass], c[check.Fail], c[check.Warn], c[check.Skip])
}
