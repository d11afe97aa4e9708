package check

import (
	"slices"
	"testing"
)

func TestKoreanFallsBackLineByLine(t *testing.T) {
	c := Passf("x.y", "ok %d", 1).KO("통과 %d", 1).
		WithDetails("only english").
		WithDetail("both", "둘 다").
		WithDetails("english again")
	s, d := c.In("ko")
	if s != "통과 1" || !slices.Equal(d, []string{"only english", "둘 다", "english again"}) {
		t.Errorf("ko: %q %q", s, d)
	}
	s, d = c.In("en")
	if s != "ok 1" || !slices.Equal(d, []string{"only english", "both", "english again"}) {
		t.Errorf("en: %q %q", s, d)
	}
	if s, _ := Failf("x", "english only").In("ko"); s != "english only" {
		t.Errorf("no Korean: %q", s)
	}
	// The original is not changed by a later append (checks are values).
	base := Passf("x", "a").WithDetail("1", "일")
	_ = base.WithDetail("2", "이")
	if len(base.DetailsKO) != 1 {
		t.Errorf("WithDetail changed its receiver: %q", base.DetailsKO)
	}
}
