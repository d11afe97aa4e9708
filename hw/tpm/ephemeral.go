package tpm

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/google/go-tpm/tpm2"
)

// EphemeralKey is the PCR-bound encryption key MAA encrypts the AzureGuest response to
// (azure-protocol.md §4.4), certified by the AK. The TPM keeps no handle to it: it is a
// NULL-hierarchy primary whose context is saved for decryption, or recreated from the same
// template when that context is gone.
type EphemeralKey struct {
	// Public is the key's TPM2B_PUBLIC (with size prefix): the request's EncKeyPub.
	Public    []byte
	PublicKey *rsa.PublicKey
	// CertifyInfo is the TPMS_ATTEST of TPM2_Certify (no size prefix), CertifySig its raw
	// RSA signature by the AK.
	CertifyInfo []byte
	CertifySig  []byte
	// PCRs are the SHA-256 values the policy binds, Selection their indices (ascending).
	PCRs      map[int][]byte
	Selection []int

	saved *savedKey
}

// savedKey is the key's context as TPM2_ContextSave wrote it after certification, so that
// decryption loads the key rather than creating it again: creating an RSA-2048 primary is
// a prime search inside the TPM, the costliest command of the whole flow.
type savedKey struct {
	public  []byte // the EphemeralKey.Public it was saved for
	name    tpm2.TPM2BName
	context tpm2.TPMSContext
}

// ErrPCRsChanged is in the chain of the error DecryptWithEphemeral returns when the
// key's PCR policy no longer holds.
var ErrPCRsChanged = errors.New("PCRs changed since the key was created")

// EphemeralPolicy is the authPolicy binding the key to the SHA-256 PCRs sel with the
// given values: SHA-256(0^32 ‖ TPM_CC_PolicyPCR ‖ TPML_PCR_SELECTION ‖ SHA-256(values
// ascending)), what a trial session computes. It is nil when sel is empty, names a PCR
// outside 0..23 or one pcrs lacks.
func EphemeralPolicy(pcrs map[int][]byte, sel []int) []byte {
	d, err := tpmquote.PCRPolicyDigest(pcrs, sel)
	if err != nil {
		return nil
	}
	return d
}

// EphemeralTemplate is the key's public template: RSA-2048, nameAlg SHA-256,
// fixedTPM|fixedParent|sensitiveDataOrigin|noDA|decrypt (0x00020432, no userWithAuth so
// only the policy authorizes use), NULL symmetric and scheme, exponent 0, empty unique.
// The same policy always gives the same bytes, so the same key in one NULL seed epoch.
func EphemeralTemplate(policy []byte) tpm2.TPMTPublic {
	return tpm2.TPMTPublic{
		Type:    tpm2.TPMAlgRSA,
		NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true,
			SensitiveDataOrigin: true, NoDA: true, Decrypt: true},
		AuthPolicy: tpm2.TPM2BDigest{Buffer: slices.Clone(policy)},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{
			Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
			Scheme:    tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgNull},
			KeyBits:   2048,
		}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{}),
	}
}

