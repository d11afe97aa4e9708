package cli

import (
	"fmt"
	"io"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
)

// writeText is the -o text output, the same text in the same words as the TUI's panes
// (ui.WriteText), ending with the count of all checks.
func writeText(w io.Writer, b workshop.Banner, pages []present.Page, all check.List, lang present.Lang) {
	ui.WriteText(w, b, pages, all, lang)
}

// writeJSON is the -o json output, indented. encoding/json escapes C0 controls but leaves
// DEL, C1 and bidi controls raw, which a terminal showing the JSON would obey; they are
// escaped too, and the document decodes to the same values. It is written as it is
// encoded (streamJSON), so a large event log's report never sits in memory as text.
func writeJSON(w io.Writer, v any) error {
	return streamJSON(w, v)
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
