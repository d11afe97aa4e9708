package netcache

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestCacheExpiresAndIsBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Cache{TTL: time.Minute, Now: func() time.Time { return now }}
	h := http.Header{"Tcb-Info-Issuer-Chain": {"x"}}
	c.Put("u", h, []byte("body"))
	h.Set("Tcb-Info-Issuer-Chain", "changed by the caller")
	gh, b, ok := c.Get("u")
	if !ok || string(b) != "body" || gh.Get("Tcb-Info-Issuer-Chain") != "x" {
		t.Fatalf("fresh entry: %v %q %v", ok, b, gh)
	}
	b[0] = 'X' // a caller's change must not reach the cache
	if _, b, _ := c.Get("u"); string(b) != "body" {
		t.Errorf("cached body changed to %q", b)
	}
	now = now.Add(time.Minute)
	if _, _, ok := c.Get("u"); ok || c.Len() != 0 {
		t.Error("an entry past its TTL must not be served, and goes")
	}
	for i := range maxEntries + 10 {
		c.Put(fmt.Sprint(i), nil, nil)
	}
	if c.Len() > maxEntries {
		t.Errorf("%d entries, bound %d", c.Len(), maxEntries)
	}
}
