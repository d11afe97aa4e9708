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

	"github.com/cvmscope/cvmscope/attestation/fault"
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

// MaxRSABits is the largest RSA key cvmscope checks a signature with, whoever brings it (a
// certificate, an AK, a provider's key set). Checking a signature costs the square of the
// modulus and Go's RSA sets no limit: a key of millions of bits, put among the intermediates a
// chain is built from or named as a CRL's issuer, would hold a verification for minutes. Every
// real key here (AMD's RSA-4096 ARK and ASK, a TPM's AK, the vTPM CA's, MAA's) is far below it.
const MaxRSABits = 16384

// Oversized refuses a certificate whose RSA key is over MaxRSABits, by its size, before any
// signature is checked with it.
func Oversized(c *x509.Certificate) error {
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() > MaxRSABits {
		bits := k.N.BitLen()
		return fault.Korean(fmt.Errorf("certificate %q holds an RSA key of %d bits, over the %d cvmscope checks signatures with; no AMD, Intel or Microsoft certificate has one: leave the file out", c.Subject.CommonName, bits, MaxRSABits),
			fmt.Sprintf("인증서 %q의 RSA 키가 %d비트로, cvmscope가 서명 확인에 쓰는 최대 %d비트를 넘습니다. AMD, Intel, Microsoft 인증서에는 이런 키가 없으니 이 파일을 뺍니다", c.Subject.CommonName, bits, MaxRSABits), "")
	}
	return nil
}
