package token

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

func TestParseExpect(t *testing.T) {
	e, err := ParseExpect("x-ms-isolation-tee.x-ms-sevsnpvm-vmpl = 0")
	if err != nil || e.Claim != "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl" || e.Want != "0" {
		t.Errorf("got %+v, %v", e, err)
	}
	if e, err := ParseExpect("x-ms-azurevm-osdistro="); err != nil || e.Want != "" {
		t.Errorf("empty value: %+v %v", e, err)
	}
	for _, bad := range []string{"secureboot", "=true", "a..b=1", ".a=1"} {
		if _, err := ParseExpect(bad); err == nil {
			t.Errorf("ParseExpect(%q) accepted", bad)
		}
	}
}

func TestCheckExpectationsRealToken(t *testing.T) {
	c := parseReal(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt").Claims
	exps := []Expect{
		{Claim: "secureboot", Want: "TRUE"},
		{Claim: "x-ms-azurevm-osversion-major", Want: "10"},
		{Claim: "x-ms-azurevm-vmid", Want: "f7cea813-4c44-436c-8537-5701999c4589"}, // a GUID is not hex: case matters
		{Claim: "x-ms-azurevm-ostype", Want: "Linux"},
		{Claim: "x-ms-isolation-tee.x-ms-compliance-status", Want: "azure-compliant-cvm"},
		{Claim: "x-ms-runtime.keys", Want: "x"},
	}
	want := []check.Verdict{check.Pass, check.Pass, check.Fail, check.Fail, check.Fail, check.Fail}
	l := CheckExpectations(c, exps)
	for i, ch := range l {
		if ch.ID != IDExpect || ch.Subject != exps[i].Claim || ch.Verdict != want[i] {
			t.Errorf("%d: %s, want %s", i, ch, want[i])
		}
	}
	if !strings.Contains(l[4].Summary, "absent") {
		t.Errorf("absent claim summary: %s", l[4].Summary)
	}

	if err := PolicyError(l); fault.ExitCode(err) != 5 || !strings.Contains(err.Error(), "4 claim expectation(s) not met") {
		t.Errorf("PolicyError = %v (exit %d), want exit 5 naming 4 unmet", err, fault.ExitCode(err))
	}

	base := AzureCVMBaseline(c)
	if len(base) != 2 {
		t.Errorf("Trusted Launch baseline = %v, want secureboot and debuggersdisabled only", base)
	}
	if l := CheckExpectations(c, base); !l.OK() || PolicyError(l) != nil {
		t.Errorf("the 2022 Trusted Launch token meets the baseline: %v", l)
	}
}

func TestBaselinePerTEE(t *testing.T) {
	snp := snpClaims("https://x", time.Now())
	c := claimsOf(t, snp)
	base := AzureCVMBaseline(c)
	if got := joinExp(base); got != "secureboot=true x-ms-azurevm-debuggersdisabled=true x-ms-isolation-tee.x-ms-compliance-status=azure-compliant-cvm x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable=false x-ms-isolation-tee.x-ms-sevsnpvm-vmpl=0" {
		t.Errorf("SNP baseline: %s", got)
	}
	if l := CheckExpectations(c, base); !l.OK() {
		t.Errorf("healthy SNP claims fail the baseline: %v", l)
	}
	snp["x-ms-isolation-tee"].(map[string]any)["x-ms-sevsnpvm-is-debuggable"] = true
	if l := CheckExpectations(claimsOf(t, snp), base); l.OK() || l.Verdict(IDBaseline) != check.Fail {
		t.Error("a debuggable SNP guest must fail the baseline")
	}

	tdx := map[string]any{"x-ms-attestation-type": "tdxvm", "x-ms-compliance-status": "azure-compliant-cvm", "dbgstat": "disabled"}
	if got := joinExp(AzureCVMBaseline(claimsOf(t, tdx))); got != "x-ms-compliance-status=azure-compliant-cvm dbgstat=disabled" {
		t.Errorf("TDX platform baseline: %s", got)
	}
	tdx["tdx_td_attributes_debug"] = false
	if got := joinExp(AzureCVMBaseline(claimsOf(t, tdx))); !strings.HasSuffix(got, "tdx_td_attributes_debug=false") {
		t.Errorf("TDX baseline should prefer tdx_td_attributes_debug: %s", got)
	}
	if got := AzureCVMBaseline(claimsOf(t, map[string]any{"x-ms-attestation-type": "sgx"})); len(got) != 0 {
		t.Errorf("SGX tokens have no Azure VM baseline: %v", got)
	}
}

func claimsOf(t *testing.T, m map[string]any) Claims {
	t.Helper()
	b, _ := json.Marshal(m)
	c, err := ParseClaims(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func joinExp(es []Expect) string {
	var s []string
	for _, e := range es {
		s = append(s, e.String())
	}
	return strings.Join(s, " ")
}

func TestTEEVerdicts(t *testing.T) {
	cases := []struct {
		claims map[string]any
		want   check.Verdict
		sum    string
	}{
		{map[string]any{"x-ms-attestation-type": "azurevm", "x-ms-isolation-tee": map[string]any{"x-ms-attestation-type": "tdxvm", "x-ms-compliance-status": "azure-compliant-cvm"}}, check.Pass, "Confidential VM (TDX)"},
		{map[string]any{"x-ms-attestation-type": "azurevm", "x-ms-isolation-tee": map[string]any{"x-ms-attestation-type": "sevsnpvm", "x-ms-compliance-status": "azure-non-compliant"}}, check.Fail, "want azure-compliant-cvm"},
		{map[string]any{"x-ms-attestation-type": "azurevm", "x-ms-isolation-tee": map[string]any{"x-ms-attestation-type": "sgx"}}, check.Fail, "neither sevsnpvm nor tdxvm"},
		{map[string]any{"x-ms-attestation-type": "sevsnpvm", "x-ms-compliance-status": "azure-compliant-cvm"}, check.Pass, "SEV-SNP platform token"},
		{map[string]any{"x-ms-attestation-type": "sgx"}, check.Warn, "not an Azure VM token"},
		{map[string]any{}, check.Fail, "no x-ms-attestation-type"},
	}
	for _, tc := range cases {
		c := verifyTEE(claimsOf(t, tc.claims), true)
		if c.Verdict != tc.want || !strings.Contains(c.Summary, tc.sum) {
			t.Errorf("%v: %s", tc.claims, c)
		}
	}
}

func BenchmarkVerifyCachedKeys(b *testing.B) {
	tok := parseReal(b, "maa-sgx-sharedeus-teaclave-2023.jwt")
	keys := realJWKS(b)
	iat, _ := tok.Claims.Int("iat")
	opts := Options{Keys: keys, Issuer: "https://sharedeus.eus.attest.azure.net", Now: time.Unix(iat+60, 0)}
	if l := Verify(tok, opts); l.Verdict(IDSignature) != check.Pass {
		b.Fatal(l)
	}
	b.ReportAllocs()
	for b.Loop() {
		Verify(tok, opts)
	}
}

// The baseline is reported as policy.baseline and the user's rules as policy.expect; a
// user's --expect on a claim the baseline covers replaces the baseline's, so each claim is
// judged once.
func TestBaselineAndExpectAreDistinctAndNeverDuplicated(t *testing.T) {
	c := claimsOf(t, snpClaims("https://x", time.Now()))
	user := []Expect{{Claim: "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl", Want: "1"}, {Claim: "secureboot", Want: "true"}}
	exps := Expectations(c, user, false)
	l := CheckExpectations(c, exps)
	seen := map[string]int{}
	for _, ch := range l {
		seen[ch.Subject]++
		wantID := IDBaseline
		if ch.Subject == "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl" || ch.Subject == "secureboot" {
			wantID = IDExpect
		}
		if ch.ID != wantID {
			t.Errorf("%s reported as %s, want %s", ch.Subject, ch.ID, wantID)
		}
	}
	for subject, n := range seen {
		if n != 1 {
			t.Errorf("%s judged %d times", subject, n)
		}
	}
	if len(l) != 5 || l.Verdict(IDBaseline) != check.Pass {
		t.Errorf("checks %v: want 3 baseline (passing) and 2 user", l)
	}
	vmpl := l[len(l)-2]
	if vmpl.Verdict != check.Fail || !strings.Contains(vmpl.Summary, "want 1") {
		t.Errorf("the user's conflicting vmpl rule: %s", vmpl)
	}
	if err := PolicyError(l); fault.ExitCode(err) != 5 || !strings.Contains(err.Error(), "1 claim expectation(s) not met") {
		t.Errorf("PolicyError = %v", err)
	}
	if n := len(Expectations(c, user, true)); n != 2 {
		t.Errorf("--no-baseline kept %d expectations, want the user's 2", n)
	}
	// A failing baseline check is a policy error too.
	bad := snpClaims("https://x", time.Now())
	bad["secureboot"] = false
	if err := PolicyError(CheckExpectations(claimsOf(t, bad), Expectations(claimsOf(t, bad), nil, false))); fault.ExitCode(err) != 5 {
		t.Errorf("baseline failure: %v", err)
	}
}
