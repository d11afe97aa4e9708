package cli

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// simBundle is one saved simulated SEV-SNP run, made once for the trust tests.
var simBundle = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "cvmscope-trust-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "b.json")
	var out, errb strings.Builder
	if code := Main([]string{"--platform", "sim", "-o", "json", "--save", p}, &out, &errb); code != 0 {
		return nil, errors.New("simulated run failed: " + errb.String())
	}
	return os.ReadFile(p)
})

// bundleDoc is a saved bundle as generic JSON, for an attacker's edits.
func bundleDoc(t *testing.T) map[string]any {
	t.Helper()
	b, err := simBundle()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func writeDoc(t *testing.T, doc map[string]any) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// signRS256 signs claims with key under kid, as an attacker with his own key would.
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid})
	p, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	sig, err := rsaSign(key, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func jwksFor(t *testing.T, kid string, pub *rsa.PublicKey) []byte {
	t.Helper()
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	b, _ := json.Marshal(map[string]any{"keys": []map[string]any{{"kid": kid, "kty": "RSA", "n": n, "e": "AQAB"}}})
	return b
}

func tokenClaims(t *testing.T, compact string) map[string]any {
	t.Helper()
	parts := strings.Split(compact, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEvidenceCannotChooseItsTrust: what a bundle brings (keys, a provider, a source, roots)
// never makes it pass; only the caller's flags add trust, and the verdict names them.
func TestEvidenceCannotChooseItsTrust(t *testing.T) {
	evil, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const azure = "https://sharedeus.eus.attest.azure.net"
	forged := func(t *testing.T) map[string]any {
		doc := bundleDoc(t)
		ev := doc["evidence"].(map[string]any)
		claims := tokenClaims(t, ev["token"].(string))
		claims["iss"] = azure
		ev["token"] = signRS256(t, evil, "evil", claims)
		ev["jwks"] = jwksFor(t, "evil", &evil.PublicKey)
		ev["source"] = "azure"
		ev["maa"].(map[string]any)["endpoint"] = azure
		return doc
	}
	a, err := simroots.Anchors()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		doc     func(t *testing.T) map[string]any
		args    []string
		code    int
		failing []string // each must fail
		passing []string // each must pass
		says    string   // text somewhere in the failing checks
	}{
		{"own key, own jwks, source azure", forged, nil, 2, []string{"jwt.signature", "jwt.issuer"}, nil, "never trusted"},
		{"own key, pinned Azure provider, offline", forged, []string{"-a", azure}, 2, []string{"jwt.signature"}, []string{"jwt.issuer"}, "--network"},
		{"own key, --trust-simulated does not help", forged, []string{"--trust-simulated", "-a", azure}, 2, []string{"jwt.signature"}, nil, ""},
		{"own key accepted only by --trust-bundle-keys, which says so", forged, []string{"--trust-bundle-keys", "-a", azure, "--no-baseline"}, 2, []string{"snp.chain"}, []string{"jwt.signature"}, ""},
		{"simulated bundle naming its roots", func(t *testing.T) map[string]any {
			doc := bundleDoc(t)
			doc["evidence"].(map[string]any)["simRoots"] = [][]byte{a.ARK.Raw, a.ASK.Raw, a.PCKRoot.Raw}
			return doc
		}, nil, 2, []string{"snp.chain", "jwt.signature"}, nil, "--trust-simulated"},
		{"simulated token re-signed with the public simulated key, forged claims", func(t *testing.T) map[string]any {
			doc := bundleDoc(t)
			ev := doc["evidence"].(map[string]any)
			parts := strings.Split(ev["token"].(string), ".")
			var h map[string]any
			raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
			json.Unmarshal(raw, &h)
			claims := tokenClaims(t, ev["token"].(string))
			claims["x-ms-azurevm-vmid"] = "00000000-0000-0000-0000-000000000000"
			ev["token"] = signRS256(t, a.MAAKey, h["kid"].(string), claims)
			return doc
		}, nil, 2, []string{"jwt.signature"}, nil, ""},
		{"tampered claims that also break the baseline fail as forged, not as policy", func(t *testing.T) map[string]any {
			doc := bundleDoc(t)
			ev := doc["evidence"].(map[string]any)
			parts := strings.Split(ev["token"].(string), ".")
			claims := tokenClaims(t, ev["token"].(string))
			claims["secureboot"] = false
			p, _ := json.Marshal(claims)
			ev["token"] = parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
			return doc
		}, []string{"--trust-simulated"}, 2, []string{"jwt.signature"}, []string{"snp.chain"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeDoc(t, tc.doc(t))
			r := runCLI(t, append(append([]string{"inspect", "-o", "json"}, tc.args...), p)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tc.code, failing(r.report.Checks))
			}
			var text []string
			for _, id := range tc.failing {
				for _, c := range r.report.Checks.Find(id) {
					text = append(text, c.Summary+" "+strings.Join(c.Details, " "))
				}
				if v := r.verdict(id); v != check.Fail {
					t.Errorf("%s = %s, want fail", id, v)
				}
			}
			for _, id := range tc.passing {
				if v := r.verdict(id); v != check.Pass {
					t.Errorf("%s = %s, want pass\n%s", id, v, failing(r.report.Checks))
				}
			}
			if tc.says != "" && !strings.Contains(strings.Join(text, " "), tc.says) {
				t.Errorf("the failing checks do not say %q:\n%s", tc.says, strings.Join(text, "\n"))
			}
			for _, c := range append(r.report.Checks.Find("policy.expect"), r.report.Checks.Find("policy.baseline")...) {
				if c.Verdict == check.Fail && r.verdict("jwt.signature") != check.Pass {
					t.Errorf("policy judged on unauthenticated claims: %s", c)
				}
			}
			if r.report.OK {
				t.Error(`"ok": true`)
			}
		})
	}
	t.Run("--trust-bundle-keys names where trust rests", func(t *testing.T) {
		r := runCLI(t, "inspect", "-o", "json", "--trust-bundle-keys", "-a", azure, writeDoc(t, forged(t)))
		if c := first(r.report.Checks.Find("jwt.signature")); !strings.Contains(c.Summary, "--trust-bundle-keys") {
			t.Errorf("jwt.signature %q does not name --trust-bundle-keys", c.Summary)
		}
	})
}

// TestVerifyJWKSWithoutPin: a key file alone does not pin the issuer.
func TestVerifyJWKSWithoutPin(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tok := signRS256(t, key, "k", map[string]any{"iss": "https://evil.example", "exp": 4102444800, "iat": 1700000000, "x-ms-ver": "1.0"})
	os.WriteFile(filepath.Join(dir, "t.jwt"), []byte(tok), 0o600)
	os.WriteFile(filepath.Join(dir, "k.json"), jwksFor(t, "k", &key.PublicKey), 0o600)
	r := runCLI(t, "verify", "-o", "json", "--no-baseline", "--jwks", filepath.Join(dir, "k.json"), filepath.Join(dir, "t.jwt"))
	if r.code != 2 || r.verdict("jwt.issuer") != check.Fail || r.verdict("jwt.signature") != check.Pass {
		t.Errorf("exit %d, jwt.issuer %s, jwt.signature %s; want 2, fail, pass", r.code, r.verdict("jwt.issuer"), r.verdict("jwt.signature"))
	}
	if c := first(r.report.Checks.Find("jwt.issuer")); !strings.Contains(strings.Join(c.Details, " "), "-a https://evil.example") {
		t.Errorf("jwt.issuer does not print the -a to add: %+v", c)
	}
}

// TestExitCodePrecedence pins the README's precedence table.
func TestExitCodePrecedence(t *testing.T) {
	fail := func(id string) check.Check { return check.Failf(id, "x") }
	pass := func(id string) check.Check { return check.Passf(id, "x") }
	device := fault.Errorf(fault.Device, "TPM2_RSA_Decrypt: TPM transport closed")
	network := fault.Errorf(fault.Network, "no answer")
	policy := fault.Errorf(fault.Policy, "PolicyEvaluationError")
	keysDown, keysCancelled := fail("jwt.signature"), fail("jwt.signature")
	keysDown.Unreachable = fault.Errorf(fault.Network, "GET /certs: HTTP 503")
	keysCancelled.Unreachable = fault.New(fault.Interrupted, context.Canceled)
	for _, tc := range []struct {
		name   string
		checks check.List
		err    error
		want   int
	}{
		{"all pass", check.List{pass("jwt.signature")}, nil, 0},
		{"integrity", check.List{fail("jwt.signature")}, nil, 2},
		{"integrity beats policy", check.List{fail("jwt.signature"), fail("policy.expect")}, nil, 2},
		{"integrity beats a network error", check.List{fail("snp.chain"), fail("maa.call")}, network, 2},
		{"TPM failure while decrypting is 4", check.List{pass("maa.call"), fail("maa.decrypt")}, device, 4},
		{"network", check.List{fail("maa.call")}, network, 3},
		{"MAA policy denial", check.List{fail("maa.call")}, policy, 5},
		{"unmet expectation", check.List{pass("jwt.signature"), fail("policy.expect")}, nil, 5},
		{"interrupted", check.List{pass("hcl.binding")}, context.Canceled, 130},
		{"interrupted inside a network error", nil, fault.New(fault.Network, context.Canceled), 130},
		{"verification error", check.List{fail("maa.decrypt")}, fault.Errorf(fault.Verification, "tag mismatch"), 2},
		{"environment check without an error", check.List{fail("imds.reachable")}, nil, 2},
		{"skips and warnings", check.List{check.Skipf("eventlog.replay", "x"), check.Warnf("maa.call", "x")}, nil, 0},
		// The provider's keys could not be read: the network's failure, unless something else failed.
		{"keys unreachable", check.List{keysDown, pass("jwt.issuer")}, nil, 3},
		{"keys unreachable and expired", check.List{keysDown, fail("jwt.lifetime")}, nil, 2},
		{"keys unreachable and the evidence's KDS fetch", check.List{keysDown}, network, 3},
		{"keys unreachable beats an unmet expectation", check.List{keysDown, fail("policy.expect")}, nil, 3},
		{"keys fetch interrupted", check.List{keysCancelled}, context.Canceled, 130},
		{"a bad signature while KDS gave no answer", check.List{fail("jwt.signature")}, network, 2},
	} {
		if got := exitCode(tc.checks, tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

func rsaSign(key *rsa.PrivateKey, in []byte) ([]byte, error) {
	sum := sha256.Sum256(in)
	return rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
}

// TestFailedSaveKeepsTheReport: a save that cannot be written still prints the report and
// the token first, then exits non-zero with the reason.
func TestFailedSaveKeepsTheReport(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "no-such-dir", "b.json")
	r := runCLI(t, "--platform", "sim", "-o", "json", "--save", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "was not saved") {
		t.Errorf("exit %d, stderr %q; want 1 and the reason", r.code, r.stderr)
	}
	if r.report.Token == "" || len(r.report.Checks) == 0 {
		t.Error("the report and token were lost with the save")
	}
	r = runCLI(t, "--platform", "sim", "-o", "token", "--save", bad)
	if strings.Count(strings.TrimSpace(r.stdout), ".") != 2 || r.code != 1 {
		t.Errorf("-o token with a failed save: exit %d, stdout %q", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Dir(bad)); !os.IsNotExist(err) {
		t.Errorf("the failed save left something behind: %v", err)
	}
}

// TestHeadlessRunInterruptedBySIGTERM: SIGTERM in the middle of a run says "interrupted",
// exits 130, still saves what was gathered, and leaves no temporary file behind.
func TestHeadlessRunInterruptedBySIGTERM(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "b.json")
	cmd, out, exited := runMain(t, nil, "--platform", "sim", "--scenario", "maa-slow", "-o", "text", "-v", "--save", bundle)
	out.wait(t, "THIM/amd/certification")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(hangGuard):
		t.Fatalf("still running %v after SIGTERM\n%s", hangGuard, out.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "interrupted") || strings.Contains(out.String(), "start the emulator") {
		t.Errorf("the run does not say it was interrupted:\n%s", out.String())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "b.json" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after SIGTERM the directory holds %v, want only b.json", names)
	}
}

// TestInspectShowsSavedSteps: a bundle shows every step it holds, the request and MAA's
// answer included, so a denial can be read out offline; they skip, never re-sent.
func TestInspectShowsSavedSteps(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		pages int
	}{
		{"verified run", nil, 4},
		{"denied run", []string{"--scenario", "secureboot-off"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			runCLI(t, append([]string{"--platform", "sim", "-o", "json", "--save", b}, tc.args...)...)
			r := runCLI(t, "inspect", "-o", "json", "--trust-simulated", b)
			if len(r.report.Pages) != tc.pages {
				var titles []string
				for _, p := range r.report.Pages {
					titles = append(titles, p.Title.EN)
				}
				t.Fatalf("pages %q, want %d", titles, tc.pages)
			}
			if v := r.verdict("maa.request"); v != check.Skip {
				t.Errorf("maa.request %s, want skip (shown, not sent)", v)
			}
			if v := r.verdict("maa.call"); v != check.Skip {
				t.Errorf("maa.call %s, want skip (shown, not called)", v)
			}
			if tc.name == "denied run" && !strings.Contains(r.stdout, "PolicyEvaluationError") {
				t.Error("the saved denial is not read out")
			}
			// The pages' verdicts are what the TUI colours its steps by: a saved answer, a
			// refusal included, skips there as its check does, and as the exit code says.
			for _, p := range r.report.Pages {
				if p.Step == "call-maa" && p.Verdict != check.Skip {
					t.Errorf("%s page %s, want skip like its check and the exit code", p.Step, p.Verdict)
				}
			}
			if r.code != 0 {
				t.Errorf("exit %d\n%s", r.code, failing(r.report.Checks))
			}
		})
	}
}
