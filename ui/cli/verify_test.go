package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// The SGX token from sharedeus verifies against the key set captured with it, at a time
// inside its lifetime; without --now it has long expired.
func TestVerifyRealSGXToken(t *testing.T) {
	dir := realDir(t)
	tok := filepath.Join(dir, "maa-sgx-sharedeus-teaclave-2023.jwt")
	jwks := filepath.Join(dir, "maa-jwks-sharedeus-teaclave-2023.json")

	r := runCLI(t, "verify", "-o", "json", "--no-baseline", "--jwks", jwks, "--now", "2023-09-26T18:00:00Z", tok)
	if got := r.verdict("jwt.signature"); got != check.Pass {
		t.Fatalf("jwt.signature = %s, want pass\n%s%s", got, r.stdout, r.stderr)
	}
	if got := r.verdict("jwt.lifetime"); got != check.Pass {
		t.Fatalf("jwt.lifetime at --now inside the lifetime = %s, want pass\n%s", got, r.stdout)
	}
	// No -a: the issuer is not pinned, which fails (exit 2) and prints the -a to add.
	if c := first(r.report.Checks.Find("jwt.issuer")); c.Verdict != check.Fail || !strings.Contains(strings.Join(c.Details, " "), "-a https://sharedeus.eus.attest.azure.net") {
		t.Errorf("jwt.issuer without -a = %+v, want a failure naming the -a to add", c)
	}
	if r.code != 2 {
		t.Errorf("verify without -a: exit %d, want 2", r.code)
	}
	// --any-azure-provider accepts it explicitly, and the verdict says so.
	r = runCLI(t, "verify", "-o", "json", "--no-baseline", "--jwks", jwks, "--any-azure-provider", "--now", "2023-09-26T18:00:00Z", tok)
	if c := first(r.report.Checks.Find("jwt.issuer")); c.Verdict != check.Pass || !strings.Contains(c.Summary, "--any-azure-provider") {
		t.Errorf("jwt.issuer with --any-azure-provider = %+v", c)
	}

	r = runCLI(t, "verify", "-o", "json", "--no-baseline", "--jwks", jwks, "-a", "https://sharedeus.eus.attest.azure.net", "--now", "2023-09-26T18:00:00Z", tok)
	if got := r.verdict("jwt.issuer"); got != check.Pass {
		t.Errorf("jwt.issuer with -a = %s, want pass", got)
	}

	r = runCLI(t, "verify", "-o", "json", "--no-baseline", "--jwks", jwks, tok)
	if got := r.verdict("jwt.lifetime"); got != check.Fail {
		t.Fatalf("jwt.lifetime today = %s, want fail", got)
	}
	if r.code != 2 {
		t.Errorf("exit code %d, want 2 (verification failed)", r.code)
	}
	if r.report.OK {
		t.Error(`"ok" is true for an expired token`)
	}
}

// The 2022 Trusted Launch token's key is not in any published set we have: its signature
// must be reported unverifiable, never passed, and nothing is fetched for a foreign key set.
func TestVerifyTrustedLaunchTokenKeyUnavailable(t *testing.T) {
	dir := realDir(t)
	tok := filepath.Join(dir, "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	jwks := filepath.Join(dir, "maa-jwks-sharedeus-teaclave-2023.json")
	r := runCLI(t, "verify", "-o", "json", "--jwks", jwks, "--now", "2022-04-15T12:00:00Z", tok)
	c := first(r.report.Checks.Find("jwt.signature"))
	if c.Verdict != check.Fail {
		t.Fatalf("jwt.signature = %+v, want fail\n%s", c, r.stdout)
	}
	if !strings.Contains(strings.ToLower(c.Summary), "not") {
		t.Errorf("summary should say the key is not available: %q", c.Summary)
	}
	if r.code != 2 {
		t.Errorf("exit code %d, want 2", r.code)
	}
}

func TestVerifyText(t *testing.T) {
	dir := realDir(t)
	r := runCLI(t, "verify", "--no-baseline", "--jwks", filepath.Join(dir, "maa-jwks-sharedeus-teaclave-2023.json"),
		"--now", "2023-09-26T18:00:00Z", filepath.Join(dir, "maa-sgx-sharedeus-teaclave-2023.jwt"))
	for _, want := range []string{"Verify JWT", "jwt.signature", "x-ms-sgx-mrsigner"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
}

func TestVerifyBadInput(t *testing.T) {
	dir := t.TempDir()
	notTok := filepath.Join(dir, "x.txt")
	os.WriteFile(notTok, []byte("hello"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "exactly one TOKEN_FILE"},
		{[]string{"verify", filepath.Join(dir, "missing.jwt")}, "missing.jwt"},
		{[]string{"verify", "--jwks", notTok, notTok}, "x.txt"},
		{[]string{"verify", "-o", "token", notTok}, "-o token is for a live run"},
		{[]string{"--scenario", "nope"}, "unknown"},
		{[]string{"--flow", "sideways"}, "--flow"},
		{[]string{"--expect", "novalue"}, "--expect"},
		{[]string{"-a", "ftp://x"}, "-a"},
		{[]string{"--scenario", "secureboot-off", "--platform", "azure"}, "simulated CVM"},
		{[]string{"--scenario", "debug-enabled", "--sim-tee", "trustedlaunch"}, "--sim-tee sevsnp or tdx"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: code %d, stderr %q; want 1 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestScenarioList(t *testing.T) {
	r := runCLI(t, "--scenario", "list", "--lang", "en")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 13 {
		t.Fatalf("code %d, %d lines, want 0 and 13:\n%s", r.code, len(lines), r.stdout)
	}
	for _, name := range []string{"secureboot-off", "debug-enabled", "policy-debug", "stale-report", "maa-slow", "maa-429", "maa-500", "maa-down", "imds-down", "unknown-key", "expired-token", "wrong-issuer", "clock-skew"} {
		if !strings.Contains(r.stdout, name+" ") {
			t.Errorf("--scenario list lacks %s", name)
		}
	}
}
