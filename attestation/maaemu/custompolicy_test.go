package maaemu

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// TestCustomPolicy: with Config.Policy the emulator enforces the owner's policy: it issues
// the claims the policy adds (top level and x-ms-policy), puts the policy's own hash in
// x-ms-policy-hash, and answers a denial with MAA's error naming the deciding claim and rule.
func TestCustomPolicy(t *testing.T) {
	text, _ := policy.Sample("AzureGuest")
	pol, err := policy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Config{Policy: pol})
	// The embedded TPM simulator is one per process: each CVM lives in its own subtest.
	t.Run("permitted", func(t *testing.T) { customPermitted(t, s, text) })
	t.Run("denied", func(t *testing.T) { customDenied(t, s) })
}

func customPermitted(t *testing.T, s *Server, text string) {
	c := newCVM(t, "sevsnp", true, false)
	jwt, ex, err := c.attestGuest(t, s, c.guestBody(t))
	if err != nil {
		t.Fatalf("attest: %v (%s)", err, ex.ResponseBody)
	}
	tok, _ := verifyToken(t, s, jwt, token.Options{Nonce: []byte(testNonce), UserData: platform.UserData(testNonce)})
	m := payload(t, tok)
	if m["x-ms-policy-hash"] != policy.Hash(text) || m["x-ms-policy-hash"] == PolicyHash("AzureGuest") {
		t.Errorf("x-ms-policy-hash %v, want the custom policy's %s", m["x-ms-policy-hash"], policy.Hash(text))
	}
	issued, _ := m["x-ms-policy"].(map[string]any)
	if m["boot-trusted"] != true || issued["boot-trusted"] != true || m["vm-id"] == nil || m["vm-id"] != m["x-ms-azurevm-vmid"] {
		t.Errorf("issued claims: top level boot-trusted=%v vm-id=%v, x-ms-policy %v", m["boot-trusted"], m["vm-id"], issued)
	}

}

// customDenied: with Secure Boot off the permit rule's second condition fails on
// secureboot = false.
func customDenied(t *testing.T, s *Server) {
	c := newCVM(t, "sevsnp", false, false)
	_, ex, err := c.attestGuest(t, s, c.guestBody(t))
	se := serviceError(t, ex, err)
	if se.Status != http.StatusBadRequest || se.Code != "PolicyEvaluationError" || se.InnerCode != "PolicyValidationFailure" || !se.PolicyDenied() {
		t.Fatalf("answer %d %s/%s: %s", se.Status, se.Code, se.InnerCode, ex.ResponseBody)
	}
	if len(se.Details) != 1 || se.Details[0].Target != "secureboot" || se.Details[0].Value != "false" {
		t.Errorf("details %+v, want PolicyFailureClaim secureboot = false", se.Details)
	}
	for _, want := range []string{"No Permit claim was issued", "authorizationrules #1 (line 7)", `[type=="secureboot", value==true]`} {
		if !strings.Contains(se.Message, want) {
			t.Errorf("message %q lacks %q", se.Message, want)
		}
	}
}

// TestCustomPolicyReadsEventLog: a 1.2 policy reads Secure Boot from the "events" claim
// with JmesPath, as Microsoft's TPM samples do, on the emulator's verified event log.
func TestCustomPolicyReadsEventLog(t *testing.T) {
	pol, err := policy.Parse(`version=1.2;
authorizationrules {
  c:[type=="events", issuer=="AttestationService"] => add(type="sb", value=JsonToClaimValue(JmesPath(c.value,
    "Events[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == ` + "`1`" + ` && @[0].ProcessedData.VariableData == 'AQ'")));
  [type=="sb", value==true] && [type=="pcrs", issuer=="AttestationService"] => permit();
};`)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Config{Policy: pol})
	for _, on := range []bool{true, false} {
		t.Run(map[bool]string{true: "secure boot on", false: "secure boot off"}[on], func(t *testing.T) {
			c := newCVM(t, "sevsnp", on, false)
			_, ex, err := c.attestGuest(t, s, c.guestBody(t))
			if on {
				if err != nil {
					t.Fatalf("denied: %s", ex.ResponseBody)
				}
				return
			}
			se := serviceError(t, ex, err)
			if len(se.Details) != 1 || se.Details[0].Target != "sb" || se.Details[0].Value != "false" {
				t.Errorf("details %+v (%s)", se.Details, ex.ResponseBody)
			}
		})
	}
}
