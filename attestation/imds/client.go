// Package imds talks to the Azure Instance Metadata Service (169.254.169.254) from inside a
// VM: the THIM VCEK chain for SEV-SNP, the TD quote service for TDX, and the instance
// document that names the VM and its region. It also fetches the TDX paravisor MRTD
// endorsements from THIM's public host (https://<region>.thim.azure.net).
//
// IMDS is link-local plain HTTP and must never go through an HTTP proxy, so the client's
// transport has no proxy at all, whatever HTTP_PROXY/HTTPS_PROXY say. When nothing answers
// at that address the VM is almost certainly not on Azure, and errors say exactly that.
// THIM is ordinary internet HTTPS: its transport honours the environment proxy and always
// verifies TLS.
package imds

import (
	"context"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// DefaultBaseURL is where IMDS lives on every Azure VM.
const DefaultBaseURL = "http://169.254.169.254"

// maxBody bounds what we read from IMDS; a TD quote is a few KiB, the instance document less.
const maxBody = 1 << 20

// Client calls IMDS, and THIM's public endorsement service. The zero value is not usable;
// build one with New.
type Client struct {
	// BaseURL is scheme and host, without a trailing slash; tests point it at a loopback server.
	BaseURL string
	HTTP    *http.Client
	// THIMBase is the THIM endorsement host (scheme and host). Empty means
	// https://<region>.thim.azure.net with the region from Region, else from IMDS, else
	// DefaultTHIMRegion. Plain http is accepted only for loopback hosts (the emulator).
	THIMBase string
	// Region overrides the VM's region for the THIM endorsement host.
	Region string
	// THIMHTTP calls the THIM endorsement host: a public HTTPS service, so unlike IMDS it
	// honours HTTP(S)_PROXY, and it always verifies TLS.
	THIMHTTP *http.Client
	// AttemptTimeout and Timeout bound one try and a whole call (its retries and waits
	// included) to IMDS; THIMAttemptTimeout and THIMTimeout do the same for THIM's public
	// host. The caller's context (Ctrl-C, Esc) can end a call sooner.
	AttemptTimeout, Timeout         time.Duration
	THIMAttemptTimeout, THIMTimeout time.Duration
	// MaxAttempts bounds tries per call, the first one included.
	MaxAttempts int
	// Backoff is the first wait between tries; it doubles after each retry.
	Backoff time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make us wait.
	MaxRetryAfter time.Duration
	// Sleep waits between tries; tests replace it to run without real delays.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Default time limits. IMDS is on the VM's own host and answers in milliseconds, so a try
// that takes 5 s is stuck; THIM's endorsement host is on the internet.
const (
	DefaultAttemptTimeout     = 5 * time.Second
	DefaultTimeout            = 20 * time.Second
	DefaultTHIMAttemptTimeout = 10 * time.Second
	DefaultTHIMTimeout        = 30 * time.Second
)

// New returns a client for the real IMDS: no proxy, 2 s to connect, 5 s per try, 20 s per
// call, 4 tries with backoff from 1 s.
func New() *Client {
	tr := &http.Transport{
		// Never a proxy: a proxy cannot reach the link-local address, and an
		// HTTP_PROXY meant for MAA must not capture IMDS traffic.
		Proxy:           nil,
		DialContext:     (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConns:    2,
		IdleConnTimeout: 30 * time.Second,
	}
	return &Client{
		BaseURL:            DefaultBaseURL,
		HTTP:               &http.Client{Transport: tr},
		THIMHTTP:           newTHIMHTTP(),
		AttemptTimeout:     DefaultAttemptTimeout,
		Timeout:            DefaultTimeout,
		THIMAttemptTimeout: DefaultTHIMAttemptTimeout,
		THIMTimeout:        DefaultTHIMTimeout,
		MaxAttempts:        4,
		Backoff:            time.Second,
		MaxRetryAfter:      10 * time.Second,
		Sleep:              sleepCtx,
	}
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

// StatusError is a non-200 answer from IMDS (or THIM) after the retries ran out.
type StatusError struct {
	// Service is "IMDS" or "THIM"; empty reads as IMDS.
	Service  string
	Path     string
	Status   int
	Body     string
	Attempts int
}

func (e *StatusError) Error() string {
	svc := e.Service
	if svc == "" {
		svc = "IMDS"
	}
	msg := fmt.Sprintf("%s %s answered HTTP %d after %d attempt(s)", svc, e.Path, e.Status, e.Attempts)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// KO is Error in Korean; the service's own body is quoted as it came.
func (e *StatusError) KO() string {
	svc := e.Service
	if svc == "" {
		svc = "IMDS"
	}
	msg := fmt.Sprintf("%s %s: %d번 시도했지만 HTTP %d 응답을 받았습니다", svc, e.Path, e.Attempts, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// target is a service the client calls: IMDS itself, or THIM's endorsement host.
type target struct {
	// service names it in messages: "IMDS" or "THIM".
	service string
	base    string
	http    *http.Client
	// imds adds the Metadata header and explains an unreachable host as "not Azure".
	imds bool
	// retry404 retries 404, which THIM's AMD certificate cache answers while it warms up;
	// an endorsement 404 is a final answer.
	retry404 bool
	// limits bound each try; overall bounds the call.
	limits  httpx.Limits
	overall time.Duration
}

func (c *Client) imdsTarget() target {
	return target{service: "IMDS", base: c.BaseURL, http: c.HTTP, imds: true, retry404: true,
		limits: httpx.Limits{Attempt: c.AttemptTimeout, MaxBody: maxBody}, overall: c.Timeout}
}

// request is one try's request to path on t.
func (t target) request(method, path string, body []byte, header map[string]string) httpx.Request {
	h := http.Header{}
	if t.imds {
		h.Set("Metadata", "true")
	}
	for k, v := range header {
		h.Set(k, v)
	}
	op, _, _ := strings.Cut(path, "?")
	return httpx.Request{Op: t.service + " " + method + " " + op, Method: method,
		URL: strings.TrimRight(t.base, "/") + path, Header: h, Body: body}
}

// do sends one logical request to IMDS with retries and returns the 200 body.
func (c *Client) do(ctx context.Context, method, path string, body []byte, header map[string]string) ([]byte, error) {
	return c.doTarget(ctx, c.imdsTarget(), method, path, body, header)
}

// doTarget sends one logical request with bounded retries and backoff and returns the 200
// body. Statuses are retried as AZ-CPP does; a failed try follows the shared rule
// (httpx.Retries): a drop once, a timeout while the call has time, an interruption never.
func (c *Client) doTarget(ctx context.Context, t target, method, path string, body []byte, header map[string]string) ([]byte, error) {
	if t.overall > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.overall)
		defer cancel()
	}
	req := t.request(method, path, body, header)
	attempts := max(c.MaxAttempts, 1)
	backoff := c.Backoff
	var last *StatusError
	var retries httpx.Retries
	for i := 1; i <= attempts; i++ {
		resp, err := httpx.Do(ctx, t.http, req, t.limits)
		if err != nil {
			if i < attempts && retries.Worth(ctx, err) {
				if serr := c.sleep(ctx, backoff); serr != nil {
					if errors.Is(serr, context.Canceled) {
						err = httpx.InterruptedError(req.Op, req.URL, serr)
					}
					return nil, c.transportError(t, path, err)
				}
				backoff *= 2
				continue
			}
			return nil, c.transportError(t, path, err)
		}
		if resp.Status == http.StatusOK {
			return resp.Body, nil
		}
		last = &StatusError{Service: t.service, Path: path, Status: resp.Status, Body: snippet(resp.Body), Attempts: i}
		if !retryable(resp.Status, t.retry404) || i == attempts {
			break
		}
		wait := backoff
		if ra := httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ra > 0 {
			wait = min(max(wait, ra), c.maxRetryAfter())
		}
		if err := c.sleep(ctx, wait); err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, httpx.Fault(httpx.InterruptedError(req.Op, req.URL, err), "")
			}
			return nil, httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("%w; the call's time ran out waiting to retry", last), hintFor(path, last.Status)),
				last.KO()+". 다시 시도를 기다리는 동안 호출 시간이 다 되었습니다", hintForKO(path, last.Status))
		}
		backoff *= 2
	}
	return nil, httpx.WithKorean(fault.WithHint(fault.Network, last, hintFor(path, last.Status)), last.KO(), hintForKO(path, last.Status))
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

func (c *Client) maxRetryAfter() time.Duration {
	if c.MaxRetryAfter > 0 {
		return c.MaxRetryAfter
	}
	return 30 * time.Second
}

// retryable follows AZ-CPP's THIM client: 404 too (when allowed), because THIM answers 404
// while the host has not yet cached the certificates.
func retryable(status int, retry404 bool) bool {
	return (retry404 && status == http.StatusNotFound) || status == http.StatusRequestTimeout ||
		status == http.StatusTooManyRequests || status >= 500
}

// transportError turns a failed try into the sentence a user needs: for IMDS, a host where
// nothing answers is not an Azure VM (or IMDS is blocked); a cancelled call is an
// interruption, never a network verdict.
func (c *Client) transportError(t target, path string, err error) error {
	f := httpx.FailureOf(err)
	switch {
	case f == httpx.Interrupted:
		return httpx.Fault(err, "")
	case !t.imds:
		return thimTransportError(t, path, err)
	case f == httpx.Unreachable:
		return httpx.WithKorean(fault.WithHint(fault.Network,
			fmt.Errorf("IMDS (169.254.169.254) did not answer: this does not look like an Azure VM (%w)", err),
			"run cvmscope on an Azure Confidential VM or Trusted Launch VM, use the simulated CVM, or check that a firewall does not block 169.254.169.254"),
			fmt.Sprintf("IMDS(169.254.169.254)가 응답하지 않았습니다. Azure VM이 아닌 것으로 보입니다(%s)", httpx.RootCauseKO(err)),
			"cvmscope를 Azure Confidential VM(기밀 VM)이나 Trusted Launch VM에서 실행하거나, 시뮬레이션 CVM을 쓰거나, 방화벽이 169.254.169.254를 막지 않는지 확인합니다")
	case f == httpx.Timeout:
		return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("%w: IMDS did not answer in time", err),
			"IMDS is local to the VM and normally answers within a second; try again, and check the VM's health"),
			koOf(err)+": IMDS가 제때 응답하지 않았습니다",
			"IMDS는 VM 안에 있어 보통 1초 안에 응답합니다. 다시 시도하고 VM 상태를 확인합니다")
	case f == httpx.Dropped:
		return httpx.WithKorean(fault.WithHint(fault.Network, err, "IMDS is local to the VM: try again, and check the VM's health"),
			koOf(err), "IMDS는 VM 안에 있습니다. 다시 시도하고 VM 상태를 확인합니다")
	}
	return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("IMDS %s: %w", hostOf(t.base), err),
		"try again; IMDS is local to the VM and should always answer"),
		"IMDS "+hostOf(t.base)+": "+koOf(err), "다시 시도합니다. IMDS는 VM 안에 있어 항상 응답해야 합니다")
}

