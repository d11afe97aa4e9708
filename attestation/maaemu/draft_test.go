package maaemu

import (
	"context"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// TestDraftPolicy: a SevSnpVm request with draftPolicyForAttestation is evaluated under
// the draft instead of the provider's policy (here an owner's --policy that would deny):
// a permit is MAA's unsigned token (alg none, empty signature, the draft's hash and
// claims), which jwt.signature rejects; a denial is MAA's 400 naming the rule; a draft
// that does not parse is a 400 naming line and column.
func TestDraftPolicy(t *testing.T) {
	c := newCVM(t, "sevsnp", true, false)
	owner, err := policy.Parse("version=1.0; authorizationrules { => deny(); };")
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Config{Policy: owner})
	cl, _ := client(t, s)
	body, err := maa.BuildSevSnpVm(c.rep.SNPReport(), c.vcekChain(), c.rep.Claims, testNonce)
	if err != nil {
		t.Fatal(err)
	}
	attest := func(draft string) (*maa.Exchange, error) {
		b, err := maa.WithDraftPolicy(body, draft)
		if err != nil {
			t.Fatal(err)
		}
		return cl.Attest(context.Background(), maa.PathSevSnpVm, b)
	}

	permit := "version=1.0;\nauthorizationrules { [type==\"x-ms-sevsnpvm-vmpl\", value==0] => permit(); };\nissuancerules { c:[type==\"x-ms-sevsnpvm-vmpl\"] => issue(type=\"draft-vmpl\", value=c.value); };"
	ex, err := attest(permit)
	if err != nil {
		t.Fatalf("permitting draft: %v (%s)", err, ex.ResponseBody)
	}
	jwt, err := maa.ParsePlatformResponse(ex.ResponseBody)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(jwt, ".") || !maa.IsDraftAnswer(jwt) {
		t.Fatalf("a draft answer is unsigned with an empty signature segment: %s", jwt)
	}
	tok, checks := verifyToken(t, s, jwt, token.Options{})
	if checks.Verdict(token.IDSignature) != check.Fail {
		t.Errorf("jwt.signature on an unsigned draft answer: %s", checks.Verdict(token.IDSignature))
	}
	m := payload(t, tok)
	if m["x-ms-policy-hash"] != policy.Hash(permit) || m["draft-vmpl"] != float64(0) || m["x-ms-policy"] == nil {
		t.Errorf("draft claims: hash %v (want the draft's %s), draft-vmpl %v, x-ms-policy %v", m["x-ms-policy-hash"], policy.Hash(permit), m["draft-vmpl"], m["x-ms-policy"])
	}

	ex, err = attest("version=1.0;\nauthorizationrules { [type==\"x-ms-sevsnpvm-vmpl\", value==2] => permit(); };")
	se := serviceError(t, ex, err)
	if se.Status != 400 || se.Code != "PolicyEvaluationError" || !strings.Contains(se.Message, "x-ms-sevsnpvm-vmpl is 0") {
		t.Errorf("denying draft: %+v", se)
	}

	ex, err = attest("version=1.0;\nauthorizationrules { => permit( };")
	se = serviceError(t, ex, err)
	if se.Status != 400 || !strings.Contains(se.Message, "draftPolicyForAttestation does not parse: line 2, column") {
		t.Errorf("draft that does not parse: %+v", se)
	}
}

// A signed token is not a draft answer, nor is garbage.
func TestIsDraftAnswer(t *testing.T) {
	for _, s := range []string{"", "x", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "!!!.e30."} {
		if maa.IsDraftAnswer(s) {
			t.Errorf("IsDraftAnswer(%q) = true", s)
		}
	}
	if !maa.IsDraftAnswer("eyJhbGciOiJub25lIn0.e30.") {
		t.Error(`{"alg":"none"} is a draft answer`)
	}
	if _, err := maa.WithDraftPolicy([]byte(`{"quote":"x"}`), " "); err == nil {
		t.Error("an empty draft is refused")
	}
	if _, err := maa.WithDraftPolicy([]byte(`[1]`), "version=1.0;"); err == nil {
		t.Error("a body that is not an object is refused")
	}
}
