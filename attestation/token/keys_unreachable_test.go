package token

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// A provider whose keys could not be read leaves jwt.signature failed, and the check says
// that the network decided (Unreachable, a fault.Network error; details in English and
// Korean that say what to do), so that the exit code can be 3 rather than 2. A provider
// that answered (without the kid, or with a key that does not verify) is the token's
// problem: no Unreachable.
func TestSignatureKeysUnreachable(t *testing.T) {
	now := time.Now()
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}
	status := func(code int) string {
		srv, _ := keyServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
		return srv.URL
	}
	hang, _ := keyServer(t, hangUntilGone(nil))
	dropped, _ := keyServer(t, func(w http.ResponseWriter, r *http.Request) { dropAfter(w, 0) })

	for name, base := range map[string]string{"refused": refused(), "503": status(503), "429": status(429),
		"hang": hang.URL, "dropped": dropped.URL} {
		t.Run(name, func(t *testing.T) {
			s := newSigner(t, 0, "kid-a", base)
			tok, err := Parse(s.sign(t, base+"/certs", snpClaims(base, now)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewProvider(base, nil)
			if err != nil {
				t.Fatal(err)
			}
			p.AttemptTimeout = 50 * time.Millisecond // the hanging provider: no real waiting
			c := only(t, Verify(tok, Options{Keys: ProviderKeys(p), Issuer: p.Base, Now: now}), IDSignature)
			if c.Verdict != check.Fail {
				t.Fatalf("jwt.signature %s, want fail: %s", c.Verdict, c)
			}
			if c.Unreachable == nil || fault.KindOf(c.Unreachable) != fault.Network {
				t.Errorf("Unreachable = %v (kind %v), want a network error", c.Unreachable, fault.KindOf(c.Unreachable))
			}
			en, ko := strings.Join(c.Details, " "), strings.Join(c.DetailsKO, " ")
			if !strings.Contains(en, "network") || !strings.Contains(en, "what to do") || !strings.Contains(ko, "네트워크") || !strings.Contains(ko, "조치") {
				t.Errorf("details do not say it is the network and what to do:\nEN %s\nKO %s", en, ko)
			}
		})
	}

	// Cancelled while fetching: Unreachable is the interruption (the run ends 130, not 2).
	reached := make(chan struct{}, 2)
	hung, _ := keyServer(t, hangUntilGone(reached))
	s := newSigner(t, 0, "kid-a", hung.URL)
	tok, err := Parse(s.sign(t, hung.URL+"/certs", snpClaims(hung.URL, now)))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewProvider(hung.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-reached; cancel() }()
	c := only(t, Verify(tok, Options{Keys: ProviderKeys(p), Issuer: p.Base, Now: now, Context: ctx}), IDSignature)
	if c.Verdict != check.Fail || fault.KindOf(c.Unreachable) != fault.Interrupted {
		t.Errorf("cancelled: %s, Unreachable %v; want a failure whose Unreachable is Interrupted", c, c.Unreachable)
	}

	// Answered: a key set without the kid, and a key set whose key does not verify.
	maa := newFakeMAA(t)
	s = newSigner(t, 0, "kid-a", maa.srv.URL)
	other := newSigner(t, 1, "kid-a", maa.srv.URL)
	tok, err = Parse(s.sign(t, maa.srv.URL+"/certs", snpClaims(maa.srv.URL, now)))
	if err != nil {
		t.Fatal(err)
	}
	for name, jwks := range map[string][]byte{"without the kid": jwksBody(newSigner(t, 1, "kid-b", maa.srv.URL)), "another key": jwksBody(other)} {
		maa.setJWKS(jwks)
		c := only(t, Verify(tok, Options{Keys: ProviderKeys(maa.provider(t)), Issuer: maa.provider(t).Base, Now: now}), IDSignature)
		if c.Verdict != check.Fail || c.Unreachable != nil {
			t.Errorf("%s: %s, Unreachable %v; want a failure that is the token's (no Unreachable)", name, c, c.Unreachable)
		}
	}
}
