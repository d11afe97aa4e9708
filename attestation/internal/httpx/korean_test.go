package httpx

import (
	"context"
	"errors"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"net"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Every phrased failure has its Korean message, naming the same request and host, and
// Fault carries it to fault.MessageIn with the kind and the English unchanged.
func TestEveryFailureHasKorean(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	proxy := &net.OpError{Op: "proxyconnect", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 3128}, Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		e    *Error
		kind fault.Kind
		want string
	}{
		{&Error{Failure: Interrupted, Op: "Call MAA", OpKO: "MAA 호출", Err: context.Canceled}, fault.Interrupted, "MAA 호출 중단됨"},
		{&Error{Failure: Timeout, Op: "Call MAA", Host: "h:443", Waited: 10 * time.Second, Err: context.DeadlineExceeded}, fault.Network, "10s 안에 h:443에서 응답이 없습니다"},
		{&Error{Failure: Unreachable, Op: "Call MAA", Host: "h:443", Err: refused}, fault.Network, "h:443에 연결할 수 없습니다"},
		{&Error{Failure: Unreachable, Op: "Call MAA", Host: "h:443", Err: proxy}, fault.Network, "프록시(10.0.0.1:3128)를 통해 h:443에 연결할 수 없습니다"},
		{&Error{Failure: Dropped, Op: "Call MAA", Host: "h:443", Err: syscall.ECONNRESET}, fault.Network, "응답이 오기 전에 h:443가 연결을 끊었습니다"},
		{&Error{Failure: Dropped, Op: "Call MAA", Host: "h:443", Answered: true, Bytes: 42, Err: syscall.ECONNRESET}, fault.Network, "응답 도중(42바이트 뒤) h:443가 연결을 끊었습니다"},
		{&Error{Failure: TooLarge, Op: "Call MAA", Host: "h:443", Limit: 1 << 20}, fault.Network, "1048576바이트보다 커서 거부했습니다"},
		{&Error{Failure: Other, Op: "Call MAA", Host: "h:443", Err: errors.New("x509: unknown authority")}, fault.Network, "Call MAA에 실패했습니다(시스템 메시지: 「x509: unknown authority」)"},
	} {
		ko := tc.e.KO()
		if !strings.Contains(ko, tc.want) {
			t.Errorf("%s: Korean %q, want it to contain %q", tc.e.Failure, ko, tc.want)
		}
		if !checktest.HasHangul(ko) {
			t.Errorf("%s: Korean %q has no Hangul", tc.e.Failure, ko)
		}
		err := FaultKO(tc.e, "check the proxy", "프록시를 확인합니다")
		msg, hint := fault.MessageIn(err, "ko")
		if msg != ko || !checktest.HasHangul(hint) {
			t.Errorf("%s: MessageIn(ko) = %q / %q, want %q and a Korean hint", tc.e.Failure, msg, hint, ko)
		}
		if en, _ := fault.MessageIn(err, "en"); en != tc.e.Error() || fault.KindOf(err) != tc.kind {
			t.Errorf("%s: English %q kind %s, want %q kind %s", tc.e.Failure, en, fault.KindOf(err), tc.e.Error(), tc.kind)
		}
	}
}

// A real timeout through Do and Fault reads in Korean, the request named by OpKO.
func TestTimeoutThroughDoInKorean(t *testing.T) {
	srv := httptest.NewServer(hang(nil))
	defer srv.Close()
	req := get(srv.URL + "/x")
	req.OpKO = "테스트 GET"
	_, err := Do(t.Context(), srv.Client(), req, Limits{Attempt: 20 * time.Millisecond})
	msg, _ := fault.MessageIn(Fault(err, "h"), "ko")
	if !strings.HasPrefix(msg, "테스트 GET: 20ms 안에 ") || !strings.Contains(msg, "응답이 없습니다") {
		t.Errorf("Korean timeout %q", msg)
	}
}

// WithKorean keeps one error: the outermost fault.Error still holds the hint.
func TestWithKoreanKeepsOneError(t *testing.T) {
	base := fault.WithHint(fault.Policy, errors.New("denied"), "fix it")
	err := WithKorean(base, "거부", "고칩니다")
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Hint != "fix it" || fe.KO != "거부" || fe.Kind != fault.Policy || errors.Unwrap(err).Error() != "denied" {
		t.Errorf("WithKorean: %+v", fe)
	}
	if base.(*fault.Error).KO != "" {
		t.Error("WithKorean changed its argument")
	}
	if msg, hint := fault.MessageIn(WithKorean(errors.New("x"), "엑스", ""), "ko"); msg != "엑스" || hint != "" {
		t.Errorf("plain error: %q %q", msg, hint)
	}
}

func TestRootCauseKO(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, "연결이 거부되었습니다(시스템 메시지: 「connection refused」)"},
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, "호스트 이름을 찾을 수 없습니다(시스템 메시지: 「lookup x.invalid: no such host」)"},
		{syscall.ECONNRESET, "상대가 연결을 재설정했습니다(시스템 메시지: 「connection reset by peer」)"},
		{context.DeadlineExceeded, "제한 시간이 지났습니다(시스템 메시지: 「context deadline exceeded」)"},
		{errors.New("x509: unknown authority"), "시스템 메시지: 「x509: unknown authority」"},
	} {
		if got := RootCauseKO(tc.err); got != tc.want {
			t.Errorf("RootCauseKO(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
