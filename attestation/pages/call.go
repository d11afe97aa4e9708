package pages

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// CallView is what the Call MAA page shows: the exchange with the provider and how its
// answer was opened.
type CallView struct {
	// Endpoint is the provider, Path the attest path with api-version.
	Endpoint, Path string
	// Exchange is every attempt of the call; nil when no request was sent.
	Exchange *maa.Exchange
	// Err is the call's error (maa.Client.Attest's, or why it was not made).
	Err error
	// Emulated says the provider is cvmscope's loopback MAA emulator, not Microsoft.
	Emulated bool
	// Saved says the exchange is a bundle's record of an earlier run (inspect): the page
	// reads that answer out, refusals included, but nothing was called now, so the page's
	// verdict is its checks' alone, as the exit code's is.
	Saved bool
	// Decrypted says the AzureGuest answer was opened; the maa.decrypt check says how.
	Decrypted bool
	// Checks are the call's checks (maa.call, maa.decrypt).
	Checks check.List
}

// CallMAA builds the "Call MAA" page.
func (Pager) CallMAA(v CallView) present.Page { return CallMAA(v) }

// CallMAA builds the "Call MAA" page: the URL and the outcome, each attempt with its wait,
// any failure read out in plain words with what to do, how the AzureGuest answer was
// opened, and the answer itself.
func CallMAA(v CallView) present.Page {
	p := present.Page{Step: stepCallMAA, Title: present.T("Call MAA", "MAA 호출"), Checks: v.Checks}
	add := func(sec present.Section) {
		if len(sec.Rows) > 0 || sec.Body != "" {
			p.Sections = append(p.Sections, sec)
		}
	}
	ex := v.Exchange
	if ex == nil {
		ex = &maa.Exchange{}
	}
	add(callSection(v, ex))
	add(attemptsSection(ex))
	problem := callProblem(v.Err, ex)
	errSec := problemSection(v.Err, ex, problem)
	if v.Saved {
		errSec.Title = present.T("What went wrong in the saved run", "저장된 실행에서 무엇이 잘못되었나")
	}
	add(errSec)
	if ex.Status == http.StatusOK {
		if isGuestPath(v.Path, ex.URL) {
			add(decryptSection(v, ex))
		} else {
			add(platformTokenSection(ex))
		}
	}
	if len(ex.ResponseBody) > 0 {
		add(codeSection("response", present.T("Answer", "응답"), ex.ResponseBody, present.Text{}))
	}
	if v.Saved {
		// The rows read the recorded answer out; none of them is a verdict on this run.
		for si := range p.Sections {
			for ri := range p.Sections[si].Rows {
				p.Sections[si].Rows[ri].Verdict = ""
			}
		}
	}
	add(Checks(v.Checks))

	// The page's verdict is the checks', made no better than the answer: an error or a
	// refusal fails it even when the caller passed no check saying so.
	verdicts := append(check.List(nil), v.Checks...)
	switch {
	case v.Saved:
	case v.Err != nil || (ex.Status != 0 && ex.Status != http.StatusOK):
		verdicts = append(verdicts, check.Check{Verdict: check.Fail})
	case ex.Status == http.StatusOK:
		verdicts = append(verdicts, check.Check{Verdict: check.Pass})
	}
	p.Verdict = check.Fold(verdicts)
	who := "MAA"
	whoKO := "MAA"
	if v.Emulated {
		who, whoKO = "the MAA emulator", "MAA 에뮬레이터"
	}
	var what present.Text
	switch {
	case ex.Status == http.StatusOK:
		what = present.T(fmt.Sprintf("%s answered HTTP 200 in %s", who, ex.Duration.Round(time.Millisecond)),
			fmt.Sprintf("%s가 %s 만에 HTTP 200 상태로 응답", whoKO, ex.Duration.Round(time.Millisecond)))
	case ex.Status != 0:
		what = present.T(fmt.Sprintf("%s answered HTTP %d", who, ex.Status), fmt.Sprintf("%s가 HTTP %d 상태로 응답", whoKO, ex.Status))
	case v.Err != nil:
		m, _ := explain.MAAProblem(problem)
		what = present.T("no answer: "+strings.TrimSuffix(m.EN, "."), "응답 없음: "+strings.TrimSuffix(m.KO, "."))
	default:
		what = present.T("not called yet", "아직 호출하지 않음")
	}
	if v.Saved {
		what = present.T("saved answer: "+what.EN, "저장된 응답: "+what.KO)
	}
	p.Summary = countSummary(what, v.Checks)
	return p
}

