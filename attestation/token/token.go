// Package token parses and verifies Microsoft Azure Attestation (MAA) tokens.
//
// An MAA token is a compact JWS signed with RS256 by a key the provider publishes at
// {base}/certs. Verify reports one check per question a relying party must answer
// (signature, issuer, lifetime, schema version, TEE kind, nonce, user data) so that each
// step can be shown and explained; CheckExpectations adds the caller's own claim policy.
//
// Keys come either from a JWKS file or from the configured provider only. The token's own
// jku header is compared with the configured provider and never followed, because a forged
// token could otherwise name a key server of the attacker's choosing.
package token

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Header is the protected JOSE header of an MAA token.
type Header struct {
	Alg string   `json:"alg"`
	Jku string   `json:"jku,omitempty"`
	Kid string   `json:"kid,omitempty"`
	Typ string   `json:"typ,omitempty"`
	X5c []string `json:"x5c,omitempty"`
	// Raw is the decoded header JSON exactly as sent.
	Raw []byte `json:"-"`
}

// Token is a parsed, not yet verified, MAA token.
type Token struct {
	// Compact is the token with surrounding whitespace removed; verification runs on it.
	Compact string
	Header  Header
	Claims  Claims
	// Payload is the decoded claims JSON exactly as signed.
	Payload   []byte
	Signature []byte
}

// partNames name the three JWS segments in errors so that a user can tell which one is bad.
var partNames = [3]string{"header", "payload", "signature"}

// Parse splits and decodes a compact JWS. It accepts whitespace and line breaks anywhere in
// the input because tokens are often pasted from wrapped terminal output or files.
func Parse(compact string) (*Token, error) {
	s := strings.Join(strings.Fields(compact), "")
	if s == "" {
		return nil, fmt.Errorf("token: empty input; pass the compact JWT (three base64url parts joined by dots)")
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, fmt.Errorf("token: 5 dot-separated parts: this is an encrypted JWE, not a signed JWT; decrypt it first (the AzureGuest response is decrypted with the TPM)")
	default:
		return nil, fmt.Errorf("token: %d dot-separated parts, want 3 (header.payload.signature)", len(parts))
	}
	var dec [3][]byte
	for i, p := range parts {
		b, err := decodeSegment(p)
		if err != nil {
			return nil, fmt.Errorf("token: %s (part %d of 3) is not base64url: %v", partNames[i], i+1, err)
		}
		dec[i] = b
	}
	t := &Token{Compact: s, Payload: dec[1], Signature: dec[2]}
	if err := json.Unmarshal(dec[0], &t.Header); err != nil {
		return nil, fmt.Errorf("token: header (part 1 of 3) is not a JSON object: %v", err)
	}
	t.Header.Raw = dec[0]
	if t.Header.Alg == "" {
		return nil, fmt.Errorf("token: header has no \"alg\"; not a JWS")
	}
	c, err := ParseClaims(dec[1])
	if err != nil {
		return nil, fmt.Errorf("token: payload (part 2 of 3): %w", err)
	}
	t.Claims = c
	if len(dec[2]) == 0 && t.Header.Alg != "none" {
		return nil, fmt.Errorf("token: signature (part 3 of 3) is empty but alg is %q", t.Header.Alg)
	}
	return t, nil
}

// decodeSegment is strict about the alphabet (RFC 7515 demands base64url) but tolerates
// padding, which some tools add when re-encoding.
func decodeSegment(p string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
}
