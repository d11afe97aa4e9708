package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// The SDK-CPP recording "AttestWithDraftPolicy-SgxEnclave_Shared" (Azure/azure-sdk-for-cpp,
// 2022-11) holds two draft policies MAA ran on one SGX quote: draftPermit got a token with
// x-ms-policy-hash 1wKUrF… and custom-name = the MRSIGNER; draftDeny got 400
// PolicyEvaluationError "No Permit claim was issued in the authorizationrules section".
const (
	draftPermit = "version= 1.0;\nauthorizationrules\n{\n    [ type==\"x-ms-sgx-is-debuggable\", value==true] &&\n    [ type==\"x-ms-sgx-product-id\", value!=0 ] &&\n    [ type==\"x-ms-sgx-svn\", value>= 0 ] &&\n    [ type==\"x-ms-sgx-mrsigner\", value == \"4aea5f9a0ed04b11f889aadfe6a1d376213a29a95a85ce7337ae6f7fece6610c\"]\n        => permit();\n};\nissuancerules {\n    c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"custom-name\", value=c.value);\n};"
	draftDeny   = "version= 1.0;\nauthorizationrules\n{\n    [ type==\"x-ms-sgx-is-debuggable\", value==false ] &&\n    [ type==\"x-ms-sgx-product-id\", value==0 ] &&\n    [ type==\"x-ms-sgx-svn\", value>= 0 ]\n        => permit();\n};\nissuancerules {\n    c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"custom-name\", value=c.value);\n};"
	mrsigner    = "4aea5f9a0ed04b11f889aadfe6a1d376213a29a95a85ce7337ae6f7fece6610c"
)

// recordedSGX are the incoming claims of the recorded quote, as MAA's token shows them.
var recordedSGX = Incoming(map[string]any{
	"x-ms-attestation-type": "sgx", "x-ms-sgx-is-debuggable": true, "x-ms-sgx-product-id": 1.0,
	"x-ms-sgx-svn": 1.0, "x-ms-sgx-mrsigner": mrsigner,
	"x-ms-sgx-mrenclave": "292a1f4b519e46627eb2478a3d9851405653c5b4b0a6925de843834d9216850e",
})

func TestHashMatchesMAA(t *testing.T) {
	if got := Hash(draftPermit); got != "1wKUrF_E0X5CZUM9OMIF1PH3qn5iykWY_bWgBbiWJZ0" {
		t.Errorf("Hash = %s, MAA wrote 1wKUrF_E0X5CZUM9OMIF1PH3qn5iykWY_bWgBbiWJZ0", got)
	}
}

