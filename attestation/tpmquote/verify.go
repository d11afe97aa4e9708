package tpmquote

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/google/go-tpm/tpm2"
)

// MaxAKBits is the largest AK modulus checked (a TPM AK is 2048 bits, Azure's vTPM, or at most
// 4096): the limit for every RSA key cvmscope checks a signature with.
const MaxAKBits = certs.MaxRSABits

// Check IDs reported by this package.
const (
	IDSignature = "tpm.quote.signature"
	IDPCRDigest = "tpm.quote.pcr-digest"
	IDNonce     = "tpm.quote.nonce"
	IDAKBinding = "ak.binding"
)

// VerifyQuote checks a quote message (TPMS_ATTEST) and its signature against the AK,
// the PCR values against the quote's pcrDigest, and, when nonce is not nil, that the
// quote's extraData equals it. sig is the raw RSA signature or a whole TPMT_SIGNATURE.
// pcrs maps PCR index to its SHA-256 value; VerifyQuoteBanks takes every bank.
func VerifyQuote(msg, sig []byte, ak *rsa.PublicKey, pcrs map[int][]byte, nonce []byte) check.List {
	var banks Banks
	if pcrs != nil {
		banks = Banks{tpm2.TPMAlgSHA256: pcrs}
	}
	return VerifyQuoteBanks(msg, sig, ak, banks, nonce)
}

// Banks are PCR values by bank (hash algorithm) and index.
type Banks map[tpm2.TPMAlgID]map[int][]byte

// VerifyQuoteBanks is VerifyQuote for a quote over any banks: the digest is computed over
// the values of every bank the quote selects, in the selection's order.
func VerifyQuoteBanks(msg, sig []byte, ak *rsa.PublicKey, banks Banks, nonce []byte) check.List {
	att, perr := ParseAttest(msg)
	l := check.List{verifySignature(msg, sig, ak, att, perr)}
	l = append(l, checkNonce(att, perr, nonce))
	return append(l, checkPCRDigest(att, perr, banks))
}

func verifySignature(msg, sig []byte, ak *rsa.PublicKey, att *Attest, perr error) check.Check {
	if ak == nil {
		return check.Skipf(IDSignature, "quote signature not checked: no AK public key given").
			KO("쿼트 서명을 검증하지 않았습니다. AK 공개 키가 없습니다")
	}
	if len(sig) == 0 {
		// A message without its signature file proves nothing, and the person only forgot a file.
		return check.Failf(IDSignature, "no quote signature: the TPMS_ATTEST came without the signature over it; give the signature file (tpm2_quote -s, or the raw RSA signature)").
			KO("쿼트 서명이 없습니다. TPMS_ATTEST에 대한 서명 없이 메시지만 주어졌습니다. 서명 파일(tpm2_quote -s 또는 원시 RSA 서명)을 함께 줍니다")
	}
	if bits := ak.N.BitLen(); bits > MaxAKBits {
		return check.Failf(IDSignature, "quote signature not checked: the AK is a %d-bit RSA key; cvmscope accepts at most %d bits", bits, MaxAKBits).
			KO("쿼트 서명을 확인하지 않았습니다. AK가 %d비트 RSA 키입니다. cvmscope는 최대 %d비트까지 받습니다", bits, MaxAKBits).
			WithDetail("a TPM's AK is 2048 or 4096 bits; checking a signature costs the square of the key's size, so a key this large would keep cvmscope busy for nothing",
				"TPM의 AK는 2048비트나 4096비트입니다. 서명 확인 비용은 키 크기의 제곱이므로 이렇게 큰 키는 cvmscope를 쓸데없이 붙잡아 둡니다")
	}
	raw, scheme, h, err := decodeSignature(sig, ak)
	if err != nil {
		return check.Failf(IDSignature, "quote signature unreadable: %v", err).KO("쿼트 서명을 읽을 수 없습니다: %v", err)
	}
	hh := h.New()
	hh.Write(msg)
	digest := hh.Sum(nil)
	if scheme == tpm2.TPMAlgRSAPSS {
		err = rsa.VerifyPSS(ak, h, digest, raw, nil)
	} else {
		err = rsa.VerifyPKCS1v15(ak, h, digest, raw)
	}
	name := schemeName(scheme, h)
	if err != nil {
		return check.Failf(IDSignature, "quote signature does not verify with the AK (%s over %d bytes)", name, len(msg)).
			KO("쿼트 서명이 AK로 검증되지 않습니다 (%d바이트에 대한 %s)", len(msg), name).
			WithDetail("the quote was signed by another key, or message or signature were altered",
				"다른 키가 쿼트에 서명했거나, 메시지나 서명이 변조되었습니다")
	}
	if perr != nil {
		return check.Failf(IDSignature, "signature verifies, but the signed message is not a TPM quote: %v", perr).
			KO("서명은 검증되지만 서명된 메시지가 TPM 쿼트가 아닙니다: %v", perr).
			WithDetail("a restricted AK only signs TPM-generated structures; this key may not be restricted",
				"제한된(restricted) AK는 TPM이 만든 구조에만 서명합니다. 이 키는 제한된 키가 아닐 수 있습니다")
	}
	return check.Passf(IDSignature, "quote signed by the AK (%s, RSA-%d); PCR values and nonce checked separately", name, ak.N.BitLen()).
		KO("AK가 쿼트에 서명했습니다 (%s, RSA-%d). PCR 값과 논스(nonce)는 따로 검증합니다", name, ak.N.BitLen()).
		WithDetail(fmt.Sprintf("type %s, magic 0x%08x TPM_GENERATED: a restricted AK signs such structures only when the TPM made them", att.TypeName(), att.Magic),
			fmt.Sprintf("유형 %s, 매직 값 0x%08x TPM_GENERATED: 제한된 AK는 TPM이 직접 만든 구조에만 서명합니다", att.TypeNameKO(), att.Magic))
}

