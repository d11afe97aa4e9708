package maaemu

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// TestFaultKnobs stages each scenario and observes it where a user would: through the real
// client's retries and the relying party's token checks.
func TestFaultKnobs(t *testing.T) {
	c := newCVM(t, "sevsnp", true, false)
	body := c.guestBody(t)
	ctx := context.Background()

	t.Run("throttle", func(t *testing.T) {
		s := start(t, Config{Throttle: 1})
		cl, waits := client(t, s)
		ex, err := cl.Attest(ctx, maa.PathAzureGuest, body)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Attempts) != 2 || ex.Attempts[0].Status != http.StatusTooManyRequests || ex.Attempts[0].RetryAfter != time.Second {
			t.Errorf("attempts %+v, want 429 with Retry-After 1 s, then 200", ex.Attempts)
		}
		if len(*waits) != 1 || (*waits)[0] < time.Second {
			t.Errorf("the client waited %v; Retry-After asks for at least 1 s", *waits)
		}
		calls := s.Requests()
		if len(calls) != 2 || calls[0].Status != 429 || calls[0].Fault != "throttle" || calls[1].Status != 200 {
			t.Errorf("call log %+v", calls)
		}
	})

	t.Run("fail5xx twice", func(t *testing.T) {
		s := start(t, Config{Fail5xx: 2})
		cl, _ := client(t, s)
		ex, err := cl.Attest(ctx, maa.PathAzureGuest, body)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, a := range ex.Attempts {
			got = append(got, a.Status)
		}
		if len(got) != 3 || got[0] != 500 || got[1] != 503 || got[2] != 200 {
			t.Errorf("statuses %v, want [500 503 200]", got)
		}
	})

	t.Run("fail5xx always", func(t *testing.T) {
		s := start(t, Config{Fail5xx: -1})
		cl, _ := client(t, s)
		ex, err := cl.Attest(ctx, maa.PathAzureGuest, body)
		if err == nil || len(ex.Attempts) != cl.MaxAttempts {
			t.Fatalf("err %v after %d attempts", err, len(ex.Attempts))
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Network || !strings.Contains(fe.Hint, "server-side failure") {
			t.Errorf("error %v (hint %q), want a network fault explaining the server error", err, fe.Hint)
		}
		se := maa.ParseServiceError(ex.Status, ex.ResponseBody)
		if se.Code == "" || se.Message == "" {
			t.Errorf("the PascalCase server error did not decode: %s", ex.ResponseBody)
		}
	})

	t.Run("delay", func(t *testing.T) {
		s := start(t, Config{Delay: 300 * time.Millisecond})
		cl, _ := client(t, s)
		ex, err := cl.Attest(ctx, maa.PathAzureGuest, body)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Duration < 300*time.Millisecond {
			t.Errorf("answered in %v despite a 300 ms delay", ex.Duration)
		}
		cl.AttemptTimeout, cl.MaxAttempts = 50*time.Millisecond, 1
		if _, err := cl.Attest(ctx, maa.PathAzureGuest, body); err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
			t.Errorf("a client that gives up first: %v", err)
		}
	})

	// The token knobs: the answer is a valid encrypted token whose JWT fails one check.
	for _, tc := range []struct {
		name string
		cfg  Config
		id   string
		want string
	}{
		{"unknown key", Config{UnknownKey: true}, token.IDSignature, "is not published by"},
		{"expired", Config{Expired: true}, token.IDLifetime, "expired"},
		{"wrong issuer", Config{WrongIssuer: true}, token.IDIssuer, "is not the pinned provider"},
		{"clock skew", Config{ClockSkew: time.Hour}, token.IDLifetime, "not valid before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.cfg)
			jwt, _, err := c.attestGuest(t, s, body)
			if err != nil {
				t.Fatal(err)
			}
			_, checks := verifyToken(t, s, jwt, token.Options{ExpectCVM: true})
			for _, ck := range checks {
				switch {
				case ck.ID == tc.id:
					if ck.Verdict != check.Fail || !strings.Contains(ck.Summary, tc.want) {
						t.Errorf("%s", ck)
					}
				case ck.Verdict == check.Fail:
					t.Errorf("only %s may fail: %s", tc.id, ck)
				}
			}
		})
	}
}

// TestCloseEndsDelayedCalls: Close does not wait out a long delay: the delayed call is
// answered "shutting down" (not cut when Shutdown's grace runs out, which the log would
// show as the client giving up).
func TestCloseEndsDelayedCalls(t *testing.T) {
	s, err := Start(withAnchors(t, Config{Delay: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := client(t, s)
	cl.MaxAttempts = 1
	done := make(chan error, 1)
	go func() {
		_, err := cl.Attest(context.Background(), maa.PathAzureGuest, []byte(`{}`))
		done <- err
	}()
	for len(s.Requests()) == 0 && s.pending() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Error("the delayed call succeeded after Close")
	}
	calls := s.Requests()
	if len(calls) != 1 || calls[0].Status != http.StatusServiceUnavailable || !strings.Contains(calls[0].Error, "shutting down") {
		t.Errorf("the delayed call, as logged: %+v; want 503 'the emulator is shutting down'", calls)
	}
}

// pending counts attest calls that got past reading their body.
func (s *Server) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}
