package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// writeText renders pages as plain text: the checks first (what a person scans for), then
// every section with its rows and explanations. It is the -o text output and what a pipe gets.
func writeText(w io.Writer, banner string, pages []present.Page, lang present.Lang) {
	if banner != "" {
		fmt.Fprintf(w, "%s\n\n", banner)
	}
	for _, p := range pages {
		fmt.Fprintf(w, "== %s ==\n", p.Title.In(lang))
		if s := p.Summary.In(lang); s != "" {
			fmt.Fprintf(w, "%s\n", s)
		}
		for _, c := range p.Checks {
			fmt.Fprintf(w, "  %s\n", c)
			for _, d := range c.Details {
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
			for _, r := range sec.Rows {
				line := "   " + r.KeyIn(lang)
				if r.Value != "" {
					line += ": " + r.Value
				}
				if cells := r.CellsIn(lang); len(cells) > 0 {
					line += " | " + strings.Join(cells, " | ")
				}
				if r.Verdict != "" {
					line += "  [" + strings.ToUpper(string(r.Verdict)) + "]"
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
}
