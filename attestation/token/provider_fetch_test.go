package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// keyServer is a plain-HTTP loopback provider (NormalizeBase allows http for loopback only)
// whose /certs handler the test chooses; the metadata is always served.
func keyServer(t *testing.T, certs http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			fmt.Fprintf(w, `{"jwks_uri":"http://%s/certs"}`, r.Host)
			return
		}
		n.Add(1)
		certs(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// hangUntilGone never answers; reached hears of each request. Once the client hangs up the
// connection is aborted without a response: returning from the handler would send an empty
// 200, which the transport can still hand to a client whose deadline has just passed (seen
// under -race -count=20), so the test would see an answer the "provider" never meant to give.
func hangUntilGone(reached chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if reached != nil {
			reached <- struct{}{}
		}
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
}

// dropAfter promises 100 bytes, sends n of them and closes the connection.
func dropAfter(w http.ResponseWriter, n int) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n%s", strings.Repeat("x", n))
	buf.Flush()
}

// A provider that accepts the connection and never answers must not hang cvmscope, even
// with the default HTTP client, which has no timeout of its own.
//
// Only /certs may meet the 20 ms attempt deadline: the metadata is answered in memory, so a
// loaded machine (-race -count=20) cannot make the metadata request the one that times out,
// and the hanging handler never answers, so the deadline is the only way the fetch ends.
func TestKeyFetchHangingProviderTimesOut(t *testing.T) {
	srv, _ := keyServer(t, hangUntilGone(nil))
	p, err := NewProvider(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Client = &http.Client{Transport: metadataInMemory{http.DefaultTransport}}
	p.AttemptTimeout = 20 * time.Millisecond
	_, err = ProviderKeys(p).Lookup(t.Context(), "kid")
	host := strings.TrimPrefix(srv.URL, "http://")
	if err == nil || !strings.Contains(err.Error(), "MAA key fetch GET /certs: no answer within 20ms from "+host) ||
		fault.KindOf(err) != fault.Network || IsKeyNotFound(err) {
		t.Fatalf("err %v (%v)", err, fault.KindOf(err))
	}
}

// metadataInMemory answers the OpenID metadata itself, at once and whatever the context,
// and passes every other request to next.
type metadataInMemory struct{ next http.RoundTripper }

func (m metadataInMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/.well-known/openid-configuration" {
		return m.next.RoundTrip(r)
	}
	body := fmt.Sprintf(`{"jwks_uri":"http://%s/certs"}`, r.URL.Host)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

func TestKeyFetchOverallTimeout(t *testing.T) {
	srv, _ := keyServer(t, hangUntilGone(nil))
	p, _ := NewProvider(srv.URL, nil)
	p.AttemptTimeout, p.FetchTimeout = time.Hour, 20*time.Millisecond
	if _, err := p.FetchKeys(t.Context()); err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("err %v", err)
	}
}

func TestKeyFetchCancelIsInterrupted(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv, n := keyServer(t, hangUntilGone(reached))
	p, _ := NewProvider(srv.URL, nil)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-reached; cancel() }()
	_, err := ProviderKeys(p).Lookup(ctx, "kid")
	if err == nil || err.Error() != "MAA key fetch GET /certs interrupted (Ctrl-C/Esc): no answer was awaited" ||
		!errors.Is(err, context.Canceled) || fault.ExitCode(err) != 130 || n.Load() != 1 {
		t.Fatalf("err %v (%v), %d requests", err, fault.KindOf(err), n.Load())
	}
}

func TestKeyFetchDroppedOnceThenSuccess(t *testing.T) {
	s := newSigner(t, 0, "kid-a", "x")
	var first atomic.Bool
	srv, n := keyServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !first.Swap(true) {
			dropAfter(w, 4)
			return
		}
		w.Write(jwksBody(s))
	})
	p, _ := NewProvider(srv.URL, nil)
	if _, err := ProviderKeys(p).Lookup(t.Context(), "kid-a"); err != nil || n.Load() != 2 {
		t.Fatalf("%d requests, %v", n.Load(), err)
	}
}

func TestKeyFetchDroppedTwiceSaysDropped(t *testing.T) {
	srv, n := keyServer(t, func(w http.ResponseWriter, r *http.Request) { dropAfter(w, 4) })
	p, _ := NewProvider(srv.URL, nil)
	_, err := p.FetchKeys(t.Context())
	host := strings.TrimPrefix(srv.URL, "http://")
	if n.Load() != 2 || err == nil || !strings.Contains(err.Error(), "connection dropped by "+host+" mid-response (after 4 bytes)") {
		t.Fatalf("%d requests, %v", n.Load(), err)
	}
}

// The metadata is optional (a 404 leads to /certs), but a metadata request that got no
// answer ends the fetch: asking again elsewhere would only double the wait.
func TestKeyFetchMetadataWithoutAnswerEndsFetch(t *testing.T) {
	var certs atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/certs" {
			certs.Add(1)
			io.WriteString(w, `{"keys":[]}`)
			return
		}
		dropAfter(w, 0)
	}))
	defer srv.Close()
	p, _ := NewProvider(srv.URL, nil)
	if _, err := p.FetchKeys(t.Context()); err == nil || !strings.Contains(err.Error(), "openid-configuration") || certs.Load() != 0 {
		t.Fatalf("err %v, %d /certs requests", err, certs.Load())
	}
}

func TestKeyFetchErrorBodyBounded(t *testing.T) {
	srv, _ := keyServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		w.Write(make([]byte, MaxResponseBytes+1))
	})
	p, _ := NewProvider(srv.URL, nil)
	if _, err := p.FetchKeys(t.Context()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err %v", err)
	}
}

// FuzzKeyFetchAnswers serves any OpenID metadata and key set on loopback and runs the real
// FetchKeys: a key set or an error, never a panic; keys only with HTTP 200 and only from
// this provider's own host, whatever host the metadata names.
func FuzzKeyFetchAnswers(f *testing.F) {
	s := newSigner(f, 0, "kid-a", "x")
	for _, meta := range []string{`{"jwks_uri":"SELF/certs"}`, `{"jwks_uri":"https://evil.example/certs"}`, `{"jwks_uri":1}`, "", "{"} {
		for _, jwks := range [][]byte{jwksBody(s), []byte(`{"keys":[{"kty":"RSA","kid":"k","x5c":["AAAA"]}]}`), []byte(`{"keys":null}`), nil} {
			f.Add(meta, jwks, uint16(200))
		}
	}
	f.Add(`{}`, jwksBody(s), uint16(404))
	type answer struct {
		meta   string
		jwks   []byte
		status int
	}
	var cur atomic.Value
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := cur.Load().(answer)
		if r.URL.Path == "/.well-known/openid-configuration" {
			io.WriteString(w, strings.ReplaceAll(a.meta, "SELF", srvURL))
			return
		}
		w.WriteHeader(a.status)
		w.Write(a.jwks)
	}))
	defer srv.Close()
	srvURL = srv.URL
	p, err := NewProvider(srv.URL, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, meta string, jwks []byte, st uint16) {
		a := answer{meta: meta, jwks: jwks, status: 200 + int(st)%400}
		cur.Store(a)
		set, err := p.FetchKeys(context.Background())
		if err == nil && (a.status != http.StatusOK || set == nil || !strings.HasPrefix(set.Source, srvURL+"/")) {
			t.Errorf("HTTP %d gave a key set from %v", a.status, set)
		}
		if err != nil && fault.KindOf(err) != fault.Network {
			t.Errorf("%v is not a network fault", err)
		}
	})
}
