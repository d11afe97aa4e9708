package netcache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestCacheExpiresAndIsBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Cache{TTL: time.Minute, Now: func() time.Time { return now }}
	h := http.Header{"Tcb-Info-Issuer-Chain": {"x"}}
	c.Put("u", h, []byte("body"))
	h.Set("Tcb-Info-Issuer-Chain", "changed by the caller")
	gh, b, ok := c.Get("u")
	if !ok || string(b) != "body" || gh.Get("Tcb-Info-Issuer-Chain") != "x" {
		t.Fatalf("fresh entry: %v %q %v", ok, b, gh)
	}
	b[0] = 'X' // a caller's change must not reach the cache
	if _, b, _ := c.Get("u"); string(b) != "body" {
		t.Errorf("cached body changed to %q", b)
	}
	now = now.Add(time.Minute)
	if _, _, ok := c.Get("u"); ok || c.Len() != 0 {
		t.Error("an entry past its TTL must not be served, and goes")
	}
	for i := range maxEntries + 10 {
		c.Put(fmt.Sprint(i), nil, nil)
	}
	if c.Len() > maxEntries {
		t.Errorf("%d entries, bound %d", c.Len(), maxEntries)
	}
}

// fakeBase is a RoundTripper whose answers the test releases: each request waits on
// release (or its own context), then answers with status and body, or fails with err.
type fakeBase struct {
	mu       sync.Mutex
	calls    int
	release  chan struct{}
	status   int
	body     string
	err      error
	canceled chan error // a request's context error, when it ended before release
}

