package p384

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"math/big"
	"testing"
)

var n = elliptic.P384().Params().N

// scalar maps seed to [1, n-1], as 48 big-endian bytes.
func scalar(seed []byte) []byte {
	h := sha512.Sum384(seed)
	v := new(big.Int).SetBytes(h[:])
	v.Mod(v, new(big.Int).Sub(n, big.NewInt(1))).Add(v, big.NewInt(1))
	return v.FillBytes(make([]byte, size))
}

func key(t testing.TB, seed []byte) *ecdsa.PrivateKey {
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P384(), scalar(seed))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sign is ECDSA signing with the nonce kSeed gives: deterministic, so that a fuzz input
// names one signature.
func sign(t testing.TB, priv *ecdsa.PrivateKey, kSeed, hash []byte) (r, s *big.Int) {
	k := key(t, kSeed)
	r = new(big.Int).Mod(k.X, n)
	e := new(big.Int).SetBytes(hash[:min(len(hash), size)])
	s = new(big.Int).Mul(r, priv.D)
	s.Add(s, e).Mul(s, new(big.Int).ModInverse(k.D, n)).Mod(s, n)
	return r, s
}

// The ways FuzzVerify alters a valid signature.
const (
	asSigned = iota
	highS
	otherHash
	otherKey
	rFromInput
	sFromInput
	rPlusN
	sPlusN
	rZero
	sZero
	rIsN
	negativeR
	toInfinity
	modes
)

// FuzzVerify: Verify answers as crypto/ecdsa.Verify on signatures made with keys, nonces and
// hashes from the input, as signed and altered every way modes lists.
func FuzzVerify(f *testing.F) {
	for m := range modes {
		f.Add([]byte("key"), []byte("nonce"), []byte("message digest of any length"), uint8(m), []byte{1, 2, 3})
	}
	f.Add([]byte{}, []byte{}, []byte{}, uint8(asSigned), []byte{})
	f.Add([]byte("k"), []byte("n"), make([]byte, 80), uint8(highS), make([]byte, 60))
	f.Fuzz(func(t *testing.T, dSeed, kSeed, hash []byte, mode uint8, extra []byte) {
		priv := key(t, dSeed)
		pub := &priv.PublicKey
		r, s := sign(t, priv, kSeed, hash)
		mode %= modes
		switch mode {
		case highS:
			s.Sub(n, s)
		case otherHash:
			hash = append(hash, 1)
		case otherKey:
			pub = &key(t, append(dSeed, 1)).PublicKey
		case rFromInput:
			r.SetBytes(extra)
		case sFromInput:
			s.SetBytes(extra)
		case rPlusN:
			r.Add(r, n)
		case sPlusN:
			s.Add(s, n)
		case rZero:
			r.SetInt64(0)
		case sZero:
			s.SetInt64(0)
		case rIsN:
			r.Set(n)
		case negativeR:
			r.Neg(r)
		case toInfinity:
			// r = -e/d makes u1 + u2·d = (e + r·d)/s = 0: u1·G + u2·Q is the point at infinity.
			e := new(big.Int).SetBytes(hash[:min(len(hash), size)])
			r.Mul(e, new(big.Int).ModInverse(priv.D, n)).Neg(r).Mod(r, n)
		}
		want := ecdsa.Verify(pub, hash, r, s)
		if got := Verify(pub, hash, r, s); got != want {
			t.Fatalf("mode %d: Verify = %v, crypto/ecdsa.Verify = %v (r %x, s %x)", mode, got, want, r, s)
		}
		if (mode == asSigned || mode == highS) && !want {
			t.Fatalf("mode %d: the signature made here does not verify with crypto/ecdsa", mode)
		}
		if mode == toInfinity && want {
			t.Fatal("a signature whose u1·G + u2·Q is the point at infinity verified")
		}
	})
}

