package maaemu

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// TestJSClient drives the emulator with real clients, as a relying party built on them
// would: Microsoft's @azure/attestation (OpenID metadata, signers, its own token
// validation, the administration client's policy reads over TLS) and npm jose (the JWK set
// as published, then the key from x5c). The JavaScript is testdata/jsclient/client.mjs;
// .ci/run installs its packages with npm ci.
func TestJSClient(t *testing.T) {
	dir := filepath.Join("testdata", "jsclient")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the JS client test needs Node.js 18 or later")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@azure", "attestation")); err != nil {
		t.Skipf("%s/node_modules is missing; run `npm ci` there (.ci/run does)", dir)
	}

	s := start(t, Config{})
	in := map[string]any{"url": s.URL()}
	for _, tee := range []string{"sevsnp", "tdx"} {
		t.Run("evidence-"+tee, func(t *testing.T) {
			c := newCVM(t, tee, true, false)
			var body []byte
			var err error
			if tee == "sevsnp" {
				body, err = maa.BuildSevSnpVm(c.rep.SNPReport(), c.vcekChain(), c.rep.Claims, testNonce)
				in["snpBody"] = string(body)
			} else {
				body, err = maa.BuildTdxVm(c.tdQuote(t), c.rep.Claims, testNonce)
				in["tdxBody"] = string(body)
			}
			if err != nil {
				t.Fatal(err)
			}
			// AzureGuest answers are encrypted to the vTPM's key: only the CVM can read them.
			jwt, _, err := c.attestGuest(t, s, c.guestBody(t))
			if err != nil {
				t.Fatal(err)
			}
			toks, _ := in["guestTokens"].([]string)
			in["guestTokens"] = append(toks, jwt)
		})
	}
	if t.Failed() {
		return
	}
	in["realJwks"] = filepath.Join(realdata.Dir(t), "maa-jwks-sharedeus-teaclave-2023.json")
	in["realToken"] = filepath.Join(realdata.Dir(t), "maa-sgx-sharedeus-teaclave-2023.jwt")

	tmp := t.TempDir()
	ca := filepath.Join(tmp, "ca.pem")
	inFile := filepath.Join(tmp, "input.json")
	b, _ := json.Marshal(in)
	if err := os.WriteFile(ca, s.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", inFile)
	cmd.Dir = dir
	// The test CA is the only extra root; no proxy may stand between client and emulator.
	cmd.Env = append(withoutProxies(os.Environ()), "NODE_EXTRA_CA_CERTS="+ca, "NO_PROXY=*", "no_proxy=*")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node client.mjs: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var sum struct{ Checks, Tokens int }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Tokens != 4 || sum.Checks < 40 {
		t.Errorf("JS client summary %q (%v): want 4 tokens checked and every check run\n%s", lines[len(lines)-1], err, out)
	}
	t.Logf("JS client: %s", lines[len(lines)-1])
}

// withoutProxies drops the proxy variables in either case. Emptying HTTPS_PROXY was not
// enough: the SDK's HTTP pipeline (@typespec/ts-http-runtime) takes an empty HTTPS_PROXY as
// unset and reads https_proxy, then ALL_PROXY and HTTP_PROXY, and its NO_PROXY has no
// wildcard ("*" matches a host named "*"), so with https_proxy in the shell the client
// called the proxy instead of the emulator.
func withoutProxies(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY":
			continue
		}
		out = append(out, kv)
	}
	return out
}
