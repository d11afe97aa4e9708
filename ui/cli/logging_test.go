package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// jsonLines parses every line of b as one JSON object.
func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not one JSON object: %v\n%s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// stepRunner is a workshop.Runner whose steps take a fixed time on a fake clock.
type stepRunner struct {
	workshop.Runner
	clock *time.Time
	err   error
}

func (s stepRunner) Run(ctx context.Context, step workshop.StepID) (present.Page, error) {
	*s.clock = s.clock.Add(1500 * time.Millisecond)
	return present.Page{Checks: check.List{check.Passf("a", "ok"), check.Failf("b", "no"), check.Warnf("c", "hm")}}, s.err
}

func TestJSONLogsStepTimingsAndRedaction(t *testing.T) {
	t.Setenv(envLogFormat, "json")
	t.Setenv(envLogLevel, "")
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	var buf bytes.Buffer
	setupLogging(false, &buf, false)

	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []workshop.StepID{"read-report", "call-maa"}
	r := timedRunner{Runner: stepRunner{clock: &clock}, now: func() time.Time { return clock }}
	if _, err := r.Run(context.Background(), steps[0]); err != nil {
		t.Fatal(err)
	}
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJuYW1lIjoiY3Ztc2NvcGUifQ.c2lnbmF0dXJlLWJ5dGVz"
	failing := timedRunner{Runner: stepRunner{clock: &clock, err: errors.New("MAA said no to " + jwt)}, now: func() time.Time { return clock }}
	_, _ = failing.Run(context.Background(), steps[1])
	slog.Info("exchange", "token", "abc", "authorization", "Bearer abcdefghijkl", "note", "sent Bearer abcdefghijklmnop",
		"pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "public", "HCLAkPub")

	lines := jsonLines(t, buf.Bytes())
	if len(lines) != 3 {
		t.Fatalf("want 3 events, got %d:\n%s", len(lines), buf.String())
	}
	ok, bad, ex := lines[0], lines[1], lines[2]
	if ok["msg"] != "step" || ok["step"] != "read-report" || ok["duration_ms"] != float64(1500) || ok["pass"] != float64(1) || ok["fail"] != float64(1) || ok["warn"] != float64(1) || ok["level"] != "INFO" {
		t.Errorf("step event: %v", ok)
	}
	if bad["msg"] != "step failed" || bad["level"] != "WARN" || bad["duration_ms"] != float64(1500) || !strings.Contains(bad["err"].(string), "[redacted JWT]") {
		t.Errorf("failed step event: %v", bad)
	}
	if strings.Contains(buf.String(), jwt) || strings.Contains(buf.String(), "abcdefghijkl") || strings.Contains(buf.String(), "MIIB") {
		t.Errorf("a secret reached the log:\n%s", buf.String())
	}
	if ex["token"] != "[redacted]" || ex["authorization"] != "[redacted]" || ex["public"] != "HCLAkPub" || ex["note"] != "sent Bearer [redacted]" {
		t.Errorf("redaction: %v", ex)
	}
}

// Without CVMSCOPE_LOG_FORMAT the logs stay text, warnings only, and steps are not logged.
func TestTextLogsByDefault(t *testing.T) {
	t.Setenv(envLogFormat, "")
	t.Setenv(envLogLevel, "")
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	var buf bytes.Buffer
	setupLogging(false, &buf, false)
	clock := time.Now()
	_, _ = timedRunner{Runner: stepRunner{clock: &clock}, now: func() time.Time { return clock }}.Run(context.Background(), "read-report")
	slog.Warn("something", "token", "abc")
	if s := buf.String(); strings.Contains(s, "step") || !strings.HasPrefix(s, "time=") || !strings.Contains(s, "token=[redacted]") {
		t.Errorf("text log: %q", s)
	}
}

// End to end: a headless inspect with CVMSCOPE_LOG_FORMAT=json writes only JSON lines to
// stderr, one per step, and its report to stdout as before.
func TestInspectJSONLogs(t *testing.T) {
	dir := realDir(t)
	t.Setenv(envLogFormat, "json")
	t.Setenv(envLogLevel, "")
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	r := runCLI(t, append([]string{"inspect", "-o", "json", "--now", "2025-06-01T00:00:00Z"}, files(dir, "azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")...)...)
	if !r.report.OK && r.report.Checks == nil {
		t.Fatalf("no report on stdout: %s", r.stdout)
	}
	var steps int
	for _, l := range jsonLines(t, []byte(r.stderr)) {
		if l["msg"] == "step" || l["msg"] == "step failed" {
			steps++
			if _, ok := l["duration_ms"].(float64); !ok {
				t.Errorf("step event without duration_ms: %v", l)
			}
		}
	}
	if steps == 0 {
		t.Errorf("no step events in stderr:\n%s", r.stderr)
	}
}

// TestTUIKeepsWarningsOffTheTerminal: at the default level a warning (a failed step) must
// not reach stderr while the TUI owns the terminal, where the line scrolled the screen and
// the banner vanished; headless, the same warning is written.
func TestTUIKeepsWarningsOffTheTerminal(t *testing.T) {
	t.Setenv(envLogFormat, "")
	t.Setenv(envLogLevel, "")
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	for _, tui := range []bool{true, false} {
		var buf bytes.Buffer
		setupLogging(false, &buf, tui)
		slog.Warn("step failed", "step", "call-maa")
		if got := buf.String(); (got != "") != !tui {
			t.Errorf("tui=%v: stderr got %q", tui, got)
		}
	}
}

// TestNoRegexpCompiledAtStart: cvmscope's commands start by loading this package, so its
// package-level variables must not compile regular expressions (the log redaction patterns
// did, at every start, for runs that log nothing): compile at first use (sync.OnceValue).
func TestNoRegexpCompiledAtStart(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("the package's files: %v (%d)", err, len(files))
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					// Only direct calls run at load; a function literal (OnceValue's) runs later.
					ast.Inspect(v, func(n ast.Node) bool {
						if _, lit := n.(*ast.FuncLit); lit {
							return false
						}
						if sel, ok := n.(*ast.SelectorExpr); ok {
							if id, ok := sel.X.(*ast.Ident); ok && id.Name == "regexp" && strings.HasPrefix(sel.Sel.Name, "MustCompile") {
								t.Errorf("%s: a package variable compiles a regexp at start; compile it at first use (sync.OnceValue)", fset.Position(sel.Pos()))
							}
						}
						return true
					})
				}
			}
		}
	}
}
