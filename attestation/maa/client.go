package maa

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// MaxResponseBytes bounds what is read from MAA; real tokens are a few KiB.
const MaxResponseBytes = 1 << 20

// Default time limits of a call: MAA answers in a second or two, so a try that takes 10 s
// is stuck, and three tries with their waits fit in a minute.
const (
	DefaultAttemptTimeout = 10 * time.Second
	DefaultTimeout        = 60 * time.Second
)

// Attempt is one HTTP try.
type Attempt struct {
	Status     int           `json:"status,omitempty"`
	Duration   time.Duration `json:"duration"`
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	Err        string        `json:"error,omitempty"`
	// ErrKO is Err in Korean, for display; bundles keep the English only.
	ErrKO string `json:"-"`
}

// Exchange is everything about one call, for display and for the evidence bundle.
type Exchange struct {
	URL          string        `json:"url"`
	Status       int           `json:"status"`
	Duration     time.Duration `json:"duration"`
	Attempts     []Attempt     `json:"attempts"`
	RequestBody  []byte        `json:"request_body,omitempty"`
	ResponseBody []byte        `json:"response_body,omitempty"`
}

// Client calls one MAA provider.
type Client struct {
	// Base is scheme and host of the provider, e.g. https://sharedkrc.krc.attest.azure.net.
	Base string
	HTTP *http.Client
	// MaxAttempts bounds tries per call, the first included (3, as AZ-CPP).
	MaxAttempts int
	// AttemptTimeout bounds one try: connect, TLS, headers and the whole answer.
	AttemptTimeout time.Duration
	// Timeout bounds the whole call, retries and waits included; the caller's context
	// (Ctrl-C, Esc) can end it sooner. Zero means only the caller's context.
	Timeout time.Duration
	// Backoff is the first wait before a retry; it doubles each time. Retry-After wins when longer.
	Backoff time.Duration
	// MaxRetryAfter is the longest Retry-After we agree to wait; a longer one ends the call.
	MaxRetryAfter time.Duration
	// MaxJitter spreads retries of many VMs apart.
	MaxJitter time.Duration
	// Sleep and Now are replaceable so tests run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// NewClient builds a client for base (normalized to scheme and host). The proxy comes from
// the environment (HTTPS_PROXY, NO_PROXY): MAA usually must go through the corporate proxy,
// unlike IMDS. TLS is always verified; trustLoopback, an emulator's test CA, then replaces
// the system roots, and is refused for an Azure provider's host, so it can never vouch for
// a real provider.
func NewClient(base string, trustLoopback *x509.CertPool) (*Client, error) {
	b, err := Normalize(base)
	if err != nil {
		return nil, fault.New(fault.Internal, err)
	}
	u, _ := url.Parse(b)
	loop := httpx.IsLoopback(u.Hostname())
	if u.Scheme == "http" && !loop {
		return nil, fault.Errorf(fault.Internal, "attestation URL %s: plain http is allowed only for a loopback emulator; use https", b)
	}
	// A private root (the emulator's test CA, on loopback or through --emulator-ca for a
	// room's emulator elsewhere) only lets the transport connect; it must never stand in
	// for the public PKI of a real provider.
	if trustLoopback != nil && IsAzureHost(b) {
		return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("attestation URL %s: a private root (--emulator-ca) is for an emulator, never for an Azure attestation provider", b),
			"drop --emulator-ca: an Azure provider's TLS is checked against the system's roots, as it must be"),
			fmt.Sprintf("증명 URL %s: 사설 루트(--emulator-ca)는 에뮬레이터에만 쓰며 Azure 증명 공급자에는 절대 쓰지 않습니다", b),
			"--emulator-ca를 뺍니다. Azure 공급자의 TLS는 시스템 루트로 검증해야 합니다")
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if trustLoopback != nil {
		tlsConf.RootCAs = trustLoopback
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   10 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &Client{
		Base: b, HTTP: &http.Client{Transport: tr},
		MaxAttempts: 3, AttemptTimeout: DefaultAttemptTimeout, Timeout: DefaultTimeout, Backoff: time.Second,
		MaxRetryAfter: 30 * time.Second, MaxJitter: time.Second,
		Sleep: sleepCtx, Now: time.Now,
	}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Attest POSTs body to path (PathAzureGuest and friends) and returns the exchange; on
// failure the exchange is returned too, so every attempt can be shown. Attestation is
// idempotent, so a dropped connection is retried like a GET would be.
func (c *Client) Attest(ctx context.Context, path string, body []byte) (*Exchange, error) {
	ex := &Exchange{URL: strings.TrimRight(c.Base, "/") + path, RequestBody: body}
	start := c.now()
	defer func() { ex.Duration = c.now().Sub(start) }()
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	attempts := max(c.MaxAttempts, 1)
	backoff := c.Backoff
	var retries httpx.Retries
	for i := 1; ; i++ {
		reportProgress(ctx, Progress{Attempt: i, MaxAttempts: attempts, Elapsed: c.now().Sub(start)})
		a, resp, err := c.once(ctx, ex.URL, body)
		ex.Attempts = append(ex.Attempts, a)
		if err != nil {
			if i < attempts && retries.Worth(ctx, err) {
				reportProgress(ctx, Progress{Attempt: i, MaxAttempts: attempts, Wait: backoff, Err: a.Err, Elapsed: c.now().Sub(start)})
				if serr := c.wait(ctx, backoff); serr != nil {
					return ex, c.connError(ex.URL, c.stoppedWaiting(ex.URL, err, serr), i)
				}
				backoff *= 2
				continue
			}
			return ex, c.connError(ex.URL, err, i)
		}
		ex.Status, ex.ResponseBody = a.Status, resp
		if a.Status == http.StatusOK {
			return ex, nil
		}
		se := ParseServiceError(a.Status, resp)
		if !retryableStatus(a.Status) || i >= attempts {
			return ex, c.serviceFault(se, i)
		}
		wait := max(backoff, a.RetryAfter)
		if a.RetryAfter > c.maxRetryAfter() {
			return ex, se.fault(fault.Network, fmt.Sprintf(" (asked to retry after %s, longer than cvmscope waits)", a.RetryAfter),
				fmt.Sprintf(" (%s 뒤에 다시 시도하라는 응답이지만 cvmscope가 기다리는 시간보다 깁니다)", a.RetryAfter))
		}
		if beyondDeadline(ctx, wait) {
			// Better to say so now than to sleep and fail.
			return ex, se.fault(fault.Network, fmt.Sprintf(" (the next try, in %s, would come after the call's time limit)", wait.Round(time.Millisecond)),
				fmt.Sprintf(" (%s 뒤의 다음 시도는 호출 제한 시간을 넘깁니다)", wait.Round(time.Millisecond)))
		}
		reportProgress(ctx, Progress{Attempt: i, MaxAttempts: attempts, Wait: wait, Status: a.Status, Elapsed: c.now().Sub(start)})
		if err := c.wait(ctx, wait); err != nil {
			if errors.Is(err, context.Canceled) {
				return ex, httpx.Fault(interrupted(ex.URL, err), "")
			}
			return ex, se.fault(fault.Network, "; the call's time ran out while waiting to retry", ". 다시 시도를 기다리는 동안 호출 시간이 다 되었습니다")
		}
		backoff *= 2
	}
}

// callOp names the attest request in messages as the Call MAA step does; callOpKO is
// its Korean name.
const (
	callOp   = "Call MAA"
	callOpKO = "MAA 호출"
)

func interrupted(u string, cause error) *httpx.Error {
	e := httpx.InterruptedError(callOp, u, cause)
	e.OpKO = callOpKO
	return e
}

func (c *Client) once(ctx context.Context, u string, body []byte) (Attempt, []byte, error) {
	start := c.now()
	req := httpx.Request{Op: callOp, OpKO: callOpKO, Method: http.MethodPost, URL: u, Body: body, Header: http.Header{
		"Content-Type": {"application/json"}, "Accept": {"application/json"}, "User-Agent": {"cvmscope"}}}
	resp, err := httpx.Do(ctx, c.HTTP, req, httpx.Limits{Attempt: c.AttemptTimeout, MaxBody: MaxResponseBytes})
	a := Attempt{Duration: c.now().Sub(start)}
	if err != nil {
		a.Err = err.Error()
		var he *httpx.Error
		if errors.As(err, &he) {
			a.ErrKO = he.KO()
		}
		return a, nil, err
	}
	a.Status = resp.Status
	a.RetryAfter = httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	return a, resp.Body, nil
}

// stoppedWaiting is the error when the wait before a retry was cut short: an interruption
// if the user cancelled, else the last try's own failure (the call's time ran out).
func (c *Client) stoppedWaiting(u string, last, waitErr error) error {
	if errors.Is(waitErr, context.Canceled) {
		return interrupted(u, waitErr)
	}
	return last
}

// beyondDeadline is true when waiting d would outlast the call's deadline.
func beyondDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.MaxJitter > 0 {
		d += rand.N(c.MaxJitter)
	}
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) maxRetryAfter() time.Duration {
	if c.MaxRetryAfter > 0 {
		return c.MaxRetryAfter
	}
	return 30 * time.Second
}

func retryableStatus(s int) bool {
	return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
}

func (c *Client) serviceFault(se *ServiceError, attempts int) error {
	if attempts > 1 {
		return se.fault(se.Kind(), fmt.Sprintf(" (after %d attempts)", attempts), fmt.Sprintf(" (%d번 시도한 뒤)", attempts))
	}
	return se.fault(se.Kind(), "", "")
}

// connError says what happened to the call, truthfully: interrupted, no answer in time, a
// dropped connection, or no connection at all. It names the host and, when one is
// configured, the proxy: the usual causes are a blocked egress, a missing or wrong proxy, and
// DNS.
func (c *Client) connError(u string, err error, attempts int) error {
	pu, _ := url.Parse(u)
	host := pu.Host
	via, viaKO := "", ""
	if tr, ok := c.HTTP.Transport.(*http.Transport); ok && tr.Proxy != nil {
		if p, perr := tr.Proxy(&http.Request{URL: pu}); perr == nil && p != nil {
			via, viaKO = " through proxy "+p.Redacted(), " (프록시 "+p.Redacted()+" 경유)"
		}
	}
	tries, triesKO := "", ""
	if attempts > 1 {
		tries, triesKO = fmt.Sprintf(" (after %d attempts)", attempts), fmt.Sprintf(" (%d번 시도한 뒤)", attempts)
	}
	// The Korean message is the httpx one, with the proxy and the tries added as in English.
	var he *httpx.Error
	heKO := ""
	if errors.As(err, &he) {
		heKO = he.KO()
	}
	switch httpx.FailureOf(err) {
	case httpx.Interrupted:
		return httpx.Fault(err, "")
	case httpx.TooLarge:
		return httpx.WithKorean(fault.WithHint(fault.Network, err, "this is not an answer MAA gives; check that the attestation URL (-a) names an attestation provider"),
			heKO, "MAA가 보내는 응답이 아닙니다. 증명 URL(-a)이 증명 공급자를 가리키는지 확인합니다")
	case httpx.Timeout:
		return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("%w%s%s", err, via, tries),
			"MAA usually answers within a few seconds: check the proxy (HTTPS_PROXY) and Azure status for the region, and try again"),
			heKO+viaKO+triesKO, "MAA는 보통 몇 초 안에 응답합니다. 프록시(HTTPS_PROXY)와 해당 리전의 Azure 상태를 확인한 뒤 다시 시도합니다")
	case httpx.Dropped:
		return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("%w%s%s", err, via, tries),
			"try again; if it keeps happening, a proxy or firewall is cutting the connection"),
			heKO+viaKO+triesKO, "다시 시도합니다. 계속되면 프록시나 방화벽이 연결을 끊고 있는 것입니다")
	}
	var re *httpx.RedirectError
	if errors.As(err, &re) {
		// MAA answered, so nothing about reaching it is in question.
		return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("%w%s", err, tries),
			"MAA answers an attest call itself; check that -a names the attestation provider, not an address that forwards to it"),
			heKO+triesKO, "MAA는 증명 호출에 직접 응답합니다. -a가 증명 공급자 자체를 가리키는지(그리로 전달하는 주소가 아닌지) 확인합니다")
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	port := pu.Port()
	if port == "" {
		port = "443"
	}
	hint := fmt.Sprintf("check that this VM can reach %s on port %s (egress rules), the proxy settings (HTTPS_PROXY, NO_PROXY) and DNS", pu.Hostname(), port)
	hintKO := fmt.Sprintf("이 VM이 %s의 %s 포트에 닿는지(아웃바운드 규칙), 프록시 설정(HTTPS_PROXY, NO_PROXY)과 DNS를 확인합니다", pu.Hostname(), port)
	if httpx.IsLoopback(pu.Hostname()) {
		hint = fmt.Sprintf("nothing answers at %s: start the emulator there (cvmscope emulator --listen %s) or check -a", pu.Host, pu.Host)
		hintKO = fmt.Sprintf("%s에서 응답하는 것이 없습니다. 그 주소에서 에뮬레이터를 시작하거나(`cvmscope emulator --listen %s`) -a를 확인합니다", pu.Host, pu.Host)
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		hint = "the provider's TLS certificate did not verify; install the ca-certificates package, or check for a TLS-inspecting proxy"
		hintKO = "공급자의 TLS 인증서가 검증되지 않았습니다. ca-certificates 패키지를 설치하거나 TLS를 검사하는 프록시가 있는지 확인합니다"
	}
	return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("cannot reach MAA at %s%s: %w", host, via, err), hint),
		fmt.Sprintf("%s%s의 MAA에 연결할 수 없습니다: %s", host, viaKO, httpx.RootCauseKO(err)), hintKO)
}
