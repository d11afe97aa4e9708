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
	"fmt"
	"strings"
)

// MaxTokenBytes bounds a token before anything in it is decoded. MAA tokens are under
// 20 KB; a megabyte leaves room for any real claim set and none for an exhaustion attempt.
const MaxTokenBytes = 1 << 20

// Header is the protected JOSE header of an MAA token.
type Header struct {
	Alg string
	Jku string
	Kid string
	Typ string
	X5c []string
	// Crit is the "crit" parameter as sent (JSON), "" when absent. cvmscope implements no
	// JWS extension, so any crit makes the signature check refuse the token (RFC 7515
	// §4.1.11).
	Crit string
	// Params holds every header parameter, known or not.
	Params map[string]any
	// Raw is the decoded header JSON exactly as sent.
	Raw []byte
}

// Token is a parsed, not yet verified, MAA token.
type Token struct {
	// Compact is the token with all whitespace removed; verification runs on it.
	Compact string
	Header  Header
	Claims  Claims
	// Payload is the decoded claims JSON exactly as signed.
	Payload   []byte
	Signature []byte
}

// partNames name the three JWS segments in errors so that a user can tell which one is bad.
var partNames = [3]string{"header", "payload", "signature"}

// Parse splits and decodes a compact JWS. Whitespace and line breaks anywhere in the input
// are removed first because tokens are often pasted from wrapped terminal output or files.
// Everything else is strict: each segment must be canonical unpadded base64url (one token
// has one spelling), the header and claims must be JSON objects without duplicate keys and
// nested at most MaxDepth levels, and the input at most MaxTokenBytes long.
func Parse(compact string) (*Token, error) {
	if len(compact) > MaxTokenBytes {
		return nil, fmt.Errorf("token: %d bytes, over the %d-byte (1 MiB) limit; MAA tokens are under 20 KB, so this is not one", len(compact), MaxTokenBytes)
	}
	s := strings.Join(strings.Fields(compact), "")
	if s == "" {
		return nil, fmt.Errorf("token: empty input; pass the compact JWT (three base64url parts joined by dots)")
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, fmt.Errorf("token: 5 dot-separated parts: this is an encrypted JWE, not a signed JWT; AzureGuest answers must be decrypted first (with the TPM key the request named), then verify the JWT inside")
	default:
		return nil, fmt.Errorf("token: %d dot-separated parts, want 3 (header.payload.signature)", len(parts))
	}
	var dec [3][]byte
	for i, p := range parts {
		b, err := decodeSegment(p)
		if err != nil {
			return nil, fmt.Errorf("token: %s (part %d of 3) %v", partNames[i], i+1, err)
		}
		dec[i] = b
	}
	t := &Token{Compact: s, Payload: dec[1], Signature: dec[2]}
	h, err := parseHeader(dec[0])
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	t.Header = h
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

// decodeSegment accepts only canonical unpadded base64url (RFC 7515 §2). Padding, the
// standard alphabet and non-zero trailing bits all decode to the same bytes under lenient
// decoders, which would give one signed token many spellings; none is MAA's, so each is
// refused with what is wrong and where.
func decodeSegment(p string) ([]byte, error) {
	if p == "" {
		return nil, nil
	}
	if i := strings.IndexByte(p, '='); i >= 0 {
		return nil, fmt.Errorf("has '=' padding at offset %d; JWS segments are unpadded base64url (RFC 7515 §2)", i)
	}
	if i := strings.IndexAny(p, "+/"); i >= 0 {
		return nil, fmt.Errorf("has the standard-base64 character %q at offset %d; JWS segments are base64url, with '-' and '_'", p[i], i)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(p)
	if err == nil {
		return b, nil
	}
	if lenient, lerr := base64.RawURLEncoding.DecodeString(p); lerr == nil {
		canon := base64.RawURLEncoding.EncodeToString(lenient)
		return nil, fmt.Errorf("is not canonical base64url: its last character %q carries non-zero unused bits (the canonical form ends in %q)", p[len(p)-1], canon[len(canon)-1])
	}
	return nil, fmt.Errorf("is not base64url: %v", err)
}

// parseHeader decodes the JOSE header strictly and reads its parameters by exact name.
// encoding/json would match "ALG" to an alg field, while JOSE libraries read "alg" only;
// reading both differently is how parser-differential forgeries start.
func parseHeader(b []byte) (Header, error) {
	const what = "header (part 1 of 3)"
	if len(b) == 0 {
		return Header{}, fmt.Errorf("%s: empty; a JWS header is a JSON object such as {\"alg\":\"RS256\"}", what)
	}
	m, _, err := decodeStrict(b, what, false)
	if err != nil {
		return Header{}, err
	}
	h := Header{Params: m, Raw: b}
	for name, dst := range map[string]*string{"alg": &h.Alg, "jku": &h.Jku, "kid": &h.Kid, "typ": &h.Typ} {
		v, ok := m[name]
		if !ok {
			continue
		}
		if *dst, ok = v.(string); !ok {
			return Header{}, fmt.Errorf("%s: %q is %s, want a string", what, name, FormatValue(v))
		}
	}
	if h.Alg == "" {
		return Header{}, fmt.Errorf("%s: no \"alg\"; not a JWS", what)
	}
	if v, ok := m["x5c"]; ok {
		arr, ok := v.([]any)
		for _, e := range arr {
			s, isStr := e.(string)
			ok = ok && isStr
			h.X5c = append(h.X5c, s)
		}
		if !ok {
			return Header{}, fmt.Errorf("%s: \"x5c\" is %s, want an array of strings", what, FormatValue(v))
		}
	}
	if v, ok := m["crit"]; ok {
		h.Crit = FormatValue(v)
	}
	return h, nil
}
