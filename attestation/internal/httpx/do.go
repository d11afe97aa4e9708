package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Defaults every client starts from; the README's "Guarantees" section quotes them.
const (
	// DefaultAttempt bounds one try of a request on the internet: connect, TLS, headers and
	// the whole body.
	DefaultAttempt = 10 * time.Second
	// DefaultMaxBody bounds every body read, error answers included; the largest answer
	// cvmscope expects (a JWKS, a TD quote, Intel's TCB info) is a few tens of KiB.
	DefaultMaxBody = 1 << 20
)

// Limits bound one request.
type Limits struct {
	// Attempt bounds one try; zero means DefaultAttempt. A shorter deadline on the caller's
	// context wins.
	Attempt time.Duration
	// Overall bounds a call with its retries (Get only; the MAA and IMDS clients apply their
	// own). Zero means no bound beyond the caller's context and the tries.
	Overall time.Duration
	// MaxBody bounds what is read; zero means DefaultMaxBody.
	MaxBody int64
}

func (l Limits) attempt() time.Duration {
	if l.Attempt > 0 {
		return l.Attempt
	}
	return DefaultAttempt
}

func (l Limits) maxBody() int64 {
	if l.MaxBody > 0 {
		return l.MaxBody
	}
	return DefaultMaxBody
}

// Request is one HTTP request; it is rebuilt for every try, so it can be sent again.
type Request struct {
	// Op names the request in messages as the user knows it, e.g. "Call MAA" or
	// "IMDS GET /metadata/instance".
	Op string
	// OpKO is Op in Korean for Korean messages; empty uses Op.
	OpKO   string
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Response is a complete answer: the body is read in full (within MaxBody) whatever the
// status, so an error answer is bounded like any other.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Duration time.Duration
}

// Failure is what went wrong with a try, in the terms a user can act on.
type Failure int

const (
	// Other is anything below: a TLS verification failure, a malformed answer, a proxy error.
	Other Failure = iota
	// Interrupted: the caller's context was cancelled (Ctrl-C, SIGTERM, Esc).
	Interrupted
	// Timeout: the connection was made (or still being made) and no answer came in time.
	Timeout
	// Unreachable: no connection at all: refused, no route, DNS.
	Unreachable
	// Dropped: the peer closed or reset the connection before the answer was complete.
	Dropped
	// TooLarge: the answer was longer than MaxBody and was refused.
	TooLarge
)

// Error is a failed try, phrased truthfully: interrupted, timed out, unreachable, dropped.
type Error struct {
	Failure Failure
	Op      string
	// OpKO names the request in Korean messages; empty uses Op.
	OpKO string
	// Host is host[:port] of the URL.
	Host string
	// Waited is the deadline that ran out (Timeout).
	Waited time.Duration
	// Bytes is how much of the body arrived before the drop; Answered says whether the
	// status line and headers had (Dropped).
	Bytes    int64
	Answered bool
	// Limit is MaxBody (TooLarge).
	Limit int64
	Err   error
}

func (e *Error) Error() string {
	switch e.Failure {
	case Interrupted:
		return e.Op + " interrupted (Ctrl-C/Esc): no answer was awaited"
	case Timeout:
		return fmt.Sprintf("%s: no answer within %s from %s (%v)", e.Op, roundDur(e.Waited), e.Host, RootCause(e.Err))
	case Unreachable:
		// A proxy that refuses is not the provider refusing: say which one it was.
		var op *net.OpError
		if errors.As(e.Err, &op) && op.Op == "proxyconnect" {
			return fmt.Sprintf("%s: cannot connect to %s through the proxy (proxyconnect %s): %v", e.Op, e.Host, proxyAddr(op), RootCause(e.Err))
		}
		return fmt.Sprintf("%s: cannot connect to %s: %v", e.Op, e.Host, RootCause(e.Err))
	case Dropped:
		if !e.Answered {
			return fmt.Sprintf("%s: connection dropped by %s before any answer (%v)", e.Op, e.Host, RootCause(e.Err))
		}
		return fmt.Sprintf("%s: connection dropped by %s mid-response (after %d bytes): %v", e.Op, e.Host, e.Bytes, RootCause(e.Err))
	case TooLarge:
		return fmt.Sprintf("%s: the answer from %s is larger than %d bytes; refused", e.Op, e.Host, e.Limit)
	}
	var re *RedirectError
	if errors.As(e.Err, &re) {
		return e.Op + ": " + re.Error()
	}
	return fmt.Sprintf("%s: %v", e.Op, e.Err)
}

