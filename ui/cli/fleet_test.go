package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// fleetDirs lays out real evidence as a fleet would: one directory per VM.
func fleetDirs(t *testing.T) map[string][]string {
	t.Helper()
	real := realdata.Dir(t)
	sets := map[string][]string{
		"good-snp":   {"azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem", "azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin"},
		"wrong-vcek": {"azsnp-hcl-kinvolk-baefd3e1.bin", "amd-milan-vcek-ask-ark-kinvolk.pem"},
		"raw-snp":    {"snp-report-gosevguest.bin", "amd-milan-vcek-gosevguest.der"},
		"eventlog":   {"azsnp-eventlog-cvmmeasure-ncc40ads.bin"},
	}
	root := t.TempDir()
	out := map[string][]string{}
	for name, files := range sets {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(real, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
			out[dir] = append(out[dir], filepath.Join(dir, f))
		}
	}
	return out
}

// TestInspectEachMatchesInspect: each set's line says what inspect of that set alone
// says (its exit code and every check's verdict), lines come in argument order, and the
// exit code is the worst set's.
func TestInspectEachMatchesInspect(t *testing.T) {
	sets := fleetDirs(t)
	var dirs []string
	for d := range sets {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, dirs[0]) // a set given twice is verified twice
	var out, errOut bytes.Buffer
	code := Main(append([]string{"inspect", "--each", "-o", "json"}, dirs...), &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(dirs) {
		t.Fatalf("%d lines for %d sets:\n%s\nstderr: %s", len(lines), len(dirs), out.String(), errOut.String())
	}
	worst := 0
	for i, line := range lines {
		var r fleetResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
		}
		if r.Set != dirs[i] {
			t.Errorf("line %d is set %s, want %s (argument order)", i, r.Set, dirs[i])
		}
		var alone bytes.Buffer
		aloneCode := Main(append([]string{"inspect", "-o", "json"}, sets[dirs[i]]...), &alone, io.Discard)
		var want jsonReport
		if err := json.Unmarshal(alone.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if r.Exit != aloneCode || r.OK != want.OK {
			t.Errorf("%s: --each says exit %d ok %v, inspect alone exit %d ok %v", r.Set, r.Exit, r.OK, aloneCode, want.OK)
		}
		if got, w := verdicts(r.Checks), verdicts(want.Checks); got != w {
			t.Errorf("%s: checks differ from inspect alone:\n got %s\nwant %s", r.Set, got, w)
		}
		worst = worse(worst, r.Exit)
	}
	if worst != 2 || code != worst {
		t.Errorf("exit %d, want the worst set's (%d, and 2 for the wrong VCEK)", code, worst)
	}

	out.Reset()
	code = Main(append([]string{"inspect", "--each"}, dirs...), &out, io.Discard)
	text := out.String()
	if code != 2 || !strings.Contains(text, "PASS  "+dirs[0]) && !strings.Contains(text, "FAIL ") ||
		!strings.Contains(text, "snp.signature") || !strings.Contains(text, fmt.Sprintf("%d sets: ", len(dirs))) {
		t.Errorf("text (exit %d):\n%s", code, text)
	}
}

func verdicts(l check.List) string {
	var b strings.Builder
	for _, c := range l {
		fmt.Fprintf(&b, "%s[%s]=%s ", c.ID, c.Subject, c.Verdict)
	}
	return b.String()
}

// TestInspectEachMisuse: a missing path or an empty directory is named, with what to do,
// in words rather than the raw system call (no "stat …"), in English and Korean; exit 1,
// before anything is verified.
func TestInspectEachMisuse(t *testing.T) {
	empty := t.TempDir()
	missing := filepath.Join(empty, "missing")
	for _, tc := range []struct {
		arg, lang string
		want      []string
	}{
		{missing, "en", []string{missing + ": no such file or directory", "what to do: check the path"}},
		{missing, "ko", []string{missing + ": 그런 파일이나 디렉터리가 없습니다", "조치 방법: 경로를 확인합니다"}},
		{empty, "en", []string{empty + ": the directory holds no files"}},
		{empty, "ko", []string{empty + ": 디렉터리에 파일이 없습니다"}},
	} {
		var errOut bytes.Buffer
		code := Main([]string{"inspect", "--lang", tc.lang, "--each", tc.arg}, io.Discard, &errOut)
		for _, w := range tc.want {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("%s (%s): stderr lacks %q:\n%s", tc.arg, tc.lang, w, errOut.String())
			}
		}
		if code != 1 || strings.Contains(errOut.String(), "stat ") {
			t.Errorf("%s (%s): exit %d, stderr %q", tc.arg, tc.lang, code, errOut.String())
		}
	}
}