func isGuestPath(path, url string) bool {
	return strings.Contains(path, "/attest/AzureGuest") || (path == "" && strings.Contains(url, "/attest/AzureGuest"))
}

func callSection(v CallView, ex *maa.Exchange) present.Section {
	url := ex.URL
	if url == "" {
		url = strings.TrimRight(v.Endpoint, "/") + v.Path
	}
	provider := "Microsoft Azure Attestation (" + v.Endpoint + ")"
	providerKO := ""
	if v.Emulated {
		provider = "cvmscope's MAA emulator on loopback: test keys, not Microsoft, not a real verdict"
		providerKO = "루프백에서 동작하는 cvmscope의 MAA 에뮬레이터: 테스트 키이며, Microsoft가 아니고 실제 판정도 아닙니다"
	}
	status := ko(mrow(explain.KindCall, "status", "no answer"), "상태", "응답 없음")
	if ex.Status != 0 {
		st := statusText(ex.Status)
		status.Value, status.ValueKO = st.EN, st.KO
		status.Verdict = check.Pass
		if ex.Status != http.StatusOK {
			status.Verdict = check.Fail
		}
	} else if v.Err != nil {
		status.Verdict = check.Fail
	}
	if status.Verdict == check.Fail {
		_, status.Hint = explain.Check("maa.call")
	}
	rows := []present.Row{
		mrow(explain.KindCall, "url", url),
		ko(mrow(explain.KindCall, "provider", provider), "공급자", providerKO),
		withChecks(status, v.Checks, "maa.call"),
	}
	if status.Verdict == check.Fail {
		rows[2].Verdict = check.Fail
	}
	if len(ex.Attempts) > 0 {
		latency := mrow(explain.KindCall, "latency", ex.Duration.Round(time.Millisecond).String())
		attempts := ko(mrow(explain.KindCall, "attempts", fmt.Sprintf("%d", len(ex.Attempts))), "시도 횟수", fmt.Sprintf("%d회", len(ex.Attempts)))
		if len(ex.Attempts) > 1 {
			attempts.Verdict = check.Warn
			attempts.Hint = present.T("Retries mean throttling (429) or a struggling service (5xx); on a fleet they become failures. Spread requests out or use your own provider.",
				"재시도는 요청 제한(429)이나 서비스 장애(5xx)를 뜻하며, 많은 VM에서는 실패로 이어집니다. 요청을 분산하거나 자체 공급자를 씁니다.")
		}
		rows = append(rows, latency, attempts)
	}
	rows = append(rows,
		ko(mrow(explain.KindCall, "sent", fmt.Sprintf("%d bytes", len(ex.RequestBody))), "보낸 크기", bytesKO(len(ex.RequestBody))),
		ko(mrow(explain.KindCall, "received", fmt.Sprintf("%d bytes", len(ex.ResponseBody))), "받은 크기", bytesKO(len(ex.ResponseBody))))
	return present.Section{ID: "call", Title: present.T("The call", "호출"), Kind: present.Fields, Rows: rows}
}

