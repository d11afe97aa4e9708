package cli

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
)

// keysDown are loopback providers whose keys cannot be read: the port refuses, /certs
// answers 503 or 429, or the connection is dropped without an answer. (A provider that
// hangs is token.TestSignatureKeysUnreachable's: Main has no deadline to shorten.)
func keysDown(t *testing.T) map[string]string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	serve := func(certs http.HandlerFunc) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/certs" {
				certs(w, r)
				return
			}
			http.NotFound(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	status := func(code int) string {
		return serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
	}
	dropped := serve(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	return map[string]string{"refused": refused, "503": status(503), "429": status(429), "dropped": dropped}
}

// keysServed is a loopback provider that answers /certs with the key set in file jwks.
func keysServed(t *testing.T, jwks []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/certs" {
			w.Write(jwks)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// tokenFor is the real SGX token's claims issued by base (changes applied) and signed by
// the kit's key A, with base's /certs as jku.
func tokenFor(k *attackKit, base string, change map[string]any) string {
	c := map[string]any{"iss": base}
	for n, v := range change {
		c[n] = v
	}
	hdr := `{"alg":"RS256","jku":"` + base + `/certs","kid":"A","typ":"JWT"}`
	return jws(hdr, k.payload(c), rsaSigner(k.keys["A"], crypto.SHA256))
}

// A token whose provider's keys could not be fetched exits 3 (network), not 2, when that is
// the only reason it failed: jwt.signature still fails, "ok" is false, the baseline stays
// skipped and the message says it is the network and what to do, in English and Korean.
func TestVerifyKeysUnreachableIsNetwork(t *testing.T) {
	k := newAttackKit(t)
	for name, base := range keysDown(t) {
		t.Run(name, func(t *testing.T) {
			k.t = t
			tok := k.write("token-"+name+".jwt", []byte(tokenFor(k, base, nil)))
			// An unmet --expect would be 5 on authenticated claims; here it stays skipped.
			r := runCLI(t, "verify", "-o", "json", "--lang", "en", "--now", attackNow, "--expect", "x-ms-ver=2.0", "-a", base, tok)
			if r.code != 3 {
				t.Errorf("exit %d, want 3\n%s%s", r.code, failing(r.report.Checks), r.stderr)
			}
			if r.report.OK || r.verdict("jwt.signature") != check.Fail {
				t.Errorf("ok %v, jwt.signature %s; want false and fail", r.report.OK, r.verdict("jwt.signature"))
			}
			expect := r.report.Checks.Find("policy.expect")
			if len(expect) == 0 {
				t.Errorf("no policy.expect check\n%s", failing(r.report.Checks))
			}
			for _, c := range r.report.Checks {
				if strings.HasPrefix(c.ID, "policy.") && (c.Verdict != check.Skip || !strings.Contains(c.Summary, "not authenticated")) {
					t.Errorf("%s, want skipped: claims not authenticated", c)
				}
			}
			if !strings.Contains(r.stderr, "network") || !strings.Contains(r.stderr, "what to do") || !strings.Contains(r.report.Error, "network") {
				t.Errorf("the run's error does not say it is the network and what to do:\nstderr %s\nerror %q", r.stderr, r.report.Error)
			}
			text := runCLI(t, "verify", "-o", "text", "--lang", "ko", "--now", attackNow, "-a", base, tok)
			if text.code != 3 || !strings.Contains(text.stderr, "네트워크") || !strings.Contains(text.stderr, "조치 방법") {
				t.Errorf("Korean: exit %d\n%s", text.code, text.stderr)
			}
		})
	}
}

// Whatever else fails keeps exit 2, the network notwithstanding; and a provider that
// answered (without the kid, or with a key the signature does not verify with) is 2.
func TestVerifyKeysFailuresThatStayIntegrity(t *testing.T) {
	k := newAttackKit(t)
	down := keysDown(t)["503"]
	withB := keysServed(t, readFile(t, k.jwks("b.json", map[string]*rsa.PrivateKey{"B": k.keys["B"]})))
	withA := keysServed(t, readFile(t, k.testJWKS))
	for _, tc := range []struct {
		name, base string
		tok        func() string
	}{
		{"keys down and expired", down, func() string { return tokenFor(k, down, map[string]any{"exp": json.Number("1695700000")}) }},
		{"keys down and another issuer", down, func() string { return tokenFor(k, down, map[string]any{"iss": attackURL}) }},
		{"kid not published", withB, func() string { return tokenFor(k, withB, nil) }},
		{"bad signature", withA, func() string {
			hdr := `{"alg":"RS256","jku":"` + withA + `/certs","kid":"A","typ":"JWT"}`
			return jws(hdr, k.payload(map[string]any{"iss": withA}), rsaSigner(k.attacker, crypto.SHA256))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k.t = t
			tok := k.write("token.jwt", []byte(tc.tok()))
			r := runCLI(t, "verify", "-o", "json", "--now", attackNow, "-a", tc.base, tok)
			if r.code != 2 || r.report.OK || r.verdict("jwt.signature") != check.Fail {
				t.Errorf("exit %d, ok %v, jwt.signature %s; want 2, false, fail\n%s%s", r.code, r.report.OK, r.verdict("jwt.signature"), failing(r.report.Checks), r.stderr)
			}
		})
	}
}

// inspect --network of a bundle and policy check reach the keys the same way.
func TestInspectAndPolicyKeysUnreachableIsNetwork(t *testing.T) {
	k := newAttackKit(t)
	base := keysDown(t)["refused"]
	compact := tokenFor(k, base, nil)
	bundle := filepath.Join(k.dir, "bundle.json")
	if err := evidence.SaveBundle(bundle, &evidence.Set{Token: compact}, "cvmscope test", time.Now()); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "inspect", "--network", "-o", "json", "--now", attackNow, "-a", base, bundle)
	if r.code != 3 || r.report.OK || r.verdict("jwt.signature") != check.Fail {
		t.Errorf("inspect --network: exit %d, ok %v, jwt.signature %s; want 3, false, fail\n%s%s", r.code, r.report.OK, r.verdict("jwt.signature"), failing(r.report.Checks), r.stderr)
	}
	// Offline, nothing was fetched: the signature is unverified for want of keys (2).
	if r := runCLI(t, "inspect", "-o", "json", "--now", attackNow, "-a", base, bundle); r.code != 2 {
		t.Errorf("inspect offline: exit %d, want 2", r.code)
	}

	// inspect --each: every set says it, and the fleet ends 3.
	var out, errOut bytes.Buffer
	code := Main([]string{"inspect", "--each", "--network", "-o", "json", "--now", attackNow, "-a", base, bundle, bundle}, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, line := range lines {
		var fr fleetResult
		if err := json.Unmarshal([]byte(line), &fr); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		if fr.Exit != 3 || fr.OK || !strings.Contains(fr.Error, "network") || fr.Checks.Verdict("jwt.signature") != check.Fail {
			t.Errorf("inspect --each: set exit %d, ok %v, error %q, jwt.signature %s; want 3, false, a network error, fail", fr.Exit, fr.OK, fr.Error, fr.Checks.Verdict("jwt.signature"))
		}
	}
	if code != 3 || len(lines) != 2 {
		t.Errorf("inspect --each: exit %d, %d lines; want 3 and 2\n%s", code, len(lines), errOut.String())
	}

	permit := writePolicy(t, "version=1.0; authorizationrules { => permit(); };")
	tok := k.write("policy.jwt", []byte(compact))
	code, stdout, errs := runPolicyCLI(t, "check", "--lang", "en", "-o", "json", "--now", attackNow, "-a", base, permit, tok)
	if code != 3 || !strings.Contains(errs, "network") || strings.Contains(errs, "exit 2") {
		t.Errorf("policy check: exit %d, want 3 and a network message\n%s", code, errs)
	}
	var pr policyJSON
	if err := json.Unmarshal([]byte(stdout), &pr); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(pr.Source.Failed) == 0 {
		t.Errorf("policy check: no failed check listed; jwt.signature must stay failed")
	}
	// The report a person reads names the exit the run ends with, not a fixed 2.
	for _, lang := range []string{"en", "ko"} {
		code, stdout, _ := runPolicyCLI(t, "check", "--lang", lang, "-o", "text", "--now", attackNow, "-a", base, permit, tok)
		want := map[string]string{"en": "(exit 3 whatever the policy decided)", "ko": "(정책 결과와 관계없이 종료 코드 3)"}[lang]
		if code != 3 || !strings.Contains(stdout, want) {
			t.Errorf("policy check -o text --lang %s: exit %d, want 3 and %q\n%s", lang, code, want, stdout)
		}
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The live run's Verify JWT step fetches the keys of the provider it called: with the
// emulator's key endpoints down (a proxy in front of a plain-http emulator answers 503 to
// them and passes the attest call through), the run ends 3, jwt.signature failed.
func TestLiveRunKeysUnreachableIsNetwork(t *testing.T) {
	emu, _ := startEmulator(t, "--http", "--ca-file", filepath.Join(t.TempDir(), "unused.pem"))
	target, err := url.Parse(emu)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/certs" || r.URL.Path == "/.well-known/openid-configuration" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	r := runCLI(t, "--platform", "sim", "-a", proxy.URL, "-o", "json")
	if r.code != 3 || r.report.OK || r.verdict("jwt.signature") != check.Fail || !strings.Contains(r.report.Error, "network") {
		t.Errorf("exit %d, ok %v, jwt.signature %s, error %q; want 3, false, fail, a network error\n%s%s", r.code, r.report.OK, r.verdict("jwt.signature"), r.report.Error, failing(r.report.Checks), r.stderr)
	}
	if b := runCLI(t, "--platform", "sim", "-a", proxy.URL, "-o", "bool"); b.code != 3 || strings.TrimSpace(b.stdout) != "false" {
		t.Errorf("-o bool: exit %d, stdout %q; want 3 and false", b.code, b.stdout)
	}
}