// decodeSignature accepts a bare signature of the key's size (RSASSA/SHA-256, as the
// Azure clients and trustee store it) or a TPMT_SIGNATURE.
func decodeSignature(sig []byte, ak *rsa.PublicKey) (raw []byte, scheme tpm2.TPMAlgID, h crypto.Hash, err error) {
	if len(sig) == ak.Size() {
		return sig, tpm2.TPMAlgRSASSA, crypto.SHA256, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("TPMT_SIGNATURE does not decode: %v", r)
		}
	}()
	ts, uerr := tpm2.Unmarshal[tpm2.TPMTSignature](sig)
	if uerr != nil {
		return nil, 0, 0, fmt.Errorf("%d bytes is neither a %d-byte RSA signature nor a TPMT_SIGNATURE: %v", len(sig), ak.Size(), uerr)
	}
	var rs *tpm2.TPMSSignatureRSA
	switch ts.SigAlg {
	case tpm2.TPMAlgRSASSA:
		rs, uerr = ts.Signature.RSASSA()
	case tpm2.TPMAlgRSAPSS:
		rs, uerr = ts.Signature.RSAPSS()
	default:
		return nil, 0, 0, fmt.Errorf("TPMT_SIGNATURE algorithm 0x%04x is not RSASSA or RSAPSS", uint16(ts.SigAlg))
	}
	if uerr != nil {
		return nil, 0, 0, fmt.Errorf("TPMT_SIGNATURE: %v", uerr)
	}
	h, err = cryptoHash(rs.Hash)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("TPMT_SIGNATURE: %v", err)
	}
	return rs.Sig.Buffer, ts.SigAlg, h, nil
}

