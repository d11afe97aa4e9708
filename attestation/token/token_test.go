package token

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseRealTokens(t *testing.T) {
	sgx := parseReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	if sgx.Header.Alg != "RS256" || sgx.Header.Kid != "rFl9xM+g7TvX63y0iseZtIn20MD5SYAnGblKFasau8I=" ||
		sgx.Header.Jku != "https://sharedeus.eus.attest.azure.net/certs" || sgx.Header.Typ != "JWT" {
		t.Errorf("header = %+v", sgx.Header)
	}
	if len(sgx.Signature) != 256 {
		t.Errorf("signature is %d bytes, want 256 (RSA-2048)", len(sgx.Signature))
	}
	if got := sgx.Claims.Keys()[:3]; strings.Join(got, ",") != "aas-ehd,exp,iat" {
		t.Errorf("top-level order starts %v, want the payload's order aas-ehd,exp,iat", got)
	}
	if got := sgx.Claims.Keys("x-ms-sgx-collateral")[0]; got != "qeidcertshash" {
		t.Errorf("nested order starts %q", got)
	}
	if !json.Valid(sgx.Payload) || string(sgx.Claims.Raw()) != string(sgx.Payload) {
		t.Error("raw payload not kept")
	}
	if v, ok := sgx.Claims.Int("x-ms-sgx-svn"); !ok || v != 1 {
		t.Errorf("Int(x-ms-sgx-svn) = %v %v", v, ok)
	}
	if v, ok := sgx.Claims.Bool("x-ms-policy", "is-debuggable"); !ok || v {
		t.Errorf("Bool(x-ms-policy.is-debuggable) = %v %v", v, ok)
	}

	guest := parseReal(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	if guest.Claims.AttestationType() != "azurevm" || guest.Claims.IsolationTEE() != nil {
		t.Errorf("2022 token: type %q, isolation %v", guest.Claims.AttestationType(), guest.Claims.IsolationTEE())
	}
	if kid, _ := guest.Claims.String("x-ms-runtime", "keys"); kid != "" {
		t.Error("String on an array must report absent")
	}
	keys, _ := guest.Claims.Get("x-ms-runtime", "keys").([]any)
	if len(keys) != 1 || keys[0].(map[string]any)["kid"] != "TpmEphemeralEncryptionKey" {
		t.Errorf("x-ms-runtime.keys = %v", keys)
	}
}

func TestParseToleratesWrapping(t *testing.T) {
	raw := string(readReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt"))
	var wrapped strings.Builder
	wrapped.WriteString("\n  ")
	for i, r := range strings.TrimSpace(raw) {
		if i > 0 && i%76 == 0 {
			wrapped.WriteString("\r\n")
		}
		wrapped.WriteRune(r)
	}
	wrapped.WriteString("\n\n")
	tok, err := Parse(wrapped.String())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Compact != strings.TrimSpace(raw) {
		t.Error("whitespace not removed from the compact form")
	}
}

func TestParseErrorsNameThePart(t *testing.T) {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"k"}`))
	pl := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"x"}`))
	sig := base64.RawURLEncoding.EncodeToString([]byte("sig"))
	cases := []struct{ in, want string }{
		{"", "empty input"},
		{hdr + "." + pl, "2 dot-separated parts, want 3"},
		{"a.b.c.d.e", "encrypted JWE"},
		{"%%%." + pl + "." + sig, "header (part 1 of 3) is not base64url"},
		{hdr + ".a+b/." + sig, "payload (part 2 of 3) has the standard-base64 character '+' at offset 1"},
		{hdr + "." + pl + ".!!", "signature (part 3 of 3) is not base64url"},
		{base64.RawURLEncoding.EncodeToString([]byte("[1]")) + "." + pl + "." + sig, "header (part 1 of 3): not a JSON object"},
		{hdr + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"a":1,"a":2}`)) + "." + sig, `duplicate key "a"`},
		{hdr + "." + base64.RawURLEncoding.EncodeToString([]byte(`["x"]`)) + "." + sig, "not a JSON object"},
		{hdr + "." + pl + ".", "signature (part 3 of 3) is empty"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%.30q) error = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	c, err := ParseClaims([]byte(`{"b":true,"n":12345678901234567,"s":"x","a":[1,"y"],"o":{"k":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"b": "true", "n": "12345678901234567", "s": "x", "a": `[1,"y"]`, "o": `{"k":null}`}
	for k, w := range want {
		if got := FormatValue(c.Get(k)); got != w {
			t.Errorf("FormatValue(%s) = %q, want %q", k, got, w)
		}
	}
}
