package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// TestStreamJSONSameAsMarshalIndent: the streamed -o json is byte for byte what
// MarshalIndent plus SafeJSON wrote before, for a whole report (empty and nil slices,
// omitted fields, empty structs, HTML and terminal controls in strings) and for values
// that are not streamed at all.
func TestStreamJSONSameAsMarshalIndent(t *testing.T) {
	hostile := "a<b>&c \u202e\x7f\u0085 \x1b[31m\n\"q\" 한국어"
	rows := []present.Row{
		{Key: "#0 PCR0 EV_S_CRTM_VERSION", Value: hostile, PCR: 0, Cells: []string{"x", ""}, Explain: present.T("e", "")},
		{Key: "k", PCR: -1},
	}
	report := jsonReport{OK: false, Source: "files", Banner: hostile, Error: "e", Checks: check.List{},
		Pages: []present.Page{
			{Step: "read-report", Title: present.T("Read report", "읽기"), Verdict: check.Fail,
				Sections: []present.Section{
					{ID: "events", Kind: present.Events, Rows: rows, Columns: []present.Text{{EN: "c"}}},
					{ID: "empty", Rows: []present.Row{}},
					{ID: "nil"},
				},
				Checks: check.List{{ID: "x.y", Verdict: check.Pass, Summary: hostile, Details: []string{"d"}}}},
			{Step: "empty"},
		}}
	for name, v := range map[string]any{
		"report":       report,
		"nil pages":    jsonReport{},
		"pointer":      &report,
		"page slice":   report.Pages,
		"string":       hostile,
		"empty pages":  jsonReport{Pages: []present.Page{}, Checks: check.List{}},
		"section only": report.Pages[0].Sections[0],
		"string list":  []string{hostile, "", "plain"},
	} {
		want, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(present.SafeJSON(want), '\n')
		var got bytes.Buffer
		if err := streamJSON(&got, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: streamed JSON differs from MarshalIndent:\n got %s\nwant %s", name, got.Bytes(), want)
		}
	}
}

// TestStreamJSONWriteError: a failing writer is reported, not ignored, and a section whose
// rows are made as they are written is asked for no more rows.
func TestStreamJSONWriteError(t *testing.T) {
	r := jsonReport{Pages: []present.Page{{Step: "s", Sections: []present.Section{{ID: "big", Rows: make([]present.Row, 2000)}}}}}
	if err := streamJSON(failWriter{}, r); err == nil {
		t.Fatal("streamJSON to a failing writer returned no error")
	}
	made := 0
	r.Pages[0].Sections[0] = present.Section{ID: "big", Each: func(yield func(present.Row) bool) {
		for range 100000 {
			made++
			if !yield(present.Row{Key: "k", Detail: strings.Repeat("d", 200)}) {
				return
			}
		}
	}}
	if err := streamJSON(failWriter{}, r); err == nil {
		t.Fatal("streamJSON of streamed rows to a failing writer returned no error")
	}
	if made == 100000 {
		t.Error("every row was made although the writer had failed")
	}
}

// TestStreamJSONEachSameAsRows: a section whose rows are made as they are written
// (present.Section.Each) is written byte for byte as the same rows listed in Rows, with
// fields before and after "rows", as the first field written, and with no rows at all.
func TestStreamJSONEachSameAsRows(t *testing.T) {
	rows := []present.Row{
		{Key: "#0 PCR0 EV_NO_ACTION", Value: "a<b> \u202e \"q\"\n한국어", Detail: "d\ne", PCR: 0, Explain: present.T("e", "ㅎ")},
		{Key: "#1", PCR: -1, Cells: []string{"x"}},
	}
	seq := func(rs []present.Row) func(func(present.Row) bool) {
		return func(yield func(present.Row) bool) {
			for _, r := range rs {
				if !yield(r) {
					return
				}
			}
		}
	}
	for name, sec := range map[string]present.Section{
		"full":    {ID: "events", Title: present.T("Event log", "이벤트 로그"), Kind: present.Events, Note: present.T("n", ""), Body: "after"},
		"first":   {},
		"no rows": {ID: "events"},
		"one row": {ID: "x", Body: "b"},
	} {
		listed, streamed := sec, sec
		listed.Rows = rows
		streamed.Each = seq(rows)
		if name == "no rows" {
			listed.Rows, streamed.Each = nil, seq(nil)
		}
		if name == "one row" {
			listed.Rows, streamed.Each = rows[:1], seq(rows[:1])
		}
		for _, wrap := range []func(present.Section) any{
			func(s present.Section) any { return s },
			func(s present.Section) any {
				return jsonReport{Pages: []present.Page{{Step: "read-report", Sections: []present.Section{{ID: "before"}, s, {ID: "after"}}}}}
			},
		} {
			var want, got bytes.Buffer
			if err := streamJSON(&want, wrap(listed)); err != nil {
				t.Fatal(err)
			}
			if err := streamJSON(&got, wrap(streamed)); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s: streamed rows differ from listed rows:\n got %s\nwant %s", name, got.Bytes(), want.Bytes())
			}
		}
	}
}

