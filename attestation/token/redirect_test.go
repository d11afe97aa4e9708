package token

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// The provider's own /certs answering "302 elsewhere" must not carry the key fetch to a host
// the caller did not pin: TestJWKSURIOnAnotherHostIsNotFollowed holds the metadata's jwks_uri
// to the provider's origin, and a redirect is the same hand-off by another route. Before,
// net/http's default redirect policy followed it and the other host's keys verified the token.
func TestKeyFetchRedirectToAnotherHostIsRefused(t *testing.T) {
	other := newFakeMAA(t)
	s := newSigner(t, 0, "kid-a", other.srv.URL)
	other.setJWKS(jwksBody(s))
	maa := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/certs" {
			http.Redirect(w, r, other.srv.URL+"/certs", http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	defer maa.Close()
	p, err := NewProvider(maa.URL, maa.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ProviderKeys(p).Lookup(t.Context(), "kid-a")
	if err == nil || IsKeyNotFound(err) || fault.KindOf(err) != fault.Network || other.requests.Load() != 0 ||
		!strings.Contains(err.Error(), "redirect") || !strings.Contains(err.Error(), strings.TrimPrefix(other.srv.URL, "https://")) {
		t.Fatalf("err %v (%v), %d requests to the other host", err, fault.KindOf(err), other.requests.Load())
	}
}
