package token

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/cvmscope/cvmscope/attestation/regfile"
)

// Key is one RSA signing key of a provider.
type Key struct {
	Kid    string
	Public *rsa.PublicKey
	// Cert is the parsed x5c[0] when the JWK carries a certificate, else nil.
	Cert *x509.Certificate
}

// KeySet is a parsed JWKS document.
type KeySet struct {
	// Source names where the keys came from (a file path or a URL); checks quote it.
	Source string
	keys   map[string]Key
	// Ignored lists keys that cannot verify RS256 (other key types), for display.
	Ignored []string
	raw     []byte
}

// Raw is the JWKS document the set was parsed from.
func (s *KeySet) Raw() []byte { return append([]byte(nil), s.raw...) }

// MaxJWKSBytes bounds a key set file or document; a provider's set is about 20 KiB.
const MaxJWKSBytes = 1 << 20

// LoadJWKS reads a JWKS file (the body of {base}/certs saved to disk). Only a regular file
// of at most MaxJWKSBytes is read: --jwks /dev/zero would otherwise read without end, and
// opening a FIFO would wait for a writer that never comes.
func LoadJWKS(path string) (*KeySet, error) {
	b, err := regfile.Read(path, MaxJWKSBytes)
	var nr *regfile.NotRegularError
	var tl *regfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		return nil, fmt.Errorf("jwks %s: is %s, not a regular file; save the body of {provider}/certs to a file and pass that", path, nr.What)
	case errors.As(err, &tl):
		return nil, fmt.Errorf("jwks %s: %d bytes or more, over the %d-byte (1 MiB) limit; a provider's key set is about 20 KiB, so this is not one", path, tl.Size, MaxJWKSBytes)
	case err != nil:
		return nil, fmt.Errorf("jwks %s: %v", path, err)
	}
	return ParseJWKS(b, path)
}

type rawJWK struct {
	Kid string   `json:"kid"`
	Kty string   `json:"kty"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
}

// ParseJWKS parses a JWKS document. MAA publishes its keys as RSA JWKs that carry only
// an x5c certificate (no n/e); for those the key is the certificate's public key.
func ParseJWKS(b []byte, source string) (*KeySet, error) {
	if len(b) > MaxJWKSBytes {
		return nil, fmt.Errorf("jwks %s: %d bytes, over the %d-byte (1 MiB) limit; a provider's key set is about 20 KiB, so this is not one", source, len(b), MaxJWKSBytes)
	}
	// The strict pass refuses duplicate keys and deep nesting before encoding/json, which
	// takes the last of two duplicates, reads the document into the key set.
	if _, _, err := decodeStrict(b, "not a JSON key set", false); err != nil {
		return nil, fmt.Errorf("jwks %s: %v", source, err)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("jwks %s: not a JSON key set: %v", source, err)
	}
	if doc.Keys == nil {
		return nil, fmt.Errorf("jwks %s: no \"keys\" array; is this the body of {provider}/certs?", source)
	}
	s := &KeySet{Source: source, keys: map[string]Key{}, raw: append([]byte(nil), b...)}
	for i, raw := range doc.Keys {
		var rk rawJWK
		if err := json.Unmarshal(raw, &rk); err != nil {
			return nil, fmt.Errorf("jwks %s: keys[%d] is not a JSON object: %v", source, i, err)
		}
		if rk.Kty != "RSA" {
			s.Ignored = append(s.Ignored, fmt.Sprintf("keys[%d] kid %q: kty %q", i, rk.Kid, rk.Kty))
			continue
		}
		k, err := parseRSAJWK(raw, rk)
		if err != nil {
			return nil, fmt.Errorf("jwks %s: keys[%d] (kid %q): %v", source, i, rk.Kid, err)
		}
		if _, dup := s.keys[k.Kid]; dup {
			return nil, fmt.Errorf("jwks %s: keys[%d]: kid %q appears twice; the key for it would be ambiguous", source, i, k.Kid)
		}
		s.keys[k.Kid] = k
	}
	return s, nil
}

func parseRSAJWK(raw []byte, rk rawJWK) (Key, error) {
	k := Key{Kid: rk.Kid}
	if len(rk.X5c) > 0 {
		// x5c entries are standard base64 (RFC 7517 §4.7), not base64url.
		der, err := base64.StdEncoding.DecodeString(rk.X5c[0])
		if err != nil {
			return k, fmt.Errorf("x5c[0] is not standard base64: %v", err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return k, fmt.Errorf("x5c[0] is not an X.509 certificate: %v", err)
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return k, fmt.Errorf("x5c[0] certificate holds a %T key, want RSA", cert.PublicKey)
		}
		k.Cert, k.Public = cert, pub
	}
	if rk.N == "" && rk.E == "" {
		if k.Public == nil {
			return k, fmt.Errorf("neither n/e nor x5c present")
		}
		return k, nil
	}
	jk, err := jwk.ParseKey(raw)
	if err != nil {
		return k, fmt.Errorf("n/e: %v", err)
	}
	var pub rsa.PublicKey
	if err := jk.Raw(&pub); err != nil {
		return k, fmt.Errorf("n/e: %v", err)
	}
	// jwx accepts an empty n as a zero modulus; such a key can verify nothing and must not
	// be listed as one.
	if pub.N == nil || pub.N.Sign() <= 0 || pub.E < 3 || pub.E%2 == 0 {
		return k, fmt.Errorf("n/e: not an RSA public key (modulus %d bits, exponent %d)", bitLen(pub.N), pub.E)
	}
	if k.Public != nil && !k.Public.Equal(&pub) {
		return k, fmt.Errorf("n/e and the x5c[0] certificate hold different keys")
	}
	k.Public = &pub
	return k, nil
}

// Key returns the key with the given kid.
func (s *KeySet) Key(kid string) (Key, bool) {
	if s == nil {
		return Key{}, false
	}
	k, ok := s.keys[kid]
	return k, ok
}

// Kids lists the key ids in the set, sorted.
func (s *KeySet) Kids() []string {
	if s == nil {
		return nil
	}
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func bitLen(n *big.Int) int {
	if n == nil {
		return 0
	}
	return n.BitLen()
}
