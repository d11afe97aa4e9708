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
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// hang answers nothing until the client gives up. It reads the request body first: only
// then does the server notice a client that hangs up.
func hang(reached chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if reached != nil {
			reached <- struct{}{}
		}
		<-r.Context().Done()
	}
}

// DropAfter answers headers promising 100 bytes, sends n of them and closes the connection.
// n < 0 closes before any answer.
func dropAfter(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		if n >= 0 {
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n%s", strings.Repeat("x", n))
			buf.Flush()
		}
	}
}

func get(u string) Request { return Request{Op: "test GET", Method: http.MethodGet, URL: u} }

func TestDoTimeoutSaysNoAnswerWithin(t *testing.T) {
	srv := httptest.NewServer(hang(nil))
	defer srv.Close()
	_, err := Do(t.Context(), srv.Client(), get(srv.URL+"/x"), Limits{Attempt: 20 * time.Millisecond})
	host := strings.TrimPrefix(srv.URL, "http://")
	if FailureOf(err) != Timeout || !strings.Contains(err.Error(), "no answer within 20ms from "+host) {
		t.Fatalf("got %v", err)
	}
	if f := Fault(err, "h"); fault.KindOf(f) != fault.Network || fault.HintOf(f) != "h" {
		t.Errorf("a timeout is a network fault: %v", fault.KindOf(f))
	}
}

func TestDoCallerDeadlineIsNamed(t *testing.T) {
	srv := httptest.NewServer(hang(nil))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err := Do(ctx, srv.Client(), get(srv.URL), Limits{Attempt: time.Hour})
	// The shorter deadline, the caller's, is the one reported: not "within 1h".
	if FailureOf(err) != Timeout || strings.Contains(err.Error(), "1h") {
		t.Fatalf("got %v", err)
	}
}

func TestDoCancelIsInterrupted(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := httptest.NewServer(hang(reached))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-reached; cancel() }()
	_, err := Do(ctx, srv.Client(), Request{Op: "Call MAA", Method: "POST", URL: srv.URL, Body: []byte("{}")}, Limits{})
	if FailureOf(err) != Interrupted || !errors.Is(err, context.Canceled) ||
		err.Error() != "Call MAA interrupted (Ctrl-C/Esc): no answer was awaited" {
		t.Fatalf("got %v", err)
	}
	f := Fault(err, "check egress")
	if fault.KindOf(f) != fault.Interrupted || fault.ExitCode(f) != 130 || strings.Contains(fault.HintOf(f), "egress") {
		t.Errorf("kind %v hint %q", fault.KindOf(f), fault.HintOf(f))
	}
}

func TestDoDropped(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{10, "mid-response (after 10 bytes)"},
		{0, "mid-response (after 0 bytes)"},
		{-1, "before any answer"},
	} {
		srv := httptest.NewServer(dropAfter(tc.n))
		_, err := Do(t.Context(), srv.Client(), get(srv.URL), Limits{})
		srv.Close()
		host := strings.TrimPrefix(srv.URL, "http://")
		if FailureOf(err) != Dropped || !strings.Contains(err.Error(), "connection dropped by "+host+" "+tc.want) {
			t.Errorf("drop after %d: %v", tc.n, err)
		}
	}
}

func TestDoUnreachable(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err := Do(t.Context(), nil, get("http://"+addr), Limits{})
	if FailureOf(err) != Unreachable || !errors.Is(err, syscall.ECONNREFUSED) || RootCause(err) != syscall.ECONNREFUSED || !strings.Contains(err.Error(), "cannot connect to "+addr) {
		t.Fatalf("got %v", err)
	}
}

func TestDoBoundsEveryBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An error answer is bounded as much as a good one.
		w.WriteHeader(500)
		w.Write(bytes.Repeat([]byte("e"), 5000))
	}))
	defer srv.Close()
	_, err := Do(t.Context(), srv.Client(), get(srv.URL), Limits{MaxBody: 4096})
	if FailureOf(err) != TooLarge || !strings.Contains(err.Error(), "larger than 4096 bytes") {
		t.Fatalf("got %v", err)
	}
	r, err := Do(t.Context(), srv.Client(), get(srv.URL), Limits{MaxBody: 5000})
	if err != nil || r.Status != 500 || len(r.Body) != 5000 {
		t.Fatalf("at the limit: %v", err)
	}
}

func TestGetRetriesOneDrop(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropAfter(3)(w, r)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	r, err := Get(t.Context(), srv.Client(), get(srv.URL), Limits{})
	if err != nil || string(r.Body) != "ok" || n.Load() != 2 {
		t.Fatalf("%d requests, %v", n.Load(), err)
	}
}

func TestGetDropsTwiceThenSaysDropped(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		dropAfter(7)(w, r)
	}))
	defer srv.Close()
	_, err := Get(t.Context(), srv.Client(), get(srv.URL), Limits{})
	if n.Load() != 2 || FailureOf(err) != Dropped || !strings.Contains(err.Error(), "after 7 bytes") {
		t.Fatalf("%d requests, %v", n.Load(), err)
	}
}

func TestGetOverallBound(t *testing.T) {
	srv := httptest.NewServer(hang(nil))
	defer srv.Close()
	_, err := Get(t.Context(), srv.Client(), get(srv.URL), Limits{Attempt: time.Hour, Overall: 20 * time.Millisecond})
	if FailureOf(err) != Timeout || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("got %v", err)
	}
}

func TestRetriesRule(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	var r Retries
	drop := &Error{Failure: Dropped}
	if !r.Worth(t.Context(), drop) || r.Worth(t.Context(), drop) {
		t.Error("a drop is retried once per call")
	}
	if !r.Worth(t.Context(), &Error{Failure: Timeout}) || r.Worth(cancelled, &Error{Failure: Timeout}) {
		t.Error("a timeout is retried only while the call is alive")
	}
	for _, f := range []Failure{Interrupted, Unreachable, TooLarge, Other} {
		var fresh Retries
		if fresh.Worth(t.Context(), &Error{Failure: f}) {
			t.Errorf("%v must not be retried", f)
		}
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret-token")) }))
	defer srv.Close()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	req := Request{Op: "key fetch", Method: "GET", URL: "http://user:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/certs?sig=abc",
		Header: http.Header{"Authorization": {"Bearer hunter2"}}}
	if _, err := Do(t.Context(), nil, req, Limits{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"method=GET", "/certs", "status=200", "bytes=12", "duration="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q: %s", want, out)
		}
	}
	for _, secret := range []string{"secret-token", "hunter2", "pw@", "sig=abc"} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %q: %s", secret, out)
		}
	}
}