func attemptsSection(ex *maa.Exchange) present.Section {
	sec := present.Section{ID: "attempts", Title: present.T("Attempts", "시도"), Kind: present.Table,
		Columns: []present.Text{present.T("Attempt", "시도"), present.T("Status", "상태"), present.T("Time", "시간"),
			present.T("Retry-After", "Retry-After"), present.T("Error", "오류")}}
	if len(ex.Attempts) < 2 && (len(ex.Attempts) == 0 || ex.Attempts[0].Err == "") {
		// One clean attempt says nothing the call section does not.
		return sec
	}
	for i, a := range ex.Attempts {
		status := statusText(a.Status)
		wait := "-"
		if a.RetryAfter > 0 {
			wait = a.RetryAfter.String()
		}
		// The error column names the failure in a few words; the full message is the detail.
		var problem present.Text
		if a.Err != "" {
			problem = explain.MAAProblemShort(netProblem(errors.New(a.Err)))
		}
		row := mrow(explain.KindCall, "attempt", status.EN)
		row.ValueKO = status.KO
		row.Key = fmt.Sprint(i + 1)
		row.Cells = []string{status.EN, a.Duration.Round(time.Millisecond).String(), wait, problem.EN}
		row.CellsKO = []string{status.KO, "", "", problem.KO}
		row.Detail = fmt.Sprintf("attempt %d: %s in %s", i+1, status.EN, a.Duration.Round(time.Millisecond))
		row.DetailKO = fmt.Sprintf("%d번째 시도: %s (%s)", i+1, status.KO, a.Duration.Round(time.Millisecond))
		if a.Err != "" {
			// The client's message, as it reported it.
			row.Detail += "\n" + a.Err
			if a.ErrKO != "" {
				row.DetailKO += "\n" + a.ErrKO
			} else {
				row.DetailKO += "\n" + a.Err
			}
		}
		switch {
		case a.Status == http.StatusOK:
			row.Verdict = check.Pass
		case i < len(ex.Attempts)-1:
			row.Verdict = check.Warn // retried
		default:
			row.Verdict = check.Fail
			_, row.Hint = explain.Check("maa.call")
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

// statusKO names the HTTP statuses MAA answers with in Korean.
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var statusKO = sync.OnceValue(func() map[int]string {
	return map[int]string{
		200: "정상", 400: "잘못된 요청", 401: "인증 필요", 403: "거부됨", 404: "없음", 408: "요청 시간 초과",
		429: "요청 과다", 500: "서버 오류", 502: "게이트웨이 오류", 503: "서비스 사용 불가", 504: "게이트웨이 시간 초과",
	}
})

// statusText is an HTTP status with its reason phrase, in both languages.
func statusText(code int) present.Text {
	if code == 0 {
		return present.T("no answer", "응답 없음")
	}
	ko, ok := statusKO()[code]
	if !ok {
		ko = "응답"
	}
	return present.T(fmt.Sprintf("%d %s", code, http.StatusText(code)), fmt.Sprintf("%d %s", code, ko))
}

// callProblem names what went wrong, as explain.MAAProblem knows it; "" when nothing did.
func callProblem(err error, ex *maa.Exchange) string {
	var se *maa.ServiceError
	if !errors.As(err, &se) && ex.Status != 0 && ex.Status != http.StatusOK {
		se = maa.ParseServiceError(ex.Status, ex.ResponseBody)
	}
	if se != nil {
		switch s := se.Status; {
		case se.PolicyDenied():
			return "policy"
		case s == http.StatusBadRequest:
			return "http-400"
		case s == http.StatusUnauthorized || s == http.StatusForbidden:
			return "http-401"
		case s == http.StatusNotFound:
			return "http-404"
		case s == http.StatusRequestTimeout:
			return "http-408"
		case s == http.StatusTooManyRequests:
			return "http-429"
		case s >= 500:
			return "http-5xx"
		}
		return "http-other"
	}
	if err == nil {
		return ""
	}
	return netProblem(err)
}

// netProblem classifies a transport failure. maa.Client reports the cause as text (its
// error wraps the message, not the net error), so the text is read when the chain does
// not carry a typed cause.
func netProblem(err error) string {
	msg := strings.ToLower(err.Error())
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var ne net.Error
	switch {
	// First: a cancelled call says nothing about the network.
	case errors.Is(err, context.Canceled) || strings.Contains(msg, "interrupted"):
		return "interrupted"
	case strings.Contains(msg, "proxyconnect") || strings.Contains(msg, "through proxy") || strings.Contains(msg, "proxy authentication"):
		return "proxy"
	case errors.As(err, &dnsErr) || strings.Contains(msg, "no such host") || strings.Contains(msg, "server misbehaving"):
		return "dns"
	case errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) ||
		strings.Contains(msg, "certificate") || strings.Contains(msg, "tls:"):
		return "tls"
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "connection refused"):
		return "refused"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) ||
		strings.Contains(msg, "timeout") || strings.Contains(msg, "deadline exceeded"):
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "connection reset") || strings.Contains(err.Error(), "EOF"):
		return "reset"
	case strings.Contains(msg, "larger than"):
		return "too-large"
	}
	return "unreachable"
}

