package tpmquote

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-tpm/tpm2"
)

// Check IDs for the ephemeral encryption key (azure-protocol.md §4.4).
const (
	IDEncKeyCertify = "tpm.enckey.certify"
	IDEncKeyPolicy  = "tpm.enckey.policy"
)

// pcrCount is the size of a PC-client bank; the Azure clients select with 3 bitmap bytes.
const pcrCount = 24

// tpmCCPolicyPCR is TPM_CC_PolicyPCR, the command code hashed into a PolicyPCR digest.
const tpmCCPolicyPCR = 0x0000017F

// PCRPolicyDigest is the authPolicy a SHA-256 trial session reaches after one
// TPM2_PolicyPCR over the SHA-256 PCRs sel with the given values:
// SHA-256(0^32 ‖ TPM_CC_PolicyPCR ‖ TPML_PCR_SELECTION ‖ SHA-256(values ascending)).
// It fails when sel names a PCR outside 0..23 or one that pcrs lacks.
func PCRPolicyDigest(pcrs map[int][]byte, sel []int) ([]byte, error) {
	idx := slices.Clone(sel)
	slices.Sort(idx)
	idx = slices.Compact(idx)
	if len(idx) == 0 {
		return nil, fmt.Errorf("PCR policy: no PCR selected")
	}
	bitmap := make([]byte, pcrCount/8)
	values := sha256.New()
	for _, p := range idx {
		if p < 0 || p >= pcrCount {
			return nil, fmt.Errorf("PCR policy: PCR %d out of range 0..%d", p, pcrCount-1)
		}
		v, ok := pcrs[p]
		if !ok {
			return nil, fmt.Errorf("PCR policy: no value given for selected PCR %d", p)
		}
		if len(v) != sha256.Size {
			return nil, fmt.Errorf("PCR policy: PCR %d value is %d bytes, want 32 (SHA-256 bank)", p, len(v))
		}
		bitmap[p/8] |= 1 << (p % 8)
		values.Write(v)
	}
	selBytes := tpm2.Marshal(tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{
		{Hash: tpm2.TPMAlgSHA256, PCRSelect: bitmap}}})
	h := sha256.New()
	h.Write(make([]byte, sha256.Size))
	h.Write(binary.BigEndian.AppendUint32(nil, tpmCCPolicyPCR))
	h.Write(selBytes)
	h.Write(values.Sum(nil))
	return h.Sum(nil), nil
}

// ParsePublicArea decodes a TPM2B_PUBLIC (with its size prefix) or a bare TPMT_PUBLIC.
func ParsePublicArea(b []byte) (*tpm2.TPMTPublic, error) {
	area, err := publicArea(b)
	if err != nil {
		return nil, err
	}
	return unmarshalPublic(area)
}

// publicArea strips a TPM2B size prefix when there is one. A TPMT_PUBLIC starts with
// its type (0x0001 RSA, 0x0023 ECC, ...), which never equals the remaining length.
func publicArea(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("public area is %d bytes; a TPMT_PUBLIC is at least type, nameAlg and attributes", len(b))
	}
	if int(binary.BigEndian.Uint16(b))+2 == len(b) {
		return b[2:], nil
	}
	return b, nil
}

func unmarshalPublic(area []byte) (pt *tpm2.TPMTPublic, err error) {
	// go-tpm's reflective unmarshaller is not hardened against hostile input.
	defer func() {
		if r := recover(); r != nil {
			pt, err = nil, fmt.Errorf("TPMT_PUBLIC does not decode: %v", r)
		}
	}()
	pt, err = tpm2.Unmarshal[tpm2.TPMTPublic](area)
	if err != nil {
		return nil, fmt.Errorf("TPMT_PUBLIC (%d bytes) does not decode: %v", len(area), err)
	}
	if re := tpm2.Marshal(*pt); !bytes.Equal(re, area) {
		return nil, fmt.Errorf("TPMT_PUBLIC decodes from the first %d of %d bytes: trailing data after the structure", len(re), len(area))
	}
	return pt, nil
}

