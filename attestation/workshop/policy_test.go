package workshop

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// A policy expectation skipped because the token is not authenticated names the failed
// check with its verdict in the reader's language: "(jwt.signature fail)" in English,
// "(jwt.signature 실패)" in Korean.
func TestPolicySkipReasonInKorean(t *testing.T) {
	claims, err := token.ParseClaims([]byte(`{"x-ms-attestation-type":"azurevm","secureboot":true,"x-ms-azurevm-debuggersdisabled":true}`))
	if err != nil {
		t.Fatal(err)
	}
	verified := check.List{
		check.Failf(token.IDSignature, "bad signature"),
		check.Warnf(token.IDIssuer, "odd issuer"),
	}
	got := policyChecks(claims, verified, nil, false)
	if len(got) != 2 {
		t.Fatalf("got %d policy checks, want the baseline's 2: %v", len(got), got)
	}
	for _, c := range got {
		if c.Verdict != check.Skip {
			t.Errorf("%s[%s] = %s, want skip", c.ID, c.Subject, c.Verdict)
		}
		if want := "(jwt.signature fail, jwt.issuer warn)"; !strings.HasSuffix(c.Summary, want) {
			t.Errorf("English %q does not end in %q", c.Summary, want)
		}
		ko, _ := c.In("ko")
		if want := "(jwt.signature 실패, jwt.issuer 경고)"; !strings.HasSuffix(ko, want) {
			t.Errorf("Korean %q does not end in %q", ko, want)
		}
	}
}
