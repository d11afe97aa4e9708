package workshop_test

import (
	"context"
	"errors"
	"net/http/httptrace"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
)

func simRunner(t *testing.T, sc string) *workshop.Live {
	t.Helper()
	s, err := workshop.LookupScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	return workshop.NewLive(workshop.LiveOptions{
		Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
		Pager:    pages.Pager{}, Scenario: s, Nonce: "n",
	})
}

// Running the last step first runs what it needs before it, as the Runner contract says.
func TestVerifyJWTFirstRunsEarlierSteps(t *testing.T) {
	l := simRunner(t, "")
	defer l.Close()
	p, err := l.Run(t.Context(), workshop.VerifyJWT)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Checks.Verdict("jwt.signature"); got != check.Pass {
		t.Fatalf("jwt.signature = %s", got)
	}
	s := l.Evidence()
	if s == nil || s.Token == "" || s.MAA == nil || len(s.JWKS) == 0 || s.EncKey == nil {
		t.Fatalf("evidence after Verify JWT lacks token, exchange, keys or ephemeral key")
	}
}

// A new nonce makes the request stale: the next Call MAA rebuilds it with the new client
// payload, and the token echoes the new nonce.
func TestNewNonceRebuildsRequest(t *testing.T) {
	l := simRunner(t, "")
	defer l.Close()
	ctx := t.Context()
	for _, step := range workshop.AllSteps {
		if _, err := l.Run(ctx, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	l.SetNonce("second")
	if _, err := l.Run(ctx, workshop.ReadReport); err != nil {
		t.Fatal(err)
	}
	p, err := l.Run(ctx, workshop.VerifyJWT)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Checks.Find("jwt.nonce")
	if len(c) != 1 || c[0].Verdict != check.Pass || !strings.Contains(c[0].Summary, "c2Vjb25k") {
		t.Fatalf("jwt.nonce after a new nonce: %+v (want the base64 of \"second\")", c)
	}
	if got := p.Checks.Verdict("jwt.user-data"); got != check.Pass {
		t.Errorf("jwt.user-data = %s", got)
	}
}

// Esc cancels a running step: a slow MAA call returns as soon as the context ends, and
// Close leaves no goroutine behind (emulators and TPM released).
func TestCancelSlowCallAndClose(t *testing.T) {
	before := runtime.NumGoroutine()
	sc, err := workshop.LookupScenario("maa-slow")
	if err != nil {
		t.Fatal(err)
	}
	// An MAA slower than any test run: only the cancel can end the call, so no clock has to
	// tell a cancelled call from one that waited the delay out.
	sc.MAA.Delay = time.Hour
	l := workshop.NewLive(workshop.LiveOptions{
		Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
		Pager:    pages.Pager{}, Scenario: sc, Nonce: "n",
	})
	if _, err := l.Run(t.Context(), workshop.BuildRequest); err != nil {
		t.Fatal(err)
	}
	// Esc once the request is written: the emulator has taken the connection (TLS is done)
	// and waits out its delay. Cancelling any sooner can leave a connection still being
	// dialled, which the emulator's Shutdown waits 5 s for.
	ctx, cancel := context.WithCancel(t.Context())
	var once sync.Once
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(cancel) }})
	done := make(chan error, 1)
	go func() {
		_, err := l.Run(ctx, workshop.CallMAA)
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute): // a hang guard only
		t.Fatal("the cancelled call did not return: the emulator's delay was waited out")
	}
	if err == nil || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("cancelled call: err = %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Goroutines end a little after Close (connections closing); a leak never does.
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > before+1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+1 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestScenarioOnAzureRefused(t *testing.T) {
	s, _ := workshop.LookupScenario("maa-429")
	l := workshop.NewLive(workshop.LiveOptions{Platform: platform.Options{Platform: "azure", TPM: "sim"}, Pager: pages.Pager{}, Scenario: s})
	defer l.Close()
	_, err := l.Run(t.Context(), workshop.Preflight)
	if err == nil || !strings.Contains(err.Error(), "--platform sim") {
		t.Fatalf("err = %v, want a refusal naming --platform sim", err)
	}
}
