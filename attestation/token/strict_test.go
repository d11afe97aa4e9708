package token

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

var b64 = base64.RawURLEncoding.EncodeToString

// rs256 signs header and payload JSON exactly as given (duplicates, crit and all), which
// jws.Sign would not let a test do.
func rs256(t testing.TB, priv *rsa.PrivateKey, header, payload string) string {
	t.Helper()
	in := b64([]byte(header)) + "." + b64([]byte(payload))
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + b64(sig)
}

// allocated reports the bytes f allocates (all goroutines; the tests here run alone).
// TotalAlloc only grows, so no collection is needed around f.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Before the fix, claims decoding built a path string per nested value, so an 80 KB token
// of 30,000 nested arrays allocated 1,373 MB before any signature check. Now nesting is
// refused past MaxDepth, and what is accepted costs memory linear in the input.
func TestDeepNestingIsRefusedCheaply(t *testing.T) {
	hdr := b64([]byte(`{"alg":"RS256","kid":"k"}`))
	for _, doc := range []struct{ name, payload, where string }{
		{"arrays", `{"a":` + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + `}`, "a[0][0]"},
		{"objects", strings.Repeat(`{"a":`, 30000) + "1" + strings.Repeat("}", 30000), "a.a.a"},
	} {
		compact := hdr + "." + b64([]byte(doc.payload)) + ".c2ln"
		var err error
		n := allocated(func() { _, err = Parse(compact) })
		if err == nil || !strings.Contains(err.Error(), "nested deeper than 64 levels") || !strings.Contains(err.Error(), doc.where) {
			t.Errorf("%s: Parse error = %v, want the 64-level limit and the path", doc.name, err)
		}
		if n > 2<<20 {
			t.Errorf("%s: %d-byte token allocated %d KB to be refused, want under 2 MB", doc.name, len(compact), n>>10)
		}
		t.Logf("%s: %d-byte token refused after %d KB allocated", doc.name, len(compact), n>>10)
	}
	// The header is decoded by the same bounded decoder.
	deepHdr := `{"alg":"RS256","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`
	if _, err := Parse(b64([]byte(deepHdr)) + "." + b64([]byte(`{}`)) + ".c2ln"); err == nil || !strings.Contains(err.Error(), "header (part 1 of 3) at \"x[0]") {
		t.Errorf("deep header: %v", err)
	}
}

// Decoding cost must grow linearly with the input even at the deepest allowed level: many
// sibling objects under a long path once cost a path string each.
func TestClaimDecodingIsLinear(t *testing.T) {
	deepDoc := func(siblings int) []byte {
		key := strings.Repeat("k", 1000)
		var b strings.Builder
		for range MaxDepth - 2 {
			b.WriteString(`{"` + key + `":`)
		}
		b.WriteString(`{`)
		for i := range siblings {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.Repeat("s", 8) + strconv.Itoa(i) + `":{}`)
		}
		b.WriteString(`}`)
		b.WriteString(strings.Repeat("}", MaxDepth-2))
		return []byte(b.String())
	}
	cost := func(siblings int) (uint64, int) {
		doc := deepDoc(siblings)
		var err error
		n := allocated(func() { _, err = ParseClaims(doc) })
		if err != nil {
			t.Fatalf("%d siblings at depth %d: %v", siblings, MaxDepth, err)
		}
		return n, len(doc)
	}
	n1, len1 := cost(16000)
	n4, len4 := cost(64000)
	t.Logf("%d-byte document: %d KB allocated; %d bytes: %d KB", len1, n1>>10, len4, n4>>10)
	if n4 > 6*n1 || n4 > 64*uint64(len4) {
		t.Errorf("4x the siblings cost %.1fx the memory (%d KB for %d bytes): decoding is not linear", float64(n4)/float64(n1), n4>>10, len4)
	}
}

func TestParseRefusesNonCanonicalBase64(t *testing.T) {
	s := newSigner(t, 0, "k1", "x")
	good := s.sign(t, "", snpClaims("https://x.attest.azure.net", time.Now()))
	parts := strings.Split(good, ".")
	if _, err := Parse(good); err != nil {
		t.Fatal(err)
	}
	// A signature of 256 bytes leaves 4 unused bits in its last base64url character.
	last := parts[2][len(parts[2])-1]
	idx := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)
	flipped := parts[2][:len(parts[2])-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[idx|1])
	std := strings.NewReplacer("-", "+", "_", "/")
	stdSig := std.Replace(parts[2])
	if stdSig == parts[2] {
		t.Fatal("test signature has neither - nor _; pick another")
	}
	for _, c := range []struct{ in, want string }{
		{parts[0] + "." + parts[1] + "." + parts[2] + "==", "signature (part 3 of 3) has '=' padding at offset 342"},
		{parts[0] + "=." + parts[1] + "." + parts[2], "header (part 1 of 3) has '=' padding"},
		{parts[0] + "." + parts[1] + "." + stdSig, "signature (part 3 of 3) has the standard-base64 character"},
		{parts[0] + "." + parts[1] + "." + flipped, "signature (part 3 of 3) is not canonical base64url: its last character"},
		{parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1], "signature (part 3 of 3) is not base64url"},
		{parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2], "4 dot-separated parts, want 3"},
		{"." + parts[1] + "." + parts[2], "header (part 1 of 3): empty"},
		{strings.Repeat("A", MaxTokenBytes+1), "over the 1048576-byte (1 MiB) limit"},
	} {
		if _, err := Parse(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(...%.20s) = %v, want %q", c.in[max(0, len(c.in)-20):], err, c.want)
		}
	}
}

