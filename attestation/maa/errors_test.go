package maa

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// policyBody is the shape seen in AzureAD MSAL.NET issue #6079 (protocol §4.6).
const policyBody = `{"error":{"code":"PolicyEvaluationError","message":"Policy evaluation failed: deny.","innererror":{"code":"PolicyValidationFailure","details":[{"code":"PolicyFailureClaim","target":"x-ms-azurevm-dbxvalidated","value":"false"}]}}}`

func TestParseServiceErrorPolicy(t *testing.T) {
	se := ParseServiceError(400, []byte(policyBody))
	if se.Code != "PolicyEvaluationError" || se.InnerCode != "PolicyValidationFailure" || se.Message != "Policy evaluation failed: deny." {
		t.Errorf("%+v", se)
	}
	if len(se.Details) != 1 || se.Details[0] != (Detail{"PolicyFailureClaim", "x-ms-azurevm-dbxvalidated", "false"}) {
		t.Errorf("details %+v", se.Details)
	}
	if !se.PolicyDenied() || se.Kind() != fault.Policy || se.Kind().ExitCode() != 5 {
		t.Error("a policy denial must be kind policy (exit 5)")
	}
	ex := se.Explain()
	for _, want := range []string{"MAA's policy denied the attestation because Secure Boot", "x-ms-azurevm-dbxvalidated = false", "enable Secure Boot on the VM (or use a custom provider and policy)"} {
		if !strings.Contains(ex, want) {
			t.Errorf("Explain() = %q, missing %q", ex, want)
		}
	}
}

func TestParseServiceErrorPascalCase(t *testing.T) {
	se := ParseServiceError(500, []byte(`{"Error":{"Code":"InternalServerError","Message":"An internal error occurred."}}`))
	if se.Code != "InternalServerError" || se.Message != "An internal error occurred." || se.Kind() != fault.Network {
		t.Errorf("%+v kind %v", se, se.Kind())
	}
	if !strings.Contains(se.Explain(), "server-side failure (HTTP 500)") {
		t.Errorf("Explain() = %q", se.Explain())
	}
	if got := se.Error(); got != "MAA answered HTTP 500 InternalServerError: An internal error occurred." {
		t.Errorf("Error() = %q", got)
	}
}

func TestServiceErrorExplainByStatus(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		kind   fault.Kind
		want   string
	}{
		{400, `{"error":{"code":"InvalidParameter","message":"Unable to parse TCG logs"}}`, fault.Verification, "InvalidParameter: Unable to parse TCG logs"},
		{401, ``, fault.Network, "requires authorization"},
		{403, `forbidden`, fault.Network, "HTTP 403"},
		{404, `<html>not found</html>`, fault.Network, "api-version"},
		{429, `{"error":{"code":"TooManyRequests"}}`, fault.Network, "rate-limiting"},
		{503, ``, fault.Network, "HTTP 503"},
		{400, `{"error":{"code":"PolicyEvaluationError","innererror":{"details":[{"code":"PolicyFailureClaim","target":"x-ms-azurevm-debuggersdisabled","value":false}]}}}`, fault.Policy, "debugger is enabled (x-ms-azurevm-debuggersdisabled = false); turn the debugger off"},
		{400, `{"error":{"code":"PolicyEvaluationError","message":"denied"}}`, fault.Policy, "without naming a claim"},
		{400, `{"error":{"code":"PolicyEvaluationError","innererror":{"details":[{"code":"PolicyFailureClaim","target":"x-ms-custom","value":"1"}]}}}`, fault.Policy, "x-ms-custom = 1"},
	} {
		se := ParseServiceError(tc.status, []byte(tc.body))
		if se.Kind() != tc.kind || !strings.Contains(se.Explain(), tc.want) {
			t.Errorf("%d %s: kind %v, Explain() = %q; want %v and %q", tc.status, tc.body, se.Kind(), se.Explain(), tc.kind, tc.want)
		}
	}
	if se := ParseServiceError(404, []byte("<html>not found</html>")); se.Body != "<html>not found</html>" || !strings.Contains(se.Error(), "not found") {
		t.Errorf("a non-JSON body must be kept: %+v", se)
	}
}
