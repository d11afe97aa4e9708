// Package certs reads PEM certificate bundles, one way for every package: VCEK chains from
// THIM, PCK chains, Intel's TCB signing chain, certificate files given to inspect.
package certs

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrNoCertificates says a PEM text held no CERTIFICATE block.
var ErrNoCertificates = errors.New("no CERTIFICATE block in this PEM text")

// FromPEM parses every CERTIFICATE block in order, skipping other block types (keys, CRLs).
// An error names the block, counted from 1.
func FromPEM(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for i := 1; ; i++ {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: not a valid certificate: %v", i, err)
		}
		if err := Oversized(c); err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", i, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoCertificates
	}
	return out, nil
}

// SaysSimulated reports whether a certificate names itself SIMULATED in any subject
// attribute: cvmscope's test roots do, so that no check presents them as a vendor's.
// Subject.Names is scanned, not Subject.String(), because the simulated AMD and Intel
// certificates carry the label in a description attribute (the vendors' libraries check
// the common names exactly) that String() omits.
func SaysSimulated(c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	for _, atv := range c.Subject.Names {
		if s, ok := atv.Value.(string); ok && strings.Contains(strings.ToUpper(s), "SIMULATED") {
			return true
		}
	}
	return false
}

// MaxRSABits is the largest RSA key a certificate may hold. Checking a signature costs the
// square of the modulus and Go's RSA sets no limit: a certificate carrying a key of millions
// of bits, put among the intermediates a chain is built from or named as a CRL's issuer,
// would hold a verification for minutes. Every real key in this PKI (AMD's RSA-4096 ARK and
// ASK, the vTPM CA's, MAA's) is far below it.
const MaxRSABits = 16384

// Oversized refuses a certificate whose RSA key is over MaxRSABits, by its size, before any
// signature is checked with it.
func Oversized(c *x509.Certificate) error {
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() > MaxRSABits {
		return fmt.Errorf("certificate %q holds an RSA key of %d bits, over the %d cvmscope checks signatures with", c.Subject.CommonName, k.N.BitLen(), MaxRSABits)
	}
	return nil
}
