package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

func realDir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "real"))
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real samples not found at %s (../shared beside the checkout)", dir)
	}
	return dir
}

type result struct {
	code   int
	stdout string
	stderr string
	report jsonReport
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	r := result{code: code, stdout: out.String(), stderr: errb.String()}
	if strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
		if err := json.Unmarshal(out.Bytes(), &r.report); err != nil {
			t.Fatalf("stdout is not the JSON report: %v\n%s", err, r.stdout)
		}
	}
	return r
}

func (r result) verdict(id string) check.Verdict { return r.report.Checks.Verdict(id) }

func files(dir string, names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join(dir, n))
	}
	return out
}

func TestInspectRealSNPSetVerifiesEndToEnd(t *testing.T) {
	dir := realDir(t)
	for _, set := range [][]string{
		{"azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem", "azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin"},
		{"azsnp-hcl-trustee-ev-v0.bin", "amd-milan-vcek-trustee-ev-v0.pem", "azsnp-tpmquote-trustee-ev-v0.msg.bin", "azsnp-tpmquote-trustee-ev-v0.sig.bin", "azsnp-tpmquote-trustee-ev-v0.pcrs-sha256.bin"},
	} {
		r := runCLI(t, append([]string{"inspect", "-o", "json", "--now", "2025-06-01T00:00:00Z"}, files(dir, set...)...)...)
		if r.code != 0 || !r.report.OK {
			t.Errorf("%s: exit %d ok=%v\n%s%s", set[0], r.code, r.report.OK, r.stdout, r.stderr)
		}
		for _, id := range []string{"hcl.binding", "snp.signature", "snp.chain", "tpm.quote.signature", "tpm.quote.pcr-digest"} {
			if v := r.verdict(id); v != check.Pass {
				t.Errorf("%s: %s = %s, want pass", set[0], id, v)
			}
		}
	}
}

func TestInspectNegativeSamples(t *testing.T) {
	dir := realDir(t)
	r := runCLI(t, append([]string{"inspect", "-o", "json", "--now", "2025-06-01T00:00:00Z"}, files(dir, "azsnp-hcl-kinvolk-baefd3e1.bin", "amd-milan-vcek-ask-ark-kinvolk.pem")...)...)
	if r.code != 2 || r.verdict("snp.signature") != check.Fail {
		t.Errorf("kinvolk: exit %d, snp.signature %s; want exit 2 and fail", r.code, r.verdict("snp.signature"))
	}
	r = runCLI(t, "inspect", "-o", "json", filepath.Join(dir, "azsnp-hcl-cvmga-a288f91e-2022.bin"))
	if r.code != 2 || r.verdict("hcl.binding") != check.Fail {
		t.Errorf("2022 report: exit %d, hcl.binding %s; want exit 2 and fail", r.code, r.verdict("hcl.binding"))
	}
}

func TestInspectTDXQuoteMatchesReport(t *testing.T) {
	dir := realDir(t)
	r := runCLI(t, append([]string{"inspect", "-o", "json", "--now", "2025-03-01T00:00:00Z"}, files(dir, "aztdx-hcl-trustee-6332533d.bin", "aztdx-tdquote-trustee-6332533d.bin",
		"aztdx-tpmquote-trustee-6332533d.msg.bin", "aztdx-tpmquote-trustee-6332533d.sig.bin", "aztdx-tpmquote-trustee-6332533d.pcrs-sha256.bin",
		"intel-tdx-tcbinfo-00806f050000.json", "intel-tdx-qeidentity.json", "intel-tcb-signing-chain.pem")...)...)
	for _, id := range []string{"hcl.binding", "tdx.quote.signature", "tdx.quote.matches-report", "tpm.quote.signature", "tpm.quote.pcr-digest"} {
		if v := r.verdict(id); v != check.Pass {
			t.Errorf("%s = %s, want pass\n%s", id, v, r.stderr)
		}
	}
	if v := r.verdict("tdx.tcb"); v == check.Pass || v == check.Skip {
		t.Errorf("tdx.tcb = %s; the 2025 collateral judges this quote's TCB as not up to date", v)
	}
}