// RedirectError is a redirect Do refused because it leaves the scheme and host:port of the
// URL the caller asked for.
type RedirectError struct{ From, To string }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected to %s; refused: cvmscope follows a redirect only within the scheme and host it was given", e.From, e.To)
}

// KO is Error in Korean.
func (e *RedirectError) KO() string {
	return fmt.Sprintf("%s가 %s로 리디렉션했습니다. 거부했습니다: cvmscope는 주어진 스킴과 호스트 안에서만 리디렉션을 따릅니다", e.From, e.To)
}

// sameOrigin is the redirect policy of every request: the hosts cvmscope talks to are the
// ones the caller pinned (a provider URL, kdsintf.amd.com, Intel PCS, IMDS), so a redirect
// to another host, or from https to http, would hand the fetch (and with 307/308 an attest
// POST's evidence) to a server nobody chose. Within the origin the client's own policy (by
// default at most 10 hops) still applies.
func sameOrigin(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(r *http.Request, via []*http.Request) error {
		first := via[0].URL
		if r.URL.Scheme != first.Scheme || !strings.EqualFold(r.URL.Host, first.Host) {
			return &RedirectError{From: redact(via[len(via)-1].URL.String()), To: redact(r.URL.String())}
		}
		if next != nil {
			return next(r, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// proxyAddr is the proxy a proxyconnect error is about: net/http leaves the error's own Addr
// empty and names the proxy on the dial error inside it.
func proxyAddr(op *net.OpError) string {
	for err := error(op); ; {
		var o *net.OpError
		if !errors.As(err, &o) {
			return "HTTPS_PROXY"
		}
		if o.Addr != nil {
			return o.Addr.String()
		}
		if err = o.Err; err == nil {
			return "HTTPS_PROXY"
		}
	}
}

// KO is Error in Korean, with the same facts. The transport's root cause (a Go or OS
// message such as "connection refused") is quoted as it is: it names the exact failure.
func (e *Error) KO() string {
	op := e.OpKO
	if op == "" {
		op = e.Op
	}
	switch e.Failure {
	case Interrupted:
		return op + " 중단됨(Ctrl-C/Esc): 응답을 기다리지 않았습니다"
	case Timeout:
		return fmt.Sprintf("%s: %s 안에 %s에서 응답이 없습니다: %v", op, roundDur(e.Waited), e.Host, RootCauseKO(e.Err))
	case Unreachable:
		var oe *net.OpError
		if errors.As(e.Err, &oe) && oe.Op == "proxyconnect" {
			return fmt.Sprintf("%s: 프록시(%s)를 통해 %s에 연결할 수 없습니다: %v", op, proxyAddr(oe), e.Host, RootCauseKO(e.Err))
		}
		return fmt.Sprintf("%s: %s에 연결할 수 없습니다: %v", op, e.Host, RootCauseKO(e.Err))
	case Dropped:
		if !e.Answered {
			return fmt.Sprintf("%s: 응답이 오기 전에 %s가 연결을 끊었습니다: %v", op, e.Host, RootCauseKO(e.Err))
		}
		return fmt.Sprintf("%s: 응답 도중(%d바이트 뒤) %s가 연결을 끊었습니다: %v", op, e.Bytes, e.Host, RootCauseKO(e.Err))
	case TooLarge:
		return fmt.Sprintf("%s: %s의 응답이 %d바이트보다 커서 거부했습니다", op, e.Host, e.Limit)
	}
	var re *RedirectError
	if errors.As(e.Err, &re) {
		return op + ": " + re.KO()
	}
	return op + "에 실패했습니다(" + fault.QuoteKO("시스템 메시지", e.Err.Error()) + ")"
}

// WithKorean gives err its Korean message and hint. When err is itself a *fault.Error
// without Korean, a copy of it carries them, so that one error holds kind, hints and Korean
// together and code reading the outermost fault.Error's Hint still finds it; otherwise it
// is fault.Korean.
func WithKorean(err error, msgKO, hintKO string) error {
	if fe, ok := err.(*fault.Error); ok && fe.KO == "" && fe.HintKO == "" {
		c := *fe
		c.KO, c.HintKO = msgKO, hintKO
		return &c
	}
	return fault.Korean(err, msgKO, hintKO)
}

// Korean wraps err with the Korean message of the *Error it holds (and hintKO), keeping its
// kind; an err without one gets hintKO only. Callers that add words around the *Error in
// English give their own Korean instead.
func Korean(err error, hintKO string) error {
	var e *Error
	if !errors.As(err, &e) {
		return WithKorean(err, "", hintKO)
	}
	return WithKorean(err, e.KO(), hintKO)
}

// Unwrap keeps the transport's error reachable (errors.Is ECONNREFUSED, x509 errors) and
// guarantees context.Canceled in an interrupted chain, which fault.KindOf reads as exit 130.
func (e *Error) Unwrap() []error {
	errs := []error{}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Failure == Interrupted && !errors.Is(e.Err, context.Canceled) {
		errs = append(errs, context.Canceled)
	}
	return errs
}

// FailureOf returns the failure class of err, Other when err holds no *Error.
func FailureOf(err error) Failure {
	var e *Error
	if errors.As(err, &e) {
		return e.Failure
	}
	return Other
}

// InterruptedError is the error for a call cancelled while not in a request, e.g. while
// waiting to retry.
func InterruptedError(op, rawURL string, cause error) *Error {
	return &Error{Failure: Interrupted, Op: op, Host: hostOf(rawURL), Err: cause}
}

// Fault classifies err for the exit code: an interrupted call is fault.Interrupted with
// advice that nothing was decided; anything else is fault.Network with hint. The Korean
// message is attached too (FaultKO gives a Korean hint as well).
func Fault(err error, hint string) error { return FaultKO(err, hint, "") }

// FaultKO is Fault with the hint in Korean too.
func FaultKO(err error, hint, hintKO string) error {
	if err == nil {
		return nil
	}
	if FailureOf(err) == Interrupted {
		return Korean(fault.WithHint(fault.Interrupted, err, "nothing was decided; run it again to get an answer"),
			"아무것도 판정하지 않았습니다. 결과를 얻으려면 다시 실행합니다")
	}
	return Korean(fault.WithHint(fault.Network, err, hint), hintKO)
}

// Do sends req once under a per-try deadline and reads the whole answer within the body
// limit. The error, if any, is an *Error.
func Do(ctx context.Context, c *http.Client, req Request, lim Limits) (*Response, error) {
	if c == nil {
		c = http.DefaultClient
	}
	held := *c
	held.CheckRedirect = sameOrigin(c.CheckRedirect)
	c = &held
	budget := lim.attempt()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < budget {
		budget = max(time.Until(dl), 0) // a deadline already past leaves no time, not less
	}
	actx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	start := time.Now()
	fail := func(f Failure, err error, bytes int64, answered bool) (*Response, error) {
		e := &Error{Failure: f, Op: req.Op, OpKO: req.OpKO, Host: hostOf(req.URL), Err: err, Bytes: bytes, Answered: answered}
		if f == Other {
			e.Failure, e.Waited = classify(ctx, actx, err), budget
			// A remembered no-answer (netcache.NoAnswer) returns at once: the wait it
			// reports is the one that ran out when it was asked, not this attempt's budget.
			var w interface{ WaitedFor() time.Duration }
			if e.Failure == Timeout && errors.As(err, &w) {
				e.Waited = w.WaitedFor()
			}
		}
		if e.Failure == TooLarge {
			e.Limit = lim.maxBody()
		}
		logExchange(ctx, req, 0, time.Since(start), bytes, e)
		return nil, e
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(actx, req.Method, req.URL, body)
	if err != nil {
		return fail(Other, err, 0, false)
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	resp, err := c.Do(hr)
	if err != nil {
		return fail(Other, err, 0, false)
	}
	defer resp.Body.Close()
	cr := &countingReader{r: resp.Body}
	b, err := io.ReadAll(io.LimitReader(cr, lim.maxBody()+1))
	if err != nil {
		return fail(Other, err, cr.n, true)
	}
	if int64(len(b)) > lim.maxBody() {
		return fail(TooLarge, nil, cr.n, true)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Duration: time.Since(start)}
	logExchange(ctx, req, r.Status, r.Duration, int64(len(b)), nil)
	return r, nil
}

// Get sends req (idempotent by nature) under lim.Overall, retrying once at once when the
// connection dropped; any answer, whatever its status, is returned for the caller to judge.
func Get(ctx context.Context, c *http.Client, req Request, lim Limits) (*Response, error) {
	if lim.Overall > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Overall)
		defer cancel()
	}
	var r Retries
	for {
		resp, err := Do(ctx, c, req, lim)
		if err == nil || !r.DroppedAgain(ctx, err) {
			return resp, err
		}
	}
}

// Retries carries the shared retry rule across the tries of one call.
type Retries struct{ drops int }

// Worth reports whether a failed try deserves another, the attempt budget permitting: never
// after the caller cancelled or its deadline passed; a dropped connection once per call (a
// proxy or a restart may cut one, two is a pattern); a try that timed out while the call
// still has time. An unreachable host, a refused TLS handshake or an oversized answer will
// not fix themselves in a second.
func (r *Retries) Worth(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch FailureOf(err) {
	case Dropped:
		r.drops++
		return r.drops == 1
	case Timeout:
		return true
	}
	return false
}

// DroppedAgain is Worth limited to drops, for callers that retry nothing else.
func (r *Retries) DroppedAgain(ctx context.Context, err error) bool {
	return FailureOf(err) == Dropped && r.Worth(ctx, err)
}

// classify reads a transport error. The caller's context decides first: once it is
// cancelled, whatever the transport says (a dial "operation was canceled", a reset) is an
// interruption, not a fact about the network.
func classify(ctx, actx context.Context, err error) Failure {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return Interrupted
	case ctx.Err() != nil || actx.Err() != nil:
		return Timeout
	}
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial",
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return Unreachable
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return Dropped
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout
	}
	return Other
}

// RootCause is the innermost error, without the url.Error, net.OpError and *Error wrapping;
// of several wrapped errors it follows the first.
func RootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if m, ok := err.(interface{ Unwrap() []error }); ok && len(m.Unwrap()) > 0 {
			u = m.Unwrap()[0]
		}
		if u == nil {
			return err
		}
		err = u
	}
}

