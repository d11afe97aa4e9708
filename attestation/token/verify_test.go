package token

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/cvmscope/cvmscope/attestation/check"
)

func realJWKS(t testing.TB) *Keys {
	t.Helper()
	s, err := ParseJWKS(readReal(t, "maa-jwks-sharedeus-teaclave-2023.json"), "maa-jwks-sharedeus-teaclave-2023.json")
	if err != nil {
		t.Fatal(err)
	}
	return StaticKeys(s)
}

func only(t *testing.T, l check.List, id string) check.Check {
	t.Helper()
	f := l.Find(id)
	if len(f) != 1 {
		t.Fatalf("%d checks with id %s in %v", len(f), id, l)
	}
	return f[0]
}

func TestVerifyRealSGXToken(t *testing.T) {
	tok := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	iat, _ := tok.Claims.Int("iat")
	exp, _ := tok.Claims.Int("exp")
	inside := time.Unix((iat+exp)/2, 0)
	l := Verify(tok, Options{Keys: realJWKS(t), Issuer: "https://sharedeus.eus.attest.azure.net", Now: inside})
	for id, want := range map[string]check.Verdict{
		IDSignature: check.Pass, IDIssuer: check.Pass, IDLifetime: check.Pass, IDVersion: check.Pass,
		IDTEE: check.Warn, IDNonce: check.Skip, IDUserData: check.Skip,
	} {
		if c := only(t, l, id); c.Verdict != want {
			t.Errorf("%s = %s, want %s", c, c.Verdict, want)
		}
	}
	if s := only(t, l, IDSignature); !strings.Contains(strings.Join(s.Details, " "), "x5c[0]") {
		t.Errorf("signature details should say the key came from x5c[0]: %v", s.Details)
	}
	if s := only(t, l, IDLifetime).Summary; !strings.Contains(s, "2023-09-26 14:15:47 UTC") || !strings.Contains(s, "expires in 4h0m0s") {
		t.Errorf("lifetime summary %q should give the UTC times and time to expiry", s)
	}

	today := Verify(tok, Options{Keys: realJWKS(t), Issuer: "https://sharedeus.eus.attest.azure.net"})
	if c := only(t, today, IDLifetime); c.Verdict != check.Fail || !strings.Contains(c.Summary, "expired") {
		t.Errorf("at today's date: %s", c)
	}
	if only(t, today, IDSignature).Verdict != check.Pass {
		t.Error("an expired token's signature still verifies; only the lifetime fails")
	}
}

func TestVerifyTamperedPayloadFails(t *testing.T) {
	tok := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	parts := strings.Split(tok.Compact, ".")
	pl := strings.Replace(string(tok.Payload), `"svn":1`, `"svn":9`, 1)
	forged, err := Parse(parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(pl)) + "." + parts[2])
	if err != nil {
		t.Fatal(err)
	}
	if c := only(t, Verify(forged, Options{Keys: realJWKS(t)}), IDSignature); c.Verdict != check.Fail {
		t.Errorf("tampered payload: %s", c)
	}
}

