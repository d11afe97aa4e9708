package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// The whole workshop against the simulated CVM and the emulators: every check passes, the
// token's claims are the simulated evidence, and the saved token verifies on its own.
func TestSimulatedFlowEndToEnd(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			dir := t.TempDir()
			bundle := filepath.Join(dir, "b.json")
			args := []string{"--platform", "sim", "--sim-tee", tee, "-o", "json", "-n", "workshop-nonce", "--save", bundle}
			if tee == "trustedlaunch" {
				// The Azure CVM baseline asks for a CVM; a Trusted Launch VM is not one.
				args = append(args, "--no-baseline")
			}
			r := runCLI(t, args...)
			if r.code != 0 || !r.report.OK {
				t.Fatalf("exit %d ok=%v error=%q\n%s", r.code, r.report.OK, r.report.Error, failing(r.report.Checks))
			}
			for _, id := range []string{"maa.call", "jwt.signature", "jwt.issuer", "jwt.lifetime", "jwt.nonce", "jwt.matches-evidence"} {
				if got := r.verdict(id); got != check.Pass {
					t.Errorf("%s = %s, want pass", id, got)
				}
			}
			// Trusted Launch has no paravisor report to bind user data: nothing is written.
			wantUD := check.Pass
			if tee == "trustedlaunch" {
				wantUD = check.Skip
			}
			if got := r.verdict("jwt.user-data"); got != wantUD {
				t.Errorf("jwt.user-data = %s, want %s", got, wantUD)
			}
			if tee != "trustedlaunch" {
				for _, id := range []string{"maa.decrypt", "jwt.tee", "tpm.enckey.certify"} {
					if got := r.verdict(id); got != check.Pass {
						t.Errorf("%s = %s, want pass", id, got)
					}
				}
			}
			if tee == "tdx" {
				if got := r.verdict("tdx.mrtd-endorsed"); got != check.Pass {
					t.Errorf("tdx.mrtd-endorsed = %s, want pass", got)
				}
			}
			if len(r.report.Pages) != 5 {
				t.Errorf("%d pages, want the 5 steps", len(r.report.Pages))
			}

			// The bundle holds everything, and inspect re-verifies it offline.
			b, err := os.ReadFile(bundle)
			if err != nil {
				t.Fatal(err)
			}
			bd, err := evidence.ParseBundle(b)
			if err != nil {
				t.Fatal(err)
			}
			ev := bd.Evidence
			if ev.Token == "" || len(ev.JWKS) == 0 || ev.MAA == nil || len(ev.MAA.Request) == 0 || len(ev.MAA.Response) == 0 {
				t.Fatalf("bundle lacks token/keys/request/response: token=%d jwks=%d maa=%+v", len(ev.Token), len(ev.JWKS), ev.MAA != nil)
			}
			// The bundle's own keys and provider are not trusted; the simulated MAA key is,
			// when asked for, and the verdict says where trust rests.
			ri := runCLI(t, "inspect", "-o", "json", "--no-baseline", "--trust-simulated", bundle)
			if c := first(ri.report.Checks.Find("jwt.signature")); c.Verdict != check.Pass || !strings.Contains(c.Summary, "simulated MAA signing key") {
				t.Errorf("inspect --trust-simulated of the bundle: jwt.signature = %+v\n%s", c, failing(ri.report.Checks))
			}
			if c := first(ri.report.Checks.Find("jwt.issuer")); c.Verdict != check.Pass || !strings.Contains(c.Summary, "--trust-simulated") {
				t.Errorf("inspect --trust-simulated of the bundle: jwt.issuer = %+v", c)
			}
			if ri.code != 0 {
				t.Errorf("inspect --trust-simulated: exit %d\n%s", ri.code, failing(ri.report.Checks))
			}
			withKeys := runCLI(t, "inspect", "-o", "json", "--no-baseline", "--trust-bundle-keys", "-a", ev.MAA.Endpoint, bundle)
			if c := first(withKeys.report.Checks.Find("jwt.signature")); c.Verdict != check.Pass || !strings.Contains(c.Summary, "--trust-bundle-keys") {
				t.Errorf("inspect --trust-bundle-keys: jwt.signature = %+v", c)
			}
			if got := ri.verdict("jwt.matches-evidence"); got != check.Pass {
				t.Errorf("inspect of the bundle: jwt.matches-evidence = %s", got)
			}
		})
	}
}

