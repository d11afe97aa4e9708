package snp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// signatureKeys are the keys FuzzReportSignature and TestReportSignatureAgreesWithGoSevGuest
// verify with: the real VCEK that signed the go-sev-guest sample, a P-384 key that signs
// selfSigned's report, and keys go-sev-guest's fast path is not for (Intel's P-256 root, AMD's
// RSA ARK). Only public keys matter to a report signature; none is generated, which under
// the fuzzer's instrumentation would take minutes.
type signatureKeys struct {
	vcek, p384, p256, rsa *x509.Certificate
	priv                  *ecdsa.PrivateKey
}

func newSignatureKeys(t testing.TB) signatureKeys {
	t.Helper()
	var k signatureKeys
	k.vcek = realCerts(t, "amd-milan-vcek-gosevguest.der")[0]
	d := sha512.Sum384([]byte("cvmscope test key"))
	var err error
	if k.priv, err = ecdsa.ParseRawPrivateKey(elliptic.P384(), d[:]); err != nil {
		t.Fatal(err)
	}
	k.p384 = &x509.Certificate{PublicKey: &k.priv.PublicKey}
	k.p256 = realCerts(t, "intel-sgx-root-ca.pem")[0]
	k.rsa = realCerts(t, "amd-ask_ark_milan.pem")[0]
	if _, ok := k.p256.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Fatalf("Intel's root has a %T key", k.p256.PublicKey)
	}
	if _, ok := k.rsa.PublicKey.(*rsa.PublicKey); !ok {
		t.Fatalf("AMD's ASK has a %T key", k.rsa.PublicKey)
	}
	return k
}

func (k signatureKeys) all() []*x509.Certificate {
	return []*x509.Certificate{k.vcek, k.p384, k.p256, k.rsa}
}

