package maaemu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func get(t *testing.T, s *Server, method, path string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestKeysAndMetadata(t *testing.T) {
	s := start(t, Config{})
	status, _, body := get(t, s, http.MethodGet, "/certs", nil)
	if status != http.StatusOK {
		t.Fatalf("/certs: %d", status)
	}
	if !bytes.Equal(body, s.SigningKeys()) {
		t.Error("/certs differs from SigningKeys()")
	}
	set, err := token.ParseJWKS(body, "emulator")
	if err != nil {
		t.Fatal(err)
	}
	_, cert, _ := simroots.NewMAASigner(simroots.DefaultSeed())
	kids := set.Kids()
	if len(kids) != 1 {
		t.Fatalf("kids %v", kids)
	}
	k, _ := set.Key(kids[0])
	sum := sha256.Sum256(cert.Raw)
	if k.Cert == nil || !bytes.Equal(k.Cert.Raw, cert.Raw) || kids[0] != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Error("JWKS must publish the simulated MAA certificate under its SHA-256 kid")
	}
	var raw struct{ Keys []map[string]any }
	json.Unmarshal(body, &raw)
	for _, f := range []string{"kid", "kty", "n", "e", "x5c"} {
		if _, ok := raw.Keys[0][f]; !ok {
			t.Errorf("JWK lacks %s", f)
		}
	}

	status, _, body = get(t, s, http.MethodGet, "/.well-known/openid-configuration", nil)
	var meta map[string]any
	if err := json.Unmarshal(body, &meta); err != nil || status != 200 {
		t.Fatalf("metadata %d: %v", status, err)
	}
	if meta["issuer"] != s.URL() || meta["jwks_uri"] != s.URL()+"/certs" {
		t.Errorf("metadata %v", meta)
	}

	// A client in another process trusts the emulator through CertPEM.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertPEM()) {
		t.Fatal("CertPEM holds no certificate")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	prov, _ := token.NewProvider(s.URL(), hc)
	if ks, err := prov.FetchKeys(context.Background()); err != nil || len(ks.Kids()) != 1 {
		t.Errorf("keys through CertPEM: %v", err)
	}
	// And nothing else trusts it.
	if _, err := http.Get(s.URL() + "/certs"); err == nil {
		t.Error("the system roots accepted the emulator's self-signed certificate")
	}
}

func TestRoutesAndLimits(t *testing.T) {
	s := start(t, Config{MaxBodyBytes: 1024})
	for _, tc := range []struct {
		method, path string
		body         []byte
		status       int
		code         string
	}{
		{http.MethodGet, maa.PathAzureGuest, nil, http.StatusMethodNotAllowed, "MethodNotAllowed"},
		{http.MethodPost, "/certs", nil, http.StatusMethodNotAllowed, "MethodNotAllowed"},
		{http.MethodPost, "/attest/SgxEnclave?api-version=2022-08-01", []byte("{}"), http.StatusNotFound, "NotFound"},
		{http.MethodGet, "/", nil, http.StatusNotFound, "NotFound"},
		{http.MethodPost, "/attest/AzureGuest", []byte("{}"), http.StatusBadRequest, "MissingApiVersionParameter"},
		{http.MethodPost, maa.PathAzureGuest, bytes.Repeat([]byte("x"), 2048), http.StatusRequestEntityTooLarge, "RequestBodyTooLarge"},
		{http.MethodPost, maa.PathAzureGuest, []byte("not json"), http.StatusBadRequest, "InvalidParameter"},
		// Other api-versions and any path case are accepted, as MAA does.
		{http.MethodPost, "/attest/azureguest?api-version=2099-01-01", []byte(`{"AttestationInfo":"e30"}`), http.StatusBadRequest, "InvalidParameter"},
		{http.MethodPost, "/attest/TdxVm?api-version=2025-06-01", []byte(`{"quote":"AAAA"}`), http.StatusBadRequest, "AttestationFailed"},
	} {
		status, hdr, body := get(t, s, tc.method, tc.path, tc.body)
		se := maa.ParseServiceError(status, body)
		if status != tc.status || se.Code != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s (%s)", tc.method, tc.path, status, se.Code, tc.status, tc.code, body)
		}
		if status == http.StatusMethodNotAllowed && hdr.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tc.method, tc.path)
		}
	}
	for _, c := range s.Requests() {
		if c.Status == 0 || c.Method == "" || (c.Status != 200 && c.Error == "") {
			t.Errorf("call log entry %+v", c)
		}
	}
}

func TestListenAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:443", "nonsense"} {
		if s, err := Start(withAnchors(t, Config{Listen: addr})); err == nil {
			s.Close()
			t.Errorf("listen %q was allowed", addr)
		}
	}
	// Explicitly allowed, it binds every interface; the URL still names loopback.
	s := start(t, Config{Listen: "0.0.0.0:0", AllowNonLoopback: true})
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Errorf("URL %s", s.URL())
	}
	if status, _, _ := get(t, s, http.MethodGet, "/certs", nil); status != 200 {
		t.Errorf("/certs %d", status)
	}
}