// cvmscope -o token prints only the JWT, and cvmscope verify accepts it.
func TestTokenOutputVerifies(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "b.json")
	r := runCLI(t, "--platform", "sim", "-o", "token", "--save", bundle)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	compact := strings.TrimSpace(r.stdout)
	if strings.Count(compact, ".") != 2 || strings.ContainsAny(compact, " \n{") {
		t.Fatalf("stdout is not just a JWT: %q", r.stdout)
	}
	b, _ := os.ReadFile(bundle)
	bd, err := evidence.ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	tokFile, jwksFile := filepath.Join(dir, "t.jwt"), filepath.Join(dir, "certs.json")
	os.WriteFile(tokFile, []byte(compact+"\n"), 0o600)
	os.WriteFile(jwksFile, bd.Evidence.JWKS, 0o600)
	tok, err := token.Parse(compact)
	if err != nil {
		t.Fatal(err)
	}
	iss, _ := tok.Claims.String("iss")
	v := runCLI(t, "verify", "-o", "json", "--jwks", jwksFile, "-a", iss, tokFile)
	if v.code != 0 || !v.report.OK {
		t.Fatalf("verify of the -o token output: exit %d\n%s", v.code, failing(v.report.Checks))
	}

	// Simulated evidence is not Azure hardware: false with the reason, unless opted in.
	bo := runCLI(t, "--platform", "sim", "-o", "bool")
	if strings.TrimSpace(bo.stdout) != "false" || !strings.Contains(bo.stderr, "simulated CVM") {
		t.Errorf("-o bool on the simulated CVM = %q (stderr %q), want false with the reason", bo.stdout, bo.stderr)
	}
	bo = runCLI(t, "--platform", "sim", "--trust-simulated", "-o", "bool")
	if strings.TrimSpace(bo.stdout) != "true" || bo.code != 0 {
		t.Errorf("-o bool --trust-simulated = %q exit %d, want true 0", bo.stdout, bo.code)
	}
	bo = runCLI(t, "--platform", "sim", "--trust-simulated", "--sim-tee", "trustedlaunch", "--no-baseline", "-o", "bool")
	if strings.TrimSpace(bo.stdout) != "false" {
		t.Errorf("-o bool for Trusted Launch = %q, want false (not a CVM)", bo.stdout)
	}
}

// The platform flow (SevSnpVm, TdxVm) gets a plain token with flat claims.
func TestPlatformFlow(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx"} {
		r := runCLI(t, "--platform", "sim", "--sim-tee", tee, "--flow", "platform", "-n", "n1", "-o", "json")
		if r.code != 0 {
			t.Fatalf("%s: exit %d %s\n%s", tee, r.code, r.report.Error, failing(r.report.Checks))
		}
		for _, id := range []string{"jwt.signature", "jwt.user-data", "jwt.matches-evidence"} {
			if got := r.verdict(id); got != check.Pass {
				t.Errorf("%s: %s = %s", tee, id, got)
			}
		}
	}
	r := runCLI(t, "--platform", "sim", "--sim-tee", "trustedlaunch", "--flow", "platform", "-o", "json")
	if r.code == 0 || !strings.Contains(r.report.Error, "--flow guest") {
		t.Errorf("platform flow on Trusted Launch: exit %d error %q, want a refusal naming --flow guest", r.code, r.report.Error)
	}
}

