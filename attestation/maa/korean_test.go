package maa

import (
	"context"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

func TestClaimWordsAllHaveKorean(t *testing.T) {
	for k := range claimWords() {
		if !checktest.HasHangul(claimWordsKO()[k]) {
			t.Errorf("claim %s has no Korean reading", k)
		}
	}
	for _, cf := range claimFix {
		if !checktest.HasHangul(claimFixKO[cf.keyword]) {
			t.Errorf("fix for %q has no Korean", cf.keyword)
		}
	}
}

// Every reading of an MAA error answer is in Korean too; a policy denial names the claim
// and its value and says what to do.
func TestServiceErrorKorean(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   []string
	}{
		{400, policyBody, []string{"MAA의 정책이 증명을 거부했습니다: 보안 부팅이 꺼져 있어", "x-ms-azurevm-dbxvalidated = false", "VM에서 보안 부팅을 켭니다"}},
		{400, `{"error":{"code":"PolicyEvaluationError","innererror":{"details":[{"code":"PolicyFailureClaim","target":"x-ms-azurevm-debuggersdisabled","value":false},{"code":"PolicyFailureClaim","target":"x-ms-sevsnpvm-is-debuggable","value":true}]}}}`,
			[]string{"디버거가 켜져 있습니다(x-ms-azurevm-debuggersdisabled = false). 부팅 구성에서 디버거를 끕니다", ". 또한 ", "x-ms-sevsnpvm-is-debuggable = true). TEE 정책에서 디버그를 끄고"}},
		{400, `{"error":{"code":"PolicyEvaluationError","innererror":{"details":[{"code":"PolicyFailureClaim","target":"x-ms-custom","value":"1"}]}}}`, []string{"정책이 요구하는 값이 아닙니다(x-ms-custom = 1)"}},
		{400, `{"error":{"code":"PolicyEvaluationError","message":"denied"}}`, []string{"클레임을 밝히지 않고"}},
		{400, `{"error":{"code":"InvalidParameter","message":"Unable to parse TCG logs"}}`, []string{"HTTP 400, InvalidParameter, MAA의 메시지: 「Unable to parse TCG logs」"}},
		{401, ``, []string{"HTTP 401", "인가"}},
		{404, `<html>not found</html>`, []string{"HTTP 404", "api-version"}},
		{408, ``, []string{"HTTP 408"}},
		{429, ``, []string{"HTTP 429"}},
		{503, ``, []string{"HTTP 503"}},
		{302, ``, []string{"HTTP 302"}},
	} {
		se := ParseServiceError(tc.status, []byte(tc.body))
		ko := se.ExplainKO()
		for _, w := range tc.want {
			if !strings.Contains(ko, w) {
				t.Errorf("%d %s: ExplainKO() = %q, missing %q", tc.status, tc.body, ko, w)
			}
		}
		if !checktest.HasHangul(se.KO()) || !strings.Contains(se.KO(), "HTTP ") {
			t.Errorf("%d: KO() = %q", tc.status, se.KO())
		}
	}
}

// Through the client: a policy denial, a refused connection and a timeout all read in
// Korean, with the kind and English unchanged.
func TestClientErrorsInKorean(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, policyBody)
	}))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	_, err := c.Attest(context.Background(), PathAzureGuest, []byte("{}"))
	msg, hint := fault.MessageIn(err, "ko")
	if fault.ExitCode(err) != 5 || !strings.HasPrefix(msg, "MAA가 HTTP 400 PolicyEvaluationError 응답을 보냈습니다. MAA의 메시지: 「") || !strings.HasSuffix(msg, "」") ||
		!strings.Contains(hint, "x-ms-azurevm-dbxvalidated = false") || !strings.Contains(hint, "보안 부팅을 켭니다") {
		t.Errorf("policy denial in Korean: %q / %q (exit %d)", msg, hint, fault.ExitCode(err))
	}
	if en, _ := fault.MessageIn(err, "en"); en != err.Error() || checktest.HasHangul(en) {
		t.Errorf("English changed: %q", en)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	refused, err := NewClient("https://"+addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = refused.Attest(context.Background(), PathAzureGuest, nil)
	msg, hint = fault.MessageIn(err, "ko")
	if !strings.Contains(msg, addr+"의 MAA에 연결할 수 없습니다: 연결이 거부되었습니다") || !strings.Contains(hint, "에뮬레이터를 시작") || fault.ExitCode(err) != 3 {
		t.Errorf("refused in Korean: %q / %q", msg, hint)
	}

	hang := httptest.NewTLSServer(hangUntilGone(nil))
	defer hang.Close()
	slow, _ := tlsClient(t, hang)
	slow.AttemptTimeout, slow.MaxAttempts = 20*time.Millisecond, 2
	ex, err := slow.Attest(t.Context(), PathAzureGuest, []byte("{}"))
	for _, a := range ex.Attempts {
		if !strings.HasPrefix(a.ErrKO, "MAA 호출: 20ms 안에 ") {
			t.Errorf("attempt error in Korean %q (English %q)", a.ErrKO, a.Err)
		}
	}
	msg, hint = fault.MessageIn(err, "ko")
	if !strings.HasPrefix(msg, "MAA 호출: 20ms 안에 ") || !strings.Contains(msg, "(2번 시도한 뒤)") || !checktest.HasHangul(hint) {
		t.Errorf("timeout in Korean: %q / %q", msg, hint)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Attest(ctx, PathAzureGuest, []byte("{}"))
	if msg, hint := fault.MessageIn(err, "ko"); !strings.HasPrefix(msg, "MAA 호출 중단됨") || !checktest.HasHangul(hint) || fault.ExitCode(err) != 130 {
		t.Errorf("interrupted in Korean: %q / %q (exit %d)", msg, hint, fault.ExitCode(err))
	}
}
