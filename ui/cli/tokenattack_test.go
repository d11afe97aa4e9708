package cli

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// The token-attack table: forged and malformed tokens built here from the real sharedeus
// SGX token and from RSA keys generated for the test, each verified by `cvmscope verify -o
// json` in-process with -a and --jwks always given. Every row states the exit code, the
// check that must fail and the words that say why; a row whose signature legitimately
// verifies (claims re-signed with a trusted test key) also states that nothing else failed,
// and no other row may show a passing signature.

const (
	attackURL = "https://sharedeus.eus.attest.azure.net"
	attackNow = "2023-09-26T18:00:00Z"
	// idParse is the check a token file that does not parse fails (evidence loading).
	idParse = "jwt.parse"
	idSig   = "jwt.signature"
)

var enc = base64.RawURLEncoding.EncodeToString

// attackKit holds what the rows are built from.
type attackKit struct {
	t        *testing.T
	dir      string
	real     string // the real token, compact
	realJWKS string // its key set file
	realKid  string
	realCert []byte                     // DER of the real signing key's certificate
	claims   map[string]any             // the real payload, decoded
	keys     map[string]*rsa.PrivateKey // trusted test keys by kid (in testJWKS)
	testJWKS string
	attacker *rsa.PrivateKey // in no key set
}

func newAttackKit(t *testing.T) *attackKit {
	t.Helper()
	real := strings.TrimSpace(string(realdata.Read(t, "maa-sgx-sharedeus-teaclave-2023.jwt")))
	k := &attackKit{t: t, dir: t.TempDir(), real: real,
		realJWKS: filepath.Join(realdata.Dir(t), "maa-jwks-sharedeus-teaclave-2023.json")}
	parts := strings.Split(real, ".")
	var hdr struct{ Kid string }
	json.Unmarshal(k.decode(parts[0]), &hdr)
	k.realKid = hdr.Kid
	d := json.NewDecoder(bytes.NewReader(k.decode(parts[1])))
	d.UseNumber()
	if err := d.Decode(&k.claims); err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []struct {
			Kid string
			X5c []string
		}
	}
	raw, _ := os.ReadFile(k.realJWKS)
	json.Unmarshal(raw, &set)
	for _, key := range set.Keys {
		if key.Kid == k.realKid {
			k.realCert, _ = base64.StdEncoding.DecodeString(key.X5c[0])
		}
	}
	if k.realCert == nil {
		t.Fatalf("the real key set has no certificate for kid %s", k.realKid)
	}
	k.keys = map[string]*rsa.PrivateKey{"A": genRSA(t, 2048), "B": genRSA(t, 2048)}
	k.attacker = genRSA(t, 2048)
	k.testJWKS = k.jwks("test-jwks.json", k.keys)
	return k
}

func genRSA(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatalf("RSA-%d: %v", bits, err)
	}
	return priv
}

func (k *attackKit) decode(seg string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		k.t.Fatal(err)
	}
	return b
}

// jwks writes a key set holding each key as MAA publishes it: an RSA JWK with only x5c.
func (k *attackKit) jwks(name string, keys map[string]*rsa.PrivateKey) string {
	var list []any
	for kid, priv := range keys {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: attackURL},
			NotBefore: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
		if err != nil {
			k.t.Fatal(err)
		}
		list = append(list, map[string]any{"kid": kid, "kty": "RSA", "x5c": []string{base64.StdEncoding.EncodeToString(der)}})
	}
	b, _ := json.Marshal(map[string]any{"keys": list})
	return k.write(name, b)
}

func (k *attackKit) write(name string, b []byte) string {
	p := filepath.Join(k.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		k.t.Fatal(err)
	}
	return p
}

// header is the usual MAA header for a test key.
func header(kid string) string {
	return `{"alg":"RS256","jku":"` + attackURL + `/certs","kid":"` + kid + `","typ":"JWT"}`
}