// CreateEphemeralKey reads the PCRs sel, creates the PCR-bound key in the NULL
// hierarchy, has the AK at ak (HandleAK on Azure) certify it, and flushes it.
func (t *TPM) CreateEphemeralKey(ctx context.Context, ak uint32, sel []int) (*EphemeralKey, error) {
	if len(sel) == 0 {
		return nil, fault.Korean(fault.Errorf(fault.Internal, "ephemeral key: no PCR selected; Azure binds it to the quoted PCRs (0-7 on Linux)"),
			"임시 키: 선택된 PCR이 없습니다. Azure는 임시 키를 쿼트된 PCR(Linux에서는 0-7)에 묶습니다", "")
	}
	if _, err := selection(sel); err != nil {
		return nil, err
	}
	_, akName, _, err := t.readPublic(ctx, ak)
	if err != nil && akName.Buffer == nil {
		return nil, err
	}
	pcrs, err := t.ReadPCRSelection(ctx, sel)
	if err != nil {
		return nil, err
	}
	idx := slices.Sorted(maps.Keys(pcrs))
	policy := EphemeralPolicy(pcrs, idx)
	h, pub, err := t.createEphemeral(ctx, policy)
	if err != nil {
		return nil, err
	}
	defer t.flush(h.Handle)
	key, err := rsaFromPublic(pub)
	if err != nil {
		return nil, fault.Korean(fault.Errorf(fault.Device, "TPM2_CreatePrimary ephemeral key: %v", err),
			fmt.Sprintf("TPM2_CreatePrimary 임시 키: TPM이 돌려준 공개 키를 읽을 수 없습니다 (%v)", err), "")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The object's ADMIN role may use its (empty) password because adminWithPolicy is
	// clear; the policy guards only USER-role commands such as RSA_Decrypt.
	rsp, err := tpm2.Certify{
		ObjectHandle:   tpm2.AuthHandle{Handle: h.Handle, Name: h.Name, Auth: tpm2.PasswordAuth(nil)},
		SignHandle:     tpm2.AuthHandle{Handle: tpm2.TPMHandle(ak), Name: akName, Auth: tpm2.PasswordAuth(nil)},
		QualifyingData: tpm2.TPM2BData{},
		InScheme:       tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgNull},
	}.Execute(t.tr)
	if err != nil {
		return nil, commandError("TPM2_Certify", fmt.Sprintf("ephemeral key with key 0x%08X", ak), err)
	}
	sig, err := rsaSignature(rsp.Signature)
	if err != nil {
		return nil, fault.Korean(fault.Errorf(fault.Device, "TPM2_Certify key 0x%08X: %v", ak, err),
			fmt.Sprintf("TPM2_Certify 키 0x%08X: TPM이 돌려준 서명을 읽을 수 없습니다 (%v)", ak, err), "")
	}
	k := &EphemeralKey{Public: tpm2.Marshal(pub), PublicKey: key,
		CertifyInfo: rsp.CertifyInfo.Bytes(), CertifySig: sig.Sig.Buffer, PCRs: pcrs, Selection: idx}
	// A TPM that cannot save it only costs a second CreatePrimary at decryption.
	if saved, err := (tpm2.ContextSave{SaveHandle: h.Handle}).Execute(t.tr); err == nil {
		k.saved = &savedKey{public: k.Public, name: h.Name, context: saved.Context}
	}
	return k, nil
}

