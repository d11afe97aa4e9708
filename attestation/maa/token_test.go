package maa

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func unwrapWith(k *rsa.PrivateKey) func([]byte) ([]byte, error) {
	return func(c []byte) ([]byte, error) { return rsa.DecryptPKCS1v15(nil, k, c) }
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	jwt := strings.TrimSpace(string(readReal(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")))
	body, err := EncryptToken(jwt, &testKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	et, err := ParseGuestResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(et.EncryptedInnerKey) != 256 || len(et.IV) != 12 || len(et.AuthData) != 16 || len(et.Ciphertext) != len(jwt) || et.Params.KeySizeInBits != 256 {
		t.Errorf("shape: key %d iv %d tag %d ct %d bits %d", len(et.EncryptedInnerKey), len(et.IV), len(et.AuthData), len(et.Ciphertext), et.Params.KeySizeInBits)
	}
	got, err := DecryptToken(et, unwrapWith(testKey))
	if err != nil || got != jwt {
		t.Fatalf("round trip: %v", err)
	}

	// The wire form: token is b64url (no padding) of JSON with MAA's exact key names.
	var outer map[string]string
	json.Unmarshal(body, &outer)
	inner := mustRawURL(t, "token", outer["token"])
	if !equalSorted(keysOf(t, inner), []string{"EncryptedInnerKey", "EncryptionParams", "AuthenticationData", "Jwt"}) {
		t.Errorf("token keys %v", keysOf(t, inner))
	}
	var w struct{ EncryptionParams json.RawMessage }
	json.Unmarshal(inner, &w)
	if !equalSorted(keysOf(t, w.EncryptionParams), []string{"Iv", "BlockMode", "BlockPadding", "Cipher", "KeySizeInBits"}) {
		t.Errorf("EncryptionParams keys %v", keysOf(t, w.EncryptionParams))
	}
}

// MAA's own answers may be padded; AZ-PY appends "==" before decoding for that reason.
func TestParseGuestResponsePadded(t *testing.T) {
	body, _ := EncryptToken("a.b.c", &testKey.PublicKey)
	var outer map[string]string
	json.Unmarshal(body, &outer)
	inner, _ := base64.RawURLEncoding.DecodeString(outer["token"])
	padded, _ := json.Marshal(map[string]string{"token": base64.URLEncoding.EncodeToString(inner)})
	et, err := ParseGuestResponse(padded)
	if err != nil {
		t.Fatal(err)
	}
	if jwt, err := DecryptToken(et, unwrapWith(testKey)); err != nil || jwt != "a.b.c" {
		t.Errorf("%q %v", jwt, err)
	}
}

func TestDecryptTokenKeySizes(t *testing.T) {
	for _, n := range []int{16, 24, 32} {
		et := sealWithKey(t, n)
		if got, err := DecryptToken(et, func([]byte) ([]byte, error) { return et.EncryptedInnerKey, nil }); err != nil || got != "h.p.s" {
			t.Errorf("%d-byte key: %q %v", n, got, err)
		}
	}
	et := sealWithKey(t, 16)
	if _, err := DecryptToken(et, func([]byte) ([]byte, error) { return make([]byte, 20), nil }); err == nil || !strings.Contains(err.Error(), "20 bytes") {
		t.Errorf("20-byte key: %v", err)
	}
	et.AuthData[0] ^= 1
	if _, err := DecryptToken(et, func([]byte) ([]byte, error) { return et.EncryptedInnerKey, nil }); err == nil || !strings.Contains(err.Error(), "tag mismatch") {
		t.Errorf("tampered tag: %v", err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	body, _ := EncryptToken("x.y.z", &testKey.PublicKey)
	et, _ = ParseGuestResponse(body)
	if _, err := DecryptToken(et, unwrapWith(other)); err == nil || !strings.Contains(err.Error(), "ephemeral key") {
		t.Errorf("wrong key: %v", err)
	}
}

// sealWithKey encrypts "h.p.s" under a raw AES key of n bytes and, for the test, stores the
// key itself as EncryptedInnerKey so unwrap can be the identity.
func sealWithKey(t *testing.T, n int) *EncryptedToken {
	t.Helper()
	key := make([]byte, n)
	rand.Read(key)
	w, err := sealToken("h.p.s", key)
	if err != nil {
		t.Fatal(err)
	}
	w.EncryptedInnerKey = b64.EncodeToString(key)
	inner, _ := json.Marshal(w)
	body, _ := json.Marshal(map[string]string{"token": b64url.EncodeToString(inner)})
	et, err := ParseGuestResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	et.EncryptedInnerKey = key
	return et
}

func TestParseGuestResponseErrors(t *testing.T) {
	wrap := func(inner string) []byte {
		b, _ := json.Marshal(map[string]string{"token": base64.RawURLEncoding.EncodeToString([]byte(inner))})
		return b
	}
	good := `{"EncryptedInnerKey":"AQ==","EncryptionParams":{"Iv":"AQ==","BlockMode":"ChainingModeGCM","BlockPadding":"PKCS7","Cipher":"AES","KeySizeInBits":256},"AuthenticationData":"AQ==","Jwt":"AQ=="}`
	if _, err := ParseGuestResponse(wrap(good)); err != nil {
		t.Fatalf("good: %v", err)
	}
	for name, tc := range map[string]struct {
		body []byte
		want string
	}{
		"not json":   {[]byte("<html>"), "not JSON"},
		"no token":   {[]byte(`{}`), `no "token"`},
		"plain jwt":  {[]byte(`{"token":"eyJh.eyJi.c2ln"}`), "plain JWT"},
		"block mode": {wrap(strings.Replace(good, "ChainingModeGCM", "ChainingModeCBC", 1)), `BlockMode is "ChainingModeCBC"`},
		"cipher":     {wrap(strings.Replace(good, `"AES"`, `"DES"`, 1)), "Cipher"},
		"padding":    {wrap(strings.Replace(good, "PKCS7", "None", 1)), "BlockPadding"},
		"no iv":      {wrap(strings.Replace(good, `"Iv":"AQ=="`, `"Iv":""`, 1)), "EncryptionParams.Iv is missing"},
		"bad jwt":    {wrap(strings.Replace(good, `"Jwt":"AQ=="`, `"Jwt":"!!"`, 1)), "Jwt is not base64"},
	} {
		if _, err := ParseGuestResponse(tc.body); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
}