// TestStreamedEventsPageSameAsListed: the Read report of real event logs, with the events'
// rows made as they are written (what -o json asks for), is written byte for byte as the
// page with every row listed (what the TUI and -o text get), and as MarshalIndent writes that.
func TestStreamedEventsPageSameAsListed(t *testing.T) {
	for _, name := range []string{azureLog, "gce-sevsnp-ubuntu2404-eventlog.bin"} {
		set := &evidence.Set{}
		if err := set.Add(name, realdata.Read(t, name)); err != nil {
			t.Fatal(err)
		}
		res := verify.Evidence(set, verify.Options{})
		listed := pages.Pager{}.ReadReport(set, res)
		streamed := pages.Pager{Stream: true}.ReadReport(set, res)
		events := 0
		for _, sec := range streamed.Sections {
			if sec.Each != nil {
				events++
			}
		}
		if events != 1 {
			t.Fatalf("%s: %d sections streamed, want the event log's", name, events)
		}
		want, err := json.MarshalIndent(listed, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(present.SafeJSON(want), '\n')
		var got bytes.Buffer
		if err := streamJSON(&got, streamed); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: the streamed page differs from the listed one (%d bytes against %d)", name, got.Len(), len(want))
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

type textName string

func (n textName) MarshalText() ([]byte, error) { return []byte("text:" + string(n)), nil }

type jsonNum int

func (n jsonNum) MarshalJSON() ([]byte, error) {
	return []byte(`{"n":` + string(rune('0'+n)) + `}`), nil
}

type inner struct {
	A string `json:"a,omitempty"`
}

type oddFields struct {
	Name    textName  `json:"name"`
	Num     jsonNum   `json:"num"`
	Nums    []jsonNum `json:"nums"`
	Quoted  int       `json:"quoted,string"`
	Skip    string    `json:"-"`
	NoTag   string
	Map     map[string]string `json:"map,omitempty"`
	Inner   inner             `json:"inner,omitempty"`
	Inners  []inner           `json:"inners"`
	Ptr     *inner            `json:"ptr,omitempty"`
	private string
}

type embeds struct {
	inner
	B string `json:"b"`
}

// TestStreamJSONOddTypes: types that encode themselves, string options, embedded
// structs, maps and pointers come out as encoding/json writes them.
func TestStreamJSONOddTypes(t *testing.T) {
	for name, v := range map[string]any{
		"odd":    oddFields{Name: "x", Num: 3, Nums: []jsonNum{1, 2}, Quoted: 7, Skip: "s", NoTag: "n", Map: map[string]string{"k": "v"}, Inners: []inner{{}, {A: "a"}}, Ptr: &inner{A: "p"}, private: "p"},
		"zero":   oddFields{},
		"embeds": []embeds{{inner: inner{A: "a"}, B: "b"}},
		"string lists": struct {
			Nil    []string   `json:"nil"`
			Empty  []string   `json:"empty"`
			Omit   []string   `json:"omit,omitempty"`
			Some   []string   `json:"some"`
			Named  []textName `json:"named"`
			Nested [][]string `json:"nested"`
		}{Empty: []string{}, Some: []string{"a<b>", "", "tab\t\"q\"\n", "한국어"}, Named: []textName{"n"}, Nested: [][]string{{"x"}, nil}},
	} {
		want, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := streamJSON(&got, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != string(want)+"\n" {
			t.Errorf("%s: streamed JSON differs from MarshalIndent:\n got %s\nwant %s", name, got.Bytes(), want)
		}
	}
}

// FuzzStreamJSONString: any string, valid UTF-8 or not, is written as encoding/json and
// SafeJSON write it. The seeds run as a test: each edge of str's fast path.
func FuzzStreamJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "line\nbreak", "tab\t", "cr\r", "\b\f\x00\x1f",
		"<>&", "\x7f", "\u0080\u009f\u00a0", "\u2028\u2029", "\u200e\u200f\u202a\u202e\u2066\u2069\u061c", "\u1fff\u2070",
		"한국어 검사", "\xff\xfe", "\xed\xa0\x80", "\ufffd", "emoji 🙂", "mixed \"한\"\n<b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want = append(present.SafeJSON(want), '\n')
		var got bytes.Buffer
		if err := streamJSON(&got, s); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%q: got %s, want %s", s, got.Bytes(), want)
		}
	})
}

// TestPlain8AgreesWithClasses: the word-at-a-time test passes exactly the words whose every
// byte is copied as it is, for each byte value at each position (the rest plain).
func TestPlain8AgreesWithClasses(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			if got, want := plain8(string(w)), asciiClass[c] == asciiCopy; got != want {
				t.Errorf("byte 0x%02x at %d: plain8 %v, want %v", c, pos, got, want)
			}
		}
	}
}