func cryptoHash(a tpm2.TPMAlgID) (crypto.Hash, error) {
	switch a {
	case tpm2.TPMAlgSHA1:
		return crypto.SHA1, nil
	case tpm2.TPMAlgSHA256:
		return crypto.SHA256, nil
	case tpm2.TPMAlgSHA384:
		return crypto.SHA384, nil
	case tpm2.TPMAlgSHA512:
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("hash algorithm 0x%04x not supported", uint16(a))
}

func schemeName(s tpm2.TPMAlgID, h crypto.Hash) string {
	if s == tpm2.TPMAlgRSAPSS {
		return "RSA-PSS/" + h.String()
	}
	return "RSASSA-PKCS1-v1_5/" + h.String()
}

func checkNonce(att *Attest, perr error, nonce []byte) check.Check {
	if perr != nil {
		return check.Failf(IDNonce, "quote nonce not readable: %v", perr).KO("쿼트의 논스(nonce)를 읽을 수 없습니다: %v", perr)
	}
	got, gotKO := "extraData "+extraData(att.ExtraData), "extraData "+extraDataKO(att.ExtraData)
	if nonce == nil {
		return check.Skipf(IDNonce, "quote nonce not compared: no expected nonce given").
			KO("쿼트의 논스(nonce)를 비교하지 않았습니다. 기대하는 논스가 없습니다").WithDetail(got, gotKO)
	}
	if !bytes.Equal(att.ExtraData, nonce) {
		return check.Failf(IDNonce, "quote extraData differs from the expected nonce: the quote is not fresh for this request").
			KO("쿼트의 extraData가 기대한 논스(nonce)와 다릅니다. 이 쿼트는 이번 요청을 위해 새로 만든 것이 아닙니다").
			WithDetail(got, gotKO).WithDetail("expected  "+extraData(nonce), "기대값    "+extraDataKO(nonce))
	}
	return check.Passf(IDNonce, "quote extraData equals the expected nonce (%d bytes)", len(nonce)).
		KO("쿼트의 extraData가 기대한 논스(nonce)와 같습니다 (%d바이트)", len(nonce)).WithDetail(got, gotKO)
}

func checkPCRDigest(att *Attest, perr error, banks Banks) check.Check {
	if perr != nil {
		return check.Failf(IDPCRDigest, "PCR digest not checked: %v", perr).KO("PCR 다이제스트를 검증하지 않았습니다: %v", perr)
	}
	if att.Type != TypeQuote {
		return check.Failf(IDPCRDigest, "attestation is a %s, not a quote: it commits to no PCRs", att.TypeName()).
			KO("증명 구조가 쿼트가 아니라 %s입니다. 어떤 PCR도 담고 있지 않습니다", att.TypeName())
	}
	given := 0
	for _, vals := range banks {
		given += len(vals)
	}
	if given == 0 {
		return check.Skipf(IDPCRDigest, "PCR values not checked: none given").KO("PCR 값을 검증하지 않았습니다. 주어진 값이 없습니다").
			WithDetail("quote pcrDigest "+hex.EncodeToString(att.PCRDigest), "쿼트 pcrDigest "+hex.EncodeToString(att.PCRDigest))
	}
	// pcrDigest is made with the signing scheme's hash, whatever the banks' hashes are.
	var h hash.Hash
	switch len(att.PCRDigest) {
	case sha1.Size:
		h = sha1.New()
	case sha256.Size:
		h = sha256.New()
	case sha512.Size384:
		h = sha512.New384()
	case sha512.Size:
		h = sha512.New()
	default:
		return check.Failf(IDPCRDigest, "quote pcrDigest is %d bytes: no known hash has that size", len(att.PCRDigest)).
			KO("쿼트의 pcrDigest가 %d바이트입니다. 그 크기의 알려진 해시가 없습니다", len(att.PCRDigest))
	}
	sel := selectionText(att.Selection)
	c := check.Check{}.WithDetail("selected PCRs, in the quote's order: "+sel, "쿼트 순서대로 선택된 PCR: "+sel)
	if len(att.Selection) == 1 {
		b := att.Selection[0]
		c = check.Check{}.WithDetail(fmt.Sprintf("selected PCRs (%s bank): %s", algName(b.Hash), pcrList(b.PCRs)),
			fmt.Sprintf("선택된 PCR (%s 뱅크): %s", algName(b.Hash), pcrList(b.PCRs)))
	}
	// TPM 2.0 Part 1, 18.5: the digest runs over the selection's banks in order, each bank's
	// PCRs ascending (as the bitmap is read).
	var missing, wrongSize []string
	var absent []string
	for _, b := range att.Selection {
		vals := banks[b.Hash]
		if len(vals) == 0 && len(b.PCRs) > 0 {
			absent = append(absent, algName(b.Hash))
		}
		var miss []int
		for _, p := range b.PCRs {
			v, ok := vals[p]
			if !ok {
				miss = append(miss, p)
				continue
			}
			if size := digestSize(b.Hash); size > 0 && len(v) != size {
				wrongSize = append(wrongSize, fmt.Sprintf("%s PCR %d is %d bytes, not %d", algName(b.Hash), p, len(v), size))
			}
			h.Write(v)
		}
		if len(miss) > 0 {
			missing = append(missing, bankText(b.Hash, miss))
		}
	}
	if len(missing) > 0 {
		f := check.Failf(IDPCRDigest, "PCR values missing for selected PCRs %s", strings.Join(missing, "; ")).
			KO("선택된 PCR %s의 값이 없습니다", strings.Join(missing, "; "))
		if len(absent) > 0 {
			c = c.WithDetail(fmt.Sprintf("the quote covers the %s bank too: give its values (tpm2_quote -o writes every quoted bank; tpm2_pcrread -o takes the quote's selection, e.g. %s)", strings.Join(absent, ", "), tpm2Selection(att.Selection)),
				fmt.Sprintf("쿼트가 %s 뱅크도 담고 있습니다. 그 값을 함께 줍니다(tpm2_quote -o는 쿼트된 모든 뱅크를 씁니다. tpm2_pcrread -o에는 쿼트의 선택을 줍니다. 예: %s)", strings.Join(absent, ", "), tpm2Selection(att.Selection)))
		}
		return withLines(f, c)
	}
	var notQuoted []string
	for _, alg := range sortedAlgs(banks) {
		var quoted []int
		for _, b := range att.Selection {
			if b.Hash == alg {
				quoted = append(quoted, b.PCRs...)
			}
		}
		if extra := unselected(banks[alg], quoted); len(extra) > 0 {
			notQuoted = append(notQuoted, bankText(alg, extra))
		}
	}
	if len(notQuoted) > 0 {
		c = c.WithDetail("given but not quoted (not covered): "+strings.Join(notQuoted, "; "), "주어졌지만 쿼트되지 않은(검증 범위 밖) PCR: "+strings.Join(notQuoted, "; "))
	}
	for _, w := range wrongSize {
		c = c.WithDetail(w, w)
	}
	sum := h.Sum(nil)
	// The Korean labels keep the digests aligned: a Hangul syllable is two columns wide.
	c = c.WithDetail("quote pcrDigest "+hex.EncodeToString(att.PCRDigest), "쿼트 pcrDigest  "+hex.EncodeToString(att.PCRDigest)).
		WithDetail("computed        "+hex.EncodeToString(sum), "계산값          "+hex.EncodeToString(sum))
	if !bytes.Equal(sum, att.PCRDigest) {
		c = c.WithDetail("a PCR changed between reading and quoting, or the values are not the quoted ones",
			"읽은 뒤 쿼트하기 전에 PCR이 바뀌었거나, 주어진 값이 쿼트된 값이 아닙니다")
		return withLines(check.Failf(IDPCRDigest, "PCR values do not match the quote's pcrDigest (PCRs %s)", sel).
			KO("PCR 값이 쿼트의 pcrDigest와 맞지 않습니다 (PCR %s)", sel), c)
	}
	return withLines(check.Passf(IDPCRDigest, "PCR values %s match the quote's pcrDigest; their meaning is not evaluated here", sel).
		KO("PCR 값 %s이(가) 쿼트의 pcrDigest와 맞습니다. 각 값의 의미는 여기서 평가하지 않습니다", sel), c)
}

// selectionText writes a selection as "0-7 (sha256)", or for several banks
// "0-7 (sha1), 0-7 (sha256)" in the quote's order.
func selectionText(sel []PCRBank) string {
	var parts []string
	for _, b := range sel {
		parts = append(parts, fmt.Sprintf("%s (%s)", pcrList(b.PCRs), algName(b.Hash)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func bankText(alg tpm2.TPMAlgID, pcrs []int) string {
	return fmt.Sprintf("%s (%s)", pcrList(pcrs), algName(alg))
}

// tpm2Selection is the selection as tpm2-tools writes it: sha1:0,1+sha256:0,1.
func tpm2Selection(sel []PCRBank) string {
	var parts []string
	for _, b := range sel {
		var ps []string
		for _, p := range b.PCRs {
			ps = append(ps, fmt.Sprint(p))
		}
		parts = append(parts, algName(b.Hash)+":"+strings.Join(ps, ","))
	}
	return strings.Join(parts, "+")
}

func digestSize(alg tpm2.TPMAlgID) int {
	if h, err := cryptoHash(alg); err == nil {
		return h.Size()
	}
	return 0
}

func sortedAlgs(b Banks) []tpm2.TPMAlgID {
	var out []tpm2.TPMAlgID
	for a := range b {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// withLines gives c the detail lines of from, in both languages.
func withLines(c, from check.Check) check.Check {
	c.Details, c.DetailsKO = from.Details, from.DetailsKO
	return c
}

func unselected(pcrs map[int][]byte, sel []int) []int {
	in := map[int]bool{}
	for _, p := range sel {
		in[p] = true
	}
	var out []int
	for p := range pcrs {
		if !in[p] {
			out = append(out, p)
		}
	}
	sort.Ints(out)
	return out
}

// AKBinding checks that ak is the HCLAkPub in the HCL report's runtime claims. That
// ties the vTPM AK to the hardware report only as far as the report's REPORT_DATA
// binding of those claims holds (hcl.binding).
func AKBinding(claims *hcl.RuntimeClaims, ak *rsa.PublicKey) check.Check {
	if claims == nil {
		return check.Skipf(IDAKBinding, "AK binding not checked: no HCL runtime claims (Trusted Launch VM or unreadable report)").
			KO("AK 바인딩을 검증하지 않았습니다. HCL 런타임 클레임이 없습니다(Trusted Launch VM이거나 보고서를 읽을 수 없습니다)")
	}
	if ak == nil {
		return check.Skipf(IDAKBinding, "AK binding not checked: no AK public key given").
			KO("AK 바인딩을 검증하지 않았습니다. AK 공개 키가 없습니다")
	}
	jwk := claims.Key("HCLAkPub")
	if jwk == nil {
		return check.Failf(IDAKBinding, "HCL runtime claims carry no HCLAkPub key").KO("HCL 런타임 클레임에 HCLAkPub 키가 없습니다")
	}
	want, err := jwk.RSA()
	if err != nil {
		return check.Failf(IDAKBinding, "HCLAkPub in the runtime claims is unusable: %v", err).
			KO("런타임 클레임의 HCLAkPub을 쓸 수 없습니다: %v", err)
	}
	if !want.Equal(ak) {
		return check.Failf(IDAKBinding, "AK differs from HCLAkPub in the HCL runtime claims: the quote key is not the one the hardware report vouches for").
			KO("AK가 HCL 런타임 클레임의 HCLAkPub과 다릅니다. 쿼트 키가 하드웨어 보고서가 보증하는 키가 아닙니다").
			WithDetails("HCLAkPub modulus starts "+head(want), "AK modulus starts       "+head(ak))
	}
	return check.Passf(IDAKBinding, "AK equals HCLAkPub in the HCL runtime claims (RSA-%d, e=%d); holds as far as hcl.binding holds", ak.N.BitLen(), ak.E).
		KO("AK가 HCL 런타임 클레임의 HCLAkPub과 같습니다 (RSA-%d, e=%d). hcl.binding이 성립하는 범위에서 성립합니다", ak.N.BitLen(), ak.E)
}

func head(k *rsa.PublicKey) string {
	b := k.N.Bytes()
	return hex.EncodeToString(b[:min(8, len(b))])
}
