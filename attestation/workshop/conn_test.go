package workshop

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// TestVerifyJWTReusesCallMAAConnection: the key fetch goes over the connection Call MAA
// opened to the emulator; it opens no connection of its own.
func TestVerifyJWTReusesCallMAAConnection(t *testing.T) {
	l := NewLive(LiveOptions{Platform: platform.Options{Platform: "sim", TPM: "sim", SecureBoot: true}, Pager: pages.Pager{}, Nonce: "n"})
	defer l.Close()
	if _, err := l.Run(context.Background(), CallMAA); err != nil {
		t.Fatal(err)
	}
	var reused, fresh atomic.Int32
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) {
		if c.Reused {
			reused.Add(1)
		} else {
			fresh.Add(1)
		}
	}})
	if _, err := l.Run(ctx, VerifyJWT); err != nil {
		t.Fatal(err)
	}
	if fresh.Load() != 0 || reused.Load() == 0 {
		t.Errorf("Verify JWT's key fetch: %d new connections, %d reused; want none new (Call MAA's connection reused)", fresh.Load(), reused.Load())
	}
}
