package token

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

func TestJWKSURIOnAnotherHostIsNotFollowed(t *testing.T) {
	maa := newFakeMAA(t)
	other := newFakeMAA(t)
	s := newSigner(t, 0, "kid-a", maa.srv.URL)
	maa.setJWKS(jwksBody(s))
	other.setJWKS(jwksBody(s))
	maa.jwksURI = other.srv.URL + "/certs"
	set, err := maa.provider(t).FetchKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if set.Source != maa.srv.URL+"/certs" || other.requests.Load() != 0 {
		t.Errorf("keys from %s, %d requests to the other host", set.Source, other.requests.Load())
	}
}

func TestProviderErrors(t *testing.T) {
	big := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/certs" {
			w.Write([]byte(`{"keys":[],"pad":"` + strings.Repeat("x", MaxResponseBytes) + `"}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer big.Close()
	p, _ := NewProvider(big.URL, big.Client())
	_, err := p.FetchKeys(t.Context())
	if err == nil || !strings.Contains(err.Error(), "larger than") || fault.KindOf(err) != fault.Network {
		t.Errorf("oversized JWKS: %v", err)
	}

	// The default client verifies TLS, so a self-signed server is refused.
	p, _ = NewProvider(big.URL, nil)
	keys := ProviderKeys(p)
	_, err = keys.Lookup(t.Context(), "k")
	if err == nil || IsKeyNotFound(err) || fault.KindOf(err) != fault.Network {
		t.Errorf("untrusted TLS: %v", err)
	}
}

func TestNormalizeBase(t *testing.T) {
	good := map[string]string{
		"https://sharedkrc.krc.attest.azure.net":                                            "https://sharedkrc.krc.attest.azure.net",
		"https://sharedkrc.krc.attest.azure.net/":                                           "https://sharedkrc.krc.attest.azure.net",
		"https://sharedeus2.eus2.attest.azure.net/attest/AzureGuest?api-version=2020-10-01": "https://sharedeus2.eus2.attest.azure.net",
		"http://127.0.0.1:8080":                                                             "http://127.0.0.1:8080",
	}
	for in, want := range good {
		if got, err := NormalizeBase(in); err != nil || got != want {
			t.Errorf("NormalizeBase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"sharedkrc.krc.attest.azure.net", "http://sharedkrc.krc.attest.azure.net", "ftp://x", "https://"} {
		if _, err := NormalizeBase(in); err == nil {
			t.Errorf("NormalizeBase(%q) accepted", in)
		}
	}
}

func TestParseJWKS(t *testing.T) {
	set, err := ParseJWKS(readReal(t, "maa-jwks-sharedeus-teaclave-2023.json"), "real")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Kids()) != 3 {
		t.Errorf("kids %v, want 3", set.Kids())
	}
	k, ok := set.Key("rFl9xM+g7TvX63y0iseZtIn20MD5SYAnGblKFasau8I=")
	if !ok || k.Cert == nil || k.Cert.Subject.CommonName != "https://sharedeus.eus.attest.azure.net" {
		t.Errorf("signing key: %+v", k)
	}
	s := newSigner(t, 0, "kid-a", "x")
	// A JWK carrying both n/e and x5c must agree with itself.
	mismatch := `{"keys":[{"kid":"k","kty":"RSA","n":"` + "sXch" + `","e":"AQAB","x5c":["` + s.jwk["x5c"].([]string)[0] + `"]}]}`
	bad := map[string]string{
		`[]`:                                 "not a JSON key set",
		`{}`:                                 `no "keys" array`,
		`{"keys":[{"kid":"k","kty":"RSA"}]}`: "keys[0] (kid \"k\"): neither n/e nor x5c",
		`{"keys":[{"kid":"k","kty":"RSA","x5c":["%%"]}]}`:   "x5c[0] is not standard base64",
		`{"keys":[{"kid":"k","kty":"RSA","x5c":["AAAA"]}]}`: "x5c[0] is not an X.509 certificate",
		mismatch: "different keys",
		`{"keys":[` + string(jwksBody(s)[9:len(jwksBody(s))-2]) + `,` + string(jwksBody(s)[9:len(jwksBody(s))-2]) + `]}`: "appears twice",
	}
	for in, want := range bad {
		if _, err := ParseJWKS([]byte(in), "f.json"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseJWKS(%.40s) = %v, want %q", in, err, want)
		}
	}
	ec, err := ParseJWKS([]byte(`{"keys":[{"kid":"e","kty":"EC"}]}`), "f")
	if err != nil || len(ec.Kids()) != 0 || len(ec.Ignored) != 1 {
		t.Errorf("EC key should be listed as ignored: %v %v", ec, err)
	}
}