// TestPlainHTTP: the standalone emulator's --http mode works with the real client, which
// accepts plain http only on loopback.
func TestPlainHTTP(t *testing.T) {
	s := start(t, Config{Listen: "localhost:0", PlainHTTP: true})
	if !(strings.HasPrefix(s.URL(), "http://127.0.0.1:") || strings.HasPrefix(s.URL(), "http://[::1]:")) || s.CertPool() != nil || s.CertPEM() != nil {
		t.Fatalf("URL %s", s.URL())
	}
	cl, err := maa.NewClient(s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := cl.Attest(context.Background(), maa.PathAzureGuest, []byte(`{}`))
	if se := maa.ParseServiceError(ex.Status, ex.ResponseBody); err == nil || se.Code != "InvalidParameter" {
		t.Errorf("plain http: %v %s", err, ex.ResponseBody)
	}
	prov, _ := token.NewProvider(s.URL(), s.HTTPClient())
	if _, err := prov.FetchKeys(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestCloseLeavesNoGoroutines: after Close and the client's idle connections are gone, the
// process has no more goroutines than before Start.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start(withAnchors(t, Config{}))
	if err != nil {
		t.Fatal(err)
	}
	hc := s.HTTPClient()
	for range 3 {
		resp, err := hc.Get(s.URL() + "/certs")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	hc.CloseIdleConnections()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestPolicy(t *testing.T) {
	inner := base64.RawURLEncoding.EncodeToString([]byte(PolicyText()))
	sum := sha256.Sum256([]byte(inner))
	if PolicyHash() != base64.RawURLEncoding.EncodeToString(sum[:]) || len(PolicyHash()) != 43 {
		t.Errorf("policy hash %s", PolicyHash())
	}
	rs, err := policyRules()
	if err != nil || len(rs) != 5 {
		t.Fatalf("rules %v, %v", rs, err)
	}
	// Kernel debugging cannot be staged with the simulated VM (its quoted PCRs 0-7 do not
	// carry the command line), so the rule is exercised on claims directly.
	for claims, want := range map[string]string{
		`{"secureboot":true,"x-ms-azurevm-kerneldebug-enabled":true}`:                "x-ms-azurevm-kerneldebug-enabled",
		`{"secureboot":true,"x-ms-azurevm-bootdebug-enabled":true}`:                  "x-ms-azurevm-bootdebug-enabled",
		`{"x-ms-isolation-tee":{"x-ms-sevsnpvm-is-debuggable":true},"secureboot":1}`: "x-ms-sevsnpvm-is-debuggable",
		`{"secureboot":true,"x-ms-isolation-tee":{"tdx_td_attributes_debug":false}}`: "",
		`{"x-ms-attestation-type":"sevsnpvm","x-ms-sevsnpvm-is-debuggable":false}`:   "",
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(claims), &m); err != nil {
			t.Fatal(err)
		}
		e := evaluatePolicy(m)
		switch {
		case want == "" && e != nil:
			t.Errorf("%s denied: %s", claims, e.body())
		case want != "" && (e == nil || e.Inner.Details[0].Target != want):
			t.Errorf("%s: want a denial naming %s, got %v", claims, want, e)
		}
	}
}

func TestBootClaimsFromCommandLine(t *testing.T) {
	// GRUB's measurement of the kernel command line, as the simulated log writes it.
	cmd := "BOOT_IMAGE=/vmlinuz ro console=ttyS0 kgdboc=ttyS0,115200"
	sum := sha256.Sum256([]byte(cmd))
	l := logWith(8, []byte("kernel_cmdline: "+cmd+"\x00"), sum[:])
	if c := bootClaims(l, map[int]bool{8: true}); c["x-ms-azurevm-kerneldebug-enabled"] != true || c["x-ms-azurevm-debuggersdisabled"] != false {
		t.Errorf("quoted PCR8 with kgdboc: %v", c)
	}
	if c := bootClaims(l, map[int]bool{}); c["x-ms-azurevm-kerneldebug-enabled"] != false {
		t.Error("a command line in an unquoted PCR must not count")
	}
	other := sha256.Sum256([]byte("quiet"))
	if c := bootClaims(logWith(8, []byte("kernel_cmdline: "+cmd+"\x00"), other[:]), map[int]bool{8: true}); c["x-ms-azurevm-kerneldebug-enabled"] != false {
		t.Error("a command line whose digest is of other text must not count")
	}
}

// TestStartNeedsAnchors: the emulator has no roots or key of its own; its caller chooses.
func TestStartNeedsAnchors(t *testing.T) {
	if s, err := Start(Config{}); err == nil {
		s.Close()
		t.Fatal("started without anchors")
	} else if !strings.Contains(err.Error(), "configured") {
		t.Errorf("error %v does not say what is missing", err)
	}
}
