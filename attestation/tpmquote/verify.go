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

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-tpm/tpm2"
)

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
// pcrs maps PCR index to its value in the quoted bank.
func VerifyQuote(msg, sig []byte, ak *rsa.PublicKey, pcrs map[int][]byte, nonce []byte) check.List {
	att, perr := ParseAttest(msg)
	l := check.List{verifySignature(msg, sig, ak, att, perr)}
	l = append(l, checkNonce(att, perr, nonce))
	return append(l, checkPCRDigest(att, perr, pcrs))
}

func verifySignature(msg, sig []byte, ak *rsa.PublicKey, att *Attest, perr error) check.Check {
	if ak == nil {
		return check.Skipf(IDSignature, "quote signature not checked: no AK public key given")
	}
	raw, scheme, h, err := decodeSignature(sig, ak)
	if err != nil {
		return check.Failf(IDSignature, "quote signature unreadable: %v", err)
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
			WithDetails("the quote was signed by another key, or message or signature were altered")
	}
	if perr != nil {
		return check.Failf(IDSignature, "signature verifies, but the signed message is not a TPM quote: %v", perr).
			WithDetails("a restricted AK only signs TPM-generated structures; this key may not be restricted")
	}
	return check.Passf(IDSignature, "quote signed by the AK (%s, RSA-%d); PCR values and nonce checked separately", name, ak.N.BitLen()).
		WithDetails(fmt.Sprintf("type %s, magic 0x%08x TPM_GENERATED: a restricted AK signs such structures only when the TPM made them", att.TypeName(), att.Magic))
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
		return check.Failf(IDNonce, "quote nonce not readable: %v", perr)
	}
	got := "extraData " + extraData(att.ExtraData)
	if nonce == nil {
		return check.Skipf(IDNonce, "quote nonce not compared: no expected nonce given").WithDetails(got)
	}
	if !bytes.Equal(att.ExtraData, nonce) {
		return check.Failf(IDNonce, "quote extraData differs from the expected nonce: the quote is not fresh for this request").
			WithDetails(got, "expected  "+extraData(nonce))
	}
	return check.Passf(IDNonce, "quote extraData equals the expected nonce (%d bytes)", len(nonce)).WithDetails(got)
}

func checkPCRDigest(att *Attest, perr error, pcrs map[int][]byte) check.Check {
	if perr != nil {
		return check.Failf(IDPCRDigest, "PCR digest not checked: %v", perr)
	}
	if att.Type != TypeQuote {
		return check.Failf(IDPCRDigest, "attestation is a %s, not a quote: it commits to no PCRs", att.TypeName())
	}
	if pcrs == nil {
		return check.Skipf(IDPCRDigest, "PCR values not checked: none given").
			WithDetails("quote pcrDigest " + hex.EncodeToString(att.PCRDigest))
	}
	if len(att.Selection) != 1 {
		return check.Failf(IDPCRDigest, "quote selects %d PCR banks; only a single-bank quote can be checked against one set of values", len(att.Selection))
	}
	bank := att.Selection[0]
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
		return check.Failf(IDPCRDigest, "quote pcrDigest is %d bytes: no known hash has that size", len(att.PCRDigest))
	}
	details := []string{fmt.Sprintf("selected PCRs (%s bank): %s", algName(bank.Hash), pcrList(bank.PCRs))}
	var missing []int
	for _, p := range bank.PCRs { // ascending, as the bitmap is read
		v, ok := pcrs[p]
		if !ok {
			missing = append(missing, p)
			continue
		}
		h.Write(v)
	}
	if len(missing) > 0 {
		return check.Failf(IDPCRDigest, "PCR values missing for selected PCRs %s", pcrList(missing)).WithDetails(details...)
	}
	if extra := unselected(pcrs, bank.PCRs); len(extra) > 0 {
		details = append(details, "given but not quoted (not covered): PCR "+pcrList(extra))
	}
	sum := h.Sum(nil)
	details = append(details, "quote pcrDigest "+hex.EncodeToString(att.PCRDigest), "computed        "+hex.EncodeToString(sum))
	if !bytes.Equal(sum, att.PCRDigest) {
		return check.Failf(IDPCRDigest, "PCR values do not match the quote's pcrDigest (PCRs %s)", pcrList(bank.PCRs)).
			WithDetails(append(details, "a PCR changed between reading and quoting, or the values are not the quoted ones")...)
	}
	return check.Passf(IDPCRDigest, "PCR values %s (%s) match the quote's pcrDigest; their meaning is not evaluated here",
		pcrList(bank.PCRs), algName(bank.Hash)).WithDetails(details...)
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
		return check.Skipf(IDAKBinding, "AK binding not checked: no HCL runtime claims (Trusted Launch VM or unreadable report)")
	}
	if ak == nil {
		return check.Skipf(IDAKBinding, "AK binding not checked: no AK public key given")
	}
	jwk := claims.Key("HCLAkPub")
	if jwk == nil {
		return check.Failf(IDAKBinding, "HCL runtime claims carry no HCLAkPub key")
	}
	want, err := jwk.RSA()
	if err != nil {
		return check.Failf(IDAKBinding, "HCLAkPub in the runtime claims is unusable: %v", err)
	}
	if !want.Equal(ak) {
		return check.Failf(IDAKBinding, "AK differs from HCLAkPub in the HCL runtime claims: the quote key is not the one the hardware report vouches for").
			WithDetails("HCLAkPub modulus starts "+head(want), "AK modulus starts       "+head(ak))
	}
	return check.Passf(IDAKBinding, "AK equals HCLAkPub in the HCL runtime claims (RSA-%d, e=%d); holds as far as hcl.binding holds", ak.N.BitLen(), ak.E)
}

func head(k *rsa.PublicKey) string {
	b := k.N.Bytes()
	return hex.EncodeToString(b[:min(8, len(b))])
}