// problemSection reads a failure out: what happened and what to do in both languages, MAA's
// own code and message, and for a policy denial each claim it names.
func problemSection(err error, ex *maa.Exchange, problem string) present.Section {
	sec := present.Section{ID: "error", Title: present.T("What went wrong", "무엇이 잘못되었나"), Kind: present.Fields}
	if problem == "" {
		return sec
	}
	meaning, hint := explain.MAAProblem(problem)
	var se *maa.ServiceError
	if !errors.As(err, &se) && ex.Status != 0 {
		se = maa.ParseServiceError(ex.Status, ex.ResponseBody)
	}
	happened := present.Row{Key: "what happened", KeyKO: labelKO()["what happened"], Explain: meaning, Hint: hint, Verdict: check.Fail, PCR: -1}
	todo := present.Row{Key: "what to do", KeyKO: labelKO()["what to do"], Explain: hint, PCR: -1}
	switch {
	case se != nil:
		// MAA's own words stay as it sent them; the Korean value reads them out.
		happened.Value, happened.ValueKO = se.Error(), strings.TrimSuffix(meaning.KO, ".")
		todo.Value = se.Explain()
	case err != nil:
		happened.Value = err.Error()
		happened.ValueKO, todo.ValueKO = fault.MessageIn(err, string(present.KO))
		if happened.ValueKO == happened.Value {
			happened.ValueKO = strings.TrimSuffix(meaning.KO, ".")
		}
		todo.Value = fault.HintOf(err)
	}
	if todo.Value == "" {
		todo.Value = hint.EN
	}
	if todo.ValueKO == "" || todo.ValueKO == todo.Value {
		todo.ValueKO = hint.KO
	}
	happened.Detail = "cvmscope reads this as: " + problem
	// The class is an identifier (explain.MAAProblem's key): named in Korean, quoted as data.
	happened.DetailKO = fmt.Sprintf("cvmscope의 분류: %s(`%s`)", explain.MAAProblemShort(problem).KO, problem)
	sec.Rows = append(sec.Rows, happened, todo)
	if se == nil {
		return sec
	}
	for _, f := range []struct{ key, value string }{{"error code", se.Code}, {"message", se.Message}, {"inner code", se.InnerCode}} {
		if f.value != "" {
			row := mrow(explain.KindCall, f.key, f.value)
			if f.key == "message" {
				// MAA's sentence, quoted as received: the rows around it say it in Korean.
				row.ValueKO = fault.QuoteKO("", f.value)
			}
			sec.Rows = append(sec.Rows, row)
		}
	}
	for _, d := range se.Details {
		if d.Target == "" {
			continue
		}
		why, fix := explain.PolicyClaim(d.Target)
		row := present.Row{Key: d.Target, Value: fmt.Sprintf("%s (%s)", d.Value, d.Code), Verdict: check.Fail, PCR: -1,
			Explain: present.T("MAA's policy denied the attestation because "+why.EN+".", "MAA 정책이 증명을 거부했습니다: "+why.KO+"."),
			Hint:    present.T(capitalize(fix.EN)+".", fix.KO+".")}
		row.ValueKO = fmt.Sprintf("%s (%s)", valueKOOr(d.Value), d.Code)
		if e, ok := claims.Resolve(d.Target); ok {
			row.Detail = "claim: " + e.Meaning + "\nhealthy: " + e.Healthy
			row.DetailKO = "클레임: " + or(e.MeaningKO, e.Meaning) + "\n정상 값: " + or(e.HealthyKO, e.Healthy)
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// decryptSection shows the encrypted AzureGuest answer and how it was opened.
func decryptSection(v CallView, ex *maa.Exchange) present.Section {
	sec := present.Section{ID: "decrypt", Title: present.T("Opening the answer", "응답 열기"), Kind: present.Fields,
		Note: present.T("MAA encrypted the token to the ephemeral key of the request: an AES key wrapped with RSA, the JWT sealed with AES-GCM.",
			"MAA는 요청의 임시 키로 토큰을 암호화했습니다. AES 키는 RSA로 감싸고, JWT는 AES-GCM으로 봉인했습니다.")}
	et, err := maa.ParseGuestResponse(ex.ResponseBody)
	if err != nil {
		row := ko(mrow(explain.KindCall, "token", "unreadable: "+err.Error()), "토큰", "읽을 수 없음: "+err.Error())
		row.Verdict = check.Fail
		_, row.Hint = explain.Check("maa.decrypt")
		sec.Rows = append(sec.Rows, withChecks(row, v.Checks, "maa.decrypt"))
		return sec
	}
	params := fmt.Sprintf("%s-%d, %s, padding %s", et.Params.Cipher, et.Params.KeySizeInBits, et.Params.BlockMode, et.Params.BlockPadding)
	unwrap := ko(mrow(explain.KindCall, "unwrap", fmt.Sprintf("TPM2_RSA_Decrypt (RSAES) of the %d-byte EncryptedInnerKey under PolicyPCR", len(et.EncryptedInnerKey))),
		"", fmt.Sprintf("PolicyPCR 아래에서 %d바이트 EncryptedInnerKey를 TPM2_RSA_Decrypt(RSAES)로 복호화", len(et.EncryptedInnerKey)))
	result := ko(mrow(explain.KindCall, "token", "not opened"), "", "열지 못함")
	if v.Decrypted {
		result.Value = "opened: a compact JWT, verified in the next step"
		result.ValueKO = "열림: 점(.)으로 이은 세 부분의 JWT(JWS 압축 직렬화)이며 다음 단계에서 검증합니다"
	}
	sec.Rows = append(sec.Rows,
		ko(mrow(explain.KindCall, "EncryptedInnerKey", fmt.Sprintf("%d bytes (RSA-%d ciphertext)", len(et.EncryptedInnerKey), 8*len(et.EncryptedInnerKey))),
			"", fmt.Sprintf("%s (RSA-%d 암호문)", bytesKO(len(et.EncryptedInnerKey)), 8*len(et.EncryptedInnerKey))),
		ko(mrow(explain.KindCall, "EncryptionParams", params), "", strings.Replace(params, "padding", "패딩", 1)),
		ko(mrow(explain.KindCall, "Iv", fmt.Sprintf("%d bytes", len(et.IV))), "", bytesKO(len(et.IV))),
		ko(mrow(explain.KindCall, "AuthenticationData", fmt.Sprintf("%d bytes", len(et.AuthData))), "", bytesKO(len(et.AuthData))),
		ko(mrow(explain.KindCall, "Jwt", fmt.Sprintf("%d bytes encrypted", len(et.Ciphertext))), "", "암호화된 "+bytesKO(len(et.Ciphertext))),
		withChecks(unwrap, v.Checks, "maa.decrypt"),
		ko(mrow(explain.KindCall, "AES-GCM", `AAD "Transport Key", 12-byte IV, 16-byte tag`), "", `AAD "Transport Key", 12바이트 IV, 16바이트 태그`),
		withChecks(result, v.Checks, "maa.decrypt"),
	)
	return sec
}

// platformTokenSection: a SevSnpVm or TdxVm answer is the JWT itself.
func platformTokenSection(ex *maa.Exchange) present.Section {
	row := mrow(explain.KindCall, "token", "")
	compact, err := maa.ParsePlatformResponse(ex.ResponseBody)
	if err != nil {
		row.Value = "unreadable: " + err.Error()
		row.ValueKO = "읽을 수 없음: " + err.Error()
		row.Verdict = check.Fail
		_, row.Hint = explain.Check("maa.call")
	} else {
		row.Value = fmt.Sprintf("plain JWT, %d characters (platform answers are not encrypted)", len(compact))
		row.ValueKO = fmt.Sprintf("암호화되지 않은 JWT, %d자 (플랫폼 응답은 암호화하지 않습니다)", len(compact))
		row.Verdict = check.Pass
	}
	return present.Section{ID: "token", Title: present.T("The token", "토큰"), Kind: present.Fields, Rows: []present.Row{row}}
}

// valueKOOr glosses a claim value in Korean when it is a word, else keeps it.
func valueKOOr(s string) string {
	if k := valueKO(s); k != "" {
		return k
	}
	return s
}
