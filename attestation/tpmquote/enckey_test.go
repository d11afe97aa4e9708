package tpmquote

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-tpm/tpm2"
)

// encKeyFixture is an ephemeral-key public area (§4.4 template) with a real modulus,
// and an "AK" that certifies it as a TPM would.
type encKeyFixture struct {
	pcrs   map[int][]byte
	sel    []int
	pub    []byte // TPM2B_PUBLIC
	ak     *rsa.PrivateKey
	attest []byte
	sig    []byte
}

func encKeyPublic(t testing.TB, attrs tpm2.TPMAObject, policy []byte) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pt := tpm2.TPMTPublic{Type: tpm2.TPMAlgRSA, NameAlg: tpm2.TPMAlgSHA256, ObjectAttributes: attrs,
		AuthPolicy: tpm2.TPM2BDigest{Buffer: policy},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{
			Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
			Scheme:    tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgNull}, KeyBits: 2048}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: k.N.Bytes()}),
	}
	return tpm2.Marshal(tpm2.New2B(pt))
}

var decryptOnly = tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, NoDA: true, Decrypt: true}

func attestFor(t testing.TB, ak *rsa.PrivateKey, typ tpm2.TPMISTAttest, name []byte) (msg, sig []byte) {
	t.Helper()
	var attested tpm2.TPMUAttest
	if typ == tpm2.TPMSTAttestCertify {
		attested = tpm2.NewTPMUAttest(typ, &tpm2.TPMSCertifyInfo{Name: tpm2.TPM2BName{Buffer: name}, QualifiedName: tpm2.TPM2BName{Buffer: name}})
	} else {
		attested = tpm2.NewTPMUAttest(typ, &tpm2.TPMSQuoteInfo{PCRSelect: tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{
			{Hash: tpm2.TPMAlgSHA256, PCRSelect: []byte{0xff, 0, 0}}}}, PCRDigest: tpm2.TPM2BDigest{Buffer: make([]byte, 32)}})
	}
	msg = tpm2.Marshal(tpm2.TPMSAttest{Magic: TPMGenerated, Type: typ,
		QualifiedSigner: tpm2.TPM2BName{Buffer: make([]byte, 34)}, Attested: attested})
	d := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, ak, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return msg, sig
}

func newEncKeyFixture(t testing.TB) *encKeyFixture {
	f := &encKeyFixture{pcrs: map[int][]byte{}, sel: []int{7, 0, 1, 2, 3, 4, 5, 6}}
	for i := 0; i < 24; i++ {
		v := sha256.Sum256([]byte{byte(i)})
		f.pcrs[i] = v[:]
	}
	policy, err := PCRPolicyDigest(f.pcrs, f.sel)
	if err != nil {
		t.Fatal(err)
	}
	f.pub = encKeyPublic(t, decryptOnly, policy)
	if f.ak, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	name, err := PublicName(f.pub)
	if err != nil {
		t.Fatal(err)
	}
	f.attest, f.sig = attestFor(t, f.ak, tpm2.TPMSTAttestCertify, name)
	return f
}

func TestVerifyCertify(t *testing.T) {
	f := newEncKeyFixture(t)
	if l := VerifyCertify(f.attest, f.sig, &f.ak.PublicKey, f.pub); l.Verdict(IDEncKeyCertify) != check.Pass {
		t.Fatalf("good certify: %v", l)
	}
	// The bare TPMT_PUBLIC (no size prefix) names the same key.
	if l := VerifyCertify(f.attest, f.sig, &f.ak.PublicKey, f.pub[2:]); l.Verdict(IDEncKeyCertify) != check.Pass {
		t.Fatalf("TPMT_PUBLIC form: %v", l)
	}
	other := encKeyPublic(t, decryptOnly, make([]byte, 32))
	quote, qsig := attestFor(t, f.ak, tpm2.TPMSTAttestQuote, nil)
	stranger, _ := rsa.GenerateKey(rand.Reader, 2048)
	flipped := append([]byte(nil), f.attest...)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name           string
		msg, sig, pub  []byte
		ak             *rsa.PublicKey
		verdict        check.Verdict
		summaryContain string
	}{
		{"another key", f.attest, f.sig, other, &f.ak.PublicKey, check.Fail, "another key"},
		{"foreign AK", f.attest, f.sig, f.pub, &stranger.PublicKey, check.Fail, "does not verify"},
		{"altered message", flipped, f.sig, f.pub, &f.ak.PublicKey, check.Fail, "does not verify"},
		{"a quote", quote, qsig, f.pub, &f.ak.PublicKey, check.Fail, "not a certify"},
		{"garbage public", f.attest, f.sig, []byte{1, 2, 3, 4, 5}, &f.ak.PublicKey, check.Fail, "EncKeyPub unreadable"},
		{"no AK", f.attest, f.sig, f.pub, nil, check.Skip, "no AK"},
	} {
		c := VerifyCertify(tc.msg, tc.sig, tc.ak, tc.pub)[0]
		if c.ID != IDEncKeyCertify || c.Verdict != tc.verdict || !strings.Contains(c.Summary, tc.summaryContain) {
			t.Errorf("%s: %v, want %s containing %q", tc.name, c, tc.verdict, tc.summaryContain)
		}
	}
}