// TestInspectEachInterrupted: an interrupted fleet reports the sets it finished and
// exits 130 (unless a finished set failed integrity).
func TestInspectEachInterrupted(t *testing.T) {
	sets := fleetDirs(t)
	var args []string
	for d := range sets {
		args = append(args, d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := inspectEach(ctx, args, config{}, options{output: "json"}, "en", &out, &errOut)
	if code != 130 && code != 2 || !strings.Contains(errOut.String(), "interrupted after") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r fleetResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Set == "" {
			t.Errorf("reported line %q: %v", sc.Text(), err)
		}
	}
}

// TestWorseFollowsPrecedence: integrity beats everything, then TPM, network,
// interrupted, policy, misuse, success.
func TestWorseFollowsPrecedence(t *testing.T) {
	order := []int{2, 4, 3, 130, 5, 1, 0}
	for i, a := range order {
		for _, b := range order[i:] {
			if worse(a, b) != a || worse(b, a) != a {
				t.Errorf("worse(%d, %d) = %d, worse(%d, %d) = %d; want %d", a, b, worse(a, b), b, a, worse(b, a), a)
			}
		}
	}
}

// TestInspectEachFetchesOnce: a fleet's sets fetch the provider's keys once between them,
// a failure too (an unreachable or failing provider costs one try, not one per set), and
// no process-wide HTTP client is changed while they run.
func TestInspectEachFetchesOnce(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, failing := range []bool{false, true} {
		var meta, certs, swapped atomic.Int32
		var base string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if http.DefaultClient.Transport != nil {
				swapped.Add(1)
			}
			if failing {
				if r.URL.Path == "/certs" {
					certs.Add(1)
				} else {
					meta.Add(1)
				}
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
				return
			}
			switch r.URL.Path {
			case "/.well-known/openid-configuration":
				meta.Add(1)
				fmt.Fprintf(w, `{"jwks_uri":%q}`, base+"/certs")
			case "/certs":
				certs.Add(1)
				w.Write(jwksFor(t, "k", &key.PublicKey))
			default:
				http.NotFound(w, r)
			}
		}))
		base = srv.URL
		dir := t.TempDir()
		var files []string
		for i := range 6 {
			tok := signRS256(t, key, "k", map[string]any{"iss": base, "exp": 4102444800, "iat": 1700000000, "x-ms-ver": "1.0", "n": i})
			files = append(files, write(t, dir, fmt.Sprintf("vm%d.jwt", i), []byte(tok)))
		}
		var out, errOut bytes.Buffer
		code := Main(append([]string{"inspect", "--each", "--network", "-a", base, "-o", "json"}, files...), &out, &errOut)
		srv.Close()
		want := check.Pass
		if failing {
			want = check.Fail
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != len(files) {
			t.Fatalf("failing=%v: %d lines for %d sets (exit %d):\n%s\n%s", failing, len(lines), len(files), code, out.String(), errOut.String())
		}
		for _, line := range lines {
			var r fleetResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if v := r.Checks.Verdict("jwt.signature"); v != want {
				t.Errorf("failing=%v: %s: jwt.signature %s, want %s", failing, r.Set, v, want)
			}
		}
		if meta.Load() != 1 || certs.Load() != 1 {
			t.Errorf("failing=%v: the provider saw %d metadata and %d key-set requests for %d sets, want 1 and 1", failing, meta.Load(), certs.Load(), len(files))
		}
		if swapped.Load() != 0 {
			t.Errorf("failing=%v: http.DefaultClient's transport was replaced while the fleet ran", failing)
		}
	}
}

// TestInspectEachKorean: with --lang ko every verdict line and the summary are Korean (the
// set names, check IDs and exit codes stay as they are).
func TestInspectEachKorean(t *testing.T) {
	var dirs []string
	for d := range fleetDirs(t) {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, filepath.Join(t.TempDir(), "not-evidence.txt"))
	os.WriteFile(dirs[len(dirs)-1], []byte("hello"), 0o644)
	var out bytes.Buffer
	Main(append([]string{"inspect", "--lang", "ko", "--each"}, dirs...), &out, io.Discard)
	text := out.String()
	for _, en := range []string{"PASS", "FAIL", " passed", " warnings", " skipped", "more failed", " sets:", " exit "} {
		if strings.Contains(text, en) {
			t.Errorf("English %q in Korean output:\n%s", en, text)
		}
	}
	if !strings.Contains(text, fmt.Sprintf("증거 집합 %d개: 통과 ", len(dirs))) || !strings.Contains(text, "실패 2  ") {
		t.Errorf("Korean summary or verdicts missing:\n%s", text)
	}
}
