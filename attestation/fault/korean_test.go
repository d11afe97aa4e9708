package fault

import (
	"errors"
	"testing"
)

func TestMessageIn(t *testing.T) {
	base := WithHint(Network, errors.New("cannot reach MAA"), "start the emulator")
	err := Korean(base, "MAA에 연결할 수 없습니다", "")
	if KindOf(err) != Network {
		t.Errorf("kind %v, want network", KindOf(err))
	}
	if m, h := MessageIn(err, "ko"); m != "MAA에 연결할 수 없습니다" || h != "start the emulator" {
		t.Errorf("ko: %q %q (the hint falls back to English)", m, h)
	}
	if m, h := MessageIn(err, "en"); m != "cannot reach MAA" || h != "start the emulator" {
		t.Errorf("en: %q %q", m, h)
	}
	if m, _ := MessageIn(errors.New("plain"), "ko"); m != "plain" {
		t.Errorf("plain: %q", m)
	}
}