func TestVerify2022TokenKeyNotAvailable(t *testing.T) {
	tok := parseReal(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	iat, _ := tok.Claims.Int("iat")
	l := Verify(tok, Options{Keys: realJWKS(t), Issuer: "https://sharedeus2.eus2.attest.azure.net", Now: time.Unix(iat+60, 0)})
	sig := only(t, l, IDSignature)
	want := "signature not verified: key rj/UuoedUDeC1WTpnxBo2fBz+RFnAuC5j4luHsQAaXI= is not published by maa-jwks-sharedeus-teaclave-2023.json"
	if sig.Verdict != check.Fail || sig.Summary != want {
		t.Errorf("got %s\nwant fail %q", sig, want)
	}
	if l.OK() {
		t.Error("an unverifiable signature must make the run not ok")
	}
	if c := only(t, l, IDTEE); c.Verdict != check.Pass || !strings.Contains(c.Summary, "Trusted Launch VM, no hardware TEE claim") {
		t.Errorf("tee: %s", c)
	}
	l = Verify(tok, Options{Keys: realJWKS(t), ExpectCVM: true, Now: time.Unix(iat+60, 0)})
	if c := only(t, l, IDTEE); c.Verdict != check.Warn {
		t.Errorf("tee with ExpectCVM: %s", c)
	}
	if c := only(t, l, IDIssuer); c.Verdict != check.Fail || !strings.Contains(c.Summary, "issuer not pinned") ||
		!strings.Contains(strings.Join(c.Details, " "), "-a https://sharedeus2.eus2.attest.azure.net") {
		t.Errorf("unpinned issuer: %s %v", c, c.Details)
	}
	// The caller's rule may accept it, and the verdict then says why.
	accept := func(iss string) string { return "accepted by the test's rule" }
	l = Verify(tok, Options{Keys: realJWKS(t), Now: time.Unix(iat+60, 0), AcceptIssuer: accept})
	if c := only(t, l, IDIssuer); c.Verdict != check.Pass || !strings.Contains(c.Summary, "accepted by the test's rule") {
		t.Errorf("accepted issuer: %s", c)
	}
}

func TestRejectsNoneAndHMAC(t *testing.T) {
	real := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	payload := real.Payload
	// alg=none with an empty signature, the classic downgrade.
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"rFl9xM+g7TvX63y0iseZtIn20MD5SYAnGblKFasau8I="}`)) +
		"." + base64.RawURLEncoding.EncodeToString(payload) + "."
	// HS256 keyed with the provider's public certificate bytes, the key-confusion attack.
	keys := realJWKS(t)
	key, err := keys.Lookup(t.Context(), real.Header.Kid)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	hdr.Set("kid", real.Header.Kid)
	hs, err := jws.Sign(payload, jws.WithKey(jwa.HS256, key.Cert.Raw, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	for name, compact := range map[string]string{"none": none, "HS256": string(hs)} {
		tok, err := Parse(compact)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := only(t, Verify(tok, Options{Keys: keys}), IDSignature)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, "is not RS256") {
			t.Errorf("%s: %s", name, c)
		}
	}
}

func TestProviderFetchAndFullPass(t *testing.T) {
	maa := newFakeMAA(t)
	s := newSigner(t, 0, "kid-a", maa.srv.URL)
	maa.setJWKS(jwksBody(s))
	now := time.Now()
	userData, _ := hex.DecodeString("0a0b0c0d" + zeros(120))
	tok, err := Parse(s.sign(t, maa.srv.URL+"/certs", snpClaims(maa.srv.URL, now)))
	if err != nil {
		t.Fatal(err)
	}
	keys := ProviderKeys(maa.provider(t))
	l := Verify(tok, Options{Keys: keys, Issuer: maa.provider(t).Base, Now: now, ExpectCVM: true,
		Nonce: []byte("1234"), UserData: userData})
	for _, c := range l {
		if c.Verdict != check.Pass {
			t.Errorf("%s", c)
		}
	}
	if c := only(t, l, IDTEE); c.Summary != "Confidential VM (SEV-SNP)" {
		t.Errorf("tee summary %q", c.Summary)
	}
	if got := maa.requests.Load(); got != 2 {
		t.Errorf("%d requests, want 2 (openid-configuration, certs)", got)
	}
	Verify(tok, Options{Keys: keys, Now: now})
	if got := maa.requests.Load(); got != 2 {
		t.Errorf("cached keys were fetched again: %d requests", got)
	}

	wrongNonce := Verify(tok, Options{Keys: keys, Now: now, Nonce: []byte("5678"), UserData: []byte{1}})
	if only(t, wrongNonce, IDNonce).Verdict != check.Fail || only(t, wrongNonce, IDUserData).Verdict != check.Fail {
		t.Errorf("mismatched nonce/user data must fail: %v", wrongNonce)
	}
}

func TestJkuElsewhereIsNeverFetched(t *testing.T) {
	maa := newFakeMAA(t)
	evil := newFakeMAA(t)
	s := newSigner(t, 0, "kid-a", maa.srv.URL)
	maa.setJWKS(jwksBody(s))
	evil.setJWKS(jwksBody(s))
	tok, err := Parse(s.sign(t, evil.srv.URL+"/certs", snpClaims(maa.srv.URL, time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	c := only(t, Verify(tok, Options{Keys: ProviderKeys(maa.provider(t))}), IDSignature)
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "is not the configured provider's") {
		t.Errorf("%s", c)
	}
	if n, m := maa.requests.Load(), evil.requests.Load(); n != 0 || m != 0 {
		t.Errorf("requests: configured %d, jku host %d; want none", n, m)
	}
}

func TestUnknownKidRefetchesOnce(t *testing.T) {
	maa := newFakeMAA(t)
	a := newSigner(t, 0, "kid-a", maa.srv.URL)
	b := newSigner(t, 1, "kid-b", maa.srv.URL)
	maa.setJWKS(jwksBody(a))
	keys := ProviderKeys(maa.provider(t))
	now := time.Now()
	claims := snpClaims(maa.srv.URL, now)
	tokA, _ := Parse(a.sign(t, maa.srv.URL+"/certs", claims))
	tokB, _ := Parse(b.sign(t, maa.srv.URL+"/certs", claims))

	if c := only(t, Verify(tokA, Options{Keys: keys, Now: now}), IDSignature); c.Verdict != check.Pass {
		t.Fatal(c)
	}
	maa.setJWKS(jwksBody(a, b)) // the provider rotates in a new key
	if c := only(t, Verify(tokB, Options{Keys: keys, Now: now}), IDSignature); c.Verdict != check.Pass {
		t.Fatalf("new kid after rotation: %s", c)
	}
	if keys.Fetches() != 2 {
		t.Errorf("%d fetches, want 2 (initial + one refetch)", keys.Fetches())
	}

	c := newSigner(t, 2, "kid-unpublished", maa.srv.URL)
	tokC, _ := Parse(c.sign(t, maa.srv.URL+"/certs", claims))
	for range 3 {
		if v := only(t, Verify(tokC, Options{Keys: keys, Now: now}), IDSignature); v.Verdict != check.Fail ||
			!strings.Contains(v.Summary, "key kid-unpublished is not published by "+maa.srv.URL+"/certs") {
			t.Fatalf("unpublished kid: %s", v)
		}
	}
	if keys.Fetches() != 3 {
		t.Errorf("%d fetches, want 3: an unknown kid is refetched once, not on every lookup", keys.Fetches())
	}
}

func TestIssuerPinning(t *testing.T) {
	tok := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	for _, iss := range []string{"https://sharedeus2.eus2.attest.azure.net", "https://sharedeus.eus.attest.azure.net/", "http://sharedeus.eus.attest.azure.net"} {
		if c := only(t, Verify(tok, Options{Issuer: iss}), IDIssuer); c.Verdict != check.Fail {
			t.Errorf("issuer %s: %s", iss, c)
		}
	}
	base, err := NormalizeBase("https://SharedEUS.eus.attest.azure.net/attest/AzureGuest?api-version=2020-10-01")
	if err != nil {
		t.Fatal(err)
	}
	if c := only(t, Verify(tok, Options{Issuer: base}), IDIssuer); c.Verdict != check.Pass {
		t.Errorf("normalized issuer %s: %s", base, c)
	}
}

func TestJkuCheckedAgainstPinnedIssuerForFileKeys(t *testing.T) {
	tok := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	c := only(t, Verify(tok, Options{Keys: realJWKS(t), Issuer: "https://sharedkrc.krc.attest.azure.net"}), IDSignature)
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "is not the configured provider's https://sharedkrc.krc.attest.azure.net/certs") {
		t.Errorf("%s", c)
	}
}

func TestNoKeySourceIsUnverifiable(t *testing.T) {
	tok := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	if c := only(t, Verify(tok, Options{}), IDSignature); c.Verdict != check.Fail {
		t.Errorf("%s", c)
	}
}

func TestLifetimeEdges(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(iat, nbf, exp time.Time) Claims {
		c, err := ParseClaims([]byte(`{"iat":` + itoa(iat) + `,"nbf":` + itoa(nbf) + `,"exp":` + itoa(exp) + `}`))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name   string
		c      Claims
		leeway time.Duration
		want   check.Verdict
	}{
		{"inside", mk(now.Add(-time.Hour), now.Add(-time.Hour), now.Add(time.Hour)), 0, check.Pass},
		{"skew within leeway", mk(now.Add(30*time.Second), now.Add(30*time.Second), now.Add(time.Hour)), 0, check.Pass},
		{"not yet valid", mk(now.Add(5*time.Minute), now.Add(5*time.Minute), now.Add(time.Hour)), 0, check.Fail},
		{"just expired, within leeway", mk(now.Add(-time.Hour), now.Add(-time.Hour), now.Add(-30*time.Second)), 0, check.Pass},
		{"just expired, no leeway", mk(now.Add(-time.Hour), now.Add(-time.Hour), now.Add(-30*time.Second)), -1, check.Fail},
		{"nbf before iat", mk(now.Add(-time.Minute), now.Add(-2*time.Hour), now.Add(time.Hour)), 0, check.Pass},
	}
	for _, tc := range cases {
		if c := verifyLifetime(tc.c, Options{Now: now, Leeway: tc.leeway}); c.Verdict != tc.want {
			t.Errorf("%s: %s", tc.name, c)
		}
	}
	bad := mk(now.Add(2*time.Hour), now.Add(-2*time.Hour), now.Add(time.Hour))
	if c := verifyLifetime(bad, Options{Now: now}); c.Verdict != check.Fail || !strings.Contains(c.Summary, "after exp") {
		t.Errorf("iat after exp: %s", c)
	}
	noExp, _ := ParseClaims([]byte(`{"iat":1}`))
	if c := verifyLifetime(noExp, Options{Now: now}); c.Verdict != check.Fail {
		t.Errorf("no exp: %s", c)
	}
}

func itoa(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