// TestVerifyRejectsKeysOffTheCurve: a key whose coordinates are not a point on P-384, or are
// out of range, verifies nothing, as with crypto/ecdsa.
func TestVerifyRejectsKeysOffTheCurve(t *testing.T) {
	priv := key(t, []byte("off"))
	hash := make([]byte, size)
	r, s := sign(t, priv, []byte("nonce"), hash)
	if !Verify(&priv.PublicKey, hash, r, s) {
		t.Fatal("the valid signature does not verify")
	}
	p := elliptic.P384().Params().P
	for name, xy := range map[string][2]*big.Int{
		"y+1":      {priv.X, new(big.Int).Add(priv.Y, big.NewInt(1))},
		"x+p":      {new(big.Int).Add(priv.X, p), priv.Y},
		"y+p":      {priv.X, new(big.Int).Add(priv.Y, p)},
		"negative": {priv.X, new(big.Int).Neg(priv.Y)},
		"zero":     {new(big.Int), new(big.Int)},
		"wide":     {new(big.Int).Lsh(big.NewInt(1), 400), priv.Y},
	} {
		pub := &ecdsa.PublicKey{Curve: elliptic.P384(), X: xy[0], Y: xy[1]}
		if Verify(pub, hash, r, s) || ecdsa.Verify(pub, hash, r, s) {
			t.Errorf("%s: a key off the curve verified", name)
		}
	}
}

// TestVerifyOtherCurves: keys on other curves go to crypto/ecdsa; missing parts of a key or
// signature verify nothing, without the panic crypto/ecdsa would have.
func TestVerifyOtherCurves(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hash := make([]byte, 32)
	r, s, err := ecdsa.Sign(rand.Reader, priv, hash)
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(&priv.PublicKey, hash, r, s) {
		t.Error("a P-256 signature does not verify")
	}
	if Verify(&priv.PublicKey, append(hash, 1), r, s) != ecdsa.Verify(&priv.PublicKey, append(hash, 1), r, s) {
		t.Error("a P-256 signature over other bytes: answers differ")
	}
	if Verify(nil, hash, r, s) {
		t.Error("no key verified")
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, pub := range map[string]*ecdsa.PublicKey{
		"no X": {Curve: elliptic.P384(), Y: p384.Y},
		"no Y": {Curve: elliptic.P384(), X: p384.X},
	} {
		if Verify(pub, hash, r, s) {
			t.Errorf("%s: verified", name)
		}
	}
	if Verify(&p384.PublicKey, hash, nil, s) || Verify(&p384.PublicKey, hash, r, nil) {
		t.Error("a signature without r or s verified")
	}
}

// TestVerifyRandomSignatures: signatures crypto/ecdsa makes verify, and fail on another hash.
func TestVerifyRandomSignatures(t *testing.T) {
	for range 20 {
		priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		hash := make([]byte, size)
		rand.Read(hash)
		r, s, err := ecdsa.Sign(rand.Reader, priv, hash)
		if err != nil {
			t.Fatal(err)
		}
		if !Verify(&priv.PublicKey, hash, r, s) {
			t.Fatalf("crypto/ecdsa's signature does not verify: key %x, hash %x", priv.D, hash)
		}
		hash[0] ^= 1
		if Verify(&priv.PublicKey, hash, r, s) {
			t.Fatal("verified over another hash")
		}
	}
}

func benchInputs(b *testing.B) (*ecdsa.PublicKey, []byte, *big.Int, *big.Int) {
	priv := key(b, []byte("bench"))
	hash := make([]byte, size)
	r, s := sign(b, priv, []byte("nonce"), hash)
	return &priv.PublicKey, hash, r, s
}

func BenchmarkVerify(b *testing.B) {
	pub, hash, r, s := benchInputs(b)
	for b.Loop() {
		if !Verify(pub, hash, r, s) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkCryptoECDSA is crypto/ecdsa with its base-point table built (after the first
// loop); its first call in a process pays for the table.
func BenchmarkCryptoECDSA(b *testing.B) {
	pub, hash, r, s := benchInputs(b)
	for b.Loop() {
		if !ecdsa.Verify(pub, hash, r, s) {
			b.Fatal("does not verify")
		}
	}
}
