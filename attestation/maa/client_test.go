package maa

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// tlsClient is a client for a loopback TLS test server, trusting only its certificate, with
// the real retry logic and a recorded Sleep instead of real waiting.
func tlsClient(t *testing.T, srv *httptest.Server) (*Client, *[]time.Duration) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := NewClient(srv.URL, pool)
	if err != nil {
		t.Fatal(err)
	}
	c.MaxJitter = 0
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

func TestAttestSuccess(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/attest/AzureGuest" || r.URL.Query().Get("api-version") != "2020-10-01" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s %s %s", r.Method, r.URL, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"AttestationInfo":"e30"}` {
			t.Errorf("body %s", b)
		}
		io.WriteString(w, `{"token":"a.b.c"}`)
	}))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	ex, err := c.Attest(context.Background(), PathAzureGuest, []byte(`{"AttestationInfo":"e30"}`))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != 200 || string(ex.ResponseBody) != `{"token":"a.b.c"}` || len(ex.Attempts) != 1 || len(*waits) != 0 ||
		ex.URL != srv.URL+PathAzureGuest || string(ex.RequestBody) != `{"AttestationInfo":"e30"}` || ex.Duration <= 0 {
		t.Errorf("exchange %+v", ex)
	}
}

func TestAttestRetriesAndRetryAfter(t *testing.T) {
	var n atomic.Int32
	// The client's clock is fixed: an HTTP date has whole seconds, so against the real
	// clock the wait it leaves depends on how long the exchange took.
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	date := now.Add(30 * time.Second)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "5")
			http.Error(w, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, 429)
		case 2:
			w.Header().Set("Retry-After", date.Format(http.TimeFormat))
			http.Error(w, `{"Error":{"Code":"ServiceUnavailable","Message":"busy"}}`, 503)
		default:
			io.WriteString(w, `{"token":"a.b.c"}`)
		}
	}))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	c.Now = func() time.Time { return now }
	ex, err := c.Attest(context.Background(), PathSevSnpVm, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(ex.Attempts) != 3 || ex.Attempts[0].Status != 429 || ex.Attempts[1].Status != 503 || ex.Attempts[2].Status != 200 {
		t.Fatalf("attempts %+v", ex.Attempts)
	}
	if ex.Attempts[0].RetryAfter != 5*time.Second {
		t.Errorf("Retry-After seconds: %v", ex.Attempts[0].RetryAfter)
	}
	if len(*waits) != 2 || (*waits)[0] != 5*time.Second || (*waits)[1] != 30*time.Second {
		t.Errorf("waits %v; want 5s (Retry-After seconds) then 30s (Retry-After date)", *waits)
	}
}

func TestAttestJitterAndBackoff(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	c.MaxJitter = 500 * time.Millisecond
	ex, err := c.Attest(context.Background(), PathTdxVm, []byte("{}"))
	if err == nil || len(ex.Attempts) != 3 || len(*waits) != 2 {
		t.Fatalf("err %v, %d attempts, waits %v", err, len(ex.Attempts), *waits)
	}
	for i, base := range []time.Duration{time.Second, 2 * time.Second} {
		if w := (*waits)[i]; w < base || w >= base+c.MaxJitter {
			t.Errorf("wait %d = %v, want in [%v, %v)", i, w, base, base+c.MaxJitter)
		}
	}
	if fault.KindOf(err) != fault.Network || !strings.Contains(err.Error(), "after 3 attempts") || !strings.Contains(fault.HintOf(err), "HTTP 502") {
		t.Errorf("err %v (%v), hint %q", err, fault.KindOf(err), fault.HintOf(err))
	}
}

func TestAttestNoRetryOn400(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(400)
		io.WriteString(w, policyBody)
	}))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	ex, err := c.Attest(context.Background(), PathAzureGuest, []byte("{}"))
	if n.Load() != 1 || len(*waits) != 0 || ex.Status != 400 {
		t.Errorf("400 must not be retried: %d requests, %d waits", n.Load(), len(*waits))
	}
	var se *ServiceError
	if !errors.As(err, &se) || se.Details[0].Target != "x-ms-azurevm-dbxvalidated" {
		t.Fatalf("want a *ServiceError, got %v", err)
	}
	if fault.ExitCode(err) != 5 || !strings.Contains(fault.HintOf(err), "enable Secure Boot") {
		t.Errorf("exit %d hint %q", fault.ExitCode(err), fault.HintOf(err))
	}
}

func TestAttestRetryAfterTooLong(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	_, err := c.Attest(context.Background(), PathAzureGuest, nil)
	if n.Load() != 1 || err == nil || !strings.Contains(err.Error(), "1h0m0s") || fault.KindOf(err) != fault.Network {
		t.Errorf("%d requests, err %v", n.Load(), err)
	}
}

func TestAttestOversizedResponse(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"token":"`))
		w.Write(make([]byte, MaxResponseBytes))
	}))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	ex, err := c.Attest(context.Background(), PathAzureGuest, nil)
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") || len(*waits) != 0 || ex.ResponseBody != nil {
		t.Errorf("err %v, waits %v", err, *waits)
	}
}

func TestAttestContextTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := tlsClient(t, srv)
	c.AttemptTimeout = 50 * time.Millisecond
	ex, err := c.Attest(context.Background(), PathAzureGuest, nil)
	if err == nil || len(ex.Attempts) != 3 || fault.KindOf(err) != fault.Network {
		t.Errorf("a hung MAA must time out per attempt and retry: %v, %d attempts", err, len(ex.Attempts))
	}
}

func TestTLSTrust(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"token":"a.b.c"}`) }))
	defer srv.Close()
	// Without the emulator's root the self-signed certificate must be refused.
	c, err := NewClient(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Attest(context.Background(), PathAzureGuest, nil)
	if err == nil || !strings.Contains(fault.HintOf(err), "TLS certificate did not verify") {
		t.Errorf("untrusted cert: %v / %q", err, fault.HintOf(err))
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	if _, err := NewClient("https://sharedkrc.krc.attest.azure.net", pool); err == nil || !strings.Contains(err.Error(), "never for an Azure attestation provider") {
		t.Errorf("a private root must never be trusted for a public provider: %v", err)
	}
	// A room's emulator on another machine, reached through its test CA (--emulator-ca).
	if _, err := NewClient("https://192.0.2.7:8443", pool); err != nil {
		t.Errorf("a test CA for a room emulator: %v", err)
	}
	if _, err := NewClient("http://sharedkrc.krc.attest.azure.net", nil); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("plain http to a public provider: %v", err)
	}
	for _, base := range []string{"https://localhost:1", "https://[::1]:1", "http://127.0.0.2:1"} {
		if _, err := NewClient(base, pool); err != nil {
			t.Errorf("%s is loopback: %v", base, err)
		}
	}
}

func TestConnectionRefusedNamesHost(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, err := NewClient("https://"+addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Sleep = func(context.Context, time.Duration) error {
		t.Error("refused connections must not be retried")
		return nil
	}
	_, err = c.Attest(context.Background(), PathAzureGuest, nil)
	// On loopback the only sensible advice is to start the emulator there.
	if err == nil || !strings.Contains(err.Error(), "cannot reach MAA at "+addr) || !strings.Contains(fault.HintOf(err), "nothing answers at "+addr) ||
		!errors.Is(err, syscall.ECONNREFUSED) || fault.ExitCode(err) != 3 {
		t.Errorf("err %v hint %q", err, fault.HintOf(err))
	}
}

func TestProxyFunctionIsFromEnvironment(t *testing.T) {
	c, err := NewClient(DefaultEndpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := c.HTTP.Transport.(*http.Transport)
	if reflect.ValueOf(tr.Proxy).Pointer() != reflect.ValueOf(http.ProxyFromEnvironment).Pointer() {
		t.Error("MAA must use the proxy from the environment")
	}
	if tr.TLSClientConfig.InsecureSkipVerify || tr.TLSClientConfig.RootCAs != nil {
		t.Error("a public provider must be verified against the system roots")
	}
}

// TestProxyFromEnvironmentUsed runs a child test process with HTTPS_PROXY set, because
// http.ProxyFromEnvironment reads the environment once per process and ignores loopback
// targets. The child calls a real provider name; the counting proxy must see its CONNECT.
func TestProxyFromEnvironmentUsed(t *testing.T) {
	if os.Getenv("CVMSCOPE_MAA_PROXY_CHILD") != "" {
		t.Skip("child process")
	}
	var connects atomic.Int32
	var target atomic.Value
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				if req.Method == http.MethodConnect {
					connects.Add(1)
					target.Store(req.Host)
				}
				fmt.Fprint(conn, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
			}()
		}
	}()
	proxy := "http://" + l.Addr().String()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyChild$", "-test.v")
	cmd.Env = append(os.Environ(), "CVMSCOPE_MAA_PROXY_CHILD=1", "HTTPS_PROXY="+proxy, "https_proxy="+proxy, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if connects.Load() != 1 || target.Load() != "sharedkrc.krc.attest.azure.net:443" {
		t.Errorf("proxy saw %d CONNECTs to %v; want 1 to sharedkrc.krc.attest.azure.net:443\n%s", connects.Load(), target.Load(), out)
	}
}

func TestProxyChild(t *testing.T) {
	if os.Getenv("CVMSCOPE_MAA_PROXY_CHILD") == "" {
		t.Skip("runs only as the child of TestProxyFromEnvironmentUsed")
	}
	c, err := NewClient("https://sharedkrc.krc.attest.azure.net", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.MaxAttempts = 1
	// The proxy is a loopback server that refuses at once: the deadline only stops a hang
	// (a loaded machine can take seconds to start this child and serve it).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err = c.Attest(ctx, PathAzureGuest, []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "through proxy http://127.0.0.1") {
		t.Fatalf("the error must name the proxy: %v", err)
	}
	t.Log(err)
}

// hangUntilGone reads the request and never answers; reached, if not nil, hears of each
// request. Once the client hangs up the connection is aborted without a response: returning
// from the handler would send an empty 200, which the transport can still hand to a client
// whose attempt deadline has just passed (seen under -race -count=20 as a "successful"
// attest), so the outcome would depend on scheduling.
func hangUntilGone(reached chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if reached != nil {
			reached <- struct{}{}
		}
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
}

// dropAfter promises 100 bytes, sends n of them and closes the connection.
func dropAfter(w http.ResponseWriter, r *http.Request, n int) {
	io.Copy(io.Discard, r.Body)
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n%s", strings.Repeat("x", n))
	buf.Flush()
}

func TestAttestHangingProviderTimesOut(t *testing.T) {
	srv := httptest.NewTLSServer(hangUntilGone(nil))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	c.AttemptTimeout, c.MaxAttempts = 20*time.Millisecond, 2
	ex, err := c.Attest(t.Context(), PathAzureGuest, []byte("{}"))
	host := strings.TrimPrefix(srv.URL, "https://")
	if err == nil || !strings.Contains(err.Error(), "no answer within 20ms from "+host) || strings.Contains(err.Error(), "cannot reach") ||
		!strings.Contains(err.Error(), "after 2 attempts") || fault.KindOf(err) != fault.Network || len(ex.Attempts) != 2 || len(*waits) != 1 {
		t.Fatalf("err %v (%v), %d attempts, waits %v", err, fault.KindOf(err), len(ex.Attempts), *waits)
	}
}

func TestAttestOverallTimeout(t *testing.T) {
	srv := httptest.NewTLSServer(hangUntilGone(nil))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	c.AttemptTimeout, c.Timeout = time.Hour, 20*time.Millisecond
	ex, err := c.Attest(t.Context(), PathAzureGuest, nil)
	// The call's own limit ends it: one try, no retry once the time is spent.
	if err == nil || !strings.Contains(err.Error(), "no answer within") || len(ex.Attempts) != 1 || fault.KindOf(err) != fault.Network {
		t.Fatalf("err %v, %d attempts", err, len(ex.Attempts))
	}
}

func TestAttestCancelIsInterrupted(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := httptest.NewTLSServer(hangUntilGone(reached))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-reached; cancel() }()
	ex, err := c.Attest(ctx, PathAzureGuest, []byte("{}"))
	if err == nil || err.Error() != "Call MAA interrupted (Ctrl-C/Esc): no answer was awaited" || !errors.Is(err, context.Canceled) ||
		fault.KindOf(err) != fault.Interrupted || fault.ExitCode(err) != 130 || strings.Contains(fault.HintOf(err), "emulator") {
		t.Fatalf("err %v, kind %v, hint %q", err, fault.KindOf(err), fault.HintOf(err))
	}
	if len(ex.Attempts) != 1 || len(*waits) != 0 {
		t.Errorf("no retry after cancellation: %d attempts, waits %v", len(ex.Attempts), *waits)
	}
}

func TestAttestCancelWhileWaitingToRetry(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	ctx, cancel := context.WithCancel(t.Context())
	c.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	ex, err := c.Attest(ctx, PathAzureGuest, nil)
	if fault.KindOf(err) != fault.Interrupted || !strings.Contains(err.Error(), "interrupted") || len(ex.Attempts) != 1 {
		t.Fatalf("err %v (%v), %d attempts", err, fault.KindOf(err), len(ex.Attempts))
	}
}

func TestAttestDroppedTwiceSaysDropped(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		dropAfter(w, r, 12)
	}))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	ex, err := c.Attest(t.Context(), PathAzureGuest, []byte("{}"))
	host := strings.TrimPrefix(srv.URL, "https://")
	// Exactly one retry, although MaxAttempts would allow a third try.
	if n.Load() != 2 || len(ex.Attempts) != 2 || len(*waits) != 1 {
		t.Fatalf("%d requests, %d attempts, waits %v", n.Load(), len(ex.Attempts), *waits)
	}
	if err == nil || !strings.Contains(err.Error(), "connection dropped by "+host+" mid-response (after 12 bytes)") ||
		strings.Contains(err.Error(), "nothing answers") || strings.Contains(fault.HintOf(err), "nothing answers") || fault.KindOf(err) != fault.Network {
		t.Errorf("err %v, hint %q", err, fault.HintOf(err))
	}
	for i, a := range ex.Attempts {
		if !strings.Contains(a.Err, "dropped") {
			t.Errorf("attempt %d: %+v", i+1, a)
		}
	}
}

func TestAttestDroppedOnceThenSuccess(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropAfter(w, r, 0)
			return
		}
		io.WriteString(w, `{"token":"a.b.c"}`)
	}))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	ex, err := c.Attest(t.Context(), PathAzureGuest, []byte("{}"))
	if err != nil || ex.Status != 200 || string(ex.ResponseBody) != `{"token":"a.b.c"}` {
		t.Fatalf("err %v, exchange %+v", err, ex)
	}
	// The Call MAA page lists every attempt: the dropped one stays on record.
	if len(ex.Attempts) != 2 || ex.Attempts[0].Status != 0 || !strings.Contains(ex.Attempts[0].Err, "after 0 bytes") ||
		ex.Attempts[1].Status != 200 || ex.Attempts[1].Err != "" {
		t.Errorf("attempts %+v", ex.Attempts)
	}
}

func TestAttestRetryAfterBeyondDeadline(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	c, waits := tlsClient(t, srv)
	c.Timeout = 5 * time.Second
	_, err := c.Attest(t.Context(), PathAzureGuest, nil)
	if n.Load() != 1 || len(*waits) != 0 || err == nil || !strings.Contains(err.Error(), "in 20s, would come after the call's time limit") {
		t.Errorf("%d requests, waits %v, err %v", n.Load(), *waits, err)
	}
}
