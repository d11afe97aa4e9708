package maa

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// An attest call answered with a redirect to another host is refused (httpx), and the
// message says so rather than sending the user to check egress rules and DNS for a host
// that did answer.
func TestAttestRedirectElsewhereIsNamed(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer other.Close()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	_, err := c.Attest(context.Background(), PathAzureGuest, []byte(`{"AttestationInfo":"e30"}`))
	hint := fault.HintOf(err)
	msgKO, _ := fault.MessageIn(err, "ko")
	if err == nil || fault.KindOf(err) != fault.Network || reached.Load() != 0 ||
		!strings.Contains(err.Error(), "redirected to "+other.URL) || strings.Contains(err.Error(), "cannot reach") ||
		strings.Contains(hint, "egress") || strings.Contains(hint, "nothing answers") || !strings.Contains(hint, "-a") ||
		!strings.Contains(msgKO, other.URL+"/attest/AzureGuest로 리디렉션했습니다") || strings.Contains(msgKO, "연결할 수 없습니다") {
		t.Fatalf("err %v\nhint %q\nko %q", err, hint, msgKO)
	}
}