// selfSigned is the go-sev-guest sample report signed again by k.priv.
func (k signatureKeys) selfSigned(t testing.TB) []byte {
	t.Helper()
	b := bytes.Clone(readReal(t, "snp-report-gosevguest.bin"))
	h := sha512.Sum384(abi.SignedComponent(b))
	r, s, err := ecdsa.Sign(rand.Reader, k.priv, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := abi.SetSignature(r, s, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// sameAnswer fails t unless verifyReportSignature and go-sev-guest's SnpReportSignature give
// the same answer, and the same words for a refusal.
func sameAnswer(t *testing.T, what string, report []byte, key *x509.Certificate) error {
	t.Helper()
	got, want := verifyReportSignature(report, key), verify.SnpReportSignature(report, key)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: verifyReportSignature says %v, go-sev-guest says %v", what, got, want)
	}
	return want
}

// setRS writes r and s into the report's signature, little-endian, as wide as the field
// allows (go-sev-guest's SetSignature takes only values that fit).
func setRS(report []byte, r, s *big.Int) {
	sig := report[len(abi.SignedComponent(report)):]
	put := func(dst []byte, v *big.Int) {
		clear(dst)
		b := v.Bytes()
		for i := range b {
			dst[i] = b[len(b)-1-i]
		}
	}
	put(sig[:0x48], r)
	put(sig[0x48:0x90], s)
}

// TestReportSignatureAgreesWithGoSevGuest: on real and re-signed reports, as read and
// altered (signed bytes, R and S out of range, zero, ≥ n, high S, version, policy and
// algorithm fields), with the right key, another P-384 key, a P-256 key and an RSA key,
// verifyReportSignature gives go-sev-guest's answer in go-sev-guest's words.
func TestReportSignatureAgreesWithGoSevGuest(t *testing.T) {
	k := newSignatureKeys(t)
	n := elliptic.P384().Params().N
	for _, base := range []struct {
		name   string
		report []byte
		key    *x509.Certificate
	}{
		{"go-sev-guest sample", readReal(t, "snp-report-gosevguest.bin"), k.vcek},
		{"re-signed sample", k.selfSigned(t), k.p384},
	} {
		if err := sameAnswer(t, base.name, base.report, base.key); err != nil {
			t.Fatalf("%s does not verify with its key: %v", base.name, err)
		}
		sig := base.report[len(abi.SignedComponent(base.report)):]
		r, s := abi.AmdBigInt(sig[:0x48]), abi.AmdBigInt(sig[0x48:0x90])
		type alter struct {
			name string
			edit func(b []byte)
		}
		alters := []alter{
			{"as read", func([]byte) {}},
			{"high S", func(b []byte) { setRS(b, r, new(big.Int).Sub(n, s)) }},
			{"R + n", func(b []byte) { setRS(b, new(big.Int).Add(r, n), s) }},
			{"S + n", func(b []byte) { setRS(b, r, new(big.Int).Add(s, n)) }},
			{"R = n", func(b []byte) { setRS(b, n, s) }},
			{"S = n", func(b []byte) { setRS(b, r, n) }},
			{"R = 0", func(b []byte) { setRS(b, new(big.Int), s) }},
			{"S = 0", func(b []byte) { setRS(b, r, new(big.Int)) }},
			{"R and S all ones", func(b []byte) {
				setRS(b, new(big.Int).Lsh(big.NewInt(1), 8*0x48-1), new(big.Int).Lsh(big.NewInt(1), 8*0x48-1))
			}},
			{"version 1", func(b []byte) { b[0] = 1 }},
			{"version 9", func(b []byte) { b[0] = 9 }},
			{"policy reserved bit", func(b []byte) { b[0x08+3] |= 0x80 }},
			{"signature algorithm 2", func(b []byte) { b[0x34] = 2 }},
			{"signature algorithm 0", func(b []byte) { b[0x34] = 0 }},
			{"short", nil},
			{"long", nil},
		}
		for _, off := range []int{0x00, 0x04, 0x38, 0x50, 0x90, 0x1a0, 0x29f, 0x2a0, 0x2e7, 0x2e8, 0x32f, 0x330, 0x49f} {
			alters = append(alters, alter{fmt.Sprintf("byte 0x%03x", off), func(b []byte) { b[off] ^= 0x10 }})
		}
		for _, a := range alters {
			b := bytes.Clone(base.report)
			switch a.name {
			case "short":
				b = b[:len(b)-1]
			case "long":
				b = append(b, 0)
			default:
				a.edit(b)
			}
			for _, key := range k.all() {
				err := sameAnswer(t, fmt.Sprintf("%s, %s, key %v", base.name, a.name, key.PublicKeyAlgorithm), b, key)
				if key == base.key && (a.name == "as read" || a.name == "high S") && err != nil {
					t.Errorf("%s, %s: refused with its own key: %v", base.name, a.name, err)
				}
			}
		}
	}
}

// FuzzReportSignature: on any report bytes, verifyReportSignature answers as go-sev-guest's
// SnpReportSignature does, in the same words.
func FuzzReportSignature(f *testing.F) {
	k := newSignatureKeys(f)
	f.Add(readReal(f, "snp-report-gosevguest.bin"), uint8(0))
	f.Add(k.selfSigned(f), uint8(1))
	f.Add(k.selfSigned(f), uint8(2))
	f.Add(readReal(f, "snp-report-gosevguest.bin"), uint8(3))
	f.Fuzz(func(t *testing.T, report []byte, which uint8) {
		keys := k.all()
		sameAnswer(t, "fuzzed report", report, keys[int(which)%len(keys)])
	})
}

// TestChainPassedIsTheLastStep: findRoot reads go-sev-guest's refusal of a report without a
// signature as "the chain passed". That holds only while the refusal comes from
// SnpAttestation's last step: the same report with its signature passes, and a chain that
// fails (expired, another root) is said as such, not as that refusal.
func TestChainPassedIsTheLastStep(t *testing.T) {
	r, err := Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	vcek := realCerts(t, "amd-milan-vcek-gosevguest.der")[0]
	milan, err := trust.GetDefaultRootCerts("Milan")
	if err != nil {
		t.Fatal(err)
	}
	genoa, err := trust.GetDefaultRootCerts("Genoa")
	if err != nil {
		t.Fatal(err)
	}
	attest := func(rep *spb.Report, root *trust.AMDRootCerts, now time.Time) error {
		return verify.SnpAttestation(&spb.Attestation{Report: rep, CertificateChain: &spb.CertificateChain{VcekCert: vcek.Raw}},
			&verify.Options{DisableCertFetching: true, Now: now, TrustedRoots: map[string][]*trust.AMDRootCerts{root.GetProductLine(): {root}}})
	}
	unsigned := withoutSignature(r)
	if err := attest(r.Proto, milan, when); err != nil {
		t.Fatalf("the signed report: %v", err)
	}
	if err := attest(unsigned, milan, when); err == nil || !chainPassed(err) {
		t.Fatalf("the report without its signature: %v; want the refusal chainPassed reads", err)
	}
	for name, err := range map[string]error{
		"expired":    attest(unsigned, milan, time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)),
		"Genoa root": attest(unsigned, genoa, when),
	} {
		if err == nil || chainPassed(err) {
			t.Errorf("%s: %v; want a chain error", name, err)
		}
	}
	if !bytes.Equal(r.Proto.GetSignature(), r.Raw[0x2a0:]) {
		t.Error("withoutSignature changed the parsed report")
	}
}

// TestSignatureOverTheBytesRead: snp.signature is verified over the bytes read, not over
// go-sev-guest's parsed form: a report whose raw bytes were altered after parsing (the parsed
// form still verifies) fails snp.signature, and its chain still passes.
func TestSignatureOverTheBytesRead(t *testing.T) {
	r, err := Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	certs := realCerts(t, "amd-milan-vcek-gosevguest.der")
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	l := Verify(r, certs, Options{Now: now})
	if l.Verdict(IDSignature) != check.Pass || l.Verdict(IDChain) != check.Pass {
		t.Fatalf("real report: %v", l)
	}
	altered := *r
	altered.Raw = bytes.Clone(r.Raw)
	altered.Raw[0x50] ^= 1 // inside the signed range; the parsed form is unchanged
	l = Verify(&altered, certs, Options{Now: now})
	if l.Verdict(IDSignature) != check.Fail || l.Verdict(IDChain) != check.Pass {
		t.Fatalf("altered raw bytes: snp.signature %s, snp.chain %s; want fail, pass: %v", l.Verdict(IDSignature), l.Verdict(IDChain), l)
	}
}
