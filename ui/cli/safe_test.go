package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// hostile is what an attacker puts in a token, an event log, a certificate, an HTTP error
// body or a file name to take over the terminal of whoever inspects it.
var hostile = []struct{ name, s, shown string }{
	{"clear screen", "\x1b[2J", `\x1b[2J`},
	{"OSC 52 clipboard", "\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},
	{"fake PASS", "\x1b[32m[PASS]\x1b[0m", `\x1b[32m[PASS]\x1b[0m`},
	{"carriage return", "ok\rFAIL", `ok\rFAIL`},
	{"bidi override", "evil\u202etxt", `evil\u202etxt`},
	{"C1 CSI", "\u009b31mred", `\u009b31mred`},
	{"newline", "a\n  pass jwt.signature: fake", `a\n  pass jwt.signature: fake`},
}

// terminalUnsafe finds the first character in out that a terminal would obey: any C0
// control but newline, DEL, a C1 control, a bidi control, or a byte that is not UTF-8.
func terminalUnsafe(out string) (string, bool) {
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && n == 1,
			r < 0x20 && r != '\n', r >= 0x7f && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			lo := max(i-20, 0)
			return out[lo:min(i+20, len(out))], true
		}
		i += n
	}
	return "", false
}

func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	if near, bad := terminalUnsafe(out); bad {
		t.Errorf("%s writes a raw control character near %q", what, near)
	}
}

// hostileToken is an unsigned-looking JWT whose kid, jku, iss, claim names and claim values
// (top level and nested) all carry s. The issuer is no Azure provider, so nothing is fetched.
func hostileToken(t *testing.T, s string) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": "kid" + s, "jku": "https://keys.example/" + s}
	claims := map[string]any{
		"iss": "https://issuer" + s + ".example", "iat": 1700000000, "nbf": 1700000000, "exp": 1700003600,
		"x-ms-attestation-type": "sevsnpvm" + s,
		"claim" + s:             "value" + s,
		"x-ms-runtime":          map[string]any{"keys": []any{map[string]any{"kid": s, "kty": "RSA"}}, "user" + s: s},
		"한국어":                   "값" + s,
	}
	return enc(header) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 256))
}

// Every hostile string in a token reaches -o text of verify and inspect, and stderr,
// escaped: no control character gets through, and the escaped form is shown, so nothing
// is hidden from the reader either.
func TestHostileTokenTextIsEscaped(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "token.jwt")
			if err := os.WriteFile(path, []byte(hostileToken(t, h.s)), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, cmd := range []string{"verify", "inspect"} {
				r := runCLI(t, cmd, "-o", "text", "--lang", "en", "--now", "2023-11-14T23:00:00Z", path)
				if r.code != 2 {
					t.Errorf("%s: exit code %d, want 2 (the signature cannot verify)\n%s%s", cmd, r.code, r.stdout, r.stderr)
				}
				assertTerminalSafe(t, cmd+" -o text stdout", r.stdout)
				assertTerminalSafe(t, cmd+" -o text stderr", r.stderr)
				for _, want := range []string{"claim" + h.shown, "kid" + h.shown, "value" + h.shown, "https://issuer" + h.shown + ".example"} {
					if !strings.Contains(r.stdout, want) {
						t.Errorf("%s -o text does not show %q escaped", cmd, want)
					}
				}
				if !strings.Contains(r.stdout, "한국어: 값") {
					t.Errorf("%s -o text mangles Hangul", cmd)
				}
			}
		})
	}
}

// -o json keeps every value exactly (a program reads it), yet a terminal showing it obeys
// nothing: encoding/json escapes C0 controls, writeJSON escapes DEL, C1 and bidi.
func TestHostileTokenJSONIsEscapedAndExact(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "token.jwt")
			os.WriteFile(path, []byte(hostileToken(t, h.s)), 0o600)
			r := runCLI(t, "verify", "-o", "json", "--now", "2023-11-14T23:00:00Z", path)
			assertTerminalSafe(t, "verify -o json", r.stdout)
			assertTerminalSafe(t, "verify -o json stderr", r.stderr)
			found := false
			for _, p := range r.report.Pages {
				for _, s := range p.Sections {
					for _, row := range s.Rows {
						if row.Key == "claim"+h.s && row.Value == "value"+h.s {
							found = true
						}
					}
				}
			}
			if !found {
				t.Errorf("the JSON report does not hold the claim exactly as the token has it\n%s", r.stdout)
			}
		})
	}
}

