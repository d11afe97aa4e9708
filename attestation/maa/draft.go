package maa

import (
	"encoding/json"
	"fmt"
	"strings"
)

// DraftKinds are the platform endpoints whose request carries draftPolicyForAttestation:
// SevSnpVm by the REST specs (2022-08-01, 2025-06-01); TdxVm by the .NET SDK, whose
// AttestTdxVm takes the same AttestationRequest with DraftPolicyForAttestation, though the
// 2025-06-01 spec's TdxVm body omits it [UNSURE]. The AzureGuest body is AttestationInfo
// only and has no place for a draft (protocol §19.4).
var DraftKinds = map[string]bool{"SevSnpVm": true, "TdxVm": true}

// WithDraftPolicy adds draftPolicyForAttestation (the raw policy text) to a SevSnpVm or
// TdxVm request body built by BuildSevSnpVm or BuildTdxVm. MAA then evaluates that policy
// instead of the provider's and answers an unsigned token.
func WithDraftPolicy(body []byte, policyText string) ([]byte, error) {
	if strings.TrimSpace(policyText) == "" {
		return nil, fmt.Errorf("draftPolicyForAttestation: the draft policy is empty")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("draftPolicyForAttestation: the request body is not a JSON object: %v", err)
	}
	text, err := json.Marshal(policyText)
	if err != nil {
		return nil, err
	}
	fields["draftPolicyForAttestation"] = text
	return json.Marshal(fields)
}

// IsDraftAnswer says whether a token is a draft policy's answer: its header's alg is "none"
// (MAA signs every other token RS256). The header is read without trusting it; a draft
// answer proves nothing about who wrote it.
func IsDraftAnswer(compact string) bool {
	head, _, ok := strings.Cut(strings.TrimSpace(compact), ".")
	if !ok {
		return false
	}
	b, err := decodeB64(head)
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(b, &h) == nil && strings.EqualFold(h.Alg, "none")
}