// payload is the real claim set with changes applied (nil deletes a claim), re-encoded.
func (k *attackKit) payload(change map[string]any) string {
	m := map[string]any{}
	for c, v := range k.claims {
		m[c] = v
	}
	for c, v := range change {
		if v == nil {
			delete(m, c)
		} else {
			m[c] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		k.t.Fatal(err)
	}
	return string(b)
}

// signer signs a JWS signing input.
type signer func(in []byte) []byte

func rsaSigner(priv *rsa.PrivateKey, h crypto.Hash) signer {
	return func(in []byte) []byte {
		hh := h.New()
		hh.Write(in)
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv, h, hh.Sum(nil))
		if err != nil {
			panic(err)
		}
		return sig
	}
}

// jws builds a compact JWS from header and payload JSON exactly as given.
func jws(hdr, payload string, sign signer) string {
	in := enc([]byte(hdr)) + "." + enc([]byte(payload))
	var sig []byte
	if sign != nil {
		sig = sign([]byte(in))
	}
	return in + "." + enc(sig)
}

// rs is the common case: header for kid, payload with changes, signed by trusted key kid.
func (k *attackKit) rs(kid string, change map[string]any) string {
	return jws(header(kid), k.payload(change), rsaSigner(k.keys[kid], crypto.SHA256))
}

func seg(tok string, i int) string { return strings.Split(tok, ".")[i] }

func join(parts ...string) string { return strings.Join(parts, ".") }

func wrap(s string, width int, nl string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += width {
		b.WriteString(s[i:min(i+width, len(s))] + nl)
	}
	return b.String()
}

type attack struct {
	name string
	// token builds the token file's content; it runs after env is set.
	token func(k *attackKit) string
	jwks  func(k *attackKit) string // default: the test key set
	env   map[string]string
	code  int
	fail  string // id of the check that must fail
	why   string // words of that check's summary or details
	// sigOK: the signature legitimately verifies, so fail must be the only failed check.
	sigOK bool
	// bounded: the row is about resources; the run must allocate under attackMemLimit.
	bounded bool
}

const attackMemLimit = 64 << 20

func realJWKSFile(k *attackKit) string { return k.realJWKS }

