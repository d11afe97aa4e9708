package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Every client (MAA, key sets, AMD KDS, Intel PCS, IMDS) sends through Do, so Do is where a
// redirect is held to the origin the caller asked for: a pinned provider or vendor host must
// not be able to hand a fetch (or, with 307/308, an attest POST and its evidence) to a host
// nobody chose, or to plain http.
func TestDoRedirectStaysOnItsOrigin(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte("other"))
	}))
	defer other.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte("plain"))
	}))
	defer plain.Close()
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/final":
			w.Write([]byte("final"))
		case "/other":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/plain":
			http.Redirect(w, r, plain.URL+"/x", http.StatusFound)
		case "/post":
			http.Redirect(w, r, other.URL+"/attest", http.StatusTemporaryRedirect)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()

	resp, err := Do(t.Context(), srv.Client(), Request{Op: "GET same", Method: http.MethodGet, URL: srv.URL + "/same"}, Limits{})
	if err != nil || string(resp.Body) != "final" {
		t.Fatalf("same-origin redirect: %v", err)
	}
	for _, c := range []struct{ path, method, to string }{
		{"/other", http.MethodGet, other.URL + "/x"},
		{"/plain", http.MethodGet, plain.URL + "/x"},
		{"/post", http.MethodPost, other.URL + "/attest"},
	} {
		_, err := Do(t.Context(), srv.Client(), Request{Op: "Call X", Method: c.method, URL: srv.URL + c.path, Body: []byte("evidence")}, Limits{})
		var re *RedirectError
		if err == nil || !errors.As(err, &re) || FailureOf(err) != Other ||
			!strings.HasPrefix(err.Error(), "Call X: "+srv.URL+c.path+" redirected to "+c.to+"; refused") ||
			!strings.Contains(err.(*Error).KO(), c.to) {
			t.Errorf("%s: %v", c.path, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached another origin", n)
	}
	// The caller's own limit on hops still holds within the origin.
	if _, err := Do(t.Context(), srv.Client(), Request{Op: "GET loop", Method: http.MethodGet, URL: srv.URL + "/loop"}, Limits{}); err == nil ||
		!strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("redirect loop: %v", err)
	}
}