// PublicName is the TPM Name of a public area: nameAlg ‖ H_nameAlg(TPMT_PUBLIC), hashed
// over the bytes as given (never re-serialized).
func PublicName(pub []byte) ([]byte, error) {
	area, err := publicArea(pub)
	if err != nil {
		return nil, err
	}
	pt, err := unmarshalPublic(area)
	if err != nil {
		return nil, err
	}
	h, err := cryptoHash(pt.NameAlg)
	if err != nil {
		return nil, fmt.Errorf("TPMT_PUBLIC offset 2: nameAlg: %v", err)
	}
	hh := h.New()
	hh.Write(area)
	return hh.Sum(binary.BigEndian.AppendUint16(nil, uint16(pt.NameAlg))), nil
}

// VerifyCertify checks a TPM2_Certify of the ephemeral encryption key: the AK signed
// certifyInfo, it is a certify attestation, and the certified Name is the Name of
// encKeyPub (TPM2B_PUBLIC or TPMT_PUBLIC). It shows the key lives in the AK's TPM; what
// the key may be used for is tpm.enckey.policy's business.
func VerifyCertify(certifyInfo, sig []byte, ak *rsa.PublicKey, encKeyPub []byte) check.List {
	return check.List{verifyCertify(certifyInfo, sig, ak, encKeyPub)}
}

func verifyCertify(certifyInfo, sig []byte, ak *rsa.PublicKey, encKeyPub []byte) check.Check {
	if ak == nil {
		return check.Skipf(IDEncKeyCertify, "encryption key certification not checked: no AK public key given").
			KO("암호화 키 인증(TPM2_Certify)을 검증하지 않았습니다. AK 공개 키가 없습니다")
	}
	att, perr := ParseAttest(certifyInfo)
	sc := verifySignature(certifyInfo, sig, ak, att, perr)
	if sc.Verdict != check.Pass {
		return withLines(check.Failf(IDEncKeyCertify, "%s", strings.Replace(sc.Summary, "quote", "certify", 1)).
			KO("%s", strings.Replace(sc.SummaryKO, "쿼트", "인증(TPM2_Certify)", 1)), sc)
	}
	if att.Type != TypeCertify {
		return check.Failf(IDEncKeyCertify, "the AK signed a %s (type 0x%04x), not a certify (0x8017) of the encryption key", att.TypeName(), att.Type).
			KO("AK가 서명한 것은 암호화 키의 인증(TPM2_Certify, 0x8017)이 아니라 %s(유형 0x%04x)입니다", att.TypeName(), att.Type)
	}
	name, err := PublicName(encKeyPub)
	if err != nil {
		return check.Failf(IDEncKeyCertify, "EncKeyPub unreadable: %v", err).KO("EncKeyPub을 읽을 수 없습니다: %v", err)
	}
	// The two Names, one line each in both languages (the hex is the same).
	names := func(c check.Check) check.Check {
		return c.WithDetail("certified name "+hex.EncodeToString(att.CertifiedName), "인증된 키 이름 "+hex.EncodeToString(att.CertifiedName)).
			WithDetail("EncKeyPub name "+hex.EncodeToString(name), "EncKeyPub의 키 이름 "+hex.EncodeToString(name))
	}
	if !bytes.Equal(name, att.CertifiedName) {
		return names(check.Failf(IDEncKeyCertify, "the AK certified another key: the certified Name differs from the Name of EncKeyPub").
			KO("AK가 다른 키를 인증했습니다. 인증된 키 이름이 EncKeyPub의 키 이름과 다릅니다")).
			WithDetail("EncKeyPub was altered or does not belong to this certification", "EncKeyPub이 변조되었거나 이 인증의 키가 아닙니다")
	}
	return names(check.Passf(IDEncKeyCertify, "the AK (RSA-%d) certified EncKeyPub: it is held by the AK's TPM; its policy and attributes are checked separately",
		ak.N.BitLen()).
		KO("AK(RSA-%d)가 EncKeyPub을 인증했습니다. 이 키는 AK와 같은 TPM에 있습니다. 정책과 속성은 따로 검증합니다", ak.N.BitLen()))
}