func attacks() []attack {
	lastCharFlip := func(s string) string {
		const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		i := strings.IndexByte(alpha, s[len(s)-1])
		return s[:len(s)-1] + string(alpha[i|1])
	}
	hs256 := func(secret []byte) signer {
		return func(in []byte) []byte { m := hmac.New(sha256.New, secret); m.Write(in); return m.Sum(nil) }
	}
	futureExp := json.Number("4102444800")
	return []attack{
		// Controls: what must pass does.
		{name: "real token as captured", token: func(k *attackKit) string { return k.real }, jwks: realJWKSFile},
		{name: "test key token", token: func(k *attackKit) string { return k.rs("A", nil) }},
		{name: "real token wrapped at 76 columns LF", jwks: realJWKSFile,
			token: func(k *attackKit) string { return wrap(k.real, 76, "\n") }},
		{name: "real token wrapped CRLF with blank lines and indentation", jwks: realJWKSFile,
			token: func(k *attackKit) string { return "\r\n\r\n  " + wrap(k.real, 64, "\r\n\t") + "\r\n" }},
		{name: "test token with spaces inside segments", token: func(k *attackKit) string {
			t := k.rs("A", nil)
			return t[:10] + " " + t[10:200] + "\n " + t[200:]
		}},

		// The algorithm is RS256 and nothing else.
		{name: "alg none, empty signature", jwks: realJWKSFile, code: 2, fail: idSig, why: `alg "none" is not RS256`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"none","kid":"`+k.realKid+`","typ":"JWT"}`, string(k.decode(seg(k.real, 1))), nil)
			}},
		{name: "alg none, real signature kept", jwks: realJWKSFile, code: 2, fail: idSig, why: `alg "none" is not RS256`,
			token: func(k *attackKit) string {
				return join(enc([]byte(`{"alg":"none","kid":"`+k.realKid+`"}`)), seg(k.real, 1), seg(k.real, 2))
			}},
		{name: "alg None, RS256 signature", code: 2, fail: idSig, why: `alg "None" is not RS256`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"None","kid":"A"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "alg None, empty signature", code: 2, fail: idParse, why: `signature (part 3 of 3) is empty but alg is "None"`,
			token: func(k *attackKit) string { return jws(`{"alg":"None","kid":"A"}`, k.payload(nil), nil) }},
		{name: "alg rs256 lower case, RS256 signature", code: 2, fail: idSig, why: `alg "rs256" is not RS256`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"rs256","kid":"A"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "HS256 keyed with the real key's certificate", jwks: realJWKSFile, code: 2, fail: idSig, why: `alg "HS256" is not RS256`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"HS256","kid":"`+k.realKid+`"}`, k.payload(nil), hs256(k.realCert))
			}},
		{name: "HS256 keyed with the test key's PEM public key", code: 2, fail: idSig, why: `alg "HS256" is not RS256`,
			token: func(k *attackKit) string {
				der, _ := x509.MarshalPKIXPublicKey(&k.keys["A"].PublicKey)
				return jws(`{"alg":"HS256","kid":"A"}`, k.payload(nil), hs256(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
			}},
		{name: "HS256 keyed with the key set file", code: 2, fail: idSig, why: `alg "HS256" is not RS256`,
			token: func(k *attackKit) string {
				b, _ := os.ReadFile(k.testJWKS)
				return jws(`{"alg":"HS256","kid":"A"}`, k.payload(nil), hs256(b))
			}},
		{name: "RS384 by the trusted key", code: 2, fail: idSig, why: `alg "RS384" is not RS256`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS384","kid":"A"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA384))
			}},
		{name: "PS256 by the trusted key", code: 2, fail: idSig, why: `alg "PS256" is not RS256`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"PS256","kid":"A"}`, k.payload(nil), func(in []byte) []byte {
					sum := sha256.Sum256(in)
					sig, _ := rsa.SignPSS(rand.Reader, k.keys["A"], crypto.SHA256, sum[:], nil)
					return sig
				})
			}},
		{name: "ES256 by an attacker's EC key", code: 2, fail: idSig, why: `alg "ES256" is not RS256`,
			token: func(k *attackKit) string {
				ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				return jws(`{"alg":"ES256","kid":"A"}`, k.payload(nil), func(in []byte) []byte {
					sum := sha256.Sum256(in)
					r, s, _ := ecdsa.Sign(rand.Reader, ec, sum[:])
					return append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
				})
			}},

		// Keys come from the configured set, by kid, and from nowhere else.
		{name: "kid names another trusted key", code: 2, fail: idSig, why: "does not verify with key B",
			token: func(k *attackKit) string {
				return jws(header("B"), k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "kid missing", code: 2, fail: idSig, why: "is not published by",
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","typ":"JWT"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "kid of the attacker's own key", code: 2, fail: idSig, why: "key attacker is not published",
			token: func(k *attackKit) string {
				return jws(header("attacker"), k.payload(nil), rsaSigner(k.attacker, crypto.SHA256))
			}},
		{name: "real kid, attacker's signature", jwks: realJWKSFile, code: 2, fail: idSig, why: "does not verify with key",
			token: func(k *attackKit) string {
				return jws(header(k.realKid), k.payload(nil), rsaSigner(k.attacker, crypto.SHA256))
			}},
		{name: "jku on another host", code: 2, fail: idSig, why: "header jku https://attacker.example/certs is not the configured provider's",
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","jku":"https://attacker.example/certs","kid":"A"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "jku over http on the provider's host", code: 2, fail: idSig, why: "is not the configured provider's",
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","jku":"http://sharedeus.eus.attest.azure.net/certs","kid":"A"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "attacker's certificate in x5c", code: 2, fail: idSig, why: "does not verify with key A",
			token: func(k *attackKit) string {
				tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: attackURL},
					NotBefore: time.Unix(0, 0), NotAfter: time.Unix(4102444800, 0)}
				der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.attacker.PublicKey, k.attacker)
				return jws(`{"alg":"RS256","kid":"A","x5c":["`+base64.StdEncoding.EncodeToString(der)+`"]}`, k.payload(nil), rsaSigner(k.attacker, crypto.SHA256))
			}},
		{name: "attacker's key embedded as jwk", code: 2, fail: idSig, why: "does not verify with key A",
			token: func(k *attackKit) string {
				jwk := `{"kty":"RSA","n":"` + enc(k.attacker.N.Bytes()) + `","e":"AQAB"}`
				return jws(`{"alg":"RS256","kid":"A","jwk":`+jwk+`}`, k.payload(nil), rsaSigner(k.attacker, crypto.SHA256))
			}},
		{name: "attacker's x5u", code: 2, fail: idSig, why: "does not verify with key A",
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A","x5u":"https://attacker.example/cert.pem"}`, k.payload(nil), rsaSigner(k.attacker, crypto.SHA256))
			}},

		// Header parameters cvmscope does not implement, and ambiguous headers.
		{name: "crit names a claim", code: 2, fail: idSig, why: `header crit ["exp"] names JWS extensions cvmscope does not implement`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A","crit":["exp"],"exp":1}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "crit empty", code: 2, fail: idSig, why: "header crit []",
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A","crit":[]}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "unencoded payload (b64 false, crit b64)", code: 2, fail: idSig, why: `header crit ["b64"]`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A","b64":false,"crit":["b64"]}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		// Duplicate keys are refused: one parser reading the first and another the last is a
		// classic way to verify one thing and act on another.
		{name: "duplicate alg in header", code: 2, fail: idParse, why: `duplicate key "alg"`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A","alg":"none"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "duplicate kid in header, second escaped", code: 2, fail: idParse, why: `duplicate key "kid"`,
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A","\u006bid":"B"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "duplicate iss in payload", code: 2, fail: idParse, why: `duplicate key "iss"`,
			token: func(k *attackKit) string {
				p := k.payload(nil)
				return jws(header("A"), `{"iss":"https://attacker.example",`+p[1:], rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "header JSON cut short", code: 2, fail: idParse, why: "header (part 1 of 3) at \"(top level)\" (byte offset 24): cut short",
			token: func(k *attackKit) string {
				return jws(`{"alg":"RS256","kid":"A"`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "alg is a number", code: 2, fail: idParse, why: `"alg" is 256, want a string`,
			token: func(k *attackKit) string {
				return jws(`{"alg":256,"kid":"A"}`, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "payload is an array", code: 2, fail: idParse, why: "claims: not a JSON object",
			token: func(k *attackKit) string {
				return jws(header("A"), `[{"iss":"x"}]`, rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "data after the payload object", code: 2, fail: idParse, why: "trailing data after the JSON object",
			token: func(k *attackKit) string {
				return jws(header("A"), k.payload(nil)+`{"iss":"https://attacker.example"}`, rsaSigner(k.keys["A"], crypto.SHA256))
			}},

		// One token, one spelling: canonical unpadded base64url, three segments.
		{name: "padded signature", jwks: realJWKSFile, code: 2, fail: idParse, why: "signature (part 3 of 3) has '=' padding",
			token: func(k *attackKit) string { return k.real + "==" }},
		{name: "padded header", code: 2, fail: idParse, why: "header (part 1 of 3) has '=' padding",
			token: func(k *attackKit) string {
				h := header("A")
				for len(h)%3 == 0 {
					h = h[:len(h)-1] + " }"
				}
				t := jws(h, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
				pad := strings.Repeat("=", 3-len(h)%3)
				return strings.Replace(t, ".", pad+".", 1)
			}},
		{name: "standard base64 signature", jwks: realJWKSFile, code: 2, fail: idParse, why: "signature (part 3 of 3) has the standard-base64 character",
			token: func(k *attackKit) string {
				s := strings.NewReplacer("-", "+", "_", "/").Replace(seg(k.real, 2))
				if s == seg(k.real, 2) {
					panic("the real signature has neither - nor _")
				}
				return join(seg(k.real, 0), seg(k.real, 1), s)
			}},
		{name: "standard base64 payload", code: 2, fail: idParse, why: "payload (part 2 of 3) has the standard-base64 character",
			token: func(k *attackKit) string {
				// JSON text is ASCII, so its base64url holds '-' or '_' only where a '>', '?',
				// '~' or DEL ends a 3-byte group; three '?' in a row make sure of one.
				t := k.rs("A", map[string]any{"note": "???"})
				p := strings.NewReplacer("-", "+", "_", "/").Replace(seg(t, 1))
				if p == seg(t, 1) {
					panic("the test payload's base64url has neither - nor _")
				}
				return join(seg(t, 0), p, seg(t, 2))
			}},
		{name: "non-canonical last character of the signature", jwks: realJWKSFile, code: 2, fail: idParse, why: "is not canonical base64url",
			token: func(k *attackKit) string { return join(seg(k.real, 0), seg(k.real, 1), lastCharFlip(seg(k.real, 2))) }},
		{name: "a fourth segment", jwks: realJWKSFile, code: 2, fail: idParse, why: "4 dot-separated parts, want 3",
			token: func(k *attackKit) string { return k.real + "." + seg(k.real, 2) }},
		{name: "two segments", jwks: realJWKSFile, code: 2, fail: idParse, why: "2 dot-separated parts, want 3",
			token: func(k *attackKit) string { return join(seg(k.real, 0), seg(k.real, 1)) }},
		{name: "JWE (five segments)", code: 2, fail: idParse, why: "this is an encrypted JWE, not a signed JWT; AzureGuest answers must be decrypted first",
			token: func(k *attackKit) string {
				return join(enc([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)), enc([]byte("key")), enc([]byte("iv")), enc([]byte("ciphertext")), enc([]byte("tag")))
			}},
		{name: "empty signature, alg RS256", jwks: realJWKSFile, code: 2, fail: idParse, why: "signature (part 3 of 3) is empty",
			token: func(k *attackKit) string { return join(seg(k.real, 0), seg(k.real, 1), "") }},
		{name: "signature cut by one character", jwks: realJWKSFile, code: 2, fail: idParse, why: "signature (part 3 of 3) is not base64url",
			token: func(k *attackKit) string {
				s := seg(k.real, 2)
				return join(seg(k.real, 0), seg(k.real, 1), s[:len(s)-1])
			}},

		// Signatures that do not belong to what they sign.
		{name: "signature three bytes short", jwks: realJWKSFile, code: 2, fail: idSig, why: "does not verify",
			token: func(k *attackKit) string {
				sig := k.decode(seg(k.real, 2))
				return join(seg(k.real, 0), seg(k.real, 1), enc(sig[:len(sig)-3]))
			}},
		{name: "one signature bit flipped", jwks: realJWKSFile, code: 2, fail: idSig, why: "does not verify",
			token: func(k *attackKit) string {
				sig := k.decode(seg(k.real, 2))
				sig[100] ^= 1
				return join(seg(k.real, 0), seg(k.real, 1), enc(sig))
			}},
		{name: "signature of another token", code: 2, fail: idSig, why: "does not verify with key A",
			token: func(k *attackKit) string {
				other := k.rs("A", map[string]any{"x-ms-sgx-svn": json.Number("9")})
				return join(seg(k.rs("A", nil), 0), seg(k.rs("A", nil), 1), seg(other, 2))
			}},
		{name: "real payload swapped for another after signing", jwks: realJWKSFile, code: 2, fail: idSig, why: "does not verify",
			token: func(k *attackKit) string {
				return join(seg(k.real, 0), enc([]byte(k.payload(map[string]any{"x-ms-sgx-is-debuggable": true}))), seg(k.real, 2))
			}},
		{name: "real payload edited in place", jwks: realJWKSFile, code: 2, fail: idSig, why: "does not verify",
			token: func(k *attackKit) string {
				pl := strings.Replace(string(k.decode(seg(k.real, 1))), `"x-ms-sgx-svn":1`, `"x-ms-sgx-svn":9`, 1)
				return join(seg(k.real, 0), enc([]byte(pl)), seg(k.real, 2))
			}},

		// Claims a trusted key signed but that must still fail: the signature passes and
		// exactly the named check fails.
		{name: "iss another provider", code: 2, fail: "jwt.issuer", sigOK: true, why: "is not the pinned provider",
			token: func(k *attackKit) string {
				return k.rs("A", map[string]any{"iss": "https://attacker.eus.attest.azure.net"})
			}},
		{name: "iss with a Cyrillic lookalike letter", code: 2, fail: "jwt.issuer", sigOK: true, why: "is not the pinned provider",
			token: func(k *attackKit) string {
				return k.rs("A", map[string]any{"iss": "https://sharedеus.eus.attest.azure.net"})
			}},
		{name: "iss with a trailing slash", code: 2, fail: "jwt.issuer", sigOK: true, why: "is not the pinned provider",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"iss": attackURL + "/"}) }},
		{name: "iss in upper case", code: 2, fail: "jwt.issuer", sigOK: true, why: "is not the pinned provider",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"iss": strings.ToUpper(attackURL)}) }},
		{name: "iss missing", code: 2, fail: "jwt.issuer", sigOK: true, why: "no iss claim",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"iss": nil}) }},
		{name: "exp in the past", code: 2, fail: "jwt.lifetime", sigOK: true, why: "expired",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"exp": json.Number("1695700000")}) }},
		{name: "nbf in the future", code: 2, fail: "jwt.lifetime", sigOK: true, why: "not valid before",
			token: func(k *attackKit) string {
				return k.rs("A", map[string]any{"nbf": json.Number("1695800000"), "exp": futureExp})
			}},
		{name: "iat in the future", code: 2, fail: "jwt.lifetime", sigOK: true, why: "issued in the future",
			token: func(k *attackKit) string {
				return k.rs("A", map[string]any{"iat": json.Number("1695800000"), "exp": futureExp})
			}},
		{name: "iat after exp", code: 2, fail: "jwt.lifetime", sigOK: true, why: "is after exp",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"iat": json.Number("1695800000")}) }},
		{name: "exp missing", code: 2, fail: "jwt.lifetime", sigOK: true, why: "no integer exp claim",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"exp": nil}) }},
		{name: "exp as a string", code: 2, fail: "jwt.lifetime", sigOK: true, why: "no integer exp claim",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"exp": "4102444800"}) }},
		{name: "x-ms-ver 2.0", code: 2, fail: "jwt.version", sigOK: true, why: `x-ms-ver "2.0"`,
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"x-ms-ver": "2.0"}) }},
		{name: "x-ms-ver missing", code: 2, fail: "jwt.version", sigOK: true, why: "no x-ms-ver claim",
			token: func(k *attackKit) string { return k.rs("A", map[string]any{"x-ms-ver": nil}) }},

		// Resources: refused early, with memory bounded.
		{name: "30,000 nested arrays in the payload", code: 2, fail: idParse, why: "nested deeper than 64 levels", bounded: true,
			token: func(k *attackKit) string {
				p := k.payload(nil)
				deep := `"deep":` + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + `,`
				return jws(header("A"), "{"+deep+p[1:], rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "100,000 nested objects in the header", code: 2, fail: idParse, why: "header (part 1 of 3) at", bounded: true,
			token: func(k *attackKit) string {
				h := `{"alg":"RS256","kid":"A","x":` + strings.Repeat(`{"x":`, 100000) + "1" + strings.Repeat("}", 100001)
				return jws(h, k.payload(nil), rsaSigner(k.keys["A"], crypto.SHA256))
			}},
		{name: "token over 1 MiB", code: 2, fail: idParse, why: "over the 1048576-byte (1 MiB) limit", bounded: true,
			token: func(k *attackKit) string {
				return k.rs("A", map[string]any{"pad": strings.Repeat("x", 900<<10)})
			}},

		// Weak keys, refused by cvmscope itself.
		{name: "1024-bit RSA key", code: 2, fail: idSig, why: "is a 1024-bit RSA key; cvmscope requires at least 2048 bits",
			jwks: func(k *attackKit) string {
				return k.jwks("weak1024.json", map[string]*rsa.PrivateKey{"weak": k.keys["weak"]})
			},
			token: func(k *attackKit) string { return k.weak(1024) }},
		// GODEBUG=rsa1024min=0 takes effect in-process: without it the 512-bit key could be
		// neither generated nor used by crypto/rsa, so this row proves the override is live.
		{name: "512-bit RSA key with GODEBUG=rsa1024min=0", code: 2, fail: idSig, why: "is a 512-bit RSA key",
			env: map[string]string{"GODEBUG": "rsa1024min=0"},
			jwks: func(k *attackKit) string {
				return k.jwks("weak512.json", map[string]*rsa.PrivateKey{"weak": k.keys["weak"]})
			},
			token: func(k *attackKit) string { return k.weak(512) }},
	}
}