func TestParseHeaderStrictness(t *testing.T) {
	pl := b64([]byte(`{"iss":"x"}`))
	for _, c := range []struct{ hdr, want string }{
		{`{"alg":"RS256","alg":"none"}`, `duplicate key "alg"`},
		{`{"alg":"RS256","\u0061lg":"none"}`, `duplicate key "alg"`},
		{`{"alg":256}`, `"alg" is 256, want a string`},
		{`{"alg":"RS256","kid":["a"]}`, `"kid" is ["a"], want a string`},
		{`{"alg":"RS256","x5c":"AAAA"}`, `"x5c" is AAAA, want an array of strings`},
		{`{"alg":"RS256"} {}`, "trailing data"},
		{`{"typ":"JWT"}`, `no "alg"`},
	} {
		if _, err := Parse(b64([]byte(c.hdr)) + "." + pl + ".c2ln"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("header %s: %v, want %q", c.hdr, err, c.want)
		}
	}
	// encoding/json would read "ALG" into an alg field; the header is read by exact name.
	tok, err := Parse(b64([]byte(`{"alg":"RS256","ALG":"none"}`)) + "." + pl + ".c2ln")
	if err != nil || tok.Header.Alg != "RS256" {
		t.Errorf("ALG beside alg: %v %+v", err, tok)
	}
}

func TestCritAndB64AreRefused(t *testing.T) {
	s := newSigner(t, 0, "k1", "x")
	keys := StaticKeys(mustJWKS(t, jwksBody(s)))
	claims := `{"iss":"x","exp":4102444800,"x-ms-ver":"1.0"}`
	for hdr, want := range map[string]string{
		`{"alg":"RS256","kid":"k1","crit":["exp"],"exp":1}`:    `header crit ["exp"] names JWS extensions`,
		`{"alg":"RS256","kid":"k1","crit":[]}`:                 "header crit []",
		`{"alg":"RS256","kid":"k1","b64":false}`:               "b64 (RFC 7797",
		`{"alg":"RS256","kid":"k1","crit":["b64"],"b64":true}`: "header crit",
	} {
		tok, err := Parse(rs256(t, s.priv, hdr, claims))
		if err != nil {
			t.Fatal(err)
		}
		c := only(t, Verify(tok, Options{Keys: keys}), IDSignature)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, want) {
			t.Errorf("%s: %s, want a failure saying %q", hdr, c, want)
		}
	}
	// The same token without crit verifies, so the refusal above is the crit's doing.
	tok, _ := Parse(rs256(t, s.priv, `{"alg":"RS256","kid":"k1"}`, claims))
	if c := only(t, Verify(tok, Options{Keys: keys}), IDSignature); c.Verdict != check.Pass {
		t.Errorf("control: %s", c)
	}
}

func mustJWKS(t testing.TB, b []byte) *KeySet {
	t.Helper()
	s, err := ParseJWKS(b, "test.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Keys under 2048 bits are refused by cvmscope whatever GODEBUG says: Go itself accepts
// 1024-bit keys, and GODEBUG=rsa1024min=0 lets it accept 512-bit ones too.
func TestWeakKeysRefused(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0")
	claims := `{"iss":"x","exp":4102444800,"x-ms-ver":"1.0"}`
	for _, bits := range []int{512, 1024, 2047} {
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatalf("%d-bit key (GODEBUG=rsa1024min=0 set in-process): %v", bits, err)
		}
		s := newSigner(t, 0, "weak", "x")
		s.priv = priv
		der := selfSigned(t, priv)
		s.jwk["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
		keys := StaticKeys(mustJWKS(t, jwksBody(s)))
		tok, err := Parse(rs256(t, priv, `{"alg":"RS256","kid":"weak"}`, claims))
		if err != nil {
			t.Fatal(err)
		}
		// crypto/rsa alone would accept this signature: the refusal must be cvmscope's.
		sum := sha256.Sum256([]byte(tok.Compact[:strings.LastIndexByte(tok.Compact, '.')]))
		if err := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA256, sum[:], tok.Signature); err != nil {
			t.Fatalf("%d bits: crypto/rsa refuses the key itself (%v); the test no longer shows cvmscope's own check", bits, err)
		}
		// The same key fetched from a provider is refused the same way.
		maa := newFakeMAA(t)
		maa.setJWKS(jwksBody(s))
		for source, keys := range map[string]*Keys{"file": keys, "provider": ProviderKeys(maa.provider(t))} {
			c := only(t, Verify(tok, Options{Keys: keys}), IDSignature)
			if c.Verdict != check.Fail || !strings.Contains(c.Summary, strconv.Itoa(bits)+"-bit RSA key") || !strings.Contains(c.Summary, "at least 2048 bits") {
				t.Errorf("%d-bit key from the %s: %s", bits, source, c)
			}
		}
	}
}

// selfSigned is a certificate for priv, as MAA publishes its keys in x5c.
func selfSigned(t testing.TB, priv *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "weak"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(4102444800, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestNonceMismatch(t *testing.T) {
	s := newSigner(t, 0, "k1", "x")
	tok, err := Parse(s.sign(t, "", snpClaims("https://x.attest.azure.net", time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	if c := only(t, Verify(tok, Options{Nonce: []byte("5678")}), IDNonce); c.Verdict != check.Fail {
		t.Errorf("a nonce other than the one sent: %s", c)
	}
	if c := only(t, Verify(tok, Options{Nonce: []byte("1234")}), IDNonce); c.Verdict != check.Pass {
		t.Errorf("control: %s", c)
	}
}