// EncKeyPolicyMatches checks that the encryption key's authPolicy is the PolicyPCR
// digest of the given PCR values, and that its attributes allow nothing but decryption
// inside the TPM under that policy: decrypt without sign or restricted, fixedTPM, and
// no userWithAuth (so its empty password cannot stand in for the policy).
func EncKeyPolicyMatches(encKeyPub []byte, pcrs map[int][]byte, sel []int) check.Check {
	pt, err := ParsePublicArea(encKeyPub)
	if err != nil {
		return check.Failf(IDEncKeyPolicy, "EncKeyPub unreadable: %v", err).KO("EncKeyPub을 읽을 수 없습니다: %v", err)
	}
	if pt.NameAlg != tpm2.TPMAlgSHA256 {
		return check.Failf(IDEncKeyPolicy, "EncKeyPub nameAlg is 0x%04x; a SHA-256 PolicyPCR digest needs nameAlg SHA-256 (0x000b)", uint16(pt.NameAlg)).
			KO("EncKeyPub의 nameAlg가 0x%04x입니다. SHA-256 PolicyPCR 다이제스트에는 nameAlg SHA-256(0x000b)이 필요합니다", uint16(pt.NameAlg))
	}
	a := pt.ObjectAttributes
	attrs := fmt.Sprintf("objectAttributes 0x%08x", binary.BigEndian.Uint32(tpm2.Marshal(a)))
	var bad, badKO []string
	if !a.Decrypt {
		bad, badKO = append(bad, "decrypt is clear"), append(badKO, "decrypt가 꺼져 있습니다")
	}
	if a.SignEncrypt {
		bad, badKO = append(bad, "sign is set"), append(badKO, "sign이 켜져 있습니다")
	}
	if a.Restricted {
		bad, badKO = append(bad, "restricted is set"), append(badKO, "restricted가 켜져 있습니다")
	}
	if !a.FixedTPM {
		bad = append(bad, "fixedTPM is clear (the key could be duplicated out of the TPM)")
		badKO = append(badKO, "fixedTPM이 꺼져 있습니다(키를 TPM 밖으로 복제할 수 있습니다)")
	}
	if a.UserWithAuth {
		bad = append(bad, "userWithAuth is set (the empty password would bypass the PCR policy)")
		badKO = append(badKO, "userWithAuth가 켜져 있습니다(빈 암호로 PCR 정책을 우회할 수 있습니다)")
	}
	if len(bad) > 0 {
		return check.Failf(IDEncKeyPolicy, "EncKeyPub attributes are not decrypt-only and PCR-bound: %s", strings.Join(bad, "; ")).
			KO("EncKeyPub 속성이 복호화 전용이 아니거나 PCR에 묶여 있지 않습니다: %s", strings.Join(badKO, "; ")).WithDetails(attrs)
	}
	want, err := PCRPolicyDigest(pcrs, sel)
	if err != nil {
		return check.Failf(IDEncKeyPolicy, "expected policy not computable: %v", err).KO("기대하는 정책을 계산할 수 없습니다: %v", err)
	}
	details := []string{attrs, "authPolicy " + hex.EncodeToString(pt.AuthPolicy.Buffer),
		"PolicyPCR  " + hex.EncodeToString(want)}
	if !bytes.Equal(pt.AuthPolicy.Buffer, want) {
		return check.Failf(IDEncKeyPolicy, "EncKeyPub authPolicy is not the PolicyPCR digest of PCRs %s with the given values", pcrList(sortedSel(sel))).
			KO("EncKeyPub의 authPolicy가 주어진 값의 PCR %s에 대한 PolicyPCR 다이제스트가 아닙니다", pcrList(sortedSel(sel))).
			WithDetails(details...).
			WithDetail("the key is bound to other PCRs or other values than those sent", "키가 보낸 것과 다른 PCR이나 다른 값에 묶여 있습니다")
	}
	return check.Passf(IDEncKeyPolicy, "EncKeyPub decrypts only under PolicyPCR over PCRs %s with the given values (decrypt-only, fixedTPM, no userWithAuth)",
		pcrList(sortedSel(sel))).
		KO("EncKeyPub은 주어진 값의 PCR %s에 대한 PolicyPCR 아래에서만 복호화합니다 (복호화 전용, fixedTPM, userWithAuth 없음)", pcrList(sortedSel(sel))).
		WithDetails(details...)
}

func sortedSel(sel []int) []int {
	s := slices.Clone(sel)
	slices.Sort(s)
	return slices.Compact(s)
}