func TestInspectBadInputsGiveClearErrors(t *testing.T) {
	dir := realDir(t)
	tmp := t.TempDir()
	junk := filepath.Join(tmp, "junk.bin")
	os.WriteFile(junk, []byte("definitely not evidence"), 0o600)
	r := runCLI(t, "inspect", "-o", "json", junk)
	if r.code != 1 || !strings.Contains(r.stderr, "junk.bin") {
		t.Errorf("junk: exit %d, stderr %q", r.code, r.stderr)
	}
	full, _ := os.ReadFile(filepath.Join(dir, "azsnp-hcl-trustee-911b0ef8.bin"))
	for _, n := range []int{40, 600, 1230, 1300} {
		p := filepath.Join(tmp, "cut.bin")
		os.WriteFile(p, full[:n], 0o600)
		r := runCLI(t, "inspect", "-o", "json", p)
		if r.code != 2 || r.verdict("hcl.parse") != check.Fail {
			t.Errorf("report cut at %d: exit %d, hcl.parse %s", n, r.code, r.verdict("hcl.parse"))
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"))
	p := filepath.Join(tmp, "log.bin")
	os.WriteFile(p, log[:5000], 0o600)
	r = runCLI(t, "inspect", "-o", "json", p)
	if r.code != 2 || r.verdict("eventlog.parse") != check.Fail {
		t.Errorf("truncated log: exit %d, eventlog.parse %s", r.code, r.verdict("eventlog.parse"))
	}
	if r := runCLI(t, "inspect"); r.code != 1 {
		t.Errorf("inspect without files: exit %d", r.code)
	}
	if r := runCLI(t, "-o", "yaml"); r.code != 1 || !strings.Contains(r.stderr, "yaml") {
		t.Errorf("-o yaml: exit %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, "--now", "yesterday", "--platform", "sim"); r.code != 1 || !strings.Contains(r.stderr, "RFC 3339") {
		t.Errorf("--now yesterday: exit %d %q", r.code, r.stderr)
	}
}

func TestSimulatedRunHeadlessAndBundleRoundTrip(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "ev.json")
			r := runCLI(t, "--platform", "sim", "--sim-tee", tee, "-n", "nonce-1", "-o", "json", "--save", bundle)
			if r.code != 0 || !r.report.OK || r.report.Source != "sim" {
				t.Fatalf("exit %d ok=%v source=%q\n%s", r.code, r.report.OK, r.report.Source, r.stderr)
			}
			if !strings.Contains(r.report.Banner, "SIMULATED") {
				t.Errorf("banner %q does not say SIMULATED", r.report.Banner)
			}
			st, err := os.Stat(bundle)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("bundle: %v mode %v", err, st.Mode())
			}
			// A bundle names no anchors of its own: by default its simulated roots and its
			// saved keys are not trusted, and the verdict says how to opt in.
			bare := runCLI(t, "inspect", "-o", "json", bundle)
			if bare.code != 2 || bare.verdict("jwt.signature") != check.Fail || bare.verdict("jwt.issuer") != check.Fail {
				t.Errorf("inspect of a simulated bundle without --trust-simulated: exit %d, jwt.signature %s, jwt.issuer %s",
					bare.code, bare.verdict("jwt.signature"), bare.verdict("jwt.issuer"))
			}
			if tee == "sevsnp" && bare.verdict("snp.chain") != check.Fail {
				t.Errorf("simulated VCEK chain trusted without opt-in: snp.chain %s", bare.verdict("snp.chain"))
			}
			if tee == "tdx" && bare.verdict("tdx.quote.signature") != check.Fail {
				t.Errorf("simulated PCK chain trusted without opt-in: tdx.quote.signature %s", bare.verdict("tdx.quote.signature"))
			}
			if bare.verdict("policy.baseline") == check.Fail || bare.verdict("policy.expect") == check.Fail {
				t.Error("the baseline was judged on unauthenticated claims")
			}
			back := runCLI(t, "inspect", "--trust-simulated", "-o", "json", bundle)
			if back.code != 0 || !back.report.OK {
				t.Errorf("inspect --trust-simulated of the saved bundle: exit %d\n%s", back.code, back.stdout)
			}
			if tee == "sevsnp" && back.verdict("snp.chain") != check.Pass {
				t.Errorf("snp.chain %s with --trust-simulated", back.verdict("snp.chain"))
			}
		})
	}
}

func TestSimulatedDebugAndSecureBootOff(t *testing.T) {
	// The evidence itself verifies; MAA's policy is what refuses a VM without Secure Boot.
	r := runCLI(t, "--platform", "sim", "--sim-secureboot-off", "-o", "text")
	if r.code != 5 || !strings.Contains(r.stdout, "Read report") || !strings.Contains(r.stderr, "secureboot") {
		t.Errorf("secure boot off: exit %d, want 5 naming secureboot\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// write writes data to dir/name (0600) and returns the path; every platform's tests use it.
func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
