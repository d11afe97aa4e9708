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

// A Korean wrapper adds words, not a kind: Default still classifies what it wraps.
func TestKoreanKeepsErrorsUnclassified(t *testing.T) {
	err := Korean(errors.New("tag mismatch"), "태그 불일치", "")
	if got := KindOf(Default(Verification, err)); got != Verification {
		t.Errorf("Default over a Korean wrapper: %v, want verification", got)
	}
	if m, _ := MessageIn(Default(Verification, err), "ko"); m != "태그 불일치" {
		t.Errorf("the Korean was lost: %q", m)
	}
	dev := Korean(Errorf(Device, "TPM failed"), "TPM 실패", "")
	if got := KindOf(Default(Verification, dev)); got != Device {
		t.Errorf("Default over a Korean device error: %v, want device", got)
	}
}
