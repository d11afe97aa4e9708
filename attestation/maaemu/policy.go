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

// policyText is the emulator's attestation policy, in MAA's policy language, for all three
// endpoints: a rule about a claim a token does not carry never fires. It denies what MAA's
// shared providers are seen to deny (protocol §8). The rules below are what the emulator
// enforces: PolicyText is parsed, not merely shown.
const policyText = `version= 1.0;
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
`

// PolicyText is the emulator's attestation policy.
func PolicyText() string { return policyText }

// PolicyHash is x-ms-policy-hash of PolicyText: b64url(SHA-256(b64url(policy text)))
// (protocol §6.1).
func PolicyHash() string {
	inner := base64.RawURLEncoding.EncodeToString([]byte(policyText))
	sum := sha256.Sum256([]byte(inner))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// denyRule is one `c:[type=="…", value==…] => deny();` line.
type denyRule struct {
	claim string
	value any // bool, int or string
}

var (
	ruleRE = regexp.MustCompile(`^c:\[type=="([^"]+)",\s*value==(true|false|-?\d+|"[^"]*")\]\s*=>\s*deny\(\);$`)

	rulesOnce sync.Once
	rules     []denyRule
	rulesErr  error
)

// policyRules parses the deny rules of the authorizationrules block. It understands only
// the rule forms PolicyText uses, and fails on any other line rather than skip it.
func policyRules() ([]denyRule, error) {
	rulesOnce.Do(func() {
		_, rest, ok := strings.Cut(policyText, "authorizationrules")
		body, _, ok2 := strings.Cut(rest, "};")
		if !ok || !ok2 {
			rulesErr = fmt.Errorf("policy has no authorizationrules block")
			return
		}
		for _, line := range strings.Split(body, "\n") {
			line = strings.TrimSpace(line)
			switch line {
			case "", "{", "=> permit();":
				continue
			}
			m := ruleRE.FindStringSubmatch(line)
			if m == nil {
				rulesErr = fmt.Errorf("policy rule %q is not of a form the emulator evaluates", line)
				return
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
			rules = append(rules, r)
		}
	})
	return rules, rulesErr
}

// evaluatePolicy returns MAA's PolicyEvaluationError naming every claim a deny rule
// matched, or nil. A rule's claim is looked up at the top level and then inside
// x-ms-isolation-tee, where an AzureGuest token carries the TEE's claims.
func evaluatePolicy(claims map[string]any) *apiError {
	rs, err := policyRules()
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
