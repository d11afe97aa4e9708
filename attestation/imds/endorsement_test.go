package imds

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

func mrtd(b byte) []byte {
	m := make([]byte, 48)
	for i := range m {
		m[i] = b
	}
	return m
}

func TestTHIMBaseRules(t *testing.T) {
	for base, ok := range map[string]bool{
		"http://127.0.0.1:8080/":          true,
		"http://[::1]:9":                  true,
		"http://localhost:1":              true,
		"https://westus.thim.azure.net":   true,
		"http://westus.thim.azure.net":    false,
		"http://169.254.169.254":          false,
		"ftp://127.0.0.1":                 false,
		"westus.thim.azure.net/no-scheme": false,
	} {
		c := New()
		c.THIMBase = base
		got, err := c.EndorsementBase(context.Background())
		if ok != (err == nil) {
			t.Errorf("%s: base %q, err %v; want ok=%v", base, got, err, ok)
		}
		if ok && strings.HasSuffix(got, "/") {
			t.Errorf("%s: base %q keeps a trailing slash", base, got)
		}
	}
}

func TestTHIMBaseFromRegion(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metadata/instance/compute/location" || r.URL.Query().Get("format") != "text" || r.Header.Get("Metadata") != "true" {
			t.Errorf("unexpected %s %s", r.URL.Path, r.URL.RawQuery)
		}
		io.WriteString(w, "Korea Central")
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	if got, err := c.EndorsementBase(context.Background()); err != nil || got != "https://koreacentral.thim.azure.net" {
		t.Errorf("from IMDS location: %q, %v", got, err)
	}
	c.Region = "eastus2"
	if got, _ := c.EndorsementBase(context.Background()); got != "https://eastus2.thim.azure.net" {
		t.Errorf("Region override: %q", got)
	}
	c.Region = "east/us"
	if _, err := c.EndorsementBase(context.Background()); err == nil {
		t.Error("a region with a slash was accepted into a host name")
	}

	// No IMDS at all: THIM is public, so fall back to Microsoft's default region.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	d := New()
	d.BaseURL = "http://" + addr
	if got, err := d.EndorsementBase(context.Background()); err != nil || got != "https://"+DefaultTHIMRegion+".thim.azure.net" {
		t.Errorf("no IMDS: %q, %v", got, err)
	}
}

func TestTDXEndorsementRequests(t *testing.T) {
	var n atomic.Int32
	want := "/endorsement/tdx/" + strings.Repeat("AB", 48)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Metadata") != "" {
			t.Error("the Metadata header is for IMDS, not for THIM")
		}
		switch r.URL.Path {
		case want:
			if n.Add(1) <= 2 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/cose")
			w.Write([]byte{0xd2, 0x84})
		case "/endorsement/tdx/mrtds":
			io.WriteString(w, `{"mrtds":["`+strings.Repeat("ab", 48)+`"]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, waits := testClient(srv)
	c.THIMBase = srv.URL
	b, err := c.TDXEndorsement(context.Background(), mrtd(0xAB))
	if err != nil || string(b) != "\xd2\x84" {
		t.Fatalf("got %x, %v", b, err)
	}
	if n.Load() != 3 || !equalDur(*waits, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("%d requests, waits %v; want 3 and [1s 2s]", n.Load(), *waits)
	}
	list, err := c.TDXEndorsedMRTDs(context.Background())
	if err != nil || len(list) != 1 || list[0] != strings.Repeat("AB", 48) {
		t.Errorf("list %v, %v", list, err)
	}

	// 404 is a final "not endorsed": no retry, ErrNoEndorsement.
	*waits = nil
	_, err = c.TDXEndorsement(context.Background(), mrtd(0xCD))
	if !errors.Is(err, ErrNoEndorsement) || len(*waits) != 0 || fault.KindOf(err) != fault.Network {
		t.Errorf("404: %v (waits %v)", err, *waits)
	}
	if _, err := c.TDXEndorsement(context.Background(), mrtd(1)[:47]); err == nil || !strings.Contains(err.Error(), "47 bytes") {
		t.Errorf("short MRTD: %v", err)
	}
}

func TestTHIMUnreachableSaysTHIM(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c := New()
	c.THIMBase = "http://" + addr
	_, err := c.TDXEndorsement(context.Background(), mrtd(1))
	if err == nil || !strings.Contains(err.Error(), "THIM endorsement host") || strings.Contains(err.Error(), "Azure VM") {
		t.Errorf("got %v", err)
	}
	if !strings.Contains(fault.HintOf(err), "HTTPS_PROXY") {
		t.Errorf("hint %q", fault.HintOf(err))
	}
}

// THIM is on the internet: unlike IMDS it must honour the environment proxy, and verify TLS.
func TestTHIMTransport(t *testing.T) {
	tr, ok := New().THIMHTTP.Transport.(*http.Transport)
	if !ok || tr.Proxy == nil {
		t.Fatal("the THIM transport must use the environment proxy")
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.InsecureSkipVerify || tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		t.Fatal("the THIM transport must verify TLS 1.2+")
	}
	// A TLS server with a certificate nobody trusts is refused.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }))
	defer srv.Close()
	c := New()
	c.THIMBase = srv.URL
	if _, err := c.TDXEndorsement(context.Background(), mrtd(1)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted TLS certificate: %v", err)
	}
}

func TestInstanceTextEndpoints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("format") != "text" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		switch r.URL.Path {
		case "/metadata/instance/compute/vmId":
			io.WriteString(w, "02aab8a4-74ef-476e-8182-f6d2ba4166a6")
		case "/metadata/instance/compute/location":
			io.WriteString(w, "{\"not\":\"text\"}")
		}
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	if id, err := c.VMID(context.Background()); err != nil || id != "02aab8a4-74ef-476e-8182-f6d2ba4166a6" {
		t.Errorf("vmId %q, %v", id, err)
	}
	if _, err := c.Location(context.Background()); err == nil {
		t.Error("a JSON answer to a format=text request was accepted")
	}
}