// weak generates a key of bits, keeps it as keys["weak"] for the row's key set and signs
// the real claims with it.
func (k *attackKit) weak(bits int) string {
	priv := genRSA(k.t, bits)
	k.keys["weak"] = priv
	return jws(header("weak"), k.payload(nil), rsaSigner(priv, crypto.SHA256))
}

func TestTokenAttacks(t *testing.T) {
	k := newAttackKit(t)
	rows := attacks()
	if len(rows) < 40 {
		t.Fatalf("%d rows; the table promises at least 40", len(rows))
	}
	for i, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			k.t = t
			for name, v := range row.env {
				t.Setenv(name, v)
			}
			tokFile := k.write(fmt.Sprintf("token-%02d.jwt", i), []byte(row.token(k)))
			jwks := k.testJWKS
			if row.jwks != nil {
				jwks = row.jwks(k)
			}
			var out, errb bytes.Buffer
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			code := Main([]string{"verify", "-o", "json", "--jwks", jwks, "--now", attackNow, "-a", attackURL, tokFile}, &out, &errb)
			runtime.ReadMemStats(&after)
			var rep jsonReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("exit %d, stdout is not the JSON report (%v)\nstdout: %.500s\nstderr: %s", code, err, out.String(), errb.String())
			}
			if code != row.code {
				t.Errorf("exit %d, want %d\n%s%s", code, row.code, failing(rep.Checks), errb.String())
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; row.bounded && alloc > attackMemLimit {
				t.Errorf("allocated %d MB, want under %d MB", alloc>>20, attackMemLimit>>20)
			} else if row.bounded {
				t.Logf("allocated %.1f MB for a %d-byte token file", float64(alloc)/(1<<20), fileSize(t, tokFile))
			}
			if row.code == 0 {
				if !rep.OK || rep.Checks.Verdict(idSig) != check.Pass {
					t.Errorf("ok=%v, jwt.signature %s; want a verified token\n%s", rep.OK, rep.Checks.Verdict(idSig), failing(rep.Checks))
				}
				return
			}
			if rep.OK {
				t.Error(`"ok" is true`)
			}
			named := rep.Checks.Find(row.fail)
			if len(named) == 0 || named[0].Verdict != check.Fail {
				t.Fatalf("%s did not fail\n%s", row.fail, failing(rep.Checks))
			}
			if text := named[0].Summary + " " + strings.Join(named[0].Details, " "); !strings.Contains(text, row.why) {
				t.Errorf("%s says %q, want it to say %q", row.fail, text, row.why)
			}
			sig := rep.Checks.Verdict(idSig)
			if row.sigOK != (sig == check.Pass) {
				t.Errorf("jwt.signature %s; the row expects it to %s", sig, map[bool]string{true: "pass", false: "not pass"}[row.sigOK])
			}
			if row.sigOK {
				for _, c := range rep.Checks {
					if c.Verdict == check.Fail && c.ID != row.fail {
						t.Errorf("unexpected failure besides %s: %s", row.fail, c)
					}
				}
			}
		})
	}
}

func fileSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Keys a key set file cannot be: --jwks is misuse (exit 1) when it names something that is
// not a regular file of a key set, and the message names the file; a FIFO must not hang.
func TestVerifyJWKSFileMisuse(t *testing.T) {
	real := filepath.Join(realdata.Dir(t), "maa-sgx-sharedeus-teaclave-2023.jwt")
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	os.WriteFile(huge, []byte(`{"keys":[],"x":"`+strings.Repeat("x", 2<<20)+`"}`), 0o600)
	cases := map[string]string{dir: "is a directory", huge: "over the 1048576-byte (1 MiB) limit"}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases["/dev/zero"] = "is a device"
	}
	for jwks, want := range cases {
		r := runCLI(t, "verify", "-o", "json", "--jwks", jwks, "--now", attackNow, "-a", attackURL, real)
		if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, jwks) {
			t.Errorf("--jwks %s: exit %d, stderr %q; want 1 and a message naming the file and saying %q", jwks, r.code, r.stderr, want)
		}
	}
}
