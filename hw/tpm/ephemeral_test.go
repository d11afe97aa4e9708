package tpm

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/google/go-tpm/tpm2"
)

var linuxPCRs = []int{0, 1, 2, 3, 4, 5, 6, 7}

func extendPCR(t testing.TB, tp *TPM, pcr int, event string) {
	t.Helper()
	d := sha256.Sum256([]byte(event))
	_, err := tpm2.PCRExtend{PCRHandle: tpm2.AuthHandle{Handle: tpm2.TPMHandle(pcr), Auth: tpm2.PasswordAuth(nil)},
		Digests: tpm2.TPMLDigestValues{Digests: []tpm2.TPMTHA{{HashAlg: tpm2.TPMAlgSHA256, Digest: d[:]}}}}.Execute(tp.Transport())
	if err != nil {
		t.Fatalf("extend PCR %d: %v", pcr, err)
	}
}

// trialPolicy asks the TPM what a trial session's digest is after PolicyPCR.
func trialPolicy(t *testing.T, tp *TPM, pcrs map[int][]byte, sel []int) []byte {
	t.Helper()
	tr := tp.Transport()
	s, closeS, err := tpm2.PolicySession(tr, tpm2.TPMAlgSHA256, 16, tpm2.Trial())
	if err != nil {
		t.Fatal(err)
	}
	defer closeS()
	ps, err := selection(sel)
	if err != nil {
		t.Fatal(err)
	}
	sub := map[int][]byte{}
	for _, p := range sel {
		sub[p] = pcrs[p]
	}
	if _, err := (tpm2.PolicyPCR{PolicySession: s.Handle(), PcrDigest: tpm2.TPM2BDigest{Buffer: pcrDigest(sub)}, Pcrs: ps}).Execute(tr); err != nil {
		t.Fatal(err)
	}
	rsp, err := tpm2.PolicyGetDigest{PolicySession: s.Handle()}.Execute(tr)
	if err != nil {
		t.Fatal(err)
	}
	return rsp.PolicyDigest.Buffer
}

func TestEphemeralPolicyEqualsTrialSession(t *testing.T) {
	tp := openSimT(t)
	extendPCR(t, tp, 4, "boot loader")
	extendPCR(t, tp, 11, "unified kernel image")
	pcrs, err := tp.ReadPCRs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sel := range [][]int{linuxPCRs, {0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14}, {23}, {11, 4}} {
		got := EphemeralPolicy(pcrs, sel)
		want := trialPolicy(t, tp, pcrs, sel)
		if len(got) != 32 || !bytes.Equal(got, want) {
			t.Errorf("PCRs %v: software policy %x, TPM trial session %x", sel, got, want)
		}
	}
	if EphemeralPolicy(pcrs, []int{24}) != nil || EphemeralPolicy(map[int][]byte{}, linuxPCRs) != nil || EphemeralPolicy(pcrs, nil) != nil {
		t.Error("EphemeralPolicy gave a digest for an out-of-range PCR, missing values or an empty selection")
	}
}

func TestEphemeralTemplateIsStable(t *testing.T) {
	policy := bytes.Repeat([]byte{0xab}, 32)
	a := tpm2.Marshal(EphemeralTemplate(policy))
	policy[0] = 0 // the template must not alias the caller's slice
	b := tpm2.Marshal(EphemeralTemplate(bytes.Repeat([]byte{0xab}, 32)))
	if !bytes.Equal(a, b) {
		t.Fatalf("template bytes differ between calls:\n%x\n%x", a, b)
	}
	// type 0x0001, nameAlg 0x000b, attributes, then the 32-byte authPolicy.
	if binary.BigEndian.Uint16(a) != 0x0001 || binary.BigEndian.Uint16(a[2:]) != 0x000b || binary.BigEndian.Uint32(a[4:]) != 0x00020432 {
		t.Fatalf("template header %x, want 0001 000b 00020432", a[:8])
	}
	// symmetric NULL, scheme NULL, keyBits 2048, exponent 0, unique size 0.
	tail := a[8+2+32:]
	if want := []byte{0x00, 0x10, 0x00, 0x10, 0x08, 0x00, 0, 0, 0, 0, 0, 0}; !bytes.Equal(tail, want) {
		t.Fatalf("template parameters %x, want %x", tail, want)
	}
}

