// Package httpx holds the small HTTP rules the IMDS, MAA and key-set clients share, so that
// they cannot drift apart: what counts as a loopback host (the only place a private root or
// plain http is accepted) and how Retry-After is read.
package httpx

import (
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
// or a date in the past, means "not given" (zero).
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
