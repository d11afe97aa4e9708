package httpx

import (
	"math"
	"net/http"
	"testing"
	"time"
)

func TestIsLoopback(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.8.9.1": true, "::1": true,
		"169.254.169.254": false, "sharedkrc.krc.attest.azure.net": false, "": false, "0.0.0.0": false} {
		if got := IsLoopback(h); got != want {
			t.Errorf("IsLoopback(%q) = %v", h, got)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"1": time.Second, " 30 ": 30 * time.Second, "0": 0, "-5": 0, "soon": 0, "": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %s, want %s", v, got, want)
		}
	}
	// A delay longer than a Duration holds is still a long delay: 1e10 s overflowed to a
	// negative Duration (read as "not given", so the MAA client retried at its own pace
	// instead of saying the wait was longer than it waits), and a number too long for an int
	// was not a number at all.
	for _, v := range []string{"10000000000", "9223372037", "18446744074", "99999999999999999999999"} {
		if got := ParseRetryAfter(v, now); got != time.Duration(math.MaxInt64) {
			t.Errorf("ParseRetryAfter(%q) = %s, want the longest Duration", v, got)
		}
	}
}