func mustParse(t *testing.T, text string) *Policy {
	t.Helper()
	p, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRecordedDraftPermits(t *testing.T) {
	res := mustParse(t, draftPermit).Evaluate(recordedSGX)
	if !res.Permitted || res.Denial != nil {
		t.Fatalf("denied: %+v", res.Denial)
	}
	if len(res.Outgoing) != 1 || res.Outgoing[0].Type != "custom-name" || res.Outgoing[0].Value != Str(mrsigner) || res.Outgoing[0].Issuer != IssuerPolicy {
		t.Errorf("outgoing %v, MAA issued custom-name = the MRSIGNER", res.Outgoing)
	}
	if tr := res.Rules[0]; !tr.Fired || len(tr.Conds) != 4 || !tr.Conds[1].Held {
		t.Errorf("permit rule trace %+v", tr)
	}
}

func TestRecordedDraftDenies(t *testing.T) {
	res := mustParse(t, draftDeny).Evaluate(recordedSGX)
	if res.Permitted || res.Denial == nil {
		t.Fatal("permitted; MAA denied it")
	}
	d := res.Denial
	if d.Rule == nil || d.Rule.Rule.Index != 1 || d.Claim == nil || d.Claim.Type != "x-ms-sgx-is-debuggable" || d.Claim.Value != Bool(true) {
		t.Fatalf("denial %+v claim %v", d, d.Claim)
	}
	for _, want := range []string{"no permit() fired", "x-ms-sgx-is-debuggable is true; the condition wants value == false"} {
		if !strings.Contains(d.Why.EN, want) {
			t.Errorf("why %q lacks %q", d.Why.EN, want)
		}
	}
	if !strings.Contains(d.Why.KO, "permit()가 실행되지 않았습니다") {
		t.Errorf("Korean why %q", d.Why.KO)
	}
	if res.Rules[1].Ran {
		t.Error("issuance rules ran after a denial")
	}
	// The first condition decided; the ones after it were not evaluated.
	if n := len(res.Rules[0].Conds); n != 1 {
		t.Errorf("%d conditions traced, want 1", n)
	}
}

func TestDenyRuleWins(t *testing.T) {
	p := mustParse(t, `version=1.0;
authorizationrules {
  => permit();
  c:[type=="secureboot", value==false] => deny();
};`)
	res := p.Evaluate([]Claim{{Type: "secureboot", Value: Bool(false), Issuer: IssuerService}})
	if res.Permitted || res.Denial.Rule.Rule.Index != 2 || res.Denial.Claim.Type != "secureboot" {
		t.Fatalf("result %+v", res.Denial)
	}
	if !strings.Contains(res.Denial.Why.EN, "authorizationrules #2 (line 4) fired deny()") {
		t.Errorf("why %q", res.Denial.Why.EN)
	}
	res = p.Evaluate([]Claim{{Type: "secureboot", Value: Bool(true), Issuer: IssuerService}})
	if !res.Permitted {
		t.Fatalf("denied: %v", res.Denial.Why.EN)
	}
}

func TestNoPermitRule(t *testing.T) {
	res := mustParse(t, "version=1.0; authorizationrules { };").Evaluate(nil)
	if res.Permitted || res.Denial.Rule != nil || !strings.Contains(res.Denial.Why.EN, "No Permit claim was issued") {
		t.Fatalf("denial %+v", res.Denial)
	}
}

// TestTypedComparison: claims are typed; value==true does not match the string "true",
// and orderings hold only between integers.
func TestTypedComparison(t *testing.T) {
	p := mustParse(t, `version=1.0; authorizationrules { [type=="a", value==true] => permit(); [type=="n", value>=5] => permit(); };`)
	if res := p.Evaluate([]Claim{{Type: "a", Value: Str("true")}, {Type: "n", Value: Str("9")}}); res.Permitted {
		t.Error("a string matched a Boolean or an integer ordering")
	}
	if res := p.Evaluate([]Claim{{Type: "n", Value: Int(5)}}); !res.Permitted {
		t.Error("5 >= 5 did not hold")
	}
	if res := p.Evaluate([]Claim{{Type: "n", Value: Int(4)}}); res.Permitted {
		t.Error("4 >= 5 held")
	}
}

func TestIssuerAndClaimReissue(t *testing.T) {
	p := mustParse(t, `version=1.1;
configurationrules { => issueproperty(type="report_validity_in_minutes", value=1440); };
authorizationrules { => permit(); };
issuancerules {
  F1:[type=="OSName", issuer=="CustomClaim"] && C2:[type=="OSName", issuer=="AttestationService", value==F1.value] => issue(claim=C2);
};`)
	res := p.Evaluate([]Claim{{Type: "OSName", Value: Str("Linux"), Issuer: IssuerCustom}, {Type: "OSName", Value: Str("Linux"), Issuer: IssuerService},
		{Type: "OSName", Value: Str("Windows"), Issuer: IssuerService}})
	if len(res.Outgoing) != 1 || res.Outgoing[0].Value != Str("Linux") || res.Outgoing[0].Issuer != IssuerService {
		t.Errorf("outgoing %v", res.Outgoing)
	}
	if len(res.Properties) != 1 || res.Properties[0].Value != Int(1440) {
		t.Errorf("properties %v", res.Properties)
	}
}

// TestFunctions runs each 1.2 function as claim-rule-functions.md describes it.
func TestFunctions(t *testing.T) {
	p := mustParse(t, `version=1.2; authorizationrules { => permit(); };
issuancerules {
=> issue(type="jp", value=JmesPath("{\"foo\": \"bar\"}", "foo"));
c1:[type=="JsonData"] && c2:[type=="Query"] => issue(type="jp2", value=JmesPath(c1.value, c2.value));
c:[type=="Arr"] => issue(type="set", value=JsonToClaimValue(c.value));
=> issue(type="nothing", value=JsonToClaimValue("null"));
c1:[type=="set"] && c2:[type=="Superset"] => issue(type="subset", value=IsSubsetOf(c1.value, c2.value));
=> issue(type="joined", value=AppendString("ab", "cd"));
=> issue(type="neg", value=NegateBool(true));
c:[type=="set", issuer=="AttestationPolicy"] => issue(type="only", value=ContainsOnlyValue(c.value, 0));
![type=="absent"] => issue(type="absent", value=300);
=> issue(type="icase", value=JsonToClaimValue(JmesPath("{\"p\":\"\\\\Windows\\\\WDBOOT.sys\"}", "equals_ignore_case(p, '\\windows\\wdboot.sys')")));
};`)
	res := p.Evaluate([]Claim{
		{Type: "JsonData", Value: Str(`{"values": [0,1,2,3,4]}`)}, {Type: "Query", Value: Str("values[2]")},
		{Type: "Arr", Value: Str(`[0, "abc", true, null]`)},
		{Type: "Superset", Value: Int(0)}, {Type: "Superset", Value: Str("abc")}, {Type: "Superset", Value: Bool(true)},
	})
	for _, tr := range res.Rules {
		if tr.Err != nil {
			t.Fatalf("%s: %s", tr.Rule.Text, tr.Err.EN)
		}
	}
	got := map[string][]string{}
	for _, c := range res.Outgoing {
		got[c.Type] = append(got[c.Type], c.Value.Literal())
	}
	want := map[string]string{
		"jp": `"\"bar\""`, "jp2": `"2"`, "set": `0 "abc" true`, "subset": "true", "joined": `"abcd"`,
		"neg": "false", "only": "false", "absent": "300", "icase": "true",
	}
	for k, w := range want {
		if g := strings.Join(got[k], " "); g != w {
			t.Errorf("%s = %s, want %s", k, g, w)
		}
	}
	if _, ok := got["nothing"]; ok {
		t.Error("JsonToClaimValue(null) made a claim")
	}
}

// TestFunctionErrorsDeny: a function that fails (a fraction, a bad query) fails the
// attestation at that rule, as MAA answers PolicyEvaluationError.
func TestFunctionErrorsDeny(t *testing.T) {
	for _, expr := range []string{`JsonToClaimValue("1.5")`, `JsonToClaimValue("{\"a\":1}")`, `JmesPath("{}", "[[")`, `JmesPath("not json", "a")`, `NegateBool("x")`} {
		p := mustParse(t, `version=1.2; authorizationrules { => add(type="x", value=`+expr+`); => permit(); };`)
		res := p.Evaluate(nil)
		if res.Permitted || res.Denial.Rule == nil || res.Denial.Rule.Err == nil || res.Denial.Rule.Rule.Index != 1 {
			t.Errorf("%s: permitted %v denial %+v", expr, res.Permitted, res.Denial)
			continue
		}
		if !strings.Contains(res.Denial.Why.EN, "PolicyEvaluationError") || res.Denial.Why.KO == "" {
			t.Errorf("%s: why %q", expr, res.Denial.Why.EN)
		}
	}
}

func TestClaimSetBounded(t *testing.T) {
	p := mustParse(t, `version=1.2; authorizationrules { => permit(); };
issuancerules { => add(type="a", value=JsonToClaimValue("[1,2,3,4,5,6,7,8]"));`+strings.Repeat(` c:[type=="a"] => add(type="a", value=c.value);`, 20)+` };`)
	res := p.Evaluate(nil)
	if res.Permitted || res.Denial == nil || !strings.Contains(res.Denial.Why.EN, "grew past 10000 claims") {
		t.Fatalf("claim growth not bounded: permitted %v, %d claims", res.Permitted, len(res.Incoming))
	}
}

// tokenClaims reads a saved JWT's payload.
func tokenClaims(t *testing.T, name string) map[string]any {
	parts := strings.Split(strings.TrimSpace(string(realdata.Read(t, name))), ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAzureGuestSampleOnRealToken: Microsoft's 2022 AzureGuest token comes from a Trusted
// Launch VM, so cvmscope's AzureGuest sample denies it for want of a TEE compliance claim,
// while a copy with that claim added is permitted.
func TestAzureGuestSampleOnRealToken(t *testing.T) {
	claims := tokenClaims(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	text, _ := Sample("AzureGuest")
	p := mustParse(t, text)
	in := Incoming(claims)
	for _, c := range in {
		if tokenOnly[c.Type] {
			t.Errorf("%s is written after the policy runs; it is not an incoming claim", c.Type)
		}
	}
	res := p.Evaluate(in)
	if res.Permitted || res.Denial.Rule == nil || res.Denial.Rule.Rule.Index != 1 {
		t.Fatalf("denial %+v", res.Denial)
	}
	if !strings.Contains(res.Denial.Why.EN, `no claim type=="x-ms-compliance-status" is there`) {
		t.Errorf("why %q", res.Denial.Why.EN)
	}
	claims["x-ms-isolation-tee"] = map[string]any{"x-ms-attestation-type": "sevsnpvm", "x-ms-compliance-status": "azure-compliant-cvm"}
	res = p.Evaluate(Incoming(claims))
	if !res.Permitted {
		t.Fatalf("denied: %s", res.Denial.Why.EN)
	}
	got := map[string]string{}
	for _, c := range res.Outgoing {
		got[c.Type] = c.Value.Plain()
	}
	if got["vm-id"] != "F7CEA813-4C44-436C-8537-5701999C4589" || got["os-distro"] != "Microsoft" || got["boot-trusted"] != "true" {
		t.Errorf("issued %v", got)
	}
}

func TestIncomingShapes(t *testing.T) {
	in := Incoming(map[string]any{
		"pcrs": []any{0.0, 1.0}, "obj": map[string]any{"k": "v"}, "frac": 1.5, "iat": 5.0,
		"x-ms-attestation-type": "azurevm",
		"x-ms-isolation-tee":    map[string]any{"x-ms-attestation-type": "sevsnpvm", "x-ms-sevsnpvm-vmpl": 0.0},
	})
	var got []string
	for _, c := range in {
		got = append(got, c.Type+"="+c.Value.Literal())
	}
	want := `frac="1.5" obj="{\"k\":\"v\"}" pcrs=0 pcrs=1 x-ms-attestation-type="azurevm" x-ms-isolation-tee="{\"x-ms-attestation-type\":\"sevsnpvm\",\"x-ms-sevsnpvm-vmpl\":0}" x-ms-sevsnpvm-vmpl=0`
	if g := strings.Join(got, " "); g != want {
		t.Errorf("incoming\n got %s\nwant %s", g, want)
	}
}

// TestEvidenceJSONSecureBoot: Microsoft's Secure Boot rules (tpm-secureboot-1.2.policy,
// JmesPath over the "events" claim) read the SecureBoot variable of a real Azure SEV-SNP
// event log: 0 as measured on that VM, and 1 once the variable's byte is set.
func TestEvidenceJSONSecureBoot(t *testing.T) {
	raw := realdata.Read(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	log, err := eventlog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/learn/tpm-secureboot-1.2.policy")
	if err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, string(b))
	run := func() map[string]string {
		in := append(EvidenceClaims(log, nil), Claim{Type: "aikValidated", Value: Bool(true), Issuer: IssuerService})
		res := p.Evaluate(in)
		for _, tr := range res.Rules {
			if tr.Err != nil {
				t.Fatalf("%s: %s", tr.Rule.Text, tr.Err.EN)
			}
		}
		got := map[string]string{}
		for _, c := range res.Outgoing {
			got[c.Type] = c.Value.Literal()
		}
		return got
	}
	// A Linux log has no Windows trust-boundary events: code integrity is false.
	if got := run(); got["SecureBootEnabled"] != "false" || got["aikValidated"] != "true" || got["CodeIntegrityEnabled"] != "false" {
		t.Errorf("as measured: issued %v", got)
	}
	sb := slices.Collect(log.Events())[3]
	if sb.TypeName != "EV_EFI_VARIABLE_DRIVER_CONFIG" {
		t.Fatalf("event 3 is %s", sb.TypeName)
	}
	// The variable's value is its data's last byte, and the data the record's last bytes.
	// Rewritten under the digest of 0, the log replays as before, and the data is not given
	// to the policy (a VM booted with Secure Boot off was permitted); with the digest of 1 it is.
	mod := bytes.Clone(raw)
	dataAt := sb.Offset + bytes.Index(raw[sb.Offset:], sb.Data)
	mod[dataAt+len(sb.Data)-1] = 1
	if log, err = eventlog.Parse(mod); err != nil {
		t.Fatal(err)
	}
	if got := run(); got["SecureBootEnabled"] != "false" {
		t.Errorf("SecureBoot = 1 under the digest of 0: issued %v", got)
	}
	sum := sha256.Sum256(mod[dataAt : dataAt+len(sb.Data)])
	copy(mod[sb.Offset+bytes.Index(raw[sb.Offset:], sb.Digest):], sum[:])
	if log, err = eventlog.Parse(mod); err != nil {
		t.Fatal(err)
	}
	if got := run(); got["SecureBootEnabled"] != "true" {
		t.Errorf("SecureBoot = 1: issued %v", got)
	}
	pcrs := EvidenceClaims(nil, map[int][]byte{7: {0xab}, 0: {0x01}})
	if len(pcrs) != 1 || pcrs[0].Type != "pcrs" || pcrs[0].Value.S != `{"PCRs":[{"Digests":{"SHA256":"01"},"Index":0},{"Digests":{"SHA256":"ab"},"Index":7}]}` {
		t.Errorf("pcrs claim %v", pcrs)
	}
}

// TestWorkBounded: many rules over many claims stop at MaxWork with an error, quickly.
func TestWorkBounded(t *testing.T) {
	arr := "[" + strings.Repeat("1,", 9_999) + "1]"
	text := `version=1.2; authorizationrules { => add(type="a", value=JsonToClaimValue("` + arr + `"));` +
		strings.Repeat(` [type=="a", value==2] => permit();`, 600) + ` };`
	res := mustParse(t, text).Evaluate(nil)
	if res.Permitted || res.Denial == nil || !strings.Contains(res.Denial.Why.EN, "evaluation stopped after 5000000 claim tests") {
		t.Fatalf("not bounded: permitted %v, denial %+v", res.Permitted, res.Denial)
	}
}
