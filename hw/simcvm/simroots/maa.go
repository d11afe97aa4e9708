package simroots

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"sync"
)

// MAASignerCN is the subject CN of the simulated MAA token-signing certificate.
const MAASignerCN = "cvmscope SIMULATED Microsoft Azure Attestation signing key"

// NewMAASigner returns the RSA-2048 key and self-signed certificate with which the MAA
// emulator signs tokens (RS256) and which it publishes in its JWKS x5c. Both are fixed
// embedded test material, the same for every seed, so a token verifier can pin them; seed
// must be non-empty, as for every simulated root. The key is shared: do not modify it.
func NewMAASigner(seed []byte) (*rsa.PrivateKey, *x509.Certificate, error) {
	if err := checkSeed(seed); err != nil {
		return nil, nil, err
	}
	key, err := testKey(keyMAASigner)
	if err != nil {
		return nil, nil, err
	}
	cert, err := maaCert()
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}

// maaCert reads the certificate once per process. It is embedded, not signed at each
// start (an RSA-2048 signature, about 1.5 ms of every simulated flow); TestEmbeddedMAACert
// proves that buildMAACert makes it byte for byte.
var maaCert = sync.OnceValues(func() (*x509.Certificate, error) {
	key, err := testKey(keyMAASigner)
	if err != nil {
		return nil, err
	}
	c, err := embeddedCert(certMAASigner)
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(c.PublicKey) {
		return nil, fmt.Errorf("simroots: the embedded %s does not certify the MAA signing key; regenerate it (see its header)", fmt.Sprintf(testCertFilePath, certMAASigner))
	}
	return c, nil
})

func buildMAACert() (*x509.Certificate, error) {
	key, err := parseTestKey(keyMAASigner)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(0x4D4141), // "MAA"
		Subject:            simName(MAASignerCN, RootLabel),
		NotBefore:          NotBefore,
		NotAfter:           NotAfter,
		SignatureAlgorithm: x509.SHA256WithRSA,
		// Self-signed but not a CA, like MAA's real x5c signing certificates.
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	c, err := createCert(newDetReader(nil, "maa"), tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated MAA signing certificate: %w", err)
	}
	return c, nil
}
