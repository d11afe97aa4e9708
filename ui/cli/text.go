package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// writeText renders pages as plain text: the checks first (what a person scans for), then
// every section with its rows and explanations. It is the -o text output and what a pipe gets.
// Pages and the banner (which names the files read) carry untrusted text, so each page is
// made safe for a terminal before anything is written.
func writeText(w io.Writer, b workshop.Banner, pages []present.Page, lang present.Lang) {
	fmt.Fprintf(w, "%s\n%s\n\n", present.Safe(b.Text.In(lang)), present.Safe(b.Detail))
	for _, p := range pages {
		p = p.Safe()
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

// writeJSON is the -o json output. encoding/json escapes C0 controls but leaves DEL, C1
// and bidi controls raw, which a terminal showing the JSON would obey; they are escaped
// too, and the document decodes to the same values.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(present.SafeJSON(b), '\n'))
	return err
}

// eprintf is fmt.Fprintf for messages to stderr: each argument (an error holding an HTTP
// body, a file name, a check) is formatted with its verb and then made safe for the
// terminal, while the format's own line breaks stay.
func eprintf(w io.Writer, format string, args ...any) {
	safe := make([]any, len(args))
	for i, a := range args {
		safe[i] = safeArg{a}
	}
	fmt.Fprintf(w, format, safe...)
}

type safeArg struct{ v any }

func (a safeArg) Format(f fmt.State, verb rune) {
	io.WriteString(f, present.Safe(fmt.Sprintf(fmt.FormatString(f, verb), a.v)))
}
