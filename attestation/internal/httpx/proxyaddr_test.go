package httpx

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestProxyRefusedNamesTheProxy: a proxy that refuses is named by its address in both
// languages; net/http leaves the proxyconnect error's own address empty, which printed
// "proxyconnect <nil>".
func TestProxyRefusedNamesTheProxy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: the proxy refuses
	proxy, _ := url.Parse("http://" + addr)
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	_, err = Do(context.Background(), c, Request{Op: "AMD KDS GET /vcek", Method: http.MethodGet, URL: "https://kdsintf.amd.com/vcek"}, Limits{})
	e, ok := err.(*Error)
	if !ok || e.Failure != Unreachable {
		t.Fatalf("want an Unreachable *Error, got %T %v", err, err)
	}
	for _, msg := range []string{e.Error(), e.KO()} {
		if !strings.Contains(msg, addr) || strings.Contains(msg, "<nil>") {
			t.Errorf("%q does not name the proxy %s", msg, addr)
		}
	}
}