func TestEphemeralKeyCertifyPolicyDecrypt(t *testing.T) {
	tp := openSimT(t)
	provisionAK(t, tp)
	extendPCR(t, tp, 7, "secure boot db")
	k, err := tp.CreateEphemeralKey(ctx, HandleAK, []int{7, 0, 1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(k.Selection, linuxPCRs) || len(k.PCRs) != 8 || k.PublicKey.N.BitLen() != 2048 {
		t.Fatalf("selection %v, %d PCRs, RSA-%d", k.Selection, len(k.PCRs), k.PublicKey.N.BitLen())
	}
	_, akPub, err := tp.ReadPublic(ctx, HandleAK)
	if err != nil {
		t.Fatal(err)
	}
	l := tpmquote.VerifyCertify(k.CertifyInfo, k.CertifySig, akPub, k.Public)
	if l.Verdict(tpmquote.IDEncKeyCertify) != check.Pass {
		t.Fatalf("certify: %v", l)
	}
	if c := tpmquote.EncKeyPolicyMatches(k.Public, k.PCRs, k.Selection); c.Verdict != check.Pass {
		t.Fatalf("policy: %v %v", c, c.Details)
	}
	pub, err := tpmquote.ParsePublic(k.Public)
	if err != nil || !pub.Equal(k.PublicKey) {
		t.Fatalf("EncKeyPub does not hold PublicKey: %v", err)
	}

	innerKey := make([]byte, 32)
	rand.Read(innerKey)
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, k.PublicKey, innerKey)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the saved key is loaded each time
		got, err := tp.DecryptWithEphemeral(ctx, k, ct)
		if err != nil {
			t.Fatalf("decrypt %d: %v", i, err)
		}
		if !bytes.Equal(got, innerKey) {
			t.Fatalf("decrypt %d: got %x, want %x", i, got, innerKey)
		}
	}

	// Nothing may stay loaded: the key and the session are flushed.
	for _, h := range []tpm2.TPMHandle{0x80000000, 0x03000000} {
		caps, err := tpm2.GetCapability{Capability: tpm2.TPMCapHandles, Property: uint32(h), PropertyCount: 16}.Execute(tp.Transport())
		if err != nil {
			t.Fatal(err)
		}
		hs, _ := caps.CapabilityData.Data.Handles()
		if len(hs.Handle) != 0 {
			t.Errorf("handles left in range 0x%08x: %v", uint32(h), hs.Handle)
		}
	}

	// A PCR change after the key was made must fail with the named, explained error.
	extendPCR(t, tp, 4, "a second boot loader")
	_, err = tp.DecryptWithEphemeral(ctx, k, ct)
	if !errors.Is(err, ErrPCRsChanged) || !errors.Is(err, tpm2.TPMRCPolicyFail) {
		t.Fatalf("after extending PCR 4: %v", err)
	}
	name, meaning, hint := Explain(err)
	if name != "TPM_RC_POLICY_FAIL" || !strings.Contains(meaning, "rerun the request") || !strings.Contains(meaning, "(changed: PCR 4)") || hint == "" {
		t.Fatalf("explained as %q / %q / %q", name, meaning, hint)
	}
	if fault.KindOf(err) != fault.Device {
		t.Errorf("kind %v, want Device", fault.KindOf(err))
	}
	t.Logf("PCR change: %v", err)
}