// DecryptWithEphemeral loads (or recreates) k's key and decrypts ciphertext
// (RSAES-PKCS1-v1_5, empty label) under a policy session that has run TPM2_PolicyPCR over
// the current PCRs. If a selected PCR changed since CreateEphemeralKey, the error wraps
// ErrPCRsChanged.
func (t *TPM) DecryptWithEphemeral(ctx context.Context, k *EphemeralKey, ciphertext []byte) ([]byte, error) {
	if k == nil || len(k.Selection) == 0 || k.PublicKey == nil {
		return nil, fault.Korean(fault.Errorf(fault.Internal, "ephemeral key: none given, or it has no PCR selection or public key; create it with CreateEphemeralKey"),
			"임시 키가 없거나 PCR 선택 또는 공개 키가 없습니다. CreateEphemeralKey로 만듭니다", "")
	}
	if len(ciphertext) != k.PublicKey.Size() {
		err := fault.WithHint(fault.Verification,
			fmt.Errorf("ciphertext (EncryptedInnerKey) is %d bytes; an RSA-%d ciphertext is exactly %d", len(ciphertext), k.PublicKey.N.BitLen(), k.PublicKey.Size()),
			"the response was not encrypted to this ephemeral key, or EncryptedInnerKey was cut or mis-decoded (it is standard base64)")
		err = fault.Korean(err, fmt.Sprintf("암호문(EncryptedInnerKey)이 %d바이트입니다. RSA-%d 암호문은 정확히 %d바이트입니다", len(ciphertext), k.PublicKey.N.BitLen(), k.PublicKey.Size()),
			"응답이 이 임시 키로 암호화되지 않았거나, EncryptedInnerKey가 잘렸거나 잘못 디코딩되었습니다(표준 base64입니다)")
		return nil, err
	}
	sel, err := selection(k.Selection)
	if err != nil {
		return nil, err
	}
	h, err := t.ephemeralHandle(ctx, k)
	if err != nil {
		return nil, err
	}
	defer t.flush(h.Handle)
	now, err := t.ReadPCRSelection(ctx, k.Selection)
	if err != nil {
		return nil, err
	}
	sess, closeSess, err := tpm2.PolicySession(t.tr, tpm2.TPMAlgSHA256, 16)
	if err != nil {
		return nil, commandError("TPM2_StartAuthSession", "policy session", err)
	}
	defer closeSess()
	digest := pcrDigest(now)
	if _, err := (tpm2.PolicyPCR{PolicySession: sess.Handle(), PcrDigest: tpm2.TPM2BDigest{Buffer: digest}, Pcrs: sel}).Execute(t.tr); err != nil {
		return nil, commandError("TPM2_PolicyPCR", "ephemeral key session", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rsp, err := tpm2.RSADecrypt{
		KeyHandle:  tpm2.AuthHandle{Handle: h.Handle, Name: h.Name, Auth: sess},
		CipherText: tpm2.TPM2BPublicKeyRSA{Buffer: ciphertext},
		InScheme:   tpm2.TPMTRSADecrypt{Scheme: tpm2.TPMAlgRSAES},
		Label:      tpm2.TPM2BData{},
	}.Execute(t.tr)
	if err != nil {
		return nil, decryptError(err, k.PCRs, now)
	}
	return rsp.Message.Buffer, nil
}

// pcrDigest is SHA-256 of the PCR values in ascending index order, the pcrDigest
// TPM2_PolicyPCR takes.
func pcrDigest(pcrs map[int][]byte) []byte {
	h := sha256.New()
	for _, p := range slices.Sorted(maps.Keys(pcrs)) {
		h.Write(pcrs[p])
	}
	return h.Sum(nil)
}

func decryptError(err error, then, now map[int][]byte) error {
	var rc tpm2.TPMRC
	if !errors.As(err, &rc) {
		return commandError("TPM2_RSA_Decrypt", "ephemeral key", err)
	}
	switch {
	case rc.Is(tpm2.TPMRCPolicyFail):
		e := newRCError("TPM2_RSA_Decrypt", "ephemeral key", rc)
		e.Meaning = "PCRs changed since the key was created — rerun the request"
		e.MeaningKO = "키를 만든 뒤 PCR이 바뀌었습니다 — 요청을 다시 실행합니다"
		if ch := changedPCRs(then, now); len(ch) > 0 {
			e.Meaning += " (changed: PCR " + joinInts(ch) + ")"
			e.MeaningKO += " (바뀐 PCR: " + joinInts(ch) + ")"
		}
		e.Hint = "something extended the PCRs between the attestation request and its response; attest again and decrypt right away"
		e.HintKO = "증명 요청과 응답 사이에 무언가가 PCR을 확장했습니다. 증명을 다시 받고 곧바로 복호화합니다"
		e.err = fmt.Errorf("%w: %w", ErrPCRsChanged, rc)
		return e.fault(fault.Device)
	case rc.Is(tpm2.TPMRCValue), rc.Is(tpm2.TPMRCSize):
		e := newRCError("TPM2_RSA_Decrypt", "ephemeral key", rc)
		e.Meaning = "the ciphertext does not decrypt with the ephemeral key (RSAES-PKCS1-v1_5 padding check failed)"
		e.MeaningKO = "암호문이 임시 키로 복호화되지 않습니다 (RSAES-PKCS1-v1_5 패딩 검사 실패)"
		e.Hint = "the response was encrypted to another key or EncryptedInnerKey was altered; rerun the request"
		e.HintKO = "응답이 다른 키로 암호화되었거나 EncryptedInnerKey가 변조되었습니다. 요청을 다시 실행합니다"
		return e.fault(fault.Verification)
	}
	return commandError("TPM2_RSA_Decrypt", "ephemeral key", err)
}

func changedPCRs(then, now map[int][]byte) []int {
	var out []int
	for _, p := range slices.Sorted(maps.Keys(then)) {
		if !bytes.Equal(then[p], now[p]) {
			out = append(out, p)
		}
	}
	return out
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// ephemeralHandle loads k's saved context, or, when there is none or the TPM refuses it
// (a TPM reset since invalidates it), creates the key again and checks it is the one
// that was certified.
func (t *TPM) ephemeralHandle(ctx context.Context, k *EphemeralKey) (tpm2.NamedHandle, error) {
	if s := k.saved; s != nil && bytes.Equal(s.public, k.Public) {
		if rsp, err := (tpm2.ContextLoad{Context: s.context}).Execute(t.tr); err == nil {
			return tpm2.NamedHandle{Handle: rsp.LoadedHandle, Name: s.name}, nil
		}
	}
	h, pub, err := t.createEphemeral(ctx, EphemeralPolicy(k.PCRs, k.Selection))
	if err != nil {
		return tpm2.NamedHandle{}, err
	}
	if got := tpm2.Marshal(pub); !bytes.Equal(got, k.Public) {
		t.flush(h.Handle)
		e := &Error{Command: "TPM2_CreatePrimary", Target: "ephemeral key", Name: "KEY_CHANGED",
			Meaning:   "the recreated key differs from the certified one: the TPM was reset (reboot) since the key was made, or this is another TPM",
			Hint:      "rerun the request; the key cannot be recreated after a TPM reset",
			MeaningKO: "다시 만든 키가 인증된 키와 다릅니다. 키를 만든 뒤 TPM이 리셋(재부팅)되었거나 다른 TPM입니다",
			HintKO:    "요청을 다시 실행합니다. TPM이 리셋된 뒤에는 같은 키를 다시 만들 수 없습니다"}
		return tpm2.NamedHandle{}, e.fault(fault.Device)
	}
	return h, nil
}

// createEphemeral makes the NULL-hierarchy primary for a policy.
func (t *TPM) createEphemeral(ctx context.Context, policy []byte) (tpm2.NamedHandle, tpm2.TPM2BPublic, error) {
	if len(policy) == 0 {
		return tpm2.NamedHandle{}, tpm2.TPM2BPublic{}, fault.Korean(fault.Errorf(fault.Internal, "ephemeral key: PCR values missing for its selection; no policy to bind it to"),
			"임시 키: 선택한 PCR의 값이 없어 키를 묶을 정책이 없습니다", "")
	}
	if err := ctx.Err(); err != nil {
		return tpm2.NamedHandle{}, tpm2.TPM2BPublic{}, err
	}
	rsp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHNull, Auth: tpm2.PasswordAuth(nil)},
		InPublic:      tpm2.New2B(EphemeralTemplate(policy)),
	}.Execute(t.tr)
	if err != nil {
		return tpm2.NamedHandle{}, tpm2.TPM2BPublic{}, commandError("TPM2_CreatePrimary", "ephemeral key (NULL hierarchy)", err)
	}
	return tpm2.NamedHandle{Handle: rsp.ObjectHandle, Name: rsp.Name}, rsp.OutPublic, nil
}

// flush drops a transient object; a failure only leaks a slot that /dev/tpmrm0 reclaims.
func (t *TPM) flush(h tpm2.TPMHandle) {
	tpm2.FlushContext{FlushHandle: h}.Execute(t.tr)
}