// Every scenario ends in the check, message and exit code it promises.
func TestScenarios(t *testing.T) {
	cases := []struct {
		name    string
		code    int
		id      string // a check that must have verdict
		verdict check.Verdict
		text    string // in the error or the check's summary
	}{
		{"secureboot-off", 5, "maa.call", check.Fail, "secureboot"},
		{"debug-enabled", 5, "maa.call", check.Fail, "debug"},
		{"policy-debug", 5, "maa.call", check.Fail, "authorizationrules #1"},
		{"stale-report", 2, "jwt.user-data", check.Fail, "user-data"},
		{"maa-slow", 0, "maa.call", check.Warn, "took"},
		{"maa-429", 0, "maa.call", check.Warn, "429"},
		{"maa-500", 3, "maa.call", check.Fail, "500"},
		{"maa-down", 3, "maa.call", check.Fail, "refused"},
		{"imds-down", 3, "imds.thim", check.Fail, "Azure VM"},
		{"unknown-key", 2, "jwt.signature", check.Fail, "kid"},
		{"expired-token", 2, "jwt.lifetime", check.Fail, "expired"},
		{"wrong-issuer", 2, "jwt.issuer", check.Fail, "not the pinned provider"},
		{"clock-skew", 2, "jwt.lifetime", check.Fail, "not valid"},
	}
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		for _, tc := range cases {
			sc, _ := workshop.LookupScenario(tc.name)
			if sc.Supports(tee) != nil {
				continue
			}
			t.Run(tee+"/"+tc.name, func(t *testing.T) {
				// These really wait (a 3 s delay; Retry-After and back-off between attempts);
				// the MAA side does not depend on the TEE, so once is enough.
				if slow := tc.name == "maa-slow" || tc.name == "maa-429" || tc.name == "maa-500"; slow && (testing.Short() || tee != "sevsnp") {
					t.Skip("waits for seconds; run once, on SEV-SNP")
				}
				id := tc.id
				if tc.name == "imds-down" && tee == "tdx" {
					id = "imds.tdquote" // TDX asks IMDS for a TD quote, not a VCEK chain
				}
				r := runCLI(t, "--scenario", tc.name, "--sim-tee", tee, "-o", "json")
				if r.code != tc.code {
					t.Errorf("exit %d, want %d (error %q)\n%s", r.code, tc.code, r.report.Error, failing(r.report.Checks))
				}
				c := first(r.report.Checks.Find(id))
				if c.Verdict != tc.verdict {
					t.Fatalf("%s = %+v, want %s\n%s", id, c, tc.verdict, failing(r.report.Checks))
				}
				all := strings.ToLower(c.Summary + " " + strings.Join(c.Details, " ") + " " + r.report.Error + " " + r.report.Hint)
				if !strings.Contains(all, strings.ToLower(tc.text)) {
					t.Errorf("%s: %q not in %q", id, tc.text, all)
				}
			})
		}
	}
}

func failing(l check.List) string {
	var b strings.Builder
	for _, c := range l {
		if c.Verdict != check.Pass {
			b.WriteString(c.String() + "\n")
		}
	}
	return b.String()
}

func first(l check.List) check.Check {
	if len(l) == 0 {
		return check.Check{}
	}
	return l[0]
}

// An unmet --expect is a policy denial: exit 5, the check names the claim, and -o bool
// says false.
func TestUnmetExpectationExits5(t *testing.T) {
	r := runCLI(t, "--platform", "sim", "-o", "json", "--expect", "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl=1")
	if r.code != 5 {
		t.Fatalf("exit %d, want 5\n%s", r.code, failing(r.report.Checks))
	}
	var failed []check.Check
	for _, c := range r.report.Checks.Find("policy.expect") {
		if c.Verdict == check.Fail {
			failed = append(failed, c)
		}
	}
	if len(failed) != 1 || failed[0].Subject != "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl" || !strings.Contains(failed[0].Summary, "want 1") {
		t.Errorf("failed expectations %+v, want the vmpl one alone", failed)
	}
	// The user's rule replaced the baseline's on that claim: judged once, under policy.expect.
	var judged []string
	for _, c := range r.report.Checks {
		if c.Subject == "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl" {
			judged = append(judged, c.ID+" "+string(c.Verdict))
		}
	}
	if strings.Join(judged, ",") != "policy.expect fail" {
		t.Errorf("the vmpl claim was judged as %v, want once by policy.expect", judged)
	}
	if r.report.Checks.Verdict("policy.baseline") != check.Pass {
		t.Errorf("the rest of the baseline: %s", r.report.Checks.Verdict("policy.baseline"))
	}
	b := runCLI(t, "--platform", "sim", "-o", "bool", "--expect", "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl=1")
	if strings.TrimSpace(b.stdout) != "false" || b.code != 5 {
		t.Errorf("-o bool with an unmet expectation: %q exit %d", b.stdout, b.code)
	}
}
