package workshop

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/token"
)

func TestParseKnobs(t *testing.T) {
	b, _, err := ParseUserData("hex:ABcd")
	if err != nil || string(b) != "\xab\xcd" {
		t.Errorf("hex: %x %v", b, err)
	}
	b, _, err = ParseUserData("nonce-1")
	if err != nil || len(b) != 64 {
		t.Errorf("string: %d bytes %v, want its SHA-512", len(b), err)
	}
	p, err := ParseClientPayload(`{"s":"x","n":5,"b":true,"o":{"k": [1, 2]},"z":null}`)
	want := map[string]string{"s": "x", "n": "5", "b": "true", "o": `{"k":[1,2]}`, "z": "null"}
	if err != nil || len(p) != len(want) {
		t.Fatalf("payload %v %v", p, err)
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("payload[%s] = %q, want %q", k, p[k], v)
		}
	}
	for _, s := range []string{"0-7,14", "sha256:14,0-7,3", "SHA256:0-7,14"} {
		got, err := ParsePCRSelection(s)
		if err != nil || !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 14}) {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
}

func claims(t *testing.T, m map[string]any) token.Claims {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := token.ParseClaims(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func payloadClaims(t *testing.T, m map[string]any) token.Claims {
	return claims(t, map[string]any{"x-ms-runtime": map[string]any{"client-payload": m}})
}

// The token checks fail on what they exist to catch.
func TestKnobChecksFail(t *testing.T) {
	sent := map[string]string{"nonce": "n", "app": "web"}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	if c := clientPayloadCheck(payloadClaims(t, map[string]any{"nonce": b64("n"), "app": b64("web")}), sent); c.Verdict != check.Pass {
		t.Errorf("exact echo: %s", c)
	}
	for name, got := range map[string]map[string]any{
		"changed": {"nonce": b64("n"), "app": b64("api")},
		"missing": {"nonce": b64("n")},
		"extra":   {"nonce": b64("n"), "app": b64("web"), "admin": b64("1")},
		"raw":     {"nonce": "n", "app": "web"},
	} {
		if c := clientPayloadCheck(payloadClaims(t, got), sent); c.Verdict != check.Fail {
			t.Errorf("%s: %s, want fail", name, c)
		}
	}
	if c := clientPayloadCheck(claims(t, map[string]any{}), sent); c.Verdict != check.Fail {
		t.Errorf("no payload: %s", c)
	}
	pcrs := func(p ...any) token.Claims { return claims(t, map[string]any{"x-ms-azurevm-attested-pcrs": p}) }
	if c := attestedPCRsCheck(pcrs(0.0, 1.0, 7.0), []int{0, 1, 7, 14}); c.Verdict != check.Pass {
		t.Errorf("subset: %s", c)
	}
	if c := attestedPCRsCheck(pcrs(0.0, 11.0), []int{0, 1}); c.Verdict != check.Fail || !strings.Contains(c.Summary, "11") {
		t.Errorf("outside the selection: %s", c)
	}
}

// The knob parsers take anything typed on a command line: they answer with a value within
// bounds or an error, never a panic.
func FuzzKnobParsers(f *testing.F) {
	for _, s := range []string{"hex:00ff", "utf8:hi", "x", `{"a":1,"b":[null]}`, "0-7,14", "sha256:3", "-1", "7-", `{"a":"\ud800"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, _, err := ParseUserData(s); err == nil && len(b) > 64 {
			t.Fatalf("user data of %d bytes accepted", len(b))
		}
		if p, err := ParseClientPayload(s); err == nil && len(p) > MaxClientPayloadKeys {
			t.Fatalf("%d keys accepted", len(p))
		}
		if pcrs, err := ParsePCRSelection(s); err == nil {
			for i, p := range pcrs {
				if p < 0 || p > 23 || (i > 0 && pcrs[i-1] >= p) {
					t.Fatalf("selection %v", pcrs)
				}
			}
		}
	})
}
