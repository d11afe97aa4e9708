package simroots

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// DefaultSeed is the seed of the simulated CVM that cvmscope provisions when the user gives
// none, so that two runs on any machine show the same simulated chip and certificates.
func DefaultSeed() []byte { return []byte("cvmscope simulated Azure CVM, default seed, v1") }

func checkSeed(seed []byte) error {
	if len(seed) == 0 {
		return errors.New("simroots: empty seed; pass simroots.DefaultSeed() or any non-empty byte string")
	}
	return nil
}

// deriveBytes expands the seed into n bytes bound to one purpose, so that no two uses of a
// seed share key material.
func deriveBytes(seed []byte, purpose string, n int) ([]byte, error) {
	return hkdf.Key(sha512.New384, seed, nil, "cvmscope/simroots/"+purpose, n)
}

// deriveP384 turns the seed into a P-384 private key. Go ignores custom random readers for
// key generation, so the scalar is derived directly; a derived value outside [1, N-1]
// (probability about 2^-190) is retried with the next counter.
func deriveP384(seed []byte, purpose string) (*ecdsa.PrivateKey, error) {
	for ctr := 0; ctr < 8; ctr++ {
		d, err := deriveBytes(seed, fmt.Sprintf("%s/%d", purpose, ctr), 48)
		if err != nil {
			return nil, err
		}
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P384(), d); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("simroots: could not derive a P-384 key for %s", purpose)
}

// detReader is an endless deterministic byte stream (HMAC-SHA-384 in counter mode). It feeds
// the salt of RSA-PSS certificate signatures: Go still takes the PSS salt from the caller's
// reader, so certificates signed with it are byte-identical from run to run.
type detReader struct {
	mac hash.Hash
	ctr uint64
	buf []byte
}

func newDetReader(secret []byte, purpose string) *detReader {
	return &detReader{mac: hmac.New(sha512.New384, append([]byte("cvmscope/simroots/rand/"+purpose+"/"), secret...))}
}

func (r *detReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.buf) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], r.ctr)
			r.ctr++
			r.mac.Reset()
			r.mac.Write(c[:])
			r.buf = r.mac.Sum(nil)
		}
		m := copy(p[n:], r.buf)
		r.buf = r.buf[m:]
		n += m
	}
	return n, nil
}