func TestEncKeyPolicyMatches(t *testing.T) {
	f := newEncKeyFixture(t)
	if c := EncKeyPolicyMatches(f.pub, f.pcrs, f.sel); c.Verdict != check.Pass || !strings.Contains(c.Summary, "0-7") {
		t.Fatalf("good policy: %v %v", c, c.Details)
	}
	changed := map[int][]byte{}
	for k, v := range f.pcrs {
		changed[k] = v
	}
	changed[4] = make([]byte, 32)
	policy, _ := PCRPolicyDigest(f.pcrs, f.sel)
	userAuth := decryptOnly
	userAuth.UserWithAuth = true
	signing := decryptOnly
	signing.SignEncrypt = true
	movable := decryptOnly
	movable.FixedTPM = false
	for _, tc := range []struct {
		name    string
		pub     []byte
		pcrs    map[int][]byte
		sel     []int
		contain string
	}{
		{"PCR 4 differs", f.pub, changed, f.sel, "not the PolicyPCR digest"},
		{"other selection", f.pub, f.pcrs, []int{0, 1, 2, 3, 4, 5, 6, 7, 11}, "not the PolicyPCR digest"},
		{"userWithAuth", encKeyPublic(t, userAuth, policy), f.pcrs, f.sel, "userWithAuth"},
		{"sign", encKeyPublic(t, signing, policy), f.pcrs, f.sel, "sign is set"},
		{"not fixedTPM", encKeyPublic(t, movable, policy), f.pcrs, f.sel, "fixedTPM"},
		{"missing PCR value", f.pub, map[int][]byte{0: f.pcrs[0]}, f.sel, "no value given for selected PCR 1"},
		{"PCR out of range", f.pub, f.pcrs, []int{24}, "PCR 24 out of range"},
		{"truncated", f.pub[:40], f.pcrs, f.sel, "unreadable"},
	} {
		c := EncKeyPolicyMatches(tc.pub, tc.pcrs, tc.sel)
		if c.ID != IDEncKeyPolicy || c.Verdict != check.Fail || !strings.Contains(c.Summary, tc.contain) {
			t.Errorf("%s: %v, want fail containing %q", tc.name, c, tc.contain)
		}
	}
}

func TestPCRPolicyDigestIgnoresOrderAndDuplicates(t *testing.T) {
	f := newEncKeyFixture(t)
	a, err := PCRPolicyDigest(f.pcrs, []int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := PCRPolicyDigest(f.pcrs, []int{7, 6, 5, 4, 3, 2, 1, 0, 3})
	if err != nil || string(a) != string(b) {
		t.Fatalf("order or duplicates changed the policy: %x vs %x (%v)", a, b, err)
	}
	if _, err := PCRPolicyDigest(map[int][]byte{0: {1, 2}}, []int{0}); err == nil || !strings.Contains(err.Error(), "PCR 0 value is 2 bytes") {
		t.Fatalf("short PCR value: %v", err)
	}
}

func TestParsePublicArea(t *testing.T) {
	f := newEncKeyFixture(t)
	for _, b := range [][]byte{f.pub, f.pub[2:]} {
		pt, err := ParsePublicArea(b)
		if err != nil || pt.Type != tpm2.TPMAlgRSA || !pt.ObjectAttributes.Decrypt {
			t.Fatalf("%d bytes: %+v, %v", len(b), pt, err)
		}
	}
	if _, err := ParsePublicArea(append(append([]byte(nil), f.pub[2:]...), 0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Fatalf("trailing byte: %v", err)
	}
	if _, err := ParsePublicArea([]byte{0}); err == nil {
		t.Fatal("one byte parsed as a public area")
	}
}

// FuzzEncKey feeds hostile bytes to the ephemeral-key verifiers: errors are fine, panics are not.
func FuzzEncKey(f *testing.F) {
	fx := newEncKeyFixture(f)
	f.Add(fx.pub, fx.attest)
	f.Add([]byte{0, 1, 0, 0xb}, []byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x17})
	f.Fuzz(func(t *testing.T, pub, msg []byte) {
		_, _ = ParsePublicArea(pub)
		_, _ = PublicName(pub)
		VerifyCertify(msg, fx.sig, &fx.ak.PublicKey, pub)
		EncKeyPolicyMatches(pub, fx.pcrs, fx.sel)
	})
}
