package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// Logging is configured by two environment variables:
//
//	CVMSCOPE_LOG         info | debug | trace (default: warnings only; -v means debug)
//	CVMSCOPE_LOG_FORMAT  text (default) | json: one JSON object per line (log/slog's
//	                     JSONHandler), what log collectors ingest; info level by default,
//	                     so that each step's timing is logged
const (
	envLogLevel  = "CVMSCOPE_LOG"
	envLogFormat = "CVMSCOPE_LOG_FORMAT"
)

// logLevel is the level CVMSCOPE_LOG, -v and the format ask for.
func logLevel(verbose, json bool) slog.Level {
	level := slog.LevelWarn
	if json {
		level = slog.LevelInfo
	}
	switch strings.ToLower(os.Getenv(envLogLevel)) {
	case "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "trace":
		level = slog.LevelDebug - 4
	}
	if verbose && level > slog.LevelDebug {
		level = slog.LevelDebug
	}
	return level
}

func jsonLogs() bool { return strings.EqualFold(strings.TrimSpace(os.Getenv(envLogFormat)), "json") }

// newLogHandler writes text or JSON lines to w, with secrets taken out of every value.
func newLogHandler(w io.Writer, level slog.Leveler) slog.Handler {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr}
	if jsonLogs() {
		return slog.NewJSONHandler(safeJSONWriter{w}, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// safeJSONWriter escapes what encoding/json leaves raw but a terminal obeys (C1 and bidi
// controls) in each JSON log line: values such as an SSH user name are whatever a client
// sent, and logs are read with tail in a terminal. (The text handler quotes them already.)
type safeJSONWriter struct{ w io.Writer }

func (s safeJSONWriter) Write(p []byte) (int, error) {
	if _, err := s.w.Write(present.SafeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// setupLogging sends structured logs to stderr with -v, CVMSCOPE_LOG or
// CVMSCOPE_LOG_FORMAT=json, or to a file while the TUI owns the terminal. At the default
// level the TUI logs nowhere: a line on stderr would scroll its screen (the banner
// vanished after a step failed), and the TUI shows the failure itself.
func setupLogging(verbose bool, stderr io.Writer, tui bool) {
	level := logLevel(verbose, jsonLogs())
	w := stderr
	if tui && level >= slog.LevelWarn {
		w = io.Discard
	}
	if tui && level < slog.LevelWarn {
		f, err := os.OpenFile(fmt.Sprintf("%s/cvmscope-%d.log", os.TempDir(), os.Getpid()), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err == nil {
			w = f
			fmt.Fprintf(stderr, "cvmscope: logging to %s\n", f.Name())
		}
	}
	slog.SetDefault(slog.New(newLogHandler(w, level)))
}

// Secrets must never reach a log: attributes named like one are replaced, and so is any
// value that holds a JWT, a PEM private key or a bearer credential, whatever its name
// (an error message may quote a token). The patterns are compiled at the first record,
// not at every start of cvmscope (most runs log nothing).
var redaction = sync.OnceValue(func() (r struct{ secretKeys, jwt, pemKey, bearer *regexp.Regexp }) {
	r.secretKeys = regexp.MustCompile(`(?i)(token|jwt|secret|password|passwd|authorization|bearer|private|room.?code|api.?key|cookie)`)
	// A JWT's header is a JSON object: base64url of "{" and what follows it ('"', a space,
	// a tab or a line break) begins "ey" or "ew", not only "eyJ".
	r.jwt = regexp.MustCompile(`e[yw][A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	r.pemKey = regexp.MustCompile(`(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)`)
	r.bearer = regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`)
	return r
})

func redactAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindGroup {
		return a
	}
	if redaction().secretKeys.MatchString(a.Key) {
		return slog.String(a.Key, "[redacted]")
	}
	var s string
	switch a.Value.Kind() {
	case slog.KindString:
		s = a.Value.String()
	case slog.KindAny:
		// Any other value is judged as the handler would print it (a slice, a struct, bytes):
		// one that holds a secret is logged as its redacted text, losing its shape.
		switch v := a.Value.Any().(type) {
		case error:
			s = v.Error()
		case []byte:
			s = string(v)
		case fmt.Stringer:
			s = v.String()
		default:
			b, err := json.Marshal(v)
			if err != nil {
				b = fmt.Appendf(nil, "%+v", v)
			}
			s = string(b)
			if r := redactText(s); r != s {
				return slog.String(a.Key, r)
			}
			return a
		}
	default:
		return a
	}
	if r := redactText(s); r != s {
		return slog.String(a.Key, r)
	}
	return a
}

func redactText(s string) string {
	r := redaction()
	s = r.jwt.ReplaceAllString(s, "[redacted JWT]")
	s = r.pemKey.ReplaceAllString(s, "[redacted private key]")
	return r.bearer.ReplaceAllString(s, "$1 [redacted]")
}

// timedRunner logs each step as one event: which step, how long it took, its checks'
// verdicts and, when it failed, the kind of failure. Pages and evidence are never logged.
type timedRunner struct {
	workshop.Runner
	now func() time.Time
}

func withStepLog(r workshop.Runner) workshop.Runner { return timedRunner{Runner: r, now: time.Now} }

func (t timedRunner) Run(ctx context.Context, step workshop.StepID) (present.Page, error) {
	start := t.now()
	p, err := t.Runner.Run(ctx, step)
	logStep(ctx, step, t.now().Sub(start), p.Checks, err)
	return p, err
}

func logStep(ctx context.Context, step workshop.StepID, d time.Duration, checks check.List, err error) {
	c := checks.Counts()
	attrs := []any{"step", string(step), "title", step.Title().EN, "duration_ms", d.Milliseconds(),
		"pass", c[check.Pass], "fail", c[check.Fail], "warn", c[check.Warn], "skip", c[check.Skip]}
	if err != nil {
		slog.WarnContext(ctx, "step failed", append(attrs, "kind", fault.KindOf(err).String(), "err", err)...)
		return
	}
	slog.InfoContext(ctx, "step", attrs...)
}
