package cli

import (
	"bytes"
	"strings"
	"testing"
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
