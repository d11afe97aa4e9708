package maaemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// apiError is an error answer in MAA's shape: {"error":{"code","message","innererror"}},
// or {"Error":{"Code","Message"}} as MAA's server errors are cased (protocol §4.6).
type apiError struct {
	Status  int
	Code    string
	Message string
	Inner   *innerError
	Pascal  bool
	// RetryAfter, in seconds, is sent as the Retry-After header when positive.
	RetryAfter int
}

type innerError struct {
	Code    string   `json:"code"`
	Details []detail `json:"details,omitempty"`
}

type detail struct {
	Code   string `json:"code"`
	Target string `json:"target"`
	Value  string `json:"value"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func (e *apiError) body() []byte {
	var v any
	if e.Pascal {
		v = map[string]any{"Error": map[string]string{"Code": e.Code, "Message": e.Message}}
	} else {
		in := map[string]any{"code": e.Code, "message": e.Message}
		if e.Inner != nil {
			in["innererror"] = e.Inner
		}
		v = map[string]any{"error": in}
	}
	b, _ := json.Marshal(v)
	return b
}

func (e *apiError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	w.WriteHeader(e.Status)
	w.Write(e.body())
}

// invalidParameter is MAA's answer to a request it cannot decode.
func invalidParameter(format string, a ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidParameter", Message: fmt.Sprintf(format, a...)}
}

// attestationFailed turns failed (or required but unverified) checks into a 400 that names
// each check and what it found, so that a client shows MAA's reason next to its own checks.
func attestationFailed(what string, bad check.List) *apiError {
	var parts []string
	inner := &innerError{Code: "EvidenceVerificationFailure"}
	for _, c := range bad {
		id := c.ID
		if c.Subject != "" {
			id += "[" + c.Subject + "]"
		}
		parts = append(parts, id+": "+c.Summary)
		inner.Details = append(inner.Details, detail{Code: "FailedCheck", Target: id, Value: c.Summary})
	}
	return &apiError{Status: http.StatusBadRequest, Code: "AttestationFailed", Inner: inner,
		Message: fmt.Sprintf("%s evidence did not verify against the simulated roots: %s", what, strings.Join(parts, "; "))}
}
