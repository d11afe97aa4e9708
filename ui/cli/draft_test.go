package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/token"
)

// TestScenarioPolicyDebug: --scenario policy-debug makes the emulator enforce cvmscope's
// sample policy for the call's attestation type on a debuggable guest; Call MAA names the
// sample's rule and line, and the run exits 5, for each attestation type.
func TestScenarioPolicyDebug(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--flow", "platform"}, "A Deny claim was issued in the authorizationrules section (authorizationrules #1 (line 10))"},
		{[]string{"--flow", "platform", "--sim-tee", "tdx"}, `rule authorizationrules #1 (line 7) needs [type=="tdx_td_attributes_debug", value==false] and tdx_td_attributes_debug is true`},
		{nil, `rule authorizationrules #1 (line 7) needs [type=="x-ms-compliance-status", value=="azure-compliant-cvm"]`},
	} {
		var out, errb bytes.Buffer
		code := Main(append([]string{"--scenario", "policy-debug", "-o", "text", "--lang", "en"}, tc.args...), &out, &errb)
		all := out.String() + errb.String()
		if code != 5 || !strings.Contains(all, "PolicyEvaluationError") || !strings.Contains(all, tc.want) {
			t.Errorf("%v: exit %d, want 5 and %q\n%s", tc.args, code, tc.want, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"--scenario", "list", "--lang", "ko"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "policy-debug") || !strings.Contains(out.String(), "샘플 정책") {
		t.Errorf("--scenario list: exit %d\n%s", code, out.String())
	}
}

const permitDraft = `version=1.0;
authorizationrules {
  [type=="x-ms-sevsnpvm-is-debuggable", value==false] => permit();
};
issuancerules {
  c:[type=="x-ms-sevsnpvm-vmpl"] => issue(type="draft-vmpl", value=c.value);
};
`

const denyDraft = `version=1.0;
authorizationrules {
  [type=="x-ms-sevsnpvm-vmpl", value==3] => permit();
};
`

// TestDraftPolicyLive: --draft-policy on the simulated CVM sends the draft to the emulator,
// which evaluates it and answers MAA's unsigned token. A permitting draft exits 2 (a draft is never a verdict) with the
// result labelled a draft evaluation everywhere and jwt.signature skipped (never passed);
// a denying one exits 5 naming its rule; -o bool says false; -o token and the guest flow
// are refused.
func TestDraftPolicyLive(t *testing.T) {
	permit, deny := writePolicy(t, permitDraft), writePolicy(t, denyDraft)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(append([]string{"--platform", "sim", "--lang", "en"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}

	code, out, errs := run("--flow", "platform", "--draft-policy", permit, "-o", "json")
	var r struct {
		OK     bool       `json:"ok"`
		Token  string     `json:"token"`
		Draft  *draftJSON `json:"draft"`
		Checks []struct{ ID, Verdict, Summary string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	verdicts := map[string]string{}
	for _, c := range r.Checks {
		verdicts[c.ID] = c.Verdict
	}
	if code != 2 || !strings.Contains(errs, "a draft evaluation is never a verdict") || r.OK || r.Draft == nil || !r.Draft.Permitted || !strings.Contains(r.Draft.Verdict, "draft evaluation (unsigned), not an attestation") ||
		verdicts["jwt.signature"] != "skip" || verdicts["maa.draft"] != "warn" {
		t.Fatalf("permitting draft: exit %d, draft %+v, verdicts %v\n%s", code, r.Draft, verdicts, errs)
	}
	tok, err := token.Parse(r.Token)
	if err != nil || tok.Header.Alg != "none" || len(tok.Signature) != 0 || !strings.Contains(string(tok.Payload), `"draft-vmpl":0`) {
		t.Fatalf("draft token: %v, header %+v, payload %s", err, tok.Header, tok.Payload)
	}

	// The unsigned token fed back to verify and inspect fails jwt.signature: exit 2.
	f := filepath.Join(t.TempDir(), "draft.jwt")
	if err := os.WriteFile(f, []byte(r.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"verify", "inspect"} {
		var o, e bytes.Buffer
		if code := Main([]string{cmd, "--trust-simulated", "-o", "text", f}, &o, &e); code != 2 || !strings.Contains(o.String(), `fail jwt.signature: signature rejected: alg "none"`) {
			t.Errorf("%s of a draft token: exit %d\n%s%s", cmd, code, o.String(), e.String())
		}
	}

	code, out, errs = run("--flow", "platform", "--draft-policy", deny, "-o", "text")
	if code != 5 || !strings.Contains(out, "verdict: draft evaluation (unsigned), not an attestation: the draft policy denied this evidence") ||
		!strings.Contains(out, "== Call MAA ==\nDRAFT EVALUATION (unsigned), not an attestation · ") ||
		!strings.Contains(errs, `rule authorizationrules #1 (line 3) needs [type=="x-ms-sevsnpvm-vmpl", value==3] and x-ms-sevsnpvm-vmpl is 0`) {
		t.Errorf("denying draft: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = run("--flow", "platform", "--sim-tee", "tdx", "--draft-policy", writePolicy(t, "version=1.0; authorizationrules { => permit(); };"), "-o", "text", "--lang", "ko")
	if code != 2 || !strings.Contains(out, "판정: 초안 정책 평가(서명 없음)이며 증명이 아닙니다: 초안 정책이 이 증거를 허용했습니다") || !strings.Contains(out, "[불확실]") ||
		!strings.Contains(errs, "초안 평가는 판정이 아닙니다") {
		t.Errorf("TdxVm draft: exit %d\n%s%s", code, out, errs)
	}

	if code, out, errs = run("--flow", "platform", "--draft-policy", permit, "-o", "bool"); code != 2 || strings.TrimSpace(out) != "false" || !strings.Contains(errs, "not an attestation") {
		t.Errorf("-o bool: exit %d, %q %q", code, out, errs)
	}
	if code, _, errs = run("--flow", "platform", "--draft-policy", permit, "-o", "token"); code != 1 || !strings.Contains(errs, "never a verified token") {
		t.Errorf("-o token: exit %d, %q", code, errs)
	}
	if code, _, errs = run("--draft-policy", permit, "-o", "text"); code != 1 || !strings.Contains(errs, "needs --flow platform") {
		t.Errorf("guest flow: exit %d, %q", code, errs)
	}
}
