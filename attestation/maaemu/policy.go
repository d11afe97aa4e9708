package maaemu

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The emulator's attestation policies, in MAA's policy language, one per endpoint as MAA
// keeps one per attestation type, each denying what MAA's shared providers are seen to
// deny for that type (protocol §8). The rules below are what the emulator enforces: the
// text is parsed, not merely shown, and its hash is the token's x-ms-policy-hash.
var policies = map[string]string{
	"AzureGuest": `version= 1.0;
authorizationrules
{
    c:[type=="secureboot", value==false] => deny();
    c:[type=="x-ms-azurevm-bootdebug-enabled", value==true] => deny();
    c:[type=="x-ms-azurevm-kerneldebug-enabled", value==true] => deny();
    c:[type=="x-ms-sevsnpvm-is-debuggable", value==true] => deny();
    c:[type=="tdx_td_attributes_debug", value==true] => deny();
    => permit();
};
issuancerules
{
};
`,
	"SevSnpVm": `version= 1.0;
authorizationrules
{
    c:[type=="x-ms-sevsnpvm-is-debuggable", value==true] => deny();
    => permit();
};
issuancerules
{
};
`,
	"TdxVm": `version= 1.0;
authorizationrules
{
    c:[type=="tdx_td_attributes_debug", value==true] => deny();
    => permit();
};
issuancerules
{
};
`,
}

// policyKinds maps the lower-cased attestation type of /policies/{type} to its name.
var policyKinds = map[string]string{"azureguest": "AzureGuest", "sevsnpvm": "SevSnpVm", "tdxvm": "TdxVm"}

// PolicyText is the emulator's attestation policy for an endpoint: AzureGuest, SevSnpVm or
// TdxVm ("" for another).
func PolicyText(kind string) string { return policies[kind] }

// PolicyHash is x-ms-policy-hash of PolicyText(kind): b64url(SHA-256(b64url(policy text)))
// (protocol §19.4).
func PolicyHash(kind string) string {
	inner := base64.RawURLEncoding.EncodeToString([]byte(policies[kind]))
	sum := sha256.Sum256([]byte(inner))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// denyRule is one `c:[type=="…", value==…] => deny();` line.
type denyRule struct {
	claim string
	value any // bool, int or string
}

var (
	// ruleRE is compiled when a policy is first parsed, not at every start.
	ruleRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^c:\[type=="([^"]+)",\s*value==(true|false|-?\d+|"[^"]*")\]\s*=>\s*deny\(\);$`)
	})

	rulesMu sync.Mutex
	rules   = map[string][]denyRule{}
)

// policyRules parses the deny rules of the authorizationrules block of kind's policy. It
// understands only the rule forms the policies use, and fails on any other line rather
// than skip it.
func policyRules(kind string) ([]denyRule, error) {
	rulesMu.Lock()
	defer rulesMu.Unlock()
	if rs, ok := rules[kind]; ok {
		return rs, nil
	}
	text, ok := policies[kind]
	if !ok {
		return nil, fmt.Errorf("no policy for attestation type %q", kind)
	}
	_, rest, ok := strings.Cut(text, "authorizationrules")
	body, _, ok2 := strings.Cut(rest, "};")
	if !ok || !ok2 {
		return nil, fmt.Errorf("the %s policy has no authorizationrules block", kind)
	}
	var rs []denyRule
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		switch line {
		case "", "{", "=> permit();":
			continue
		}
		m := ruleRE().FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s policy rule %q is not of a form the emulator evaluates", kind, line)
		}
		r := denyRule{claim: m[1]}
		switch v := m[2]; {
		case v == "true" || v == "false":
			r.value = v == "true"
		case strings.HasPrefix(v, `"`):
			r.value = strings.Trim(v, `"`)
		default:
			r.value, _ = strconv.Atoi(v)
		}
		rs = append(rs, r)
	}
	rules[kind] = rs
	return rs, nil
}

// evaluatePolicy returns MAA's PolicyEvaluationError naming every claim a deny rule
// matched, or nil. A rule's claim is looked up at the top level and then inside
// x-ms-isolation-tee, where an AzureGuest token carries the TEE's claims.
func evaluatePolicy(kind string, claims map[string]any) *apiError {
	rs, err := policyRules(kind)
	if err != nil {
		return &apiError{Status: http.StatusInternalServerError, Code: "PolicyParsingError", Message: err.Error()}
	}
	var denied []detail
	for _, r := range rs {
		v, ok := lookupClaim(claims, r.claim)
		if !ok || !sameValue(v, r.value) {
			continue
		}
		denied = append(denied, detail{Code: "PolicyFailureClaim", Target: r.claim, Value: fmt.Sprint(v)})
	}
	if len(denied) == 0 {
		return nil
	}
	var names []string
	for _, d := range denied {
		names = append(names, d.Target+" = "+d.Value)
	}
	return &apiError{Status: http.StatusBadRequest, Code: "PolicyEvaluationError",
		Message: "Policy evaluation failed: the attestation policy denied the request (" + strings.Join(names, ", ") + ").",
		Inner:   &innerError{Code: "PolicyValidationFailure", Details: denied}}
}

func lookupClaim(c map[string]any, name string) (any, bool) {
	if v, ok := c[name]; ok {
		return v, true
	}
	if tee, ok := c["x-ms-isolation-tee"].(map[string]any); ok {
		v, ok := tee[name]
		return v, ok
	}
	return nil, false
}

func sameValue(got, want any) bool {
	switch w := want.(type) {
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case int:
		g, ok := got.(int)
		return ok && g == w
	case string:
		g, ok := got.(string)
		return ok && g == w
	}
	return false
}
