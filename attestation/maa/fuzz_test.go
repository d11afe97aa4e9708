package maa

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// FuzzParseResponses feeds arbitrary answers to every parser of MAA output: whatever a
// provider or a proxy sends must end in a value or an error, never a panic.
func FuzzParseResponses(f *testing.F) {
	enc, _ := EncryptToken("a.b.c", &testKey.PublicKey)
	for _, s := range []string{policyBody, `{"Error":{"Code":"X","Message":"y"}}`, `{"token":"a.b.c"}`, string(enc), "", "{", `{"error":{"innererror":{"innererror":{"details":[{"value":1}]}}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseServiceError(400, b).Explain()
		ParsePlatformResponse(b)
		if et, err := ParseGuestResponse(b); err == nil {
			DecryptToken(et, func(k []byte) ([]byte, error) { return k, nil })
		}
	})
}

// FuzzAttestAnswers serves any status, Retry-After and body on loopback and runs the real
// Attest: a token body comes back only with HTTP 200, every answer (error bodies too) is
// bounded, the tries stop at MaxAttempts, and every failure is classified with advice.
func FuzzAttestAnswers(f *testing.F) {
	for _, s := range []string{policyBody, `{"Error":{"Code":"ServiceUnavailable","Message":"busy"}}`, `{"token":"a.b.c"}`,
		`{"error":{"code":"InvalidParameter","message":"x","innererror":{"code":"PolicyValidationFailure"}}}`, "", "<html>proxy</html>"} {
		for _, st := range []uint16{200, 400, 429, 503} {
			f.Add(st, "1", []byte(s))
		}
	}
	f.Add(uint16(429), "Wed, 21 Oct 2099 07:28:00 GMT", []byte("{}"))
	f.Add(uint16(302), "-1", []byte{})
	type answer struct {
		status int
		after  string
		body   []byte
	}
	var cur atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := cur.Load().(answer)
		w.Header().Set("Retry-After", a.after)
		w.WriteHeader(a.status)
		w.Write(a.body)
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := NewClient(srv.URL, pool)
	if err != nil {
		f.Fatal(err)
	}
	c.MaxAttempts, c.MaxJitter = 2, 0
	c.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	f.Fuzz(func(t *testing.T, st uint16, after string, body []byte) {
		a := answer{status: 200 + int(st)%400, after: strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, after), body: body}
		cur.Store(a)
		ex, err := c.Attest(context.Background(), PathAzureGuest, []byte("{}"))
		if ex == nil || len(ex.Attempts) == 0 || len(ex.Attempts) > 2 || len(ex.ResponseBody) > MaxResponseBytes {
			t.Fatalf("exchange %+v", ex)
		}
		if (err == nil) != (a.status == http.StatusOK) {
			t.Errorf("HTTP %d: err %v", a.status, err)
		}
		if err != nil && (fault.KindOf(err) == fault.Internal || fault.HintOf(err) == "") {
			t.Errorf("HTTP %d: unclassified or without advice: %v", a.status, err)
		}
	})
}

func BenchmarkBuildGuest(b *testing.B) {
	rep := make([]byte, SNPReportSize)
	tpm := TPMInfo{AikCert: make([]byte, 1400), AikPub: make([]byte, 280), PcrQuote: make([]byte, 122), PcrSignature: make([]byte, 256),
		PcrSet: []int{0, 1, 2, 3, 4, 5, 6, 7}, PCRs: map[int][]byte{}, EncKeyPub: make([]byte, 280), EncKeyCertifyInfo: make([]byte, 150),
		EncKeyCertifyInfoSignature: make([]byte, 256)}
	for i := 0; i < 8; i++ {
		tpm.PCRs[i] = make([]byte, 32)
	}
	r := GuestRequest{TPM: tpm, Isolation: SevSnp{SnpReport: rep, VcekCertChain: string(make([]byte, 6500)), RuntimeData: make([]byte, 1500)},
		OS: OSInfoFromOSRelease(nil), TcgLogs: make([]byte, 40000), ClientPayload: map[string]string{"nonce": "1234"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := BuildGuest(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptToken(b *testing.B) {
	body, _ := EncryptToken(string(make([]byte, 3000)), &testKey.PublicKey)
	unwrap := unwrapWith(testKey)
	b.ReportAllocs()
	for b.Loop() {
		et, err := ParseGuestResponse(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecryptToken(et, unwrap); err != nil {
			b.Fatal(err)
		}
	}
}