// koOf is the Korean message of the httpx error in err, or its English when it has none.
func koOf(err error) string {
	var he *httpx.Error
	if errors.As(err, &he) {
		return he.KO()
	}
	return err.Error()
}

func hostOf(base string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://")
	return strings.TrimRight(s, "/")
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func hintFor(path string, status int) string { en, _ := hints(path, status); return en }

// hintForKO is hintFor in Korean.
func hintForKO(path string, status int) string { _, ko := hints(path, status); return ko }

// hints says what to do about a failed IMDS call, in English and Korean side by side.
func hints(path string, status int) (en, ko string) {
	switch {
	case strings.HasPrefix(path, "/metadata/THIM/amd"):
		return "THIM serves AMD certificates only on SEV-SNP CVMs; on another VM type, or if it keeps failing, fetch the VCEK from AMD KDS instead",
			"THIM은 SEV-SNP CVM에서만 AMD 인증서를 제공합니다. 다른 VM 유형이거나 계속 실패하면 AMD KDS에서 VCEK를 받습니다"
	case strings.HasPrefix(path, "/acc/tdquote"):
		return "the TD quote service exists only on TDX CVMs and wants the 1024-byte TDREPORT from the HCL report",
			"TD 쿼트 서비스는 TDX CVM에만 있으며 HCL 보고서의 1024바이트 TDREPORT를 받습니다"
	case strings.HasPrefix(path, endorsementPath):
		return "THIM's endorsement service is public HTTPS; check egress to <region>.thim.azure.net (and HTTPS_PROXY), or try another region",
			"THIM 보증 서비스는 공개 HTTPS입니다. <리전>.thim.azure.net으로 가는 아웃바운드(와 HTTPS_PROXY)를 확인하거나 다른 리전을 시도합니다"
	case status == http.StatusTooManyRequests:
		return "IMDS is rate-limiting this VM; wait a minute and try again",
			"IMDS가 이 VM의 요청 수를 제한하고 있습니다. 1분 기다린 뒤 다시 시도합니다"
	}
	return "try again; if it persists, check the VM's health in the Azure portal",
		"다시 시도합니다. 계속되면 Azure 포털에서 VM 상태를 확인합니다"
}
