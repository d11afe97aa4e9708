// Package p384 verifies ECDSA P-384 signatures without the table of base-point multiples
// that crypto/ecdsa builds the first time a process uses P-384's generator (about 2 ms of
// CPU, more than verifying one signature costs): cvmscope verifies one SEV-SNP report
// signature per report, usually one per process. It computes u1·G + u2·Q in one chain of
// doublings, and so stays faster than crypto/ecdsa once that table is built
// (BenchmarkVerify about 0.5 ms, BenchmarkCryptoECDSA about 0.9 ms): a process that verifies
// many reports (inspect --each, serve) gains nothing from switching back to crypto/ecdsa.
package p384

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"math/big"

	"filippo.io/nistec"
)

// size is the byte length of a P-384 field element and scalar.
const size = 48

// Verify reports whether r, s is an ECDSA signature of hash by pub. It answers as
// crypto/ecdsa.Verify does for every input (FuzzVerify): r and s must lie in [1, n-1],
// hash is truncated to the order's 384 bits, a high s is accepted as ECDSA accepts it, and
// a key that is not a P-384 point on the curve verifies nothing. Keys on other curves are
// handed to crypto/ecdsa. A nil key, coordinate, r or s, where crypto/ecdsa panics,
// verifies nothing.
func Verify(pub *ecdsa.PublicKey, hash []byte, r, s *big.Int) bool {
	if pub == nil || r == nil || s == nil {
		return false
	}
	if pub.Curve != elliptic.P384() {
		return ecdsa.Verify(pub, hash, r, s)
	}
	if pub.X == nil || pub.Y == nil {
		return false
	}
	n := pub.Curve.Params().N
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
		return false
	}
	q, ok := point(pub.X, pub.Y)
	if !ok {
		return false
	}
	// u1 = e/s and u2 = r/s (mod n); the signature holds when x(u1·G + u2·Q) = r (mod n).
	if len(hash) > size {
		hash = hash[:size]
	}
	e := new(big.Int).SetBytes(hash)
	w := new(big.Int).ModInverse(s, n)
	u1 := e.Mul(e, w).Mod(e, n)
	u2 := w.Mul(r, w).Mod(w, n)
	x, err := sumOfMultiples(u1, u2, q).BytesX()
	if err != nil {
		return false // the point at infinity
	}
	v := new(big.Int).SetBytes(x)
	return v.Mod(v, n).Cmp(r) == 0
}

// point is the key's coordinates as a curve point; false when they are not one.
func point(x, y *big.Int) (*nistec.P384Point, bool) {
	if x.Sign() < 0 || y.Sign() < 0 || x.BitLen() > 8*size || y.BitLen() > 8*size {
		return nil, false
	}
	var enc [1 + 2*size]byte
	enc[0] = 4 // uncompressed
	x.FillBytes(enc[1 : 1+size])
	y.FillBytes(enc[1+size:])
	p, err := nistec.NewP384Point().SetBytes(enc[:])
	return p, err == nil
}

// sumOfMultiples is u1·G + u2·Q in one pass of doublings for both (Shamir's trick), four bits
// of each scalar at a time. The scalars and the point are public: the adds may be skipped
// for zero windows without leaking anything.
func sumOfMultiples(u1, u2 *big.Int, q *nistec.P384Point) *nistec.P384Point {
	var k1, k2 [size]byte
	u1.FillBytes(k1[:])
	u2.FillBytes(k2[:])
	g, qs := multiples(nistec.NewP384Point().SetGenerator()), multiples(q)
	acc := nistec.NewP384Point()
	for i := range size {
		for _, shift := range [2]uint{4, 0} {
			for range 4 {
				acc.Double(acc)
			}
			if d := k1[i] >> shift & 15; d != 0 {
				acc.Add(acc, g[d-1])
			}
			if d := k2[i] >> shift & 15; d != 0 {
				acc.Add(acc, qs[d-1])
			}
		}
	}
	return acc
}

// multiples returns p, 2p, …, 15p.
func multiples(p *nistec.P384Point) *[15]*nistec.P384Point {
	var t [15]*nistec.P384Point
	t[0] = nistec.NewP384Point().Set(p)
	for i := 1; i < 15; i++ {
		t[i] = nistec.NewP384Point().Add(t[i-1], p)
	}
	return &t
}
