package maaemu

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/cvmscope/cvmscope/attestation/maa"
)

// tokenLifetime is MAA's observed exp - iat (protocol §5.3).
const tokenLifetime = 8 * time.Hour

// signer is a token-signing key with its kid; cert is nil for the unpublished key.
type signer struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
	kid  string
}

// SigningKeys is the body of /certs: the JWKS with the simulated signing certificate.
func (s *Server) SigningKeys() []byte {
	pub := &s.signer.key.PublicKey
	b, _ := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kid": s.signer.kid,
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		// x5c is standard base64 DER (RFC 7517 §4.7), as MAA publishes it.
		"x5c": []string{base64.StdEncoding.EncodeToString(s.signer.cert.Raw)},
	}}})
	return b
}

// openIDConfiguration is the provider metadata MAA serves (protocol §5.2).
func (s *Server) openIDConfiguration() []byte {
	b, _ := json.Marshal(map[string]any{
		"issuer":                                s.url,
		"jwks_uri":                              s.url + "/certs",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"token", "none"},
		"claims_supported":                      claimsSupported,
	})
	return b
}

// claimsSupported lists the claims this emulator issues.
var claimsSupported = []string{"iss", "iat", "nbf", "exp", "jti", "nonce", "secureboot", "x-ms-ver",
	"x-ms-attestation-type", "x-ms-policy-hash", "x-ms-runtime", "x-ms-inittime", "x-ms-isolation-tee",
	"x-ms-compliance-status", "x-ms-azurevm-vmid", "x-ms-azurevm-attested-pcrs", "x-ms-sevsnpvm-launchmeasurement",
	"x-ms-sevsnpvm-is-debuggable", "tdx_mrtd", "tdx_td_attributes_debug"}

// timeClaims fills iss, iat, nbf, exp and jti, shaped by the fault knobs.
func (s *Server) timeClaims(c map[string]any, now time.Time) error {
	issued := now
	switch {
	case s.cfg.Expired:
		// Issued nine hours ago, so exp (iat + 8 h) passed an hour ago.
		issued = now.Add(-tokenLifetime - time.Hour)
	case s.cfg.ClockSkew != 0:
		issued = now.Add(s.cfg.ClockSkew)
	}
	c["iat"] = issued.Unix()
	c["nbf"] = issued.Unix() // MAA issues nbf == iat
	c["exp"] = issued.Add(tokenLifetime).Unix()
	c["iss"] = s.url
	if s.cfg.WrongIssuer {
		c["iss"] = maa.DefaultEndpoint
	}
	jti := make([]byte, 32)
	if _, err := rand.Read(jti); err != nil {
		return err
	}
	c["jti"] = hex.EncodeToString(jti)
	c["x-ms-ver"] = "1.0"
	c["x-ms-policy-hash"] = PolicyHash()
	return nil
}

// sign makes the compact JWS, RS256, with MAA's header: alg, jku, kid, typ (no x5c, as in
// MAA's tokens).
func (s *Server) sign(claims map[string]any) (string, error) {
	k := &s.signer
	if s.rogue != nil {
		k = s.rogue
	}
	header, err := json.Marshal(map[string]string{"alg": "RS256", "jku": s.url + "/certs", "kid": k.kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encoding the token claims: %v", err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("signing the token: %v", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// marshal writes JSON without HTML escaping, so claims read as sent; map keys come out
// sorted, which is also the order MAA's tokens show.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
