package imds

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// testClient points a real client at srv and records the waits instead of sleeping.
func testClient(srv *httptest.Server) (*Client, *[]time.Duration) {
	c := New()
	c.BaseURL = srv.URL
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

const vcekPEM = "-----BEGIN CERTIFICATE-----\nVCEK\n-----END CERTIFICATE-----\n"
const chainPEM = "-----BEGIN CERTIFICATE-----\nASK\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nARK\n-----END CERTIFICATE-----\n"

func TestTHIMCertification(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != thimPath || r.Header.Get("Metadata") != "true" || r.Method != "GET" {
			t.Errorf("got %s %s Metadata=%q", r.Method, r.URL.Path, r.Header.Get("Metadata"))
		}
		json.NewEncoder(w).Encode(map[string]string{"vcekCert": vcekPEM, "certificateChain": chainPEM, "tcbm": "DB18000000000004", "cacheControl": "86400"})
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	got, err := c.THIMCertification(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.VCEK != vcekPEM || got.Chain != chainPEM || got.TCBM != "DB18000000000004" || got.CacheControl != "86400" {
		t.Errorf("got %+v", got)
	}
	if got.VcekCertChain() != vcekPEM+chainPEM {
		t.Error("VcekCertChain must be the plain concatenation")
	}
}

func TestTHIMEmptyFields(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"vcekCert":"","certificateChain":"x"}`, "empty vcekCert"},
		{`{"vcekCert":"x","certificateChain":""}`, "empty certificateChain"},
		{`not json`, "not JSON"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tc.body) }))
		c, _ := testClient(srv)
		_, err := c.THIMCertification(context.Background())
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) || fault.KindOf(err) != fault.Network {
			t.Errorf("body %s: got %v, want %q of kind network", tc.body, err, tc.want)
		}
	}
}

func TestRetriesThenStatusError(t *testing.T) {
	for _, status := range []int{404, 500} {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			http.Error(w, "no certs cached", status)
		}))
		c, waits := testClient(srv)
		_, err := c.THIMCertification(context.Background())
		srv.Close()
		var se *StatusError
		if !errors.As(err, &se) || se.Status != status || se.Attempts != 4 {
			t.Fatalf("status %d: got %v", status, err)
		}
		if n.Load() != 4 || len(*waits) != 3 {
			t.Errorf("status %d: %d requests, %d waits; want 4 and 3", status, n.Load(), len(*waits))
		}
		if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !equalDur(*waits, want) {
			t.Errorf("backoff %v, want %v", *waits, want)
		}
		if fault.KindOf(err) != fault.Network || fault.HintOf(err) == "" {
			t.Errorf("want a network error with a hint, got %v", err)
		}
	}
}

func TestBadRequestNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "bad", http.StatusBadRequest)
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	if _, err := c.Instance(context.Background()); err == nil || n.Load() != 1 {
		t.Errorf("400: %d requests, err %v; want exactly 1 and an error", n.Load(), err)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, `{"compute":{"vmId":"v","location":"koreacentral"}}`)
	}))
	defer srv.Close()
	c, waits := testClient(srv)
	if _, err := c.Instance(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !equalDur(*waits, []time.Duration{7 * time.Second}) {
		t.Errorf("waits %v, want [7s] from Retry-After", *waits)
	}
}

func TestInstance(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api-version") != "2021-02-01" || r.URL.Query().Get("format") != "json" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		io.WriteString(w, `{"compute":{"vmId":"02aab8a4-74ef-476e-8182-f6d2ba4166a6","location":"koreacentral","vmSize":"Standard_DC2as_v5",
		"name":"cvm1","osType":"Linux","securityProfile":{"secureBootEnabled":"true","virtualTpmEnabled":"true","securityType":"ConfidentialVM"},
		"tagsList":[{"name":"env","value":"lab"}]}}`)
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	in, err := c.Instance(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if in.VMID != "02aab8a4-74ef-476e-8182-f6d2ba4166a6" || in.Location != "koreacentral" || in.VMSize != "Standard_DC2as_v5" ||
		in.SecurityType != "ConfidentialVM" || in.SecureBoot != "true" || in.Tags["env"] != "lab" || in.OSType != "Linux" {
		t.Errorf("got %+v", in)
	}
}

func TestTDQuote(t *testing.T) {
	report := make([]byte, TDReportSize)
	for i := range report {
		report[i] = byte(i * 7)
	}
	quote := []byte("\x04\x00\x02\x00\x81\x00\x00\x00quote>>??")
	for name, enc := range map[string]*base64.Encoding{"url-raw": base64.RawURLEncoding, "std": base64.StdEncoding, "std-raw": base64.RawStdEncoding, "url": base64.URLEncoding} {
		var bodies []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req map[string]string
			json.NewDecoder(r.Body).Decode(&req)
			bodies = append(bodies, req["report"])
			if r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", r.Header.Get("Content-Type"))
			}
			json.NewEncoder(w).Encode(map[string]string{"quote": enc.EncodeToString(quote)})
		}))
		c, _ := testClient(srv)
		got, err := c.TDQuote(context.Background(), report)
		srv.Close()
		if err != nil || string(got) != string(quote) {
			t.Errorf("%s: got %q, %v", name, got, err)
		}
		if len(bodies) != 1 || bodies[0] != base64.RawURLEncoding.EncodeToString(report) {
			t.Errorf("%s: want one b64url body, got %d", name, len(bodies))
		}
	}
}

func TestTDQuoteFallsBackToStdBase64(t *testing.T) {
	report := make([]byte, TDReportSize)
	report[0] = 0xfb // makes '+' or '/' appear, so the two encodings differ
	report[1] = 0xff
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		json.NewDecoder(r.Body).Decode(&req)
		seen = append(seen, req["report"])
		if req["report"] != base64.StdEncoding.EncodeToString(report) {
			http.Error(w, "bad report", http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"quote":"AQID"}`)
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	got, err := c.TDQuote(context.Background(), report)
	if err != nil || string(got) != "\x01\x02\x03" {
		t.Fatalf("got %v, %v", got, err)
	}
	if len(seen) != 2 || seen[0] != base64.RawURLEncoding.EncodeToString(report) {
		t.Errorf("want b64url then std, got %d bodies", len(seen))
	}
}