func (f *fakeBase) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if f.release != nil {
		select {
		case <-f.release:
		case <-r.Context().Done():
			if f.canceled != nil {
				f.canceled <- r.Context().Err()
			}
			return nil, r.Context().Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &http.Response{StatusCode: f.status, Header: http.Header{"X-Test": {"1"}}, Body: io.NopCloser(strings.NewReader(f.body)), Request: r}, nil
}

func (f *fakeBase) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// waitFor yields until c's entry for url has n callers waiting on it.
func waitFor(t *testing.T, c *Cache, url string, n int) {
	t.Helper()
	for range 1_000_000 {
		c.mu.Lock()
		e := c.entries[url]
		got := e != nil && e.waiters == n
		c.mu.Unlock()
		if got {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("%d callers never waited on %s", n, url)
}

func get(ctx context.Context, cl *http.Client, url string) (string, int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := cl.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// TestFetchSharedAndEachWaiterOwnContext: callers asking together for one URL send one
// request; the first caller giving up does not take the answer from the others (each
// waits under its own context); the answer is then kept.
func TestFetchSharedAndEachWaiterOwnContext(t *testing.T) {
	base := &fakeBase{release: make(chan struct{}), status: 200, body: "vcek"}
	c := &Cache{}
	cl := &http.Client{Transport: &Transport{Base: base, Cache: c}}
	const url = "https://kdsintf.amd.com/vcek"

	first, cancelFirst := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, _, err := get(first, cl, url); firstErr <- err }()
	waitFor(t, c, url, 1)
	type result struct {
		body string
		err  error
	}
	others := make(chan result, 5)
	for range 5 {
		go func() { b, _, err := get(context.Background(), cl, url); others <- result{b, err} }()
	}
	waitFor(t, c, url, 6)
	cancelFirst()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the caller that gave up got %v, want its own cancellation", err)
	}
	close(base.release)
	for range 5 {
		if r := <-others; r.err != nil || r.body != "vcek" {
			t.Errorf("a waiter got %q, %v; the first caller's cancellation must not reach it", r.body, r.err)
		}
	}
	if b, _, err := get(context.Background(), cl, url); err != nil || b != "vcek" || base.Calls() != 1 {
		t.Errorf("after: %q %v, %d requests (want the kept answer, 1 request)", b, err, base.Calls())
	}
}

// TestFetchEndsWhenNobodyWaits: when every caller has given up, the request is cancelled,
// nothing is remembered, and the next caller asks again.
func TestFetchEndsWhenNobodyWaits(t *testing.T) {
	base := &fakeBase{release: make(chan struct{}), status: 200, body: "x", canceled: make(chan error, 1)}
	c := &Cache{FailTTL: time.Hour}
	cl := &http.Client{Transport: &Transport{Base: base, Cache: c}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := get(ctx, cl, "https://x/y"); done <- err }()
	waitFor(t, c, "https://x/y", 1)
	cancel()
	<-done
	if err := <-base.canceled; !errors.Is(err, context.Canceled) {
		t.Errorf("the request went on after its only caller left: %v", err)
	}
	close(base.release)
	if b, _, err := get(context.Background(), cl, "https://x/y"); err != nil || b != "x" || base.Calls() != 2 {
		t.Errorf("next caller: %q %v after %d requests; an abandoned fetch must not be remembered", b, err, base.Calls())
	}
}

// TestFailureMemory: with FailTTL an unreachable host or an error status is asked once
// until FailTTL passes; a dropped connection is not remembered (its caller retries at
// once); the zero Cache (Shared) remembers no failure.
func TestFailureMemory(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name    string
		base    *fakeBase
		failTTL time.Duration
		calls   int
	}{
		{"refused, remembered", &fakeBase{err: refused}, time.Minute, 1},
		{"HTTP 503, remembered", &fakeBase{status: 503, body: "busy"}, time.Minute, 1},
		{"refused, no FailTTL", &fakeBase{err: refused}, 0, 3},
		{"HTTP 503, no FailTTL", &fakeBase{status: 503}, 0, 3},
		{"dropped", &fakeBase{err: io.ErrUnexpectedEOF}, time.Minute, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cache{FailTTL: tc.failTTL, Now: func() time.Time { return now }}
			cl := &http.Client{Transport: &Transport{Base: tc.base, Cache: c}}
			for range 3 {
				_, status, err := get(context.Background(), cl, "https://pcs/tcb")
				if tc.base.err != nil && !errors.Is(err, tc.base.err) || tc.base.err == nil && status != tc.base.status {
					t.Errorf("got status %d, %v; want what the server said", status, err)
				}
			}
			if tc.base.Calls() != tc.calls {
				t.Errorf("%d requests for 3 calls, want %d", tc.base.Calls(), tc.calls)
			}
			if _, _, ok := c.Get("https://pcs/tcb"); ok {
				t.Error("a failure must never be served as a kept answer")
			}
			now = now.Add(time.Minute)
			get(context.Background(), cl, "https://pcs/tcb")
			if tc.base.Calls() != tc.calls+1 {
				t.Errorf("after FailTTL: %d requests, want %d (asked again)", tc.base.Calls(), tc.calls+1)
			}
		})
	}
}

// TestFetchNotKept: a fetcher that validates first shares its answer with the callers
// waiting for it but keeps nothing until it Puts it.
func TestFetchNotKept(t *testing.T) {
	c := &Cache{}
	n := 0
	fetch := func(context.Context) (Answer, error) { n++; return Answer{Status: 200, Body: []byte("unchecked")}, nil }
	for range 2 {
		if a, err := c.Fetch(context.Background(), "u", nil, fetch); err != nil || string(a.Body) != "unchecked" {
			t.Fatal(a, err)
		}
	}
	if n != 2 || c.Len() != 0 {
		t.Errorf("%d fetches, %d entries: an answer fetched without keep must not be kept", n, c.Len())
	}
	c.Put("u", nil, []byte("checked"))
	if a, err := c.Fetch(context.Background(), "u", nil, fetch); err != nil || string(a.Body) != "checked" || n != 2 {
		t.Errorf("after Put: %q %v, %d fetches", a.Body, err, n)
	}
}

