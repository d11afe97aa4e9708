package tpmquote

import (
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// The AK and the quote's signature come with the evidence, so a set can bring an AK of any
// size and a raw signature as long: crypto/rsa takes any modulus, at a cost that grows with
// its square (262144 bits took 1.1 s, a few million bits would take minutes, without a way
// to interrupt it). An AK over MaxAKBits is refused by its size first.
func TestHugeAKRefusedBySize(t *testing.T) {
	e := load(t, samples[0])
	n := make([]byte, (MaxAKBits+8)/8)
	rand.Read(n)
	n[0] |= 0x80
	n[len(n)-1] |= 1
	ak := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	sig := make([]byte, ak.Size())
	rand.Read(sig)
	sig[0] = 0
	c := VerifyQuote(e.msg, sig, ak, e.pcrs, nil).Find(IDSignature)[0]
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "16392-bit") || !strings.Contains(c.Summary, "at most 16384 bits") {
		t.Errorf("%v", c)
	}
}
