package token

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// realDir finds ../shared/testdata/real beside the repository root.
func readReal(t testing.TB, name string) []byte {
	t.Helper()
	return realdata.Read(t, name)
}

func parseReal(t testing.TB, name string) *Token {
	t.Helper()
	tok, err := Parse(string(readReal(t, name)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tok
}

// signer is a provider key generated for a test, published as MAA does (x5c only).
type signer struct {
	kid  string
	priv *rsa.PrivateKey
	jwk  map[string]any
}

var (
	keyOnce sync.Once
	keyPool []*rsa.PrivateKey
)

// testKeys generates RSA keys once per test binary; 2048-bit generation is slow.
func testKey(t testing.TB, i int) *rsa.PrivateKey {
	keyOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keyPool = append(keyPool, k)
		}
	})
	return keyPool[i]
}

func newSigner(t testing.TB, i int, kid, issuer string) *signer {
	t.Helper()
	priv := testKey(t, i)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(i + 1)),
		Subject:      pkix.Name{CommonName: issuer},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{kid: kid, priv: priv, jwk: map[string]any{
		"kid": kid, "kty": "RSA", "x5c": []string{base64.StdEncoding.EncodeToString(der)},
	}}
}

// sign builds a compact JWS with jwx over the given claims.
func (s *signer) sign(t testing.TB, jku string, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	for k, v := range map[string]any{"kid": s.kid, "jku": jku, "typ": "JWT"} {
		if err := hdr.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256, s.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func jwksBody(signers ...*signer) []byte {
	var keys []any
	for _, s := range signers {
		keys = append(keys, s.jwk)
	}
	b, _ := json.Marshal(map[string]any{"keys": keys})
	return b
}

// fakeMAA is a loopback TLS server answering like an MAA provider's key endpoints.
type fakeMAA struct {
	srv      *httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	jwks     []byte
	jwksURI  string // overrides jwks_uri in the metadata when set
}

func newFakeMAA(t testing.TB) *fakeMAA {
	f := &fakeMAA{}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			uri := f.jwksURI
			if uri == "" {
				uri = f.srv.URL + "/certs"
			}
			json.NewEncoder(w).Encode(map[string]any{"issuer": f.srv.URL, "jwks_uri": uri,
				"id_token_signing_alg_values_supported": []string{"RS256"}})
		case "/certs":
			w.Write(f.jwks)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMAA) setJWKS(b []byte) {
	f.mu.Lock()
	f.jwks = b
	f.mu.Unlock()
}

func (f *fakeMAA) provider(t testing.TB) *Provider {
	p, err := NewProvider(f.srv.URL, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// snpClaims is an AzureGuest SEV-SNP claim set shaped like §6.6 of the protocol notes.
func snpClaims(iss string, now time.Time) map[string]any {
	return map[string]any{
		"iss": iss, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(8 * time.Hour).Unix(),
		"jti": "00", "x-ms-ver": "1.0", "x-ms-attestation-type": "azurevm", "secureboot": true,
		"x-ms-azurevm-debuggersdisabled": true,
		"x-ms-isolation-tee": map[string]any{
			"x-ms-attestation-type": "sevsnpvm", "x-ms-compliance-status": "azure-compliant-cvm",
			"x-ms-sevsnpvm-is-debuggable": false, "x-ms-sevsnpvm-vmpl": 0,
			"x-ms-runtime": map[string]any{"user-data": "0A0B0C0D" + zeros(120)},
		},
		"x-ms-runtime": map[string]any{"client-payload": map[string]any{"nonce": base64.StdEncoding.EncodeToString([]byte("1234"))}},
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}
