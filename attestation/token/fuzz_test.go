package token

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// Plain `go test` runs each target over its seeds only; `go test -fuzz FuzzParse` explores.

// allocBound is what decoding n bytes may allocate: linear in n, with room for fixed costs.
func allocBound(n int) uint64 { return 64*uint64(n) + 1<<20 }

// realSeed reads a real sample for a seed corpus when the samples are present; the
// targets still have the simulated seeds when they are not.
func realSeed(name string) []byte {
	wd, _ := os.Getwd()
	b, _ := os.ReadFile(filepath.Join(wd, "..", "..", "..", "shared", "testdata", "real", name))
	return b
}

func tokenSeeds(f *testing.F) []string {
	s := newSigner(f, 0, "k1", "https://x.attest.azure.net")
	good := s.sign(f, "https://x.attest.azure.net/certs", snpClaims("https://x.attest.azure.net", time.Unix(1700000000, 0)))
	p := strings.Split(good, ".")
	seeds := []string{good, "\n" + good[:50] + "\r\n" + good[50:] + "\n", p[0] + "." + p[1] + "." + p[2] + "==",
		p[0] + "." + p[1] + "." + strings.ReplaceAll(p[2], "_", "/"), p[0] + "." + p[1] + ".", "a.b.c.d.e",
		b64([]byte(`{"alg":"none"}`)) + "." + b64([]byte(`{"a":[[[{"b":1}]]]}`)) + ".",
		b64([]byte(`{"alg":"RS256","alg":"none"}`)) + "." + p[1] + "." + p[2]}
	for _, name := range []string{"maa-sgx-sharedeus-teaclave-2023.jwt", "maa-azureguest-sharedeus2-cvmga-2022.jwt"} {
		if b := realSeed(name); b != nil {
			seeds = append(seeds, string(b))
		}
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range tokenSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var tok *Token
		var err error
		if n := allocated(func() { tok, err = Parse(in) }); n > allocBound(len(in)) {
			t.Fatalf("Parse of %d bytes allocated %d bytes", len(in), n)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "token: ") {
				t.Fatalf("error does not say it is about the token: %v", err)
			}
			return
		}
		// One token, one spelling: what was accepted is the canonical encoding of its parts.
		if want := b64(tok.Header.Raw) + "." + b64(tok.Payload) + "." + b64(tok.Signature); tok.Compact != want {
			t.Fatalf("accepted a non-canonical spelling:\n%s\nis\n%s", tok.Compact, want)
		}
		if strings.Join(strings.Fields(in), "") != tok.Compact {
			t.Fatal("Compact is not the input without whitespace")
		}
		again, err := Parse(tok.Compact)
		if err != nil || !reflect.DeepEqual(again.Claims.Map(), tok.Claims.Map()) || again.Header.Alg != tok.Header.Alg {
			t.Fatalf("re-parsing the compact form: %v", err)
		}
		// Where jwx also reads the token, both must read the same algorithm, key id and payload;
		// a difference is what a parser-differential forgery would exploit.
		if msg, err := jws.Parse([]byte(tok.Compact)); err == nil && len(msg.Signatures()) == 1 {
			h := msg.Signatures()[0].ProtectedHeaders()
			if string(h.Algorithm()) != tok.Header.Alg || h.KeyID() != tok.Header.Kid || !bytes.Equal(msg.Payload(), tok.Payload) {
				t.Fatalf("jwx reads alg %q kid %q, cvmscope %q %q", h.Algorithm(), h.KeyID(), tok.Header.Alg, tok.Header.Kid)
			}
		}
	})
}

func FuzzParseClaims(f *testing.F) {
	for _, s := range tokenSeeds(f) {
		if tok, err := Parse(s); err == nil {
			f.Add(tok.Payload)
		}
	}
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`,
		`{"n":12345678901234567890,"f":1.5e300,"s":"\u00e9\ud800","o":{"k":[null,true,{}]}}`, `{"a":1} x`, `[1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var c Claims
		var err error
		if n := allocated(func() { c, err = ParseClaims(in) }); n > allocBound(len(in)) {
			t.Fatalf("ParseClaims of %d bytes allocated %d bytes", len(in), n)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "claims") {
				t.Fatalf("error does not say it is about the claims: %v", err)
			}
			return
		}
		if !bytes.Equal(c.Raw(), in) {
			t.Fatal("Raw is not the input")
		}
		keys := c.Keys()
		if len(keys) != len(c.Map()) {
			t.Fatalf("Keys() lists %d keys, the object has %d", len(keys), len(c.Map()))
		}
		for _, k := range keys {
			if _, ok := c.Map()[k]; !ok {
				t.Fatalf("Keys() lists %q, which the object lacks", k)
			}
		}
		// Re-encoding the decoded claims and decoding that gives the same claims.
		b, err := json.Marshal(c.Map())
		if err != nil {
			t.Fatalf("decoded claims do not re-encode: %v", err)
		}
		again, err := ParseClaims(b)
		if err != nil || !reflect.DeepEqual(again.Map(), c.Map()) {
			t.Fatalf("round trip through %s: %v", b, err)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	s := newSigner(f, 0, "k1", "x")
	f.Add(jwksBody(s))
	f.Add(jwksBody(s, newSigner(f, 1, "k2", "x")))
	if b := realSeed("maa-jwks-sharedeus-teaclave-2023.json"); b != nil {
		f.Add(b)
	}
	for _, doc := range []string{`{"keys":[]}`, `{"keys":[{"kty":"RSA","kid":"a","n":"sXch","e":"AQAB"}]}`,
		`{"keys":[{"kty":"EC","kid":"e"}],"keys":[]}`, `{"keys":[{"kty":"RSA","x5c":["AAAA"]}]}`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var set *KeySet
		var err error
		if n := allocated(func() { set, err = ParseJWKS(in, "fuzz.json") }); n > allocBound(len(in)) {
			t.Fatalf("ParseJWKS of %d bytes allocated %d bytes", len(in), n)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "jwks fuzz.json: ") {
				t.Fatalf("error does not name the source: %v", err)
			}
			return
		}
		for _, kid := range set.Kids() {
			k, ok := set.Key(kid)
			if !ok || k.Kid != kid || k.Public == nil || k.Public.N == nil || k.Public.N.Sign() <= 0 {
				t.Fatalf("kid %q listed but its key is %+v", kid, k)
			}
		}
		again, err := ParseJWKS(set.Raw(), "fuzz.json")
		if err != nil || !reflect.DeepEqual(again.Kids(), set.Kids()) {
			t.Fatalf("re-parsing the kept document: %v", err)
		}
	})
}
