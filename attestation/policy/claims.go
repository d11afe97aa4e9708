package policy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"sort"
)

// Hash is x-ms-policy-hash as MAA computes it: base64url, unpadded, of SHA-256 over the
// base64url (unpadded) encoding of the policy text as uploaded (protocol §19.4, checked
// against a recorded MAA answer).
func Hash(text string) string {
	inner := base64.RawURLEncoding.EncodeToString([]byte(text))
	sum := sha256.Sum256([]byte(inner))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tokenOnly are claims MAA writes into the token after the policy ran; they are not
// incoming claims and a policy cannot test them.
var tokenOnly = map[string]bool{
	"iss": true, "iat": true, "exp": true, "nbf": true, "jti": true,
	"x-ms-policy-hash": true, "x-ms-policy-signer": true, "x-ms-policy": true, "x-ms-ver": true,
}

// nested is the AzureGuest claim whose members are the TEE's own claims.
const nested = "x-ms-isolation-tee"

// Incoming turns a token's (or the emulator's) claims into the incoming claim set a
// policy sees, issuer AttestationService: a bool, integer or string is one claim, an
// array of those one claim per element, an object or other array one string claim holding
// its JSON (for JmesPath). The members of x-ms-isolation-tee are offered under their own
// names too, unless a top-level claim has that name: MAA documents no AzureGuest incoming
// set, and its own default policies test the TEE claims by name [UNSURE].
func Incoming(claims map[string]any) []Claim {
	var out []Claim
	add := func(name string, v any) {
		if tokenOnly[name] {
			return
		}
		if arr, ok := v.([]any); ok && allPrimitive(arr) {
			for _, el := range arr {
				out = append(out, Claim{Type: name, Value: toValue(el), Issuer: IssuerService})
			}
			return
		}
		out = append(out, Claim{Type: name, Value: toValue(v), Issuer: IssuerService})
	}
	for _, k := range sortedKeys(claims) {
		add(k, claims[k])
	}
	if tee, ok := claims[nested].(map[string]any); ok {
		for _, k := range sortedKeys(tee) {
			if _, top := claims[k]; !top {
				add(k, tee[k])
			}
		}
	}
	return out
}

// Normalize makes claims built in Go ([]int, json.RawMessage, nested maps) look as they
// would after a JSON round trip, which is what Incoming reads.
func Normalize(claims map[string]any) (map[string]any, error) {
	b, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func allPrimitive(arr []any) bool {
	for _, el := range arr {
		switch el.(type) {
		case bool, string, float64:
		default:
			return false
		}
	}
	return true
}

func toValue(v any) Value {
	switch v := v.(type) {
	case bool:
		return Bool(v)
	case string:
		return Str(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return Int(int64(v))
		}
	}
	b, _ := json.Marshal(v)
	return Str(string(b))
}

// MarshalJSON writes a claim with its value typed and its value type named.
func (c Claim) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type      string `json:"type"`
		Value     any    `json:"value"`
		ValueType string `json:"valueType"`
		Issuer    string `json:"issuer"`
	}{c.Type, c.Value.Any(), c.Value.Kind.String(), c.Issuer})
}
