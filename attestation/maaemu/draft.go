package maaemu

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cvmscope/cvmscope/attestation/policy"
)

// This file answers draftPolicyForAttestation as MAA does (protocol §19.4): the request's
// evidence is verified as always, the draft is evaluated instead of the provider's policy
// (by package policy, as `cvmscope policy check` runs it), a denial is MAA's 400, and a
// permit is the usual {"token": …} whose token is unsigned: header alg "none", an empty
// signature segment. Nobody can tell such a token from a forgery, which is the point: it
// answers "would this policy permit this evidence", never "this VM is attested".

// issueDraft evaluates the draft policy text over the claims and returns the unsigned token.
func (s *Server) issueDraft(text, base string, claims map[string]any, evidence []policy.Claim) (string, *apiError) {
	pol, err := policy.Parse(text)
	if err != nil {
		// MAA's own wording for a draft that does not parse is not recorded [UNSURE]; the
		// position is what an owner needs.
		msg := err.Error()
		var pe *policy.Error
		if errors.As(err, &pe) {
			msg = fmt.Sprintf("line %d, column %d: %s", pe.Pos.Line, pe.Pos.Col, pe.Msg.EN)
		}
		return "", &apiError{Status: http.StatusBadRequest, Code: "InvalidParameter",
			Message: "draftPolicyForAttestation does not parse: " + msg}
	}
	return s.evaluateAndIssue(pol, base, claims, evidence, s.unsigned)
}

// unsigned encodes the claims as MAA's draft answer: the same header as a signed token but
// alg "none", and nothing after the last dot.
func (s *Server) unsigned(base string, claims map[string]any) (string, error) {
	signing, err := signingInput("none", base, s.signer.kid, claims)
	if err != nil {
		return "", err
	}
	return signing + ".", nil
}
