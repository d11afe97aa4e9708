package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/present"
)

func runPolicyCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"policy"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func writePolicy(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "test.policy")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// policyJSON is the part of -o json the tests read.
type policyJSON struct {
	Policy struct {
		Hash string `json:"x-ms-policy-hash"`
	} `json:"policy"`
	Source struct {
		From, Kind string
		Failed     []string `json:"failed_checks"`
	} `json:"source"`
	Rules []struct {
		Section    string
		Index      int
		Ran, Fired bool
		Conditions []struct {
			Held bool
			Near *struct {
				Type  string
				Value any
			} `json:"decidingClaim"`
		}
	} `json:"rules"`
	Permitted bool `json:"permitted"`
	Denial    *struct {
		Index int
		Claim *struct {
			Type  string
			Value any
		} `json:"decidingClaim"`
		MAA struct {
			Status                       int
			Code, Message, Target, Value string
		} `json:"maa"`
	} `json:"denial"`
	Outgoing []struct {
		Type  string
		Value any
	} `json:"outgoing"`
}

// TestPolicyCheckToken: the sample AzureGuest policy denies Microsoft's 2022 Trusted
// Launch token (no TEE), naming the rule and the missing claim, in English and Korean;
// a policy that asks only for Secure Boot permits it and issues its claim. No key of that
// provider is at hand, so the token's signature is never verified: every run exits 2,
// whatever the policy decided, and says which flag supplies the keys.
func TestPolicyCheckToken(t *testing.T) {
	tok := filepath.Join(realDir(t), "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	sample := writePolicy(t, "")
	code, out, _ := runPolicyCLI(t, "sample", "azureguest")
	if code != 0 || !strings.HasPrefix(out, "version=1.0;") {
		t.Fatalf("policy sample: %d %q", code, out)
	}
	os.WriteFile(sample, []byte(out), 0o600)

	code, out, errs := runPolicyCLI(t, "check", "--lang", "en", sample, tok)
	if code != 2 || !strings.Contains(errs, "the token failed jwt.signature") || !strings.Contains(errs, "--jwks FILE") {
		t.Fatalf("exit %d, want 2 (denied, but the token is not verified)\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"Incoming claims 34 (from a token, AzureGuest)",
		"#1 (line 7) did not fire",
		`fails [type=="x-ms-compliance-status", value=="azure-compliant-cvm"]: no claim type=="x-ms-compliance-status" is there`,
		"#1 (line 16) not run",
		"DENIED: no permit() fired: rule authorizationrules #1 (line 7)",
		"MAA would answer: 400 PolicyEvaluationError: Policy Engine Exception: No Permit claim was issued",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runPolicyCLI(t, "check", "--lang", "ko", sample, tok)
	if code != 2 || !strings.Contains(out, "거부됨: permit()가 실행되지 않았습니다") || !strings.Contains(out, "규칙 5개") ||
		!strings.Contains(errs, "토큰이 jwt.signature") || !strings.Contains(errs, "종료 코드 2") {
		t.Errorf("Korean: exit %d\n%s%s", code, out, errs)
	}

	permit := writePolicy(t, `version=1.0;
authorizationrules { [type=="secureboot", value==true] && [type=="x-ms-azurevm-is-windows", value==true] => permit(); };
issuancerules { c:[type=="x-ms-azurevm-vmid"] => issue(type="vm", value=c.value); };`)
	code, out, _ = runPolicyCLI(t, "check", "-o", "json", permit, tok)
	var r policyJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 2 || !r.Permitted || r.Denial != nil || r.Source.From != "token" || r.Source.Kind != "AzureGuest" ||
		len(r.Source.Failed) == 0 || r.Source.Failed[0] != "jwt.signature" {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	if len(r.Outgoing) != 1 || r.Outgoing[0].Type != "vm" || r.Outgoing[0].Value != "F7CEA813-4C44-436C-8537-5701999C4589" {
		t.Errorf("outgoing %+v", r.Outgoing)
	}
	if !r.Rules[0].Fired || !r.Rules[1].Fired || len(r.Rules[0].Conditions) != 2 {
		t.Errorf("rules %+v", r.Rules)
	}
}

// TestPolicyCheckDenyJSON: a deny() names the deciding claim and MAA's PolicyFailureClaim.
func TestPolicyCheckDenyJSON(t *testing.T) {
	tok := filepath.Join(realDir(t), "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	pol := writePolicy(t, `version=1.0;
authorizationrules {
  => permit();
  c:[type=="x-ms-azurevm-is-windows", value==true] => deny();
};`)
	code, out, _ := runPolicyCLI(t, "check", "-o", "json", pol, tok)
	var r policyJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 2 || r.Permitted || r.Denial == nil || r.Denial.Index != 2 {
		t.Fatalf("exit %d (want 2: the token is not verified), denial %+v", code, r.Denial)
	}
	if c := r.Denial.Claim; c == nil || c.Type != "x-ms-azurevm-is-windows" || c.Value != true {
		t.Errorf("deciding claim %+v", c)
	}
	if m := r.Denial.MAA; m.Status != 400 || m.Code != "PolicyEvaluationError" || m.Target != "x-ms-azurevm-is-windows" || m.Value != "true" {
		t.Errorf("MAA answer %+v", m)
	}
}

// TestPolicyCheckEvidence: without a token the claims come from evidence files, derived
// as the emulator derives them; the SevSnpVm sample permits the real Azure SNP report.
// trusteeNow is inside the real trustee VCEK's validity (it ends 2030-05-02): the files are
// verified before the policy runs, and a test must not start failing on that day.
const trusteeNow = "2025-06-01T00:00:00Z"

func TestPolicyCheckEvidence(t *testing.T) {
	dir := realDir(t)
	code, text, _ := runPolicyCLI(t, "sample", "SevSnpVm")
	pol := writePolicy(t, text)
	code, out, errs := runPolicyCLI(t, "check", "--now", trusteeNow, "-o", "json", pol,
		filepath.Join(dir, "azsnp-hcl-trustee-911b0ef8.bin"), filepath.Join(dir, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	var r policyJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errs)
	}
	if code != 0 || !r.Permitted || r.Source.From != "evidence" || r.Source.Kind != "SevSnpVm" {
		t.Fatalf("exit %d, %+v", code, r)
	}
	got := map[string]any{}
	for _, c := range r.Outgoing {
		got[c.Type] = c.Value
	}
	if got["hcl-svn"] != 5.0 || got["launch-measurement"] != "9ac48fcac8a2d88aeeff8d427ad4f2be0e3917c748a18bdf52cc317e7fe20308b459d5ef1a12e0c22944eb386d17c315" {
		t.Errorf("issued %v", got)
	}
	// A policy that wants newer SNP firmware than the report's is denied on that claim.
	strict := writePolicy(t, strings.Replace(text, "value>=8", "value>=9", 1))
	code, out, _ = runPolicyCLI(t, "check", "--now", trusteeNow, strict, filepath.Join(dir, "azsnp-hcl-trustee-911b0ef8.bin"), filepath.Join(dir, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	if code != 5 || !strings.Contains(out, "deciding claim: x-ms-sevsnpvm-snpfw-svn = 8") ||
		!strings.Contains(out, "x-ms-sevsnpvm-snpfw-svn is 8; the condition wants value >= 9") {
		t.Errorf("exit %d\n%s", code, out)
	}
	// A forged report (one signature byte flipped) is permitted by the policy, but MAA would
	// refuse it before any policy ran: never exit 0.
	raw, err := os.ReadFile(filepath.Join(dir, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	raw[0x20+0x2a0+5] ^= 0xff // the SNP report starts at 0x20 in the HCL report; its signature at 0x2a0
	forged := filepath.Join(t.TempDir(), "forged-hcl.bin")
	if err := os.WriteFile(forged, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runPolicyCLI(t, "check", "--now", trusteeNow, "-o", "json", pol, forged, filepath.Join(dir, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	r = policyJSON{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errs)
	}
	if code != 2 || !r.Permitted || len(r.Source.Failed) == 0 || r.Source.Failed[0] != "snp.signature" || !strings.Contains(errs, "snp.signature; MAA would refuse it") {
		t.Errorf("forged report: exit %d, %+v\n%s", code, r.Source, errs)
	}
	// Text says so above the policy's verdict, as the TUI page does: stdout alone must not
	// read as a pass.
	code, out, _ = runPolicyCLI(t, "check", "--now", trusteeNow, pol, forged, filepath.Join(dir, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	if code != 2 || !strings.Contains(out, "NOT VERIFIED (snp.signature failed): the verdict below proves nothing (exit 2 whatever the policy decided)\nPERMITTED") {
		t.Errorf("forged report, text: exit %d\n%s", code, out)
	}
}

func TestPolicyCheckErrors(t *testing.T) {
	tok := filepath.Join(realDir(t), "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	bad := writePolicy(t, "version=1.0;\nauthorizationrules {\n  [type==\"a\", value==<x>] => permit();\n};")
	code, _, errs := runPolicyCLI(t, "check", bad, tok)
	if code != 1 || !strings.Contains(errs, "test.policy:3:22: expected a value") || !strings.Contains(errs, "Fix the policy") {
		t.Errorf("parse error: exit %d\n%s", code, errs)
	}
	code, _, errs = runPolicyCLI(t, "check", "--lang", "ko", bad, tok)
	if code != 1 || !strings.Contains(errs, "test.policy:3:22: 값(") || !strings.Contains(errs, "정책을 고친 뒤") {
		t.Errorf("Korean parse error: exit %d\n%s", code, errs)
	}
	for _, args := range [][]string{
		{"check", bad},                        // no evidence
		{"check", "-o", "yaml", bad, tok},     // bad output
		{"check", "/nonexistent.policy", tok}, // no file
		{"check", "/dev/null", tok},           // not a regular file
		{"sample"},                            // no type
		{"sample", "SgxEnclave"},              // no such sample
		{"frobnicate"},                        // no such subcommand
	} {
		if code, _, errs := runPolicyCLI(t, args...); code != 1 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	if code, out, _ := runPolicyCLI(t, "--help"); code != 0 || !strings.Contains(out, "cvmscope policy check") {
		t.Errorf("--help: %d %q", code, out)
	}
}

// TestEmulatorPolicyFlag: cvmscope emulator --policy refuses a policy that does not parse
// before it listens, naming file, line and column.
func TestEmulatorPolicyFlag(t *testing.T) {
	bad := writePolicy(t, "version=1.0;\nauthorizationrules {\n  => permit(;\n};")
	var errb bytes.Buffer
	code := runEmulator(t.Context(), []string{"--listen", "127.0.0.1:0", "--http", "--policy", bad}, io.Discard, &errb)
	if code != 1 || !strings.Contains(errb.String(), "test.policy:3:13: permit's arguments are") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestPolicyCheckEventLog: a 1.2 policy reads the event log given as a file through the
// "events" claim; the real Azure SNP log measured SecureBoot = 0, so it is denied.
func TestPolicyCheckEventLog(t *testing.T) {
	dir := realDir(t)
	pol := writePolicy(t, "version=1.2;\nauthorizationrules {\n"+
		`  c:[type=="events", issuer=="AttestationService"] => add(type="sb", value=JsonToClaimValue(JmesPath(c.value, "Events[?ProcessedData.UnicodeName == 'SecureBoot'] | @[0].ProcessedData.VariableData == 'AQ'")));`+
		"\n  [type==\"sb\", value==true] => permit();\n};")
	// Nothing signed covers the log (no TPM quote) nor the report (no VCEK): exit 2, the
	// evaluation still shown.
	code, out, errs := runPolicyCLI(t, "check", pol, filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"), filepath.Join(dir, "azsnp-hcl-trustee-911b0ef8.bin"))
	if code != 2 || !strings.Contains(errs, "evidence.unverified") || !strings.Contains(out, "→ sb = false") || !strings.Contains(out, "deciding claim: sb = false") ||
		!strings.Contains(out, `events = "{\"Events\":[{\"EventSeq\":0,`) || !strings.Contains(out, "bytes)") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

// TestPolicyPage: the TUI's page of a policy check: the verdict as its check, a row per
// rule with its verdict and conditions in both languages.
func TestPolicyPage(t *testing.T) {
	tok := filepath.Join(realDir(t), "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	text, _ := policy.Sample("AzureGuest")
	pol, err := policy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := incoming(t.Context(), []string{tok}, config{})
	if err != nil {
		t.Fatal(err)
	}
	r := &policyRunner{rep: newPolicyReport("ag.policy", pol, src, pol.Evaluate(src.claims)), files: []string{tok}}
	if s := r.Steps(); len(s) != 1 || s[0].Title().KO != "정책 검사" {
		t.Fatalf("steps %v", s)
	}
	p, err := r.Run(t.Context(), r.Steps()[0])
	if err != nil {
		t.Fatal(err)
	}
	// The verdict first, then the verification that failed (no keys for the token).
	if p.Verdict != check.Fail || len(p.Checks) < 2 || !strings.Contains(p.Checks[0].SummaryKO, "거부됨: permit()가 실행되지 않았습니다: 규칙 authorizationrules #1 (7행)") ||
		p.Checks[1].ID != "jwt.signature" || p.Checks[1].Verdict != check.Fail {
		t.Fatalf("verdict %s, checks %+v", p.Verdict, p.Checks)
	}
	rows := map[string][]present.Row{}
	for _, s := range p.Sections {
		rows[s.ID] = s.Rows
	}
	auth, iss := rows["authorizationrules"], rows["issuancerules"]
	if len(auth) != 2 || auth[0].Verdict != check.Fail || auth[1].Verdict != check.Skip ||
		!strings.Contains(auth[0].Detail, `fails [type=="x-ms-compliance-status"`) || !strings.Contains(auth[0].DetailKO, "불충족") {
		t.Errorf("authorization rows %+v", auth)
	}
	if len(iss) != 3 || iss[0].Verdict != check.Skip || iss[0].Explain.KO != "실행하지 않음: 증명 결과가 이미 정해졌습니다" {
		t.Errorf("issuance rows %+v", iss)
	}
	if v := rows["verification"]; len(v) == 0 || v[0].Key != "jwt.signature" || v[0].Verdict != check.Fail || !strings.Contains(p.Summary.EN, "not verified (jwt.signature") {
		t.Errorf("verification rows %+v, summary %q", v, p.Summary.EN)
	}
	if len(rows["incoming"]) != 34 || len(rows["issued"]) != 0 {
		t.Errorf("%d incoming rows, %d issued", len(rows["incoming"]), len(rows["issued"]))
	}
}

// TestPolicyCheckBundle: a bundle from the simulated TDX CVM's platform flow holds the
// TdxVm token; the TdxVm sample reads the VM id out of its runtime claims with JmesPath.
func TestPolicyCheckBundle(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "tdx.json")
	var out, errb bytes.Buffer
	if code := Main([]string{"--platform", "sim", "--sim-tee", "tdx", "--flow", "platform", "-o", "json", "--save", bundle}, &out, &errb); code != 0 {
		t.Fatalf("live run: exit %d\n%s", code, errb.String())
	}
	_, text, _ := runPolicyCLI(t, "sample", "TdxVm")
	pol := writePolicy(t, text)
	// Without --trust-simulated nothing in the bundle verifies on an anchor the caller chose.
	code, stdout, errs := runPolicyCLI(t, "check", "-o", "json", pol, bundle)
	if code != 2 || !strings.Contains(errs, "jwt.signature") || !strings.Contains(errs, "--trust-simulated") {
		t.Errorf("bundle without --trust-simulated: exit %d\n%s", code, errs)
	}
	code, stdout, errs = runPolicyCLI(t, "check", "--trust-simulated", "-o", "json", pol, bundle)
	var r policyJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, errs)
	}
	got := map[string]any{}
	for _, c := range r.Outgoing {
		got[c.Type] = c.Value
	}
	if code != 0 || !r.Permitted || r.Source.Kind != "TdxVm" || got["vm-id"] == nil || got["td-measurement"] == nil {
		t.Errorf("exit %d, kind %s, issued %v", code, r.Source.Kind, got)
	}
}

// TestLivePolicy: cvmscope --policy FILE makes the simulated CVM's emulator enforce it; a
// denial exits 5 and the Call MAA step names the failing rule.
func TestLivePolicy(t *testing.T) {
	deny := writePolicy(t, `version=1.0;
authorizationrules {
  [type=="x-ms-azurevm-is-windows", value==true] => permit();
};`)
	var out, errb bytes.Buffer
	code := Main([]string{"--platform", "sim", "--policy", deny, "-o", "text"}, &out, &errb)
	all := out.String() + errb.String()
	if code != 5 || !strings.Contains(all, "PolicyEvaluationError") ||
		!strings.Contains(all, `rule authorizationrules #1 (line 3) needs [type=="x-ms-azurevm-is-windows", value==true] and x-ms-azurevm-is-windows is false`) {
		t.Errorf("exit %d\n%s", code, all)
	}
	bad := writePolicy(t, "version=1.0;\nauthorizationrules { => permit( };")
	out.Reset()
	errb.Reset()
	if code := Main([]string{"--platform", "sim", "--policy", bad, "-o", "text"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "test.policy:2:33:") {
		t.Errorf("bad policy: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := Main([]string{"--platform", "azure", "--policy", deny, "-o", "text"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "cannot change what --platform azure") {
		t.Errorf("azure: exit %d, %q", code, errb.String())
	}
}

// TestPolicyCheckVerifiesToken: a token's claims count only when its signature verifies on
// keys the caller chose, as cvmscope verify checks them (same flags): the simulated CVM's
// token permits with --trust-simulated and exits 2 without it or with one payload byte
// changed; Microsoft's 2023 token verifies with --jwks and its provider pinned by -a, and
// exits 2 when -a pins another provider.
func TestPolicyCheckVerifiesToken(t *testing.T) {
	permit := writePolicy(t, "version=1.0; authorizationrules { => permit(); };")
	var out, errb bytes.Buffer
	if code := Main([]string{"--platform", "sim", "-o", "token"}, &out, &errb); code != 0 {
		t.Fatalf("simulated run: exit %d\n%s", code, errb.String())
	}
	dir := t.TempDir()
	sim := filepath.Join(dir, "sim.jwt")
	compact := strings.TrimSpace(out.String())
	if err := os.WriteFile(sim, []byte(compact), 0o600); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(compact, ".")
	payload := []byte(parts[1])
	payload[len(payload)/2] ^= 0x01 // still base64url: flips one bit of a claim
	forged := filepath.Join(dir, "forged.jwt")
	if err := os.WriteFile(forged, []byte(parts[0]+"."+string(payload)+"."+parts[2]), 0o600); err != nil {
		t.Fatal(err)
	}
	real := realDir(t)
	sgx := filepath.Join(real, "maa-sgx-sharedeus-teaclave-2023.jwt")
	jwks := filepath.Join(real, "maa-jwks-sharedeus-teaclave-2023.json")
	for _, tc := range []struct {
		name string
		args []string
		code int
		errs string
	}{
		{"simulated token, no anchor", []string{sim}, 2, "--trust-simulated the simulated CVM's"},
		{"simulated token, --trust-simulated", []string{"--trust-simulated", sim}, 0, ""},
		{"forged simulated token", []string{"--trust-simulated", forged}, 2, "the token failed"},
		{"real token, --jwks and -a", []string{"--jwks", jwks, "--now", "2023-09-26T18:00:00Z", "-a", "https://sharedeus.eus.attest.azure.net", sgx}, 0, ""},
		{"real token, -a another provider", []string{"--jwks", jwks, "--now", "2023-09-26T18:00:00Z", "-a", "https://sharedkrc.krc.attest.azure.net", sgx}, 2, "jwt.issuer"},
		{"real token, --jwks but no -a", []string{"--jwks", jwks, "--now", "2023-09-26T18:00:00Z", sgx}, 2, "jwt.issuer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The flags, then POLICY_FILE and the token.
			n := len(tc.args) - 1
			args := append(append([]string{"check", "--lang", "en", "-o", "json"}, tc.args[:n]...), permit, tc.args[n])
			code, stdout, errs := runPolicyCLI(t, args...)
			var r policyJSON
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("%v\n%s%s", err, stdout, errs)
			}
			if code != tc.code || !r.Permitted || !strings.Contains(errs, tc.errs) || (code == 0) != (len(r.Source.Failed) == 0) {
				t.Errorf("exit %d, want %d; failed %v\n%s", code, tc.code, r.Source.Failed, errs)
			}
		})
	}
}
