package maa

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Detail is one entry of innererror.details, e.g. the claim a policy denied on.
type Detail struct {
	Code   string `json:"code"`
	Target string `json:"target"`
	Value  string `json:"value"`
}

// ServiceError is a non-200 answer from MAA with its error body decoded.
type ServiceError struct {
	Status    int
	Code      string
	Message   string
	InnerCode string
	Details   []Detail
	// Body is the raw answer, shortened, kept when it was not the JSON error shape.
	Body string
}

func (e *ServiceError) Error() string {
	s := fmt.Sprintf("MAA answered HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	} else if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// wireError matches {"error":{…}} and {"Error":{…}} alike, since encoding/json matches
// keys case-insensitively; that is why one struct reads both casings MAA uses.
type wireError struct {
	Error *struct {
		Code       string       `json:"code"`
		Message    string       `json:"message"`
		InnerError *wireInner   `json:"innererror"`
		Details    []wireDetail `json:"details"`
	} `json:"error"`
}

type wireInner struct {
	Code       string       `json:"code"`
	Details    []wireDetail `json:"details"`
	InnerError *wireInner   `json:"innererror"`
}

type wireDetail struct {
	Code   string          `json:"code"`
	Target string          `json:"target"`
	Value  json.RawMessage `json:"value"`
}

// ParseServiceError decodes an error answer; a body that is not the JSON error shape is
// kept as text so nothing MAA said is lost.
func ParseServiceError(status int, body []byte) *ServiceError {
	se := &ServiceError{Status: status}
	var w wireError
	if json.Unmarshal(body, &w) != nil || w.Error == nil {
		se.Body = shorten(string(body))
		return se
	}
	se.Code, se.Message = w.Error.Code, w.Error.Message
	se.Details = appendDetails(se.Details, w.Error.Details)
	for in := w.Error.InnerError; in != nil; in = in.InnerError {
		if se.InnerCode == "" {
			se.InnerCode = in.Code
		}
		se.Details = appendDetails(se.Details, in.Details)
	}
	return se
}

func appendDetails(dst []Detail, src []wireDetail) []Detail {
	for _, d := range src {
		v := string(d.Value)
		var s string
		if json.Unmarshal(d.Value, &s) == nil {
			v = s
		}
		dst = append(dst, Detail{Code: d.Code, Target: d.Target, Value: v})
	}
	return dst
}

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// PolicyDenied reports whether MAA's attestation policy refused the evidence.
func (e *ServiceError) PolicyDenied() bool {
	if e.Code == "PolicyEvaluationError" || e.InnerCode == "PolicyValidationFailure" {
		return true
	}
	for _, d := range e.Details {
		if d.Code == "PolicyFailureClaim" {
			return true
		}
	}
	return false
}

// Kind is the fault kind, and so the exit code, of this answer.
func (e *ServiceError) Kind() fault.Kind {
	switch {
	case e.PolicyDenied():
		return fault.Policy
	case e.Status == http.StatusBadRequest:
		return fault.Verification
	}
	// Auth, wrong URL, rate limits and server errors are about reaching the service.
	return fault.Network
}

// Explain says in plain words what went wrong and what to do.
func (e *ServiceError) Explain() string {
	if e.PolicyDenied() {
		var parts []string
		for _, d := range e.Details {
			if d.Code == "PolicyFailureClaim" || d.Target != "" {
				parts = append(parts, explainClaim(d.Target, d.Value))
			}
		}
		if len(parts) == 0 {
			return "MAA's attestation policy denied the evidence without naming a claim; read the message above, and check Secure Boot, debugging and the VM type (or use a custom provider and policy)"
		}
		return strings.Join(parts, "; also ")
	}
	switch s := e.Status; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return fmt.Sprintf("MAA refused this caller (HTTP %d): the provider requires authorization; the shared regional providers need none, so check the attestation URL (-a)", s)
	case s == http.StatusNotFound:
		return "MAA has no such endpoint (HTTP 404): check the attestation URL (-a) and the api-version (AzureGuest 2020-10-01, SevSnpVm 2022-08-01, TdxVm 2023-04-01-preview)"
	case s == http.StatusRequestTimeout:
		return "MAA timed out reading the request (HTTP 408); try again"
	case s == http.StatusTooManyRequests:
		return "MAA is rate-limiting this client (HTTP 429); wait a minute and try again, or use your own attestation provider"
	case s >= 500:
		return fmt.Sprintf("MAA had a server-side failure (HTTP %d); try again later, and check Azure status for the region", s)
	case s == http.StatusBadRequest:
		what := e.Message
		if what == "" {
			what = e.Code
		}
		return fmt.Sprintf("MAA rejected the evidence as invalid (HTTP 400%s): compare the request with the local evidence checks; a stale report, a wrong VCEK chain or a TDREPORT sent instead of a TD quote are common causes", codeSuffix(e.Code, what))
	}
	return fmt.Sprintf("MAA answered HTTP %d, which cvmscope does not expect; see the message above", e.Status)
}

func codeSuffix(code, what string) string {
	if what == "" {
		return ""
	}
	if code != "" && code != what {
		return ", " + code + ": " + what
	}
	return ", " + what
}

// claimWords explains the claims MAA's default AzureGuest policy checks.
var claimWords = map[string]string{
	"x-ms-azurevm-dbxvalidated":                    "Secure Boot is off, so its forbidden-signature database (dbx) could not be validated",
	"x-ms-azurevm-dbvalidated":                     "Secure Boot is off, so its allowed-signature database (db) could not be validated",
	"x-ms-azurevm-default-securebootkeysvalidated": "Secure Boot is off or uses non-default keys",
	"x-ms-azurevm-secureboot":                      "Secure Boot is off",
	"secureboot":                                   "Secure Boot is off",
	"secure-boot":                                  "Secure Boot is off",
	"x-ms-azurevm-debuggersdisabled":               "a boot or kernel debugger is enabled",
	"x-ms-azurevm-kerneldebug-enabled":             "kernel debugging is enabled",
	"x-ms-azurevm-bootdebug-enabled":               "boot debugging is enabled",
	"x-ms-azurevm-hypervisordebug-enabled":         "hypervisor debugging is enabled",
	"x-ms-azurevm-signingdisabled":                 "driver signature enforcement is disabled (test signing)",
	"x-ms-azurevm-testsigning-enabled":             "test signing is enabled",
	"x-ms-azurevm-vmid":                            "the VM id did not match the policy",
	"x-ms-isolation-tee":                           "the hardware TEE evidence did not satisfy the policy",
	"x-ms-compliance-status":                       "the VM is not a compliant Azure CVM",
	"x-ms-sevsnpvm-is-debuggable":                  "the SEV-SNP guest is debuggable (its policy lets the host read and change its memory)",
	"tdx_td_attributes_debug":                      "the TD is debuggable (ATTRIBUTES.DEBUG lets the host read and change its memory)",
	"x-ms-sevsnpvm-vmpl":                           "the report was not requested at VMPL 0, where Azure's paravisor runs",
}

// claimFix is ordered: the first keyword found in the explanation picks the advice.
var claimFix = []struct{ keyword, fix string }{
	{"Secure Boot", "enable Secure Boot on the VM (or use a custom provider and policy)"},
	{"debuggable", "start the VM without debug in its TEE policy: a debuggable CVM is not confidential"},
	{"debug", "turn the debugger off in the boot configuration (or use a custom provider and policy)"},
	{"signing", "turn test signing off (or use a custom provider and policy)"},
}

func explainClaim(target, value string) string {
	why, ok := claimWords[strings.ToLower(target)]
	if !ok {
		why = "the claim did not have the value the policy requires"
	}
	fix := "compare the claim with the evidence, or use a custom provider and policy"
	for _, cf := range claimFix {
		if strings.Contains(why, cf.keyword) {
			fix = cf.fix
			break
		}
	}
	return fmt.Sprintf("MAA's policy denied the attestation because %s (%s = %s); %s", why, target, value, fix)
}