func TestTDQuoteBadInput(t *testing.T) {
	c := New()
	_, err := c.TDQuote(context.Background(), make([]byte, 1000))
	if err == nil || !strings.Contains(err.Error(), "1000 bytes") {
		t.Errorf("got %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"quote":""}`) }))
	defer srv.Close()
	c, _ = testClient(srv)
	if _, err := c.TDQuote(context.Background(), make([]byte, TDReportSize)); err == nil || !strings.Contains(err.Error(), "empty quote") {
		t.Errorf("got %v", err)
	}
}

func TestIMDSDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // a port nobody listens on: connection refused
	c := New()
	c.BaseURL = "http://" + addr
	var waits int
	c.Sleep = func(context.Context, time.Duration) error { waits++; return nil }
	_, err = c.THIMCertification(context.Background())
	if err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(err.Error(), "IMDS (169.254.169.254) did not answer: this does not look like an Azure VM") {
		t.Errorf("message: %v", err)
	}
	if fault.KindOf(err) != fault.Network || !strings.Contains(fault.HintOf(err), "simulated") {
		t.Errorf("kind %v hint %q", fault.KindOf(err), fault.HintOf(err))
	}
	if waits != 0 {
		t.Errorf("a dead IMDS must fail fast, not retry (%d waits)", waits)
	}
}

func equalDur(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTransportHasNoProxy(t *testing.T) {
	tr, ok := New().HTTP.Transport.(*http.Transport)
	if !ok || tr.Proxy != nil {
		t.Fatal("the IMDS transport must have no proxy function")
	}
}

// TestProxyEnvironmentIgnored runs a child test process with HTTP_PROXY and HTTPS_PROXY
// pointing at a counting proxy. http.ProxyFromEnvironment caches the environment on first
// use, so a fresh process is the only honest way to set it. The child first proves the
// setting works (a proxy-from-environment client reaches the proxy), then calls IMDS with
// cvmscope's client, which must not.
func TestProxyEnvironmentIgnored(t *testing.T) {
	if os.Getenv("CVMSCOPE_IMDS_PROXY_CHILD") != "" {
		t.Skip("child process")
	}
	var hits atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "proxy refuses", http.StatusBadGateway)
	}))
	defer proxy.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyChild$", "-test.v")
	cmd.Env = append(os.Environ(), "CVMSCOPE_IMDS_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "HTTPS_PROXY="+proxy.URL,
		"http_proxy="+proxy.URL, "https_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if hits.Load() != 1 {
		t.Fatalf("proxy saw %d requests; want exactly 1 (the control request), none from the IMDS client\n%s", hits.Load(), out)
	}
}

func TestProxyChild(t *testing.T) {
	if os.Getenv("CVMSCOPE_IMDS_PROXY_CHILD") == "" {
		t.Skip("runs only as the child of TestProxyEnvironmentIgnored")
	}
	// The proxy is a loopback server that answers at once: the deadline only stops a hang
	// (a loaded machine can take seconds to start this child and serve it).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	control := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	req, _ := http.NewRequestWithContext(ctx, "GET", DefaultBaseURL+"/metadata/instance", nil)
	resp, err := control.Do(req)
	if err != nil {
		t.Fatalf("control request through the proxy: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("control request did not reach the counting proxy: %d", resp.StatusCode)
	}
	c := New()
	c.MaxAttempts = 1
	// Whatever 169.254.169.254 does on this machine, the proxy must not see the request; a
	// short bound, as no answer is needed (the parent counts the proxy's requests).
	short, cancelShort := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancelShort()
	c.Instance(short)
}

// A slow IMDS is not "not Azure": the message must say it answered the connection.
func TestIMDSSlow(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := testClient(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Instance(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") || strings.Contains(err.Error(), "Azure VM") {
		t.Errorf("got %v", err)
	}
}

// A dial that times out (no route, filtered address) is "not Azure" too.
func TestIMDSDialTimeout(t *testing.T) {
	c := New()
	c.BaseURL = DefaultBaseURL
	c.HTTP = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
	}}}
	_, err := c.THIMCertification(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer: this does not look like an Azure VM") {
		t.Errorf("got %v", err)
	}
}