func TestEphemeralVerifiersRejectMismatches(t *testing.T) {
	tp := openSimT(t)
	provisionAK(t, tp)
	k, err := tp.CreateEphemeralKey(ctx, HandleAK, linuxPCRs)
	if err != nil {
		t.Fatal(err)
	}
	_, akPub, err := tp.ReadPublic(ctx, HandleAK)
	if err != nil {
		t.Fatal(err)
	}
	// Another key's public area: the certified Name does not match.
	akRaw, _, err := tp.ReadPublic(ctx, HandleAK)
	if err != nil {
		t.Fatal(err)
	}
	if v := tpmquote.VerifyCertify(k.CertifyInfo, k.CertifySig, akPub, akRaw).Verdict(tpmquote.IDEncKeyCertify); v != check.Fail {
		t.Errorf("certify of another key's public area: %v, want fail", v)
	}
	// A signature by another key.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if v := tpmquote.VerifyCertify(k.CertifyInfo, k.CertifySig, &other.PublicKey, k.Public).Verdict(tpmquote.IDEncKeyCertify); v != check.Fail {
		t.Errorf("certify checked with a foreign AK: %v, want fail", v)
	}
	// PCR values other than those the key is bound to.
	moved := map[int][]byte{}
	for p, v := range k.PCRs {
		moved[p] = v
	}
	moved[3] = bytes.Repeat([]byte{1}, 32)
	if c := tpmquote.EncKeyPolicyMatches(k.Public, moved, k.Selection); c.Verdict != check.Fail {
		t.Errorf("policy with a changed PCR 3: %v, want fail", c)
	}
	// The AK's public area is a signing key with userWithAuth: not a PCR-bound decrypt key.
	if c := tpmquote.EncKeyPolicyMatches(akRaw, k.PCRs, k.Selection); c.Verdict != check.Fail || !strings.Contains(c.Summary, "userWithAuth") {
		t.Errorf("policy of the AK's public area: %v, want fail naming userWithAuth", c)
	}
}

func TestEphemeralDecryptRejectsGarbage(t *testing.T) {
	tp := openSimT(t)
	provisionAK(t, tp)
	k, err := tp.CreateEphemeralKey(ctx, HandleAK, linuxPCRs)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tp.DecryptWithEphemeral(ctx, k, []byte("not a ciphertext"))
	if err == nil || fault.KindOf(err) != fault.Verification || !strings.Contains(err.Error(), "16 bytes") || fault.HintOf(err) == "" {
		t.Fatalf("short ciphertext: %v (kind %v)", err, fault.KindOf(err))
	}
	// Right length, but no valid PKCS#1 v1.5 padding under this key.
	garbage := make([]byte, 256)
	rand.Read(garbage)
	garbage[0] = 0 // below the modulus, so the padding check is what fails
	_, err = tp.DecryptWithEphemeral(ctx, k, garbage)
	if err == nil || fault.KindOf(err) != fault.Verification || errors.Is(err, ErrPCRsChanged) {
		t.Fatalf("garbage ciphertext: %v (kind %v)", err, fault.KindOf(err))
	}
	t.Logf("garbage: %v", err)
	if _, meaning, _ := Explain(err); !strings.Contains(meaning, "does not decrypt with the ephemeral key") {
		t.Fatalf("garbage ciphertext explained as %q", meaning)
	}
	// A key the TPM cannot recreate (after a TPM reset the NULL seed differs; here the
	// recorded public area is another key's) is refused before any decryption.
	akRaw, _, err := tp.ReadPublic(ctx, HandleAK)
	if err != nil {
		t.Fatal(err)
	}
	moved := *k
	moved.Public = akRaw
	_, err = tp.DecryptWithEphemeral(ctx, &moved, garbage)
	if name, meaning, _ := Explain(err); name != "KEY_CHANGED" || !strings.Contains(meaning, "TPM was reset") {
		t.Fatalf("recreated key differs: %v", err)
	}
	if _, err := tp.DecryptWithEphemeral(ctx, nil, garbage); err == nil || fault.KindOf(err) != fault.Internal {
		t.Fatalf("nil key: %v", err)
	}
	if _, err := tp.CreateEphemeralKey(ctx, HandleAK, []int{24}); err == nil || !strings.Contains(err.Error(), "PCR 24") {
		t.Fatalf("PCR 24: %v", err)
	}
}

func BenchmarkEphemeralKeyAndDecrypt(b *testing.B) {
	tp, err := Open(ctx, "sim:1")
	if err != nil {
		b.Fatal(err)
	}
	defer tp.Close()
	provisionAK(b, tp)
	inner := make([]byte, 32)
	for b.Loop() {
		k, err := tp.CreateEphemeralKey(ctx, HandleAK, linuxPCRs)
		if err != nil {
			b.Fatal(err)
		}
		ct, err := rsa.EncryptPKCS1v15(rand.Reader, k.PublicKey, inner)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tp.DecryptWithEphemeral(ctx, k, ct); err != nil {
			b.Fatal(err)
		}
	}
}
