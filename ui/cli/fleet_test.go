package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// TestInspectEachMisuse: a missing path or an empty directory is named, exit 1, before
// anything is verified.
func TestInspectEachMisuse(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{{filepath.Join(empty, "missing")}, {empty}} {
		var errOut bytes.Buffer
		code := Main(append([]string{"inspect", "--each"}, args...), io.Discard, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), args[0]) {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
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

// TestFetchOnce: while a fleet runs, repeated GETs of one URL reach the server once, even
// when they arrive together; other methods and other URLs go through; afterwards the
// default client is as it was.
func TestFetchOnce(t *testing.T) {
	var hits, posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		} else {
			hits.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	defer srv.Close()
	before := http.DefaultClient.Transport
	restore := fetchOnce()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/certs"
			if i%10 == 0 {
				path = "/other"
			}
			resp, err := http.DefaultClient.Get(srv.URL + path)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || string(b) != fmt.Sprintf(`{"path":%q}`, path) || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("answer %d %q %v", resp.StatusCode, b, resp.Header)
			}
		}()
	}
	wg.Wait()
	for range 2 {
		resp, err := http.DefaultClient.Post(srv.URL+"/certs", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	restore()
	if hits.Load() != 2 || posts.Load() != 2 {
		t.Errorf("server saw %d GETs (want 2: one per URL) and %d POSTs (want 2)", hits.Load(), posts.Load())
	}
	if http.DefaultClient.Transport != before {
		t.Error("the default client's transport was not put back")
	}
}