// hangUntilGone reads the request and answers nothing until the client hangs up; reached,
// if not nil, hears of each request.
func hangUntilGone(reached chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if reached != nil {
			reached <- struct{}{}
		}
		<-r.Context().Done()
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

func TestIMDSHangingTimesOutPerTry(t *testing.T) {
	srv := httptest.NewServer(hangUntilGone(nil))
	defer srv.Close()
	c, waits := testClient(srv)
	c.AttemptTimeout, c.MaxAttempts = 20*time.Millisecond, 2
	_, err := c.Instance(t.Context())
	host := strings.TrimPrefix(srv.URL, "http://")
	if err == nil || !strings.Contains(err.Error(), "no answer within 20ms from "+host) || strings.Contains(err.Error(), "Azure VM") ||
		fault.KindOf(err) != fault.Network || len(*waits) != 1 {
		t.Fatalf("err %v, waits %v", err, *waits)
	}
}

func TestIMDSOverallTimeout(t *testing.T) {
	srv := httptest.NewServer(hangUntilGone(nil))
	defer srv.Close()
	c, waits := testClient(srv)
	c.AttemptTimeout, c.Timeout = time.Hour, 20*time.Millisecond
	_, err := c.Location(t.Context())
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") || len(*waits) != 0 {
		t.Fatalf("err %v, waits %v", err, *waits)
	}
}

func TestTHIMHangingTimesOut(t *testing.T) {
	srv := httptest.NewServer(hangUntilGone(nil))
	defer srv.Close()
	c, _ := testClient(srv)
	c.THIMBase, c.THIMAttemptTimeout, c.MaxAttempts = srv.URL, 20*time.Millisecond, 1
	_, err := c.TDXEndorsedMRTDs(t.Context())
	if err == nil || !strings.Contains(err.Error(), "THIM endorsement host") || !strings.Contains(err.Error(), "no answer within 20ms") {
		t.Fatalf("err %v", err)
	}
}

func TestIMDSCancelIsInterrupted(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := httptest.NewServer(hangUntilGone(reached))
	defer srv.Close()
	c, waits := testClient(srv)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-reached; cancel() }()
	_, err := c.TDQuote(ctx, make([]byte, TDReportSize))
	if err == nil || err.Error() != "IMDS POST /acc/tdquote interrupted (Ctrl-C/Esc): no answer was awaited" ||
		!errors.Is(err, context.Canceled) || fault.KindOf(err) != fault.Interrupted || len(*waits) != 0 {
		t.Fatalf("err %v (%v), waits %v", err, fault.KindOf(err), *waits)
	}
}

func TestIMDSCancelWhileWaitingToRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	c, _ := testClient(srv)
	ctx, cancel := context.WithCancel(t.Context())
	c.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	_, err := c.THIMCertification(ctx)
	if fault.KindOf(err) != fault.Interrupted || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err %v (%v)", err, fault.KindOf(err))
	}
}

func TestIMDSDroppedTwiceSaysDropped(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		dropAfter(w, r, 5)
	}))
	defer srv.Close()
	c, waits := testClient(srv)
	_, err := c.Instance(t.Context())
	host := strings.TrimPrefix(srv.URL, "http://")
	// One retry, though four tries are allowed for statuses.
	if n.Load() != 2 || len(*waits) != 1 || err == nil ||
		!strings.Contains(err.Error(), "connection dropped by "+host+" mid-response (after 5 bytes)") || strings.Contains(err.Error(), "Azure VM") {
		t.Fatalf("%d requests, waits %v, err %v", n.Load(), *waits, err)
	}
}

func TestIMDSDroppedOnceThenSuccess(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropAfter(w, r, 0)
			return
		}
		io.WriteString(w, "koreacentral")
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	loc, err := c.Location(t.Context())
	if err != nil || loc != "koreacentral" || n.Load() != 2 {
		t.Fatalf("%d requests, %q, %v", n.Load(), loc, err)
	}
}

func TestIMDSErrorBodyBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		w.Write(make([]byte, maxBody+1))
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	_, err := c.Instance(t.Context())
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err %v", err)
	}
}
