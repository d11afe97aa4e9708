package token

import (
	"crypto/rand"
	"crypto/rsa"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"regexp"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// dataLine matches the detail lines that are data, not sentences: a claim and its value,
// and the JWS library's own reason for a bad signature.
var dataLine = regexp.MustCompile(`^(x-ms-isolation-tee\.)?x-ms-compliance-status azure-compliant-cvm$|^could not verify message`)

// requireKorean fails unless every check has a Korean summary in Hangul and every detail
// that is a sentence has its Korean line.
func requireKorean(t *testing.T, what string, l check.List) {
	t.Helper()
	for _, c := range l {
		if !checktest.HasHangul(c.SummaryKO) {
			t.Errorf("%s: %s has no Korean summary (SummaryKO %q)", what, c, c.SummaryKO)
		}
		_, ko := c.In("ko")
		for i, d := range c.Details {
			if !checktest.HasHangul(ko[i]) && !dataLine.MatchString(d) {
				t.Errorf("%s: %s detail %q has no Korean line", what, c.ID, d)
			}
		}
	}
}

// seen records which verdicts of which checks the Korean tests reached, so that a test
// that silently stopped covering a branch shows.
type seen map[string]bool

func (s seen) add(l check.List) {
	for _, c := range l {
		s[c.ID+" "+string(c.Verdict)] = true
	}
}

func TestKoreanRealSGXToken(t *testing.T) {
	tok := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	iat, _ := tok.Claims.Int("iat")
	exp, _ := tok.Claims.Int("exp")
	inside, after := time.Unix((iat+exp)/2, 0), time.Unix(exp+3600, 0)
	const iss = "https://sharedeus.eus.attest.azure.net"
	s := seen{}
	for name, opts := range map[string]Options{
		"inside":       {Keys: realJWKS(t), Issuer: iss, Now: inside},
		"expired":      {Keys: realJWKS(t), Issuer: iss, Now: after, Nonce: []byte("n"), UserData: []byte{1}},
		"before nbf":   {Keys: realJWKS(t), Issuer: iss, Now: time.Unix(iat-3600, 0)},
		"no keys":      {Now: inside},
		"no keys why":  {Now: inside, NoKeysReason: "offline", NoKeysReasonKO: "오프라인입니다"},
		"other issuer": {Keys: realJWKS(t), Issuer: "https://other.eus.attest.azure.net", Now: inside, ExpectCVM: true},
		"unpinned":     {Keys: realJWKS(t), Now: inside},
		"accepted": {Keys: realJWKS(t), Now: inside,
			AcceptIssuer: func(string) string { return "--any-azure-provider" }, AcceptIssuerKO: func(string) string { return "--any-azure-provider 지정" }},
		"accepted, English reason only": {Keys: realJWKS(t), Now: inside, AcceptIssuer: func(string) string { return "--trust-simulated" }},
	} {
		l := Verify(tok, opts)
		requireKorean(t, "SGX token, "+name, l)
		s.add(l)
	}
	l := CheckExpectations(tok.Claims, append(AzureCVMBaseline(tok.Claims),
		Expect{Claim: "x-ms-ver", Want: "1.0"}, Expect{Claim: "x-ms-sgx-is-debuggable", Want: "true"}, Expect{Claim: "x-ms-ver", Want: "2.0"}))
	requireKorean(t, "SGX token policy", l)
	s.add(l)
	for _, want := range []string{"jwt.signature pass", "jwt.signature fail", "jwt.issuer pass", "jwt.issuer fail", "jwt.lifetime pass",
		"jwt.lifetime fail", "jwt.version pass", "jwt.tee warn", "jwt.nonce skip", "jwt.nonce fail", "jwt.user-data skip", "jwt.user-data fail",
		"policy.expect pass", "policy.expect fail"} {
		if !s[want] {
			t.Errorf("no %s check was built from the SGX token", want)
		}
	}
}

func TestKoreanSimulatedToken(t *testing.T) {
	maa := newFakeMAA(t)
	sg := newSigner(t, 0, "kid-a", maa.srv.URL)
	maa.setJWKS(jwksBody(sg))
	now := time.Now()
	keys := ProviderKeys(maa.provider(t))
	sign := func(edit func(map[string]any)) *Token {
		c := snpClaims(maa.srv.URL, now)
		edit(c)
		tok, err := Parse(sg.sign(t, maa.srv.URL+"/certs", c))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	userData := append([]byte{0x0a, 0x0b, 0x0c, 0x0d}, make([]byte, 60)...)
	s := seen{}
	run := func(name string, tok *Token, opts Options) {
		t.Helper()
		l := Verify(tok, opts)
		requireKorean(t, name, l)
		s.add(l)
		base := CheckExpectations(tok.Claims, AzureCVMBaseline(tok.Claims))
		requireKorean(t, name+" baseline", base)
		s.add(base)
	}
	good := Options{Keys: keys, Issuer: maa.provider(t).Base, Now: now, ExpectCVM: true, Nonce: []byte("1234"), UserData: userData}
	run("simulated", sign(func(map[string]any) {}), good)
	run("wrong nonce and user data", sign(func(map[string]any) {}), Options{Keys: keys, Now: now, Nonce: []byte("5678"), UserData: []byte{1}})
	run("no runtime claims", sign(func(c map[string]any) {
		delete(c, "x-ms-runtime")
		delete(c["x-ms-isolation-tee"].(map[string]any), "x-ms-runtime")
	}), good)
	run("non-compliant, debuggable", sign(func(c map[string]any) {
		tee := c["x-ms-isolation-tee"].(map[string]any)
		tee["x-ms-compliance-status"], tee["x-ms-sevsnpvm-is-debuggable"] = "none", true
		c["secureboot"] = false
		delete(c, "x-ms-ver")
	}), good)
	run("Trusted Launch", sign(func(c map[string]any) { delete(c, "x-ms-isolation-tee"); c["x-ms-ver"] = "2.0" }), good)
	run("Trusted Launch, no CVM expected", sign(func(c map[string]any) { delete(c, "x-ms-isolation-tee") }), Options{Keys: keys, Now: now})
	run("platform TDX", sign(func(c map[string]any) {
		delete(c, "x-ms-isolation-tee")
		c["x-ms-attestation-type"], c["x-ms-compliance-status"], c["nonce"] = "tdxvm", "azure-compliant-cvm", "abc"
		delete(c, "x-ms-runtime")
	}), Options{Keys: keys, Now: now, Nonce: []byte("abd")})
	run("platform nonce echoed", sign(func(c map[string]any) {
		delete(c, "x-ms-runtime")
		c["nonce"] = "abc"
	}), Options{Keys: keys, Now: now, Nonce: []byte("abc")})
	run("unknown TEE", sign(func(c map[string]any) { c["x-ms-isolation-tee"].(map[string]any)["x-ms-attestation-type"] = "cca" }), good)
	run("no type", sign(func(c map[string]any) { delete(c, "x-ms-attestation-type"); delete(c, "exp"); delete(c, "iss") }), good)
	run("issued in the future", sign(func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix(); c["exp"] = now.Unix() - 1 }), Options{Keys: keys, Now: now, Leeway: -1})
	run("unknown kid", func() *Token {
		other := newSigner(t, 1, "kid-b", maa.srv.URL)
		tok, err := Parse(other.sign(t, maa.srv.URL+"/certs", snpClaims(maa.srv.URL, now)))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}(), good)
	run("jku elsewhere", func() *Token {
		tok, err := Parse(sg.sign(t, "https://evil.example/certs", snpClaims(maa.srv.URL, now)))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}(), good)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := Parse((&signer{kid: "kid-a", priv: small}).sign(t, maa.srv.URL+"/certs", snpClaims(maa.srv.URL, now)))
	if err != nil {
		t.Fatal(err)
	}
	run("small key", weak, Options{Keys: StaticKeys(mustKeySet(t, small)), Now: now})
	tampered := sign(func(map[string]any) {})
	tampered.Header.Params = map[string]any{"x5c": []any{}}
	run("header x5c ignored", tampered, good)
	for _, h := range []Header{{Alg: "HS256"}, {Alg: "RS256", Crit: "[exp]"}, {Alg: "RS256", Params: map[string]any{"b64": false}}} {
		tok := sign(func(map[string]any) {})
		tok.Header = h
		run("header "+h.Alg+" "+h.Crit, tok, good)
	}
	bad := sign(func(map[string]any) {})
	bad.Compact = bad.Compact[:len(bad.Compact)-4] + "AAAA"
	run("bad signature", bad, good)

	for _, want := range []string{"jwt.signature pass", "jwt.signature fail", "jwt.issuer pass", "jwt.issuer fail", "jwt.lifetime pass",
		"jwt.lifetime fail", "jwt.version pass", "jwt.version fail", "jwt.tee pass", "jwt.tee warn", "jwt.tee fail",
		"jwt.nonce pass", "jwt.nonce fail", "jwt.nonce skip", "jwt.user-data pass", "jwt.user-data fail", "jwt.user-data skip",
		"policy.baseline pass", "policy.baseline fail"} {
		if !s[want] {
			t.Errorf("no %s check was built from the simulated tokens", want)
		}
	}
}

func TestPolicyErrorInKorean(t *testing.T) {
	c := parseReal(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt").Claims
	err := PolicyError(CheckExpectations(c, []Expect{{Claim: "secureboot", Want: "false"}, {Claim: "x-ms-nothing", Want: "1"}}))
	msg, hint := fault.MessageIn(err, "ko")
	if !checktest.HasHangul(msg) || !checktest.HasHangul(hint) || fault.ExitCode(err) != 5 {
		t.Errorf("Korean policy error %q / %q (exit %d)", msg, hint, fault.ExitCode(err))
	}
	if want := "x-ms-nothing 클레임이 없습니다"; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(msg) {
		t.Errorf("Korean policy error %q should name the absent claim (%q)", msg, want)
	}
	if en, _ := fault.MessageIn(err, "en"); en != err.Error() || checktest.HasHangul(en) {
		t.Errorf("English message changed: %q", en)
	}
	for _, bad := range []string{"secureboot", "a..b=1"} {
		_, err := ParseExpect(bad)
		if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) {
			t.Errorf("ParseExpect(%q) Korean message %q", bad, msg)
		}
	}
}

// mustKeySet is a key set of one key under kid-a, built directly: ParseJWKS would read
// the key as any JWKS, and the point here is a key too small to trust.
func mustKeySet(t *testing.T, k *rsa.PrivateKey) *KeySet {
	t.Helper()
	return &KeySet{Source: "test keys", keys: map[string]Key{"kid-a": {Kid: "kid-a", Public: &k.PublicKey}}}
}
