package maa

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
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
func (e *ServiceError) Explain() string { en, _ := e.explain(); return en }

// ExplainKO is Explain in Korean: the same reading, the denied claim named, and what to do
// as a declarative step.
func (e *ServiceError) ExplainKO() string { _, ko := e.explain(); return ko }

// explain reads the error out in English and Korean, case by case, so that the two cannot
// drift apart.
func (e *ServiceError) explain() (en, ko string) {
	if e.PolicyDenied() {
		var parts, partsKO []string
		for _, d := range e.Details {
			if d.Code == "PolicyFailureClaim" || d.Target != "" {
				parts = append(parts, explainClaim(d.Target, d.Value))
				partsKO = append(partsKO, explainClaimKO(d.Target, d.Value))
			}
		}
		if len(parts) == 0 {
			return "MAA's attestation policy denied the evidence without naming a claim; read the message above, and check Secure Boot, debugging and the VM type (or use a custom provider and policy)",
				"MAA의 증명 정책이 클레임을 밝히지 않고 증거를 거부했습니다. 위 메시지를 읽고 보안 부팅, 디버그, VM 유형을 확인합니다(또는 사용자 지정 공급자와 정책을 씁니다)"
		}
		return strings.Join(parts, "; also "), strings.Join(partsKO, ". 또한 ")
	}
	switch s := e.Status; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return fmt.Sprintf("MAA refused this caller (HTTP %d): the provider requires authorization; the shared regional providers need none, so check the attestation URL (-a)", s),
			fmt.Sprintf("MAA가 이 호출자를 거부했습니다(HTTP %d). 공급자가 인가를 요구합니다. 리전 공유 공급자는 인가가 필요 없으므로 증명 URL(-a)을 확인합니다", s)
	case s == http.StatusNotFound:
		return "MAA has no such endpoint (HTTP 404): check the attestation URL (-a) and the api-version (AzureGuest 2020-10-01, SevSnpVm 2022-08-01, TdxVm 2023-04-01-preview)",
			"MAA에 해당 엔드포인트가 없습니다(HTTP 404). 증명 URL(-a)과 api-version(AzureGuest 2020-10-01, SevSnpVm 2022-08-01, TdxVm 2023-04-01-preview)을 확인합니다"
	case s == http.StatusRequestTimeout:
		return "MAA timed out reading the request (HTTP 408); try again",
			"MAA가 요청을 읽는 중 시간이 초과되었습니다(HTTP 408). 다시 시도합니다"
	case s == http.StatusTooManyRequests:
		return "MAA is rate-limiting this client (HTTP 429); wait a minute and try again, or use your own attestation provider",
			"MAA가 이 클라이언트의 요청 수를 제한하고 있습니다(HTTP 429). 1분 기다린 뒤 다시 시도하거나 자체 증명 공급자를 씁니다"
	case s >= 500:
		return fmt.Sprintf("MAA had a server-side failure (HTTP %d); try again later, and check Azure status for the region", s),
			fmt.Sprintf("MAA 서버 쪽에서 오류가 났습니다(HTTP %d). 나중에 다시 시도하고 해당 리전의 Azure 상태를 확인합니다", s)
	case s == http.StatusBadRequest:
		what := e.Message
		if what == "" {
			what = e.Code
		}
		return fmt.Sprintf("MAA rejected the evidence as invalid (HTTP 400%s): compare the request with the local evidence checks; a stale report, a wrong VCEK chain or a TDREPORT sent instead of a TD quote are common causes", codeSuffix(e.Code, what)),
			fmt.Sprintf("MAA가 증거를 유효하지 않다고 거부했습니다(HTTP 400%s). 요청을 로컬 증거 검증 결과와 비교합니다. 오래된 보고서, 잘못된 VCEK 체인, TD 쿼트 대신 보낸 TDREPORT가 흔한 원인입니다", codeSuffixKO(e.Code, e.Message))
	}
	return fmt.Sprintf("MAA answered HTTP %d, which cvmscope does not expect; see the message above", e.Status),
		fmt.Sprintf("MAA가 cvmscope가 예상하지 않은 HTTP %d로 응답했습니다. 위 메시지를 확인합니다", e.Status)
}

