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

var (
	maaOnce sync.Once
	maaCert *x509.Certificate
	maaErr  error
)

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
	maaOnce.Do(func() {
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
		maaCert, maaErr = createCert(newDetReader(nil, "maa"), tmpl, tmpl, &key.PublicKey, key)
		if maaErr != nil {
			maaErr = fmt.Errorf("simroots: simulated MAA signing certificate: %w", maaErr)
		}
	})
	if maaErr != nil {
		return nil, nil, maaErr
	}
	return key, maaCert, nil
}