// TestContextCache: a Transport without a Cache uses the one the request's context carries.
func TestContextCache(t *testing.T) {
	base := &fakeBase{status: 200, body: "k"}
	scoped := &Cache{}
	cl := &http.Client{Transport: &Transport{Base: base}}
	ctx := NewContext(context.Background(), scoped)
	for range 2 {
		get(ctx, cl, "https://maa/certs")
	}
	if base.Calls() != 1 || scoped.Len() != 1 {
		t.Errorf("%d requests, %d entries in the context's cache", base.Calls(), scoped.Len())
	}
	if _, _, ok := Shared.Get("https://maa/certs"); ok {
		t.Error("a scoped fetch went into Shared")
	}
	if FromContext(context.Background()) != nil {
		t.Error("a plain context carries no cache")
	}
}

// TestTransportValid: a 200 answer the transport's Valid refuses (a proxy's page where a
// certificate belongs) is handed on but not kept; one it accepts is kept.
func TestTransportValid(t *testing.T) {
	base := &fakeBase{status: 200, body: "<html>sign in to the hotel wifi</html>"}
	c := &Cache{}
	valid := func(u *url.URL, b []byte) error {
		if strings.HasPrefix(string(b), "<html>") {
			return errors.New("not a certificate")
		}
		return nil
	}
	cl := &http.Client{Transport: &Transport{Base: base, Cache: c, Valid: valid}}
	for range 2 {
		if b, _, err := get(context.Background(), cl, "https://kdsintf.amd.com/vcek"); err != nil || b != base.body {
			t.Fatalf("the refused answer must still reach the caller: %q %v", b, err)
		}
	}
	if base.Calls() != 2 || c.Len() != 0 {
		t.Errorf("%d requests, %d kept: a refused answer must be asked for again", base.Calls(), c.Len())
	}
	base.body = "DER"
	for range 2 {
		get(context.Background(), cl, "https://kdsintf.amd.com/vcek")
	}
	if base.Calls() != 3 || c.Len() != 1 {
		t.Errorf("%d requests, %d kept after a valid answer, want 3 and 1", base.Calls(), c.Len())
	}
}

// soonCtx reports a deadline already past while its Done stays open: the moment a caller's
// deadline fires, held still so that the test needs no timer.
type soonCtx struct{ context.Context }

func (soonCtx) Deadline() (time.Time, bool) { return time.Unix(1, 0), true }

// TestFetchOutlivesTheFirstCallersDeadline: the caller that started a shared fetch bounds
// only its own wait. Its deadline passing must not end the request for the others waiting
// on it (they got "context deadline exceeded" although their own contexts had none), nor be
// remembered as the URL's failure.
func TestFetchOutlivesTheFirstCallersDeadline(t *testing.T) {
	c := &Cache{FailTTL: time.Hour}
	const url = "https://pcs/tcb"
	joined := make(chan struct{})
	fetch := func(ctx context.Context) (Answer, error) {
		<-joined
		if err := ctx.Err(); err != nil {
			return Answer{}, err
		}
		return Answer{Status: http.StatusOK, Body: []byte("tcb")}, nil
	}
	first, cancelFirst := context.WithCancel(context.Background())
	defer cancelFirst()
	firstDone := make(chan error, 1)
	go func() { _, err := c.Fetch(soonCtx{first}, url, nil, fetch); firstDone <- err }()
	waitFor(t, c, url, 1)
	second := make(chan error, 1)
	var body []byte
	go func() { a, err := c.Fetch(context.Background(), url, nil, fetch); body = a.Body; second <- err }()
	waitFor(t, c, url, 2)
	close(joined)
	if err := <-second; err != nil || string(body) != "tcb" {
		t.Errorf("a caller without a deadline got %q, %v: the first caller's deadline ended the fetch it shares", body, err)
	}
	<-firstDone
	a, err := c.Fetch(context.Background(), url, nil, func(context.Context) (Answer, error) {
		return Answer{Status: http.StatusOK, Body: []byte("again")}, nil
	})
	if err != nil || string(a.Body) != "again" {
		t.Errorf("next caller got %q, %v; want a new fetch, no remembered failure", a.Body, err)
	}
}