// RootCauseKO is RootCause in Korean for the transport failures a user meets (refused,
// reset, unreachable, name not found, timed out, cut short), with the system's own words
// quoted after it (fault.QuoteKO) so the exact cause stays searchable; anything else is
// RootCause quoted as it is.
func RootCauseKO(err error) string {
	cause := RootCause(err)
	var dns *net.DNSError
	var ko string
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		ko = "호스트 이름을 찾을 수 없습니다"
	case errors.As(err, &dns):
		ko = "DNS 조회에 실패했습니다"
	case errors.Is(err, syscall.ECONNREFUSED):
		ko = "연결이 거부되었습니다"
	case errors.Is(err, syscall.ECONNRESET):
		ko = "상대가 연결을 재설정했습니다"
	case errors.Is(err, syscall.EPIPE):
		ko = "상대가 연결을 닫았습니다"
	case errors.Is(err, syscall.EHOSTUNREACH):
		ko = "호스트에 닿을 수 없습니다"
	case errors.Is(err, syscall.ENETUNREACH):
		ko = "네트워크에 닿을 수 없습니다"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		ko = "응답이 끝나기 전에 연결이 끊겼습니다"
	case errors.Is(err, context.DeadlineExceeded):
		ko = "제한 시간이 지났습니다"
	case errors.Is(err, context.Canceled):
		ko = "취소되었습니다"
	}
	if cause == nil {
		return ko
	}
	quoted := fault.QuoteKO("시스템 메시지", cause.Error())
	if ko == "" {
		return quoted
	}
	return ko + "(" + quoted + ")"
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// logExchange logs one try at debug level (-v): what was asked, how it ended and how big the
// answer was. Never headers or bodies: they carry tokens, keys and evidence.
func logExchange(ctx context.Context, req Request, status int, d time.Duration, size int64, err *Error) {
	if !slog.Default().Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"op", req.Op, "method", req.Method, "url", redact(req.URL), "duration", d.Round(time.Millisecond), "bytes", size}
	if err != nil {
		attrs = append(attrs, "failure", err.Failure.String())
	} else {
		attrs = append(attrs, "status", status)
	}
	slog.DebugContext(ctx, "http", attrs...)
}

func (f Failure) String() string {
	return [...]string{"other", "interrupted", "timeout", "unreachable", "dropped", "too-large"}[f]
}

// redact drops user info and the query, the two places a URL might carry a secret.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// roundDur prints a deadline the way it was configured: whole seconds from 2 s, otherwise
// milliseconds.
func roundDur(d time.Duration) time.Duration {
	if d >= 2*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
