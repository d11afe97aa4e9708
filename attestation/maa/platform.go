package maa

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/hcl"
)

type runtimeData struct {
	Data     string `json:"data"`
	DataType string `json:"dataType"`
}

type sevSnpVmBody struct {
	Report      string      `json:"report"`
	RuntimeData runtimeData `json:"runtimeData"`
	Nonce       string      `json:"nonce,omitempty"`
}

type tdxVmBody struct {
	Quote       string      `json:"quote"`
	RuntimeData runtimeData `json:"runtimeData"`
	Nonce       string      `json:"nonce,omitempty"`
}

// BuildSevSnpVm encodes a SevSnpVm platform request (protocol §4.7). The runtime claims
// are sent with dataType JSON so that MAA parses them into x-ms-runtime.
func BuildSevSnpVm(report []byte, vcekChain string, runtime []byte, nonce string) ([]byte, error) {
	if err := checkSNP(report, vcekChain, runtime); err != nil {
		return nil, fmt.Errorf("SevSnpVm request: %w", err)
	}
	proof, _ := json.Marshal(snpProof{SnpReport: b64url.EncodeToString(report), VcekCertChain: b64url.EncodeToString([]byte(vcekChain))})
	return json.Marshal(sevSnpVmBody{Report: b64url.EncodeToString(proof),
		RuntimeData: runtimeData{Data: b64url.EncodeToString(runtime), DataType: "JSON"}, Nonce: nonce})
}

// BuildTdxVm encodes a TdxVm platform request. It wants the DCAP quote from IMDS, not the
// raw TDREPORT: MAA answers 400 to a TDREPORT.
func BuildTdxVm(quote, runtime []byte, nonce string) ([]byte, error) {
	if len(quote) == 0 {
		return nil, fmt.Errorf("TdxVm request: the TD quote is empty; get it from IMDS /acc/tdquote first")
	}
	if len(runtime) == 0 {
		return nil, fmt.Errorf("TdxVm request: runtimeData is empty; take the runtime claims from the HCL report")
	}
	return json.Marshal(tdxVmBody{Quote: b64url.EncodeToString(quote),
		RuntimeData: runtimeData{Data: b64url.EncodeToString(runtime), DataType: "JSON"}, Nonce: nonce})
}

// ParsePlatformResponse takes the JWT out of a SevSnpVm/TdxVm answer: {"token":JWT}, or,
// as AZ-RS accepts, the bare JWT.
func ParsePlatformResponse(body []byte) (string, error) {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return "", fmt.Errorf("MAA answer is empty; expected {\"token\":\"<JWT>\"}")
	}
	if strings.HasPrefix(s, "{") {
		var r struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return "", fmt.Errorf("MAA answer is not valid JSON: %v", err)
		}
		s = strings.TrimSpace(r.Token)
		if s == "" {
			return "", fmt.Errorf("MAA answer has no \"token\" field")
		}
	}
	if strings.Count(s, ".") != 2 {
		return "", fmt.Errorf("MAA token is not a compact JWT (want three dot-separated parts, got %d)", strings.Count(s, ".")+1)
	}
	return s, nil
}

// decodeB64 accepts both alphabets, padded or not: MAA and the clients mix them.
var decodeB64 = hcl.DecodeB64
