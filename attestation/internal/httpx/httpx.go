// Package httpx holds the small HTTP rules the IMDS, MAA and key-set clients share, so that
// they cannot drift apart: what counts as a loopback host (the only place a private root or
// plain http is accepted) and how Retry-After is read.
package httpx

import (
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// IsLoopback reports whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseRetryAfter reads a Retry-After header: delta-seconds or an HTTP date. Anything else,
// or a date in the past, means "not given" (zero); a delay too long for a Duration is the
// longest Duration.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseUint(v, 10, 63); err == nil {
		if s > math.MaxInt64/uint64(time.Second) {
			// Longer than a Duration holds: multiplied, it would wrap to a negative or a
			// short wait.
			return math.MaxInt64
		}
		return time.Duration(s) * time.Second
	} else if errors.Is(err, strconv.ErrRange) {
		return math.MaxInt64
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
