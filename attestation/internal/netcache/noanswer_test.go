package netcache

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
)

// TestNoAnswerRemembered: with FailTTL, a service that does not answer before the last
// waiting caller's time runs out is remembered as NoAnswer, a timeout (httpx: exit 3), so the
// next caller is not made to wait again (inspect --each paid the timeout once per set over a
// firewall that drops packets). A caller that cancels leaves nothing remembered, and without
// FailTTL (Shared) the next caller asks again.
func TestNoAnswerRemembered(t *testing.T) {
	type firstKey struct{}
	expired := func() context.Context {
		ctx, cancel := context.WithDeadline(context.WithValue(context.Background(), firstKey{}, true), time.Unix(0, 0))
		t.Cleanup(cancel)
		return ctx
	}
	cancelled := func() context.Context {
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), firstKey{}, true))
		cancel()
		return ctx
	}
	for _, tc := range []struct {
		name       string
		failTTL    time.Duration
		first      func() context.Context
		remembered bool
	}{
		{"deadline, FailTTL", time.Hour, expired, true},
		{"cancelled, FailTTL", time.Hour, cancelled, false},
		{"deadline, no FailTTL", 0, expired, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			// The fetch the first caller started (it carries that caller's values) never
			// answers; a later one does at once.
			fetch := func(ctx context.Context) (Answer, error) {
				if ctx.Value(firstKey{}) != nil {
					<-ctx.Done()
					return Answer{}, ctx.Err()
				}
				calls.Add(1)
				return Answer{Status: http.StatusOK, Body: []byte("x")}, nil
			}
			c := &Cache{FailTTL: tc.failTTL}
			if _, err := c.Fetch(tc.first(), "https://kds/x", nil, fetch); !errors.Is(err, context.Cause(tc.first())) {
				t.Fatalf("first caller: %v", err)
			}
			a, err := c.Fetch(context.Background(), "https://kds/x", nil, fetch)
			var none *NoAnswer
			switch {
			case tc.remembered && (!errors.As(err, &none) || calls.Load() != 0):
				t.Errorf("second caller: %v after %d fetches of its own; want NoAnswer remembered from the first caller's", err, calls.Load())
			case !tc.remembered && (err != nil || string(a.Body) != "x" || calls.Load() != 1):
				t.Errorf("second caller: %q %v after %d fetches of its own; want one", a.Body, err, calls.Load())
			}
		})
	}

	// Through the Transport, httpx says a remembered no-answer as a timeout (fault.Network).
	base := &fakeBase{release: make(chan struct{}), status: 200, body: "x", canceled: make(chan error, 1)}
	cl := &http.Client{Transport: &Transport{Base: base, Cache: &Cache{FailTTL: time.Hour}}}
	if _, _, err := get(expired(), cl, "https://kds/y"); err == nil {
		t.Fatal("first caller got an answer past its deadline")
	}
	_, err := httpx.Get(context.Background(), cl, httpx.Request{Op: "AMD KDS GET /y", Method: http.MethodGet, URL: "https://kds/y"}, httpx.Limits{Attempt: time.Hour})
	if f := httpx.FailureOf(err); f != httpx.Timeout || base.Calls() != 1 {
		t.Errorf("next caller: failure %v (%v) after %d requests; want a remembered timeout", f, err, base.Calls())
	}
	// It returned at once: the wait it names is the remembered one, not this attempt's hour.
	if strings.Contains(err.Error(), "1h0m0s") {
		t.Errorf("remembered no-answer names the attempt budget: %v", err)
	}
	// A GET with headers (token.Provider's Accept) is keyed by them too; the message names
	// the URL alone, on one line.
	hdr := http.Header{"Accept": {"application/json"}}
	cl = &http.Client{Transport: &Transport{Base: &fakeBase{release: base.release, status: 200}, Cache: &Cache{FailTTL: time.Hour}}}
	req, _ := http.NewRequestWithContext(expired(), http.MethodGet, "https://kds/z", nil)
	req.Header = hdr
	if resp, err := cl.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("first caller got an answer past its deadline")
	}
	_, err = httpx.Get(context.Background(), cl, httpx.Request{Op: "MAA key fetch GET /z", Method: http.MethodGet, URL: "https://kds/z", Header: hdr}, httpx.Limits{Attempt: time.Hour})
	var none *NoAnswer
	if !errors.As(err, &none) || none.URL != "https://kds/z" || strings.Contains(err.Error(), "\n") {
		t.Errorf("remembered no-answer with headers: %q; want it to name https://kds/z on one line", err)
	}
	close(base.release)
}