// codeSuffixKO is codeSuffix in Korean text: the code is a name and stays, MAA's message
// is quoted as received.
func codeSuffixKO(code, msg string) string {
	s := ""
	if code != "" {
		s = ", " + code
	}
	if msg != "" {
		s += ", " + fault.QuoteKO("MAA의 메시지", msg)
	}
	return s
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
// Built on first use, not at init: only a denied attestation reads it.
var claimWords = sync.OnceValue(func() map[string]string {
	return map[string]string{
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
})

// claimFix is ordered: the first keyword found in the explanation picks the advice.
var claimFix = []struct{ keyword, fix string }{
	{"Secure Boot", "enable Secure Boot on the VM (or use a custom provider and policy)"},
	{"debuggable", "start the VM without debug in its TEE policy: a debuggable CVM is not confidential"},
	{"debug", "turn the debugger off in the boot configuration (or use a custom provider and policy)"},
	{"signing", "turn test signing off (or use a custom provider and policy)"},
}

func explainClaim(target, value string) string {
	why, ok := claimWords()[strings.ToLower(target)]
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

// KO is Error in Korean; MAA's own code and message are quoted as MAA wrote them
// (fault.QuoteKO).
func (e *ServiceError) KO() string {
	s := fmt.Sprintf("MAA가 HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	s += " 응답을 보냈습니다"
	if e.Message != "" {
		s += ". " + fault.QuoteKO("MAA의 메시지", e.Message)
	} else if e.Body != "" {
		s += ". " + fault.QuoteKO("MAA의 응답 본문", e.Body)
	}
	return s
}

// claimWordsKO says claimWords in Korean, key for key.
// Built on first use, not at init, as claimWords is.
var claimWordsKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"x-ms-azurevm-dbxvalidated":                    "보안 부팅이 꺼져 있어 금지 서명 데이터베이스(dbx)를 검증할 수 없었습니다",
		"x-ms-azurevm-dbvalidated":                     "보안 부팅이 꺼져 있어 허용 서명 데이터베이스(db)를 검증할 수 없었습니다",
		"x-ms-azurevm-default-securebootkeysvalidated": "보안 부팅이 꺼져 있거나 기본 키가 아닌 키를 씁니다",
		"x-ms-azurevm-secureboot":                      "보안 부팅이 꺼져 있습니다",
		"secureboot":                                   "보안 부팅이 꺼져 있습니다",
		"secure-boot":                                  "보안 부팅이 꺼져 있습니다",
		"x-ms-azurevm-debuggersdisabled":               "부트 또는 커널 디버거가 켜져 있습니다",
		"x-ms-azurevm-kerneldebug-enabled":             "커널 디버그가 켜져 있습니다",
		"x-ms-azurevm-bootdebug-enabled":               "부트 디버그가 켜져 있습니다",
		"x-ms-azurevm-hypervisordebug-enabled":         "하이퍼바이저 디버그가 켜져 있습니다",
		"x-ms-azurevm-signingdisabled":                 "드라이버 서명 강제가 꺼져 있습니다(테스트 서명)",
		"x-ms-azurevm-testsigning-enabled":             "테스트 서명이 켜져 있습니다",
		"x-ms-azurevm-vmid":                            "VM ID가 정책과 맞지 않습니다",
		"x-ms-isolation-tee":                           "하드웨어 TEE 증거가 정책을 충족하지 못했습니다",
		"x-ms-compliance-status":                       "VM이 규정을 준수하는(compliant) Azure CVM이 아닙니다",
		"x-ms-sevsnpvm-is-debuggable":                  "SEV-SNP 게스트를 디버그할 수 있습니다(정책상 호스트가 메모리를 읽고 바꿀 수 있습니다)",
		"tdx_td_attributes_debug":                      "TD를 디버그할 수 있습니다(ATTRIBUTES.DEBUG로 호스트가 메모리를 읽고 바꿀 수 있습니다)",
		"x-ms-sevsnpvm-vmpl":                           "보고서를 Azure 패러바이저가 실행되는 VMPL 0에서 요청하지 않았습니다",
	}
})

// claimFixKO pairs with claimFix: the same English keyword picks the Korean step.
var claimFixKO = map[string]string{
	"Secure Boot": "VM에서 보안 부팅을 켭니다(또는 사용자 지정 공급자와 정책을 씁니다)",
	"debuggable":  "TEE 정책에서 디버그를 끄고 VM을 시작합니다. 디버그할 수 있는 CVM은 기밀성이 없습니다",
	"debug":       "부팅 구성에서 디버거를 끕니다(또는 사용자 지정 공급자와 정책을 씁니다)",
	"signing":     "테스트 서명을 끕니다(또는 사용자 지정 공급자와 정책을 씁니다)",
}

func explainClaimKO(target, value string) string {
	why, ok := claimWords()[strings.ToLower(target)]
	whyKO := claimWordsKO()[strings.ToLower(target)]
	if !ok {
		why, whyKO = "the claim did not have the value the policy requires", "클레임 값이 정책이 요구하는 값이 아닙니다"
	}
	fix := "클레임을 증거와 비교하거나, 사용자 지정 공급자와 정책을 씁니다"
	for _, cf := range claimFix {
		if strings.Contains(why, cf.keyword) {
			fix = claimFixKO[cf.keyword]
			break
		}
	}
	return fmt.Sprintf("MAA의 정책이 증명을 거부했습니다: %s(%s = %s). %s", whyKO, target, value, fix)
}

// fault is the error for this answer: its kind, its reading as the hint, and both in
// Korean. extra and extraKO are added to the message (attempts, why no retry).
func (e *ServiceError) fault(kind fault.Kind, extra, extraKO string) error {
	var err error = e
	if extra != "" {
		err = fmt.Errorf("%w%s", e, extra)
	}
	return httpx.WithKorean(fault.WithHint(kind, err, e.Explain()), e.KO()+extraKO, e.ExplainKO())
}
