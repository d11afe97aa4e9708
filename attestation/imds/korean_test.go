package imds

import (
	"context"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// IMDS errors read in Korean: an error status after the retries, and a host where nothing
// answers (not an Azure VM); the kind and the English stay as they were.
func TestIMDSErrorsInKorean(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no certs cached", http.StatusInternalServerError)
	}))
	c, _ := testClient(srv)
	_, err := c.THIMCertification(context.Background())
	srv.Close()
	msg, hint := fault.MessageIn(err, "ko")
	if !strings.Contains(msg, "4번 시도했지만 HTTP 500 응답을 받았습니다: no certs cached") || !strings.Contains(hint, "AMD KDS") || !checktest.HasHangul(hint) {
		t.Errorf("status error in Korean: %q / %q", msg, hint)
	}
	if en, _ := fault.MessageIn(err, "en"); en != err.Error() || checktest.HasHangul(en) || fault.KindOf(err) != fault.Network {
		t.Errorf("English or kind changed: %q %v", en, fault.KindOf(err))
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c = New()
	c.BaseURL = "http://" + addr
	_, err = c.Instance(context.Background())
	msg, hint = fault.MessageIn(err, "ko")
	if !strings.Contains(msg, "IMDS(169.254.169.254)가 응답하지 않았습니다") || !strings.Contains(hint, "169.254.169.254") || !checktest.HasHangul(hint) {
		t.Errorf("unreachable IMDS in Korean: %q / %q", msg, hint)
	}
	for _, p := range []string{thimPath, "/acc/tdquote", endorsementPath, "/metadata/instance"} {
		if !checktest.HasHangul(hintForKO(p, 429)) || !checktest.HasHangul(hintForKO(p, 500)) {
			t.Errorf("%s: no Korean hint", p)
		}
	}
}
