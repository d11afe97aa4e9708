package maaemu

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
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
	// The kid stays the configured certificate's; the published certificate is one for the
	// same key whose subject names the provider, as MAA's does.
	sum := sha256.Sum256(cert.Raw)
	if kids[0] != base64.StdEncoding.EncodeToString(sum[:]) || k.Cert == nil || k.Cert.Subject.CommonName != s.URL() ||
		!k.Cert.PublicKey.(*rsa.PublicKey).Equal(cert.PublicKey) || k.Cert.CheckSignature(k.Cert.SignatureAlgorithm, k.Cert.RawTBSCertificate, k.Cert.Signature) != nil {
		t.Errorf("JWKS key %q: want the simulated MAA key under its SHA-256 kid, in a self-signed certificate naming %s", kids[0], s.URL())
	}
	var raw struct{ Keys []map[string]any }
	json.Unmarshal(body, &raw)
	if got := slices.Sorted(maps.Keys(raw.Keys[0])); !slices.Equal(got, []string{"kid", "kty", "x5c"}) {
		t.Errorf("JWK members %v, want MAA's kid, kty and x5c only", got)
	}

	status, _, body = get(t, s, http.MethodGet, "/.well-known/openid-configuration", nil)
	var meta map[string]any
	if err := json.Unmarshal(body, &meta); err != nil || status != 200 {
		t.Fatalf("metadata %d: %v", status, err)
	}
	if meta["issuer"] != s.URL() || meta["jwks_uri"] != s.URL()+"/certs" || fmt.Sprint(meta["id_token_signing_alg_values_supported"]) != "[RS256]" ||
		fmt.Sprint(meta["response_types_supported"]) != "[token none]" {
		t.Errorf("metadata %v", meta)
	}
	if cs, _ := meta["claims_supported"].([]any); len(cs) != len(ClaimsSupported()) {
		t.Errorf("claims_supported %v", meta["claims_supported"])
	}

	// The TLS certificate comes from a fresh test CA that says what it is.
	block, _ := pem.Decode(s.CertPEM())
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA || ca.Subject.CommonName != TestCAName || !strings.Contains(ca.Subject.CommonName, "TEST") {
		t.Errorf("CertPEM: %v %v", ca.Subject, err)
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
		// Any path case is accepted, as MAA does; only the api-versions MAA serves.
		{http.MethodPost, "/attest/azureguest?api-version=2020-10-01", []byte(`{"AttestationInfo":"e30"}`), http.StatusBadRequest, "InvalidParameter"},
		{http.MethodPost, "/attest/AzureGuest?api-version=2099-01-01", []byte(`{"AttestationInfo":"e30"}`), http.StatusBadRequest, "InvalidApiVersionParameter"},
		{http.MethodGet, "/certs?api-version=2019-01-01", nil, http.StatusBadRequest, "InvalidApiVersionParameter"},
		{http.MethodGet, "/certs?api-version=2020-10-01", nil, http.StatusOK, ""},
		{http.MethodGet, "/policies/SevSnpVm", nil, http.StatusBadRequest, "MissingApiVersionParameter"},
		{http.MethodGet, "/policies/SgxEnclave?api-version=2020-10-01", nil, http.StatusNotFound, "NotFound"},
		{http.MethodPost, "/attest/TdxVm?api-version=2025-06-01", []byte(`{"quote":"AAAA"}`), http.StatusBadRequest, "AttestationFailed"},
	} {
		status, hdr, body := get(t, s, tc.method, tc.path, tc.body)
		se := maa.ParseServiceError(status, body)
		if status != tc.status || se.Code != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s (%s)", tc.method, tc.path, status, se.Code, tc.status, tc.code, body)
		}
		if se.Code == "InvalidApiVersionParameter" && !strings.Contains(se.Message, "2020-10-01,2022-08-01") {
			t.Errorf("%s %s: the answer should list the versions served: %s", tc.method, tc.path, se.Message)
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
	// Goroutines end a little after Close (connections closing); a leak never does.
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestPolicy(t *testing.T) {
	hashes := map[string]bool{}
	for kind, n := range map[string]int{"AzureGuest": 5, "SevSnpVm": 1, "TdxVm": 1} {
		inner := base64.RawURLEncoding.EncodeToString([]byte(PolicyText(kind)))
		sum := sha256.Sum256([]byte(inner))
		if h := PolicyHash(kind); h != base64.RawURLEncoding.EncodeToString(sum[:]) || len(h) != 43 {
			t.Errorf("%s policy hash %s", kind, h)
		}
		hashes[PolicyHash(kind)] = true
		if rs, err := policyRules(kind); err != nil || len(rs) != n {
			t.Errorf("%s rules %v, %v; want %d", kind, rs, err, n)
		}
	}
	if len(hashes) != 3 {
		t.Error("each attestation type must have its own policy hash")
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
		e := evaluatePolicy("AzureGuest", m)
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
	l := logWith(t, 8, []byte("kernel_cmdline: "+cmd+"\x00"), sum[:])
	if c := bootClaims(l, map[int]bool{8: true}); c["x-ms-azurevm-kerneldebug-enabled"] != true || c["x-ms-azurevm-debuggersdisabled"] != false {
		t.Errorf("quoted PCR8 with kgdboc: %v", c)
	}
	if c := bootClaims(l, map[int]bool{}); c["x-ms-azurevm-kerneldebug-enabled"] != false {
		t.Error("a command line in an unquoted PCR must not count")
	}
	other := sha256.Sum256([]byte("quiet"))
	if c := bootClaims(logWith(t, 8, []byte("kernel_cmdline: "+cmd+"\x00"), other[:]), map[int]bool{8: true}); c["x-ms-azurevm-kerneldebug-enabled"] != false {
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

// TestPolicyEndpoint: GET /policies/{type} answers as MAA does, a signed token holding the
// policy as an unsecured JWS, which the relying party's checks accept.
func TestPolicyEndpoint(t *testing.T) {
	s := start(t, Config{})
	status, _, body := get(t, s, http.MethodGet, "/policies/tdxvm?api-version=2020-10-01", nil)
	jwt, err := maa.ParsePlatformResponse(body)
	if status != http.StatusOK || err != nil {
		t.Fatalf("%d %v %s", status, err, body)
	}
	tok, checks := verifyToken(t, s, jwt, token.Options{})
	if c := checks.Find(token.IDSignature); len(c) != 1 || c[0].Verdict != check.Pass {
		t.Errorf("policy token signature: %v", c)
	}
	m := payload(t, tok)
	parts := strings.Split(fmt.Sprint(m["x-ms-policy"]), ".")
	if len(parts) != 3 || parts[2] != "" {
		t.Fatalf("x-ms-policy %v is not an unsecured JWS", m["x-ms-policy"])
	}
	inner, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var stored struct{ AttestationPolicy string }
	json.Unmarshal(inner, &stored)
	text, _ := base64.RawURLEncoding.DecodeString(stored.AttestationPolicy)
	if string(text) != PolicyText("TdxVm") {
		t.Errorf("stored policy %q", text)
	}
}

// TestRequestLog: -v logs each request with method, path, status, time and sizes, and
// never a token, key or evidence.
func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	s := start(t, Config{Log: slog.New(slog.NewJSONHandler(&buf, nil))})
	_, _, keys := get(t, s, http.MethodGet, "/certs", nil)
	_, _, pol := get(t, s, http.MethodGet, "/policies/AzureGuest?api-version=2020-10-01", nil)
	get(t, s, http.MethodPost, "/attest/SevSnpVm?api-version=2022-08-01", []byte(`{"report":"e30"}`))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3:\n%s", len(lines), buf.String())
	}
	var first map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	if first["method"] != "GET" || first["path"] != "/certs" || first["status"] != 200.0 || first["out"] != float64(len(keys)) || first["took"] == nil {
		t.Errorf("log line %s", lines[0])
	}
	if !strings.Contains(lines[2], `"status":400`) || !strings.Contains(lines[2], "InvalidParameter") {
		t.Errorf("a refused attest call should log its status and code: %s", lines[2])
	}
	var x5c struct{ Keys []struct{ X5c []string } }
	json.Unmarshal(keys, &x5c)
	jwt, _ := maa.ParsePlatformResponse(pol)
	for _, secret := range []string{x5c.Keys[0].X5c[0][:40], jwt[:40], "e30"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestIssuerFollowsHost: a client that reaches the emulator by another name its
// certificate carries (localhost here; a room machine's address) gets tokens and keys
// naming that provider, as MAA names the host that was called.
func TestIssuerFollowsHost(t *testing.T) {
	s := start(t, Config{Hosts: []string{"maa.room.test"}})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL(), "https://"))
	base := "https://localhost:" + port
	req, _ := http.NewRequest(http.MethodGet, base+"/.well-known/openid-configuration", nil)
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if meta["issuer"] != base || meta["jwks_uri"] != base+"/certs" {
		t.Errorf("metadata through localhost: %v", meta)
	}
	leaf := s.tlsNames
	if leaf.VerifyHostname("maa.room.test") != nil || leaf.VerifyHostname("127.0.0.1") != nil || leaf.IsCA ||
		!slices.Contains(s.CertNames(), "maa.room.test") || !slices.Contains(s.CertNames(), "::1") {
		t.Errorf("server certificate names %v", s.CertNames())
	}
}
