package maa

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestAttestReportsProgress: a caller that passes WithProgress hears of each try as it
// starts and of each wait before the next, with the status that caused it.
func TestAttestReportsProgress(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "5")
			http.Error(w, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, 429)
			return
		}
		io.WriteString(w, `{"token":"a.b.c"}`)
	}))
	defer srv.Close()
	c, _ := tlsClient(t, srv)
	var got []Progress
	ctx := WithProgress(context.Background(), func(p Progress) { got = append(got, p) })
	if _, err := c.Attest(ctx, PathAzureGuest, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	want := []Progress{{Attempt: 1, MaxAttempts: 3}, {Attempt: 1, MaxAttempts: 3, Wait: 5 * time.Second, Status: 429}, {Attempt: 2, MaxAttempts: 3}}
	if len(got) != len(want) {
		t.Fatalf("progress %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		g.Elapsed = 0
		if g != want[i] {
			t.Errorf("progress %d = %+v, want %+v", i, g, want[i])
		}
	}
}
