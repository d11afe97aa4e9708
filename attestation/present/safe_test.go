package present

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// hostile is what an attacker puts in a token, an event log, a certificate or a file name
// to take over a terminal; the tests of every output path use it.
var hostile = []string{
	"\x1b[2J",                     // clear the screen
	"\x1b]52;c;ZXZpbA==\x07",      // write the clipboard (OSC 52)
	"\x1b[32m[PASS]\x1b[0m",       // a fake green PASS
	"ok\rFAIL",                    // overwrite the line
	"evil\u202etxt.exe",           // right-to-left override
	"\u009b31mred",                // C1 CSI
	"a\u2066b\u2069c\u200e\u061c", // isolates and marks
	"bad\xff\xfeutf8",             // not UTF-8
	"line\nfake [PASS] line",      // a newline that fakes a line
	"del\x7f",                     // DEL
}

func TestSafe(t *testing.T) {
	for _, tc := range []struct{ in, want, lines string }{
		{"plain text", "plain text", "plain text"},
		{"이벤트 로그 — 한국어", "이벤트 로그 — 한국어", "이벤트 로그 — 한국어"},
		{"\x1b[2J", `\x1b[2J`, `\x1b[2J`},
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`, `\x1b]52;c;ZXZpbA==\x07`},
		{"\x1b[32m[PASS]\x1b[0m", `\x1b[32m[PASS]\x1b[0m`, `\x1b[32m[PASS]\x1b[0m`},
		{"a\rb", `a\rb`, `a\rb`},
		{"a\nb", `a\nb`, "a\nb"},
		{"a\tb", `a\tb`, "a    b"},
		{"evil\u202etxt", `evil\u202etxt`, `evil\u202etxt`},
		{"\u2066x\u2069\u200e\u200f\u061c\u202a", `\u2066x\u2069\u200e\u200f\u061c\u202a`, `\u2066x\u2069\u200e\u200f\u061c\u202a`},
		{"\u009b31m\u0080\u009f", `\u009b31m\u0080\u009f`, `\u009b31m\u0080\u009f`},
		{"x\x7f", `x\x7f`, `x\x7f`},
		{"\x00", `\x00`, `\x00`},
		{"bad\xff\xfe", `bad\xff\xfe`, `bad\xff\xfe`},
		{"é\xc3", `é\xc3`, `é\xc3`},                                        // a truncated sequence
		{"\u00a0\u00e9\u200b", "\u00a0\u00e9\u200b", "\u00a0\u00e9\u200b"}, // printable or harmless, kept
		{"", "", ""},
	} {
		if got := Safe(tc.in); got != tc.want {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := SafeLines(tc.in); got != tc.lines {
			t.Errorf("SafeLines(%q) = %q, want %q", tc.in, got, tc.lines)
		}
	}
	for _, h := range hostile {
		if bad, ok := unsafeIn(Safe(h), false); ok {
			t.Errorf("Safe(%q) still holds %q", h, bad)
		}
	}
}

// unsafeIn finds the first character in s that must not reach a terminal raw; newlines are
// allowed when lines is set.
func unsafeIn(s string, lines bool) (string, bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) && !(lines && r == '\n') {
			return s[i : i+n], true
		}
		i += n
	}
	return "", false
}

func TestSafeReturnsCleanTextUncopied(t *testing.T) {
	s := strings.Repeat("a3f1 한국어 ", 100)
	if got := Safe(s); unsafePointer(got) != unsafePointer(s) {
		t.Error("Safe copied text that needed nothing")
	}
	if n := testing.AllocsPerRun(100, func() { Safe(s) }); n != 0 {
		t.Errorf("Safe allocates %.0f times on clean text", n)
	}
}

func unsafePointer(s string) uintptr { return reflect.ValueOf(s).Pointer() }

// hostilePage fills every string of a page, however deep, with hostile text, so a field
// added later that Page.Safe forgets is caught here.
func hostilePage() Page {
	var p Page
	n := 0
	fill(reflect.ValueOf(&p).Elem(), &n)
	return p
}

func fill(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(hostile[*n%len(hostile)] + "x")
		*n++
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 3, 3))
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i), n)
		}
	}
}

// walk calls f with every string in v and its path.
func walk(v reflect.Value, path string, f func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		f(path, v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			walk(v.Field(i), path+"."+v.Type().Field(i).Name, f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), path+"[]", f)
		}
	}
}

func TestPageSafeCoversEveryString(t *testing.T) {
	p := hostilePage()
	orig := hostilePage()
	s := p.Safe()
	// Fields that are one line on screen must not keep a newline either.
	multi := map[string]bool{"Summary": true, "Note": true, "Body": true, "Explain": true, "Hint": true, "Detail": true, "DetailKO": true, "Copy": true}
	count := 0
	walk(reflect.ValueOf(s), "Page", func(path, str string) {
		count++
		parts := strings.Split(path, ".")
		lines := multi[parts[len(parts)-1]] || len(parts) > 1 && multi[parts[len(parts)-2]]
		if bad, ok := unsafeIn(str, lines); ok {
			t.Errorf("%s keeps %q: %q", path, bad, str)
		}
	})
	if count < 40 {
		t.Fatalf("walked only %d strings; the hostile page is not filled", count)
	}
	if !reflect.DeepEqual(p, orig) {
		t.Error("Safe changed the page it was called on")
	}

	clean := Page{Step: "verify-jwt", Title: T("Verify JWT", "JWT 검증"), Verdict: check.Pass,
		Sections: []Section{{ID: "claims", Kind: Fields, Rows: []Row{{Key: "x-ms-ver", Value: "1.0", PCR: -1, Detail: "a\nb"}}}},
		Checks:   check.List{check.Passf("jwt.signature", "RS256 with kid %s", "abc")}}
	if !reflect.DeepEqual(clean.Safe(), clean) {
		t.Errorf("Safe changed a clean page: %+v", clean.Safe())
	}
}

// encoding/json escapes C0 controls but writes DEL, C1 and bidi controls raw; SafeJSON
// escapes those too, and the document still decodes to the same strings.
func TestSafeJSON(t *testing.T) {
	p := hostilePage()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsRune(string(raw), '\u202e') || !strings.ContainsRune(string(raw), '\u009b') {
		t.Fatal("encoding/json now escapes bidi and C1 controls itself; SafeJSON may be simpler")
	}
	out := SafeJSON(raw)
	if bad, ok := unsafeIn(string(out), true); ok {
		t.Errorf("SafeJSON output keeps %q", bad)
	}
	var back, want Page
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("SafeJSON output is not JSON: %v", err)
	}
	json.Unmarshal(raw, &want)
	if !reflect.DeepEqual(back, want) {
		t.Error("SafeJSON changed the decoded values")
	}
	if clean := []byte(`{"a":"한국어"}`); &SafeJSON(clean)[0] != &clean[0] {
		t.Error("SafeJSON copied a clean document")
	}
}

// BenchmarkPageSafe is the cost the TUI pays for each page it is given: a clean page of
// 1,000 event rows, as a long event log is, copied with nothing to escape.
func BenchmarkPageSafe(b *testing.B) {
	rows := make([]Row, 1000)
	for i := range rows {
		rows[i] = Row{Key: "EV_EFI_VARIABLE_AUTHORITY", Cells: []string{"7", "db", "a3f1c2d4e5f60718293a4b5c6d7e8f90a3f1c2d4e5f60718293a4b5c6d7e8f90"},
			Explain: T("UEFI Secure Boot database entry used", "사용된 UEFI 보안 부팅 데이터베이스 항목"), Detail: "offset 4096, type 0x800000e0\nsha256 digest a3f1", PCR: 7}
	}
	p := Page{Title: T("Read report", "보고서 읽기"), Sections: []Section{{ID: "events", Kind: Events, Rows: rows}}}
	b.ReportAllocs()
	for b.Loop() {
		p.Safe()
	}
}
