package maaemu

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
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

// SigningKeys is the body of /certs as the emulator's own URL serves it.
func (s *Server) SigningKeys() []byte { return s.signingKeys(s.url) }

// signingKeys is the JWKS in MAA's shape: kid, kty and x5c only (no n or e, so a relying
// party must take the key from the certificate, as it must with MAA), the certificate a
// self-signed one for the signing key whose subject names the provider, as MAA's does.
func (s *Server) signingKeys(base string) []byte {
	cert, err := s.providerCert(base)
	if err != nil {
		// The configured key could not sign a certificate; publish the configured one
		// rather than nothing, so tokens still verify.
		cert = s.signer.cert
	}
	b, _ := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kid": s.signer.kid,
		"kty": "RSA",
		// x5c is standard base64 DER (RFC 7517 §4.7), as MAA publishes it.
		"x5c": []string{base64.StdEncoding.EncodeToString(cert.Raw)},
	}}})
	return b
}

// providerCert is the signing key's certificate for base: CN=base, self-signed, valid as
// the configured certificate is. The kid stays the configured certificate's, so the key
// keeps one id whatever address a client uses, as MAA's does across its front ends.
func (s *Server) providerCert(base string) (*x509.Certificate, error) {
	if c, ok := s.certs.Load(base); ok {
		return c.(*x509.Certificate), nil
	}
	sc := s.signer.cert
	sum := sha256.Sum256([]byte(base))
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(sum[:16]),
		Subject: pkix.Name{CommonName: base,
			Organization: []string{"cvmscope SIMULATED MAA emulator (public test key, not Microsoft's)"}},
		NotBefore:             sc.NotBefore,
		NotAfter:              sc.NotAfter,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	// PKCS #1 v1.5 signatures are deterministic: the same base gives the same certificate.
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &s.signer.key.PublicKey, s.signer.key)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	s.certs.Store(base, c)
	return c, nil
}

// openIDConfiguration is the provider metadata MAA serves (protocol §5.2).
func (s *Server) openIDConfiguration(base string) []byte {
	b, _ := json.Marshal(map[string]any{
		"issuer":                                base,
		"jwks_uri":                              base + "/certs",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"token", "none"},
		"claims_supported":                      ClaimsSupported(),
	})
	return b
}

// timeClaims fills iss, iat, nbf, exp and jti, shaped by the fault knobs.
func (s *Server) timeClaims(c map[string]any, kind, base string, now time.Time) error {
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
	c["iss"] = base
	if s.cfg.WrongIssuer {
		c["iss"] = maa.DefaultEndpoint
	}
	jti := make([]byte, 32)
	if _, err := rand.Read(jti); err != nil {
		return err
	}
	c["jti"] = hex.EncodeToString(jti)
	c["x-ms-ver"] = "1.0"
	c["x-ms-policy-hash"] = PolicyHash(kind)
	return nil
}

// sign makes the compact JWS, RS256, with MAA's header: alg, jku, kid, typ (no x5c, as in
// MAA's tokens).
func (s *Server) sign(base string, claims map[string]any) (string, error) {
	k := &s.signer
	if s.rogue != nil {
		k = s.rogue
	}
	signing, err := signingInput("RS256", base, k.kid, claims)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("signing the token: %v", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// signingInput is a token's "header.payload" with MAA's header (alg, jku, kid, typ); sign
// and the unsigned draft answer share it so the two can never differ but for alg.
func signingInput(alg, base, kid string, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": alg, "jku": base + "/certs", "kid": kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encoding the token claims: %v", err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload), nil
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

// policyResult is MAA's answer to GET /policies/{type}: {"token": JWT} whose body holds the
// policy in x-ms-policy as an unsecured JWS of {"AttestationPolicy": b64url(text)}, as MAA
// returns a policy nobody signed (the SDKs' getPolicy reads it this way).
func (s *Server) policyResult(kind, base string) ([]byte, *apiError) {
	enc := base64.RawURLEncoding
	inner, err := marshal(map[string]string{"AttestationPolicy": enc.EncodeToString([]byte(s.policyText(kind)))})
	if err != nil {
		return nil, internal(err)
	}
	claims := map[string]any{"x-ms-policy": enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(inner) + "."}
	now := s.cfg.Now()
	claims["iat"], claims["nbf"], claims["exp"] = now.Unix(), now.Unix(), now.Add(tokenLifetime).Unix()
	claims["iss"], claims["x-ms-ver"] = base, "1.0"
	jwt, err := s.sign(base, claims)
	if err != nil {
		return nil, internal(err)
	}
	out, err := marshal(map[string]string{"token": jwt})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}
