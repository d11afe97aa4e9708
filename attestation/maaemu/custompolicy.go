package maaemu

import (
	"net/http"

	"github.com/cvmscope/cvmscope/attestation/policy"
)

// This file is the hook for an owner's own policy (cvmscope emulator --policy FILE):
// Config.Policy replaces the built-in policies for every attestation type, as one
// provider's uploaded policy would, and is run by package policy exactly as
// `cvmscope policy check` runs it.

// policyText is the text GET /policies/{type} returns: the owner's policy when one is set.
func (s *Server) policyText(kind string) string {
	if s.cfg.Policy != nil {
		return s.cfg.Policy.Text
	}
	return PolicyText(kind)
}

// issueCustom evaluates the owner's policy over the claims derived from the evidence (and
// evidence's JSON views, "events" and "pcrs", for 1.2's JmesPath),
// answers a denial in MAA's error shape, and otherwise signs the token with the claims
// the policy issued (at the top level and inside x-ms-policy, as MAA writes them) and the
// policy's x-ms-policy-hash.
func (s *Server) issueCustom(base string, claims map[string]any, evidence []policy.Claim) (string, *apiError) {
	return s.evaluateAndIssue(s.cfg.Policy, base, claims, evidence, s.sign)
}

// evaluateAndIssue runs pol and encodes the token with sign (signed, or a draft's unsigned).
func (s *Server) evaluateAndIssue(pol *policy.Policy, base string, claims map[string]any, evidence []policy.Claim,
	sign func(string, map[string]any) (string, error)) (string, *apiError) {
	norm, err := policy.Normalize(claims)
	if err != nil {
		return "", internal(err)
	}
	res := pol.Evaluate(append(policy.Incoming(norm), evidence...))
	if !res.Permitted {
		return "", denialError(res.Denial)
	}
	claims["x-ms-policy-hash"] = policy.Hash(pol.Text)
	issued := map[string]any{}
	for _, c := range res.Outgoing {
		// A type issued more than once becomes an array, as JSON has no repeated keys.
		switch prev := issued[c.Type].(type) {
		case nil:
			issued[c.Type] = c.Value.Any()
		case []any:
			issued[c.Type] = append(prev, c.Value.Any())
		default:
			issued[c.Type] = []any{prev, c.Value.Any()}
		}
	}
	if len(issued) > 0 {
		for k, v := range issued {
			claims[k] = v
		}
		claims["x-ms-policy"] = issued
	}
	jwt, err := sign(base, claims)
	if err != nil {
		return "", internal(err)
	}
	return jwt, nil
}

// denialError is MAA's 400 PolicyEvaluationError for a denial, with the deciding claim as
// its PolicyFailureClaim and cvmscope's reading of the rule after MAA's own words, so the
// client's Call MAA step can show which rule failed.
func denialError(d *policy.Denial) *apiError {
	code, msg, claim := d.MAAError()
	e := &apiError{Status: http.StatusBadRequest, Code: code, Message: msg + " [cvmscope emulator: " + d.Why.EN + "]",
		Inner: &innerError{Code: "PolicyValidationFailure"}}
	if claim != nil {
		e.Inner.Details = []detail{{Code: "PolicyFailureClaim", Target: claim.Type, Value: claim.Value.Plain()}}
	}
	return e
}
