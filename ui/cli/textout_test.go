package cli

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// TestTextStreamsEventRows: text output of a page whose event rows are made as they are
// written (pages.Pager{Stream: true}) is byte for byte the text of the page with every row
// listed, in English and Korean, and each row is written before the next is made: the
// section's Each fails the test if it is asked for a row while the one before it is not
// yet in the output, so a writer that collected the rows first (holding them all) fails.
func TestTextStreamsEventRows(t *testing.T) {
	hostile := []present.Row{
		{Key: "#0 PCR0 \x1b[31mred", Value: "a\u202eb\nc", Detail: "d\x7f", Verdict: check.Warn, Hint: present.T("h\x1b]0;x\a", "ㅎ"), PCR: 0},
		{Key: "#1 PCR1", KeyKO: "#1 \u0085", Cells: []string{"x\x1b"}, Explain: present.T("e\ne", ""), PCR: 1},
	}
	synthetic := present.Page{Step: "read-report", Title: present.T("Read", "읽기"), Sections: []present.Section{
		{ID: "before", Title: present.T("Before", "앞"), Kind: present.Fields, Rows: []present.Row{{Key: "k", Value: "v"}}},
		{ID: "events", Title: present.T("Event log", "이벤트 로그"), Kind: present.Events, Rows: hostile},
		{ID: "after", Title: present.T("After", "뒤"), Kind: present.Fields, Rows: []present.Row{{Key: "k2", Value: "v2"}}},
	}}
	streamedSynthetic := synthetic
	streamedSynthetic.Sections = append([]present.Section(nil), synthetic.Sections...)
	streamedSynthetic.Sections[1].Rows = nil
	streamedSynthetic.Sections[1].Each = func(yield func(present.Row) bool) {
		for _, r := range hostile {
			if !yield(r) {
				return
			}
		}
	}

	type pair struct{ listed, streamed present.Page }
	cases := map[string]pair{"synthetic": {synthetic, streamedSynthetic}}
	for _, name := range []string{azureLog, "gce-sevsnp-ubuntu2404-eventlog.bin"} {
		set := &evidence.Set{}
		if err := set.Add(name, realdata.Read(t, name)); err != nil {
			t.Fatal(err)
		}
		res := verify.Evidence(set, verify.Options{})
		cases[name] = pair{pages.Pager{}.ReadReport(set, res).Summarised(), pages.Pager{Stream: true}.ReadReport(set, res).Summarised()}
	}
	banner := workshop.Banner{Source: evidence.SourceFiles, Text: present.T("Files", "파일"), Detail: "log.bin"}
	for name, c := range cases {
		for _, lang := range []present.Lang{present.EN, present.KO} {
			var want bytes.Buffer
			writeText(&want, banner, []present.Page{c.listed}, c.listed.Checks, lang)

			var got bytes.Buffer
			streamed := c.streamed
			streamed.Sections = append([]present.Section(nil), c.streamed.Sections...)
			made := 0
			for i, sec := range streamed.Sections {
				if sec.Each == nil {
					continue
				}
				if len(sec.Rows) != 0 {
					t.Fatalf("%s: section %s has both Rows and Each", name, sec.ID)
				}
				each, last := sec.Each, ""
				streamed.Sections[i].Each = func(yield func(present.Row) bool) {
					for r := range each {
						// The row before must be written already (its key, made safe, is
						// part of its line) before this one is made.
						if last != "" && !strings.Contains(got.String(), present.Safe(last)) {
							t.Fatalf("%s %s: row %d made before row %q was written: the rows are held", name, lang, made, last)
						}
						made++
						last = r.KeyIn(lang)
						if !yield(r) {
							return
						}
					}
				}
			}
			writeText(&got, banner, []present.Page{streamed}, streamed.Checks, lang)
			if made == 0 {
				t.Fatalf("%s %s: no row was streamed", name, lang)
			}
			if got.String() != want.String() {
				t.Errorf("%s %s: streamed text differs from listed (%d bytes against %d)", name, lang, got.Len(), want.Len())
			}
		}
	}
}

// TestStreamRowsForTextAndJSON: inspect makes the event rows as they are written for -o
// json, -o text and text to a pipe (no -o, stdout not a terminal), and for nothing else.
func TestStreamRowsForTextAndJSON(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var buf bytes.Buffer
	for _, c := range []struct {
		output string
		stdout io.Writer
		want   bool
	}{
		{"json", &buf, true}, {"text", &buf, true}, {"", &buf, true}, {"", w, true}, {"text", w, true},
		{"token", &buf, false}, {"bool", w, false},
	} {
		if got := streamRows(c.output, c.stdout); got != c.want {
			t.Errorf("streamRows(%q, %T) = %v, want %v", c.output, c.stdout, got, c.want)
		}
	}
}
