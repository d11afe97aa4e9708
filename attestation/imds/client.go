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
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
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
	// MaxAttempts bounds tries per call, the first one included.
	MaxAttempts int
	// Backoff is the first wait between tries; it doubles after each retry.
	Backoff time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make us wait.
	MaxRetryAfter time.Duration
	// Sleep waits between tries; tests replace it to run without real delays.
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for the real IMDS: no proxy, 2 s to connect, 20 s per request in
// total, 4 tries with backoff from 1 s.
func New() *Client {
	tr := &http.Transport{
		// Never a proxy: a proxy cannot reach the link-local address, and an
		// HTTP_PROXY meant for MAA must not capture IMDS traffic.
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		ResponseHeaderTimeout: 15 * time.Second,
		MaxIdleConns:          2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &Client{
		BaseURL:       DefaultBaseURL,
		HTTP:          &http.Client{Transport: tr, Timeout: 20 * time.Second},
		THIMHTTP:      newTHIMHTTP(),
		MaxAttempts:   4,
		Backoff:       time.Second,
		MaxRetryAfter: 30 * time.Second,
		Sleep:         sleepCtx,
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
}

func (c *Client) imdsTarget() target {
	return target{service: "IMDS", base: c.BaseURL, http: c.HTTP, imds: true, retry404: true}
}

// do sends one logical request to IMDS with retries and returns the 200 body.
func (c *Client) do(ctx context.Context, method, path string, body []byte, header map[string]string) ([]byte, error) {
	return c.doTarget(ctx, c.imdsTarget(), method, path, body, header)
}

// doTarget sends one logical request with bounded retries and backoff and returns the 200
// body.
func (c *Client) doTarget(ctx context.Context, t target, method, path string, body []byte, header map[string]string) ([]byte, error) {
	attempts := max(c.MaxAttempts, 1)
	backoff := c.Backoff
	var last *StatusError
	for i := 1; i <= attempts; i++ {
		status, respBody, retryAfter, err := c.once(ctx, t, method, path, body, header)
		if err != nil {
			return nil, c.transportError(t, path, err)
		}
		if status == http.StatusOK {
			return respBody, nil
		}
		last = &StatusError{Service: t.service, Path: path, Status: status, Body: snippet(respBody), Attempts: i}
		if !retryable(status, t.retry404) || i == attempts {
			break
		}
		wait := backoff
		if retryAfter > 0 {
			wait = min(max(wait, retryAfter), c.maxRetryAfter())
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fault.WithHint(fault.Network, fmt.Errorf("%s %s: gave up waiting to retry after HTTP %d: %w", t.service, path, status, err),
				"allow more time for "+t.service+", or try again in a minute")
		}
		backoff *= 2
	}
	return nil, fault.WithHint(fault.Network, last, hintFor(path, last.Status))
}

func (c *Client) once(ctx context.Context, t target, method, path string, body []byte, header map[string]string) (int, []byte, time.Duration, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(t.base, "/")+path, rd)
	if err != nil {
		return 0, nil, 0, err
	}
	if t.imds {
		req.Header.Set("Metadata", "true")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, 0, err
	}
	if len(b) > maxBody {
		return 0, nil, 0, fmt.Errorf("response larger than %d bytes", maxBody)
	}
	return resp.StatusCode, b, httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
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

// transportError turns "connection refused", "no route to host" and timeouts into the
// sentence a user needs: for IMDS, this is not an Azure VM (or IMDS is blocked).
func (c *Client) transportError(t target, path string, err error) error {
	if !t.imds {
		return thimTransportError(t, path, err)
	}
	if notAnswering(err) {
		return fault.WithHint(fault.Network,
			fmt.Errorf("IMDS (169.254.169.254) did not answer: this does not look like an Azure VM (%s %s: %v)", hostOf(t.base), path, rootCause(err)),
			"run cvmscope on an Azure Confidential VM or Trusted Launch VM, use the simulated CVM, or check that a firewall does not block 169.254.169.254")
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fault.WithHint(fault.Network, fmt.Errorf("IMDS %s%s accepted the connection but did not answer in time: %v", hostOf(t.base), path, rootCause(err)),
			"IMDS is local to the VM and normally answers within a second; try again, and check the VM's health")
	}
	return fault.WithHint(fault.Network, fmt.Errorf("IMDS %s%s: %w", hostOf(t.base), path, err),
		"try again; IMDS is local to the VM and should always answer")
}

// notAnswering is true when no connection could be made at all; a timeout after the
// connection was made means IMDS exists but is slow, which is a different story.
func notAnswering(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
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

func hintFor(path string, status int) string {
	switch {
	case strings.HasPrefix(path, "/metadata/THIM/amd"):
		return "THIM serves AMD certificates only on SEV-SNP CVMs; on another VM type, or if it keeps failing, fetch the VCEK from AMD KDS instead"
	case strings.HasPrefix(path, "/acc/tdquote"):
		return "the TD quote service exists only on TDX CVMs and wants the 1024-byte TDREPORT from the HCL report"
	case strings.HasPrefix(path, endorsementPath):
		return "THIM's endorsement service is public HTTPS; check egress to <region>.thim.azure.net (and HTTPS_PROXY), or try another region"
	case status == http.StatusTooManyRequests:
		return "IMDS is rate-limiting this VM; wait a minute and try again"
	}
	return "try again; if it persists, check the VM's health in the Azure portal"
}