// File names are chosen by whoever hands over the evidence: an existing one shows in the
// banner and in check subjects, a missing one in the error on stderr.
func TestHostileFileNamesAreEscaped(t *testing.T) {
	names := append([]struct{ name, s, shown string }{{"not UTF-8", "bad\xff\xfe", `bad\xff\xfe`}}, hostile...)
	for _, h := range names {
		if strings.ContainsAny(h.s, "/\x00") {
			continue
		}
		t.Run(h.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "tok"+h.s+".jwt")
			if err := os.WriteFile(path, []byte(hostileToken(t, "")), 0o600); err != nil {
				t.Skipf("this file system refuses the name: %v", err)
			}
			r := runCLI(t, "inspect", "-o", "text", "--now", "2023-11-14T23:00:00Z", path)
			assertTerminalSafe(t, "inspect -o text of a hostile file name", r.stdout+r.stderr)
			if !strings.Contains(r.stdout, "tok"+h.shown+".jwt") {
				t.Errorf("the banner does not name the file escaped:\n%s", r.stdout)
			}

			missing := filepath.Join(dir, "gone"+h.s+".jwt")
			for _, cmd := range []string{"inspect", "verify"} {
				r = runCLI(t, cmd, "-o", "text", missing)
				if r.code != 1 {
					t.Errorf("%s of a missing file: exit code %d, want 1", cmd, r.code)
				}
				assertTerminalSafe(t, cmd+" error on stderr", r.stderr)
				if !strings.Contains(r.stderr, "gone"+h.shown+".jwt") {
					t.Errorf("%s: the error does not name the file escaped: %q", cmd, r.stderr)
				}
			}
		})
	}
}

// writeText makes every string of every page safe, whatever field it is in: a page with
// hostile text in each of its strings is written without one raw control character.
func TestWriteTextEscapesEveryField(t *testing.T) {
	var page present.Page
	n := 0
	fillHostile(reflect.ValueOf(&page).Elem(), &n)
	for _, lang := range []present.Lang{present.EN, present.KO} {
		var b bytes.Buffer
		banner := workshop.Banner{Source: evidence.SourceFiles, Text: present.T("Files"+hostile[0].s, "파일"+hostile[1].s), Detail: "a.jwt " + hostile[2].s}
		writeText(&b, banner, []present.Page{page}, page.Checks, lang)
		assertTerminalSafe(t, "writeText("+string(lang)+")", b.String())
		if !strings.Contains(b.String(), hostile[2].shown) {
			t.Errorf("writeText drops the escaped text instead of showing it:\n%s", b.String())
		}
	}
}

// fillHostile puts a hostile string in every string of v, however deep.
func fillHostile(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("f" + hostile[*n%len(hostile)].s)
		*n++
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillHostile(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < v.Len(); i++ {
			fillHostile(v.Index(i), n)
		}
	}
}

func TestEprintfEscapesArgumentsNotTheFormat(t *testing.T) {
	var b bytes.Buffer
	eprintf(&b, "cvmscope: %v\n  %q %s %d\n", os.ErrNotExist, "x\x1b", hostile[0].s+"\n", 7)
	want := "cvmscope: file does not exist\n  \"x\\x1b\" \\x1b[2J\\n 7\n"
	if b.String() != want {
		t.Errorf("eprintf wrote %q, want %q", b.String(), want)
	}
}

// A provider's answer is untrusted too: an error body is quoted in the maa.call check, the
// response page and the error on stderr, and a "token" reaches -o token.
func TestHostileProviderAnswerIsEscaped(t *testing.T) {
	answer := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	errURL := answer(400, `{"error":{"code":"InvalidParameter","message":"bad `+hostile[1].s+hostile[0].s+hostile[4].s+`"}}`)
	r := runCLI(t, "--platform", "sim", "-a", errURL, "-o", "text", "--lang", "en")
	if r.code == 0 {
		t.Fatalf("a 400 from the provider exited 0\n%s", r.stderr)
	}
	assertTerminalSafe(t, "-o text of an HTTP error body", r.stdout)
	assertTerminalSafe(t, "stderr of an HTTP error body", r.stderr)
	for what, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if !strings.Contains(out, "bad "+hostile[1].shown+hostile[0].shown+hostile[4].shown) {
			t.Errorf("%s does not show the error body escaped:\n%s", what, out)
		}
	}

	// The platform flow takes the token from the JSON answer as it is.
	tokURL := answer(200, `{"token":"aaa.\u001b[2Jbbb.ccc"}`)
	r = runCLI(t, "--platform", "sim", "--flow", "platform", "-a", tokURL, "-o", "token")
	assertTerminalSafe(t, "-o token", r.stdout+r.stderr)
	if got := strings.TrimSpace(r.stdout); got != `aaa.\x1b[2Jbbb.ccc` {
		t.Errorf("-o token printed %q", got)
	}
}
