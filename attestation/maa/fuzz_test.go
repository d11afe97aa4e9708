package maa

import (
	"testing"
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
