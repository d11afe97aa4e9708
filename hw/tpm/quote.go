package tpm

import (
	"context"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2"
)

// QuoteResult is a TPM2_Quote with the PCR values read just before it.
type QuoteResult struct {
	// Attest is the TPMS_ATTEST the key signed (no TPM2B size prefix).
	Attest []byte
	// Signature is the raw RSA signature (RSASSA or RSAPSS per SigScheme).
	Signature []byte
	SigScheme tpm2.TPMAlgID
	SigHash   tpm2.TPMAlgID
	// PCRs are the SHA-256 values of the quoted PCRs, read right before quoting; if
	// something extends a PCR in between, the quote's pcrDigest will not match them.
	PCRs map[int][]byte
}

// Quote quotes the given SHA-256 PCRs with the key at ak (HandleAK on Azure), using
// nonce as qualifyingData (empty is allowed: the Azure clients send none).
func (t *TPM) Quote(ctx context.Context, ak uint32, nonce []byte, pcrs []int) (*QuoteResult, error) {
	if len(nonce) > 64 {
		return nil, fault.Korean(fault.Errorf(fault.Internal, "quote nonce is %d bytes; TPM2B_DATA holds at most 64", len(nonce)),
			fmt.Sprintf("쿼트 논스(nonce)가 %d바이트입니다. TPM2B_DATA에는 64바이트까지 들어갑니다", len(nonce)), "")
	}
	sel, err := selection(pcrs)
	if err != nil {
		return nil, err
	}
	_, name, _, err := t.readPublic(ctx, ak)
	if err != nil && name.Buffer == nil {
		return nil, err
	}
	values, err := t.ReadPCRSelection(ctx, pcrs)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// TPM_ALG_NULL lets the restricted AK use its own scheme, as the Azure clients do.
	rsp, err := tpm2.Quote{
		SignHandle:     tpm2.AuthHandle{Handle: tpm2.TPMHandle(ak), Name: name, Auth: tpm2.PasswordAuth(nil)},
		QualifyingData: tpm2.TPM2BData{Buffer: nonce},
		InScheme:       tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgNull},
		PCRSelect:      sel,
	}.Execute(t.tr)
	if err != nil {
		return nil, commandError("TPM2_Quote", fmt.Sprintf("key 0x%08X", ak), err)
	}
	res := &QuoteResult{Attest: rsp.Quoted.Bytes(), SigScheme: rsp.Signature.SigAlg, PCRs: values}
	sig, err := rsaSignature(rsp.Signature)
	if err != nil {
		return nil, fault.Korean(fault.Errorf(fault.Device, "TPM2_Quote key 0x%08X: %v", ak, err),
			fmt.Sprintf("TPM2_Quote 키 0x%08X: TPM이 돌려준 서명을 읽을 수 없습니다 (%v)", ak, err), "")
	}
	res.Signature, res.SigHash = sig.Sig.Buffer, sig.Hash
	return res, nil
}

// rsaSignature takes the RSA signature out of a TPMT_SIGNATURE made by the AK (RSASSA, or
// RSAPSS on TPMs configured so).
func rsaSignature(s tpm2.TPMTSignature) (*tpm2.TPMSSignatureRSA, error) {
	switch s.SigAlg {
	case tpm2.TPMAlgRSASSA:
		return s.Signature.RSASSA()
	case tpm2.TPMAlgRSAPSS:
		return s.Signature.RSAPSS()
	}
	return nil, fmt.Errorf("signature algorithm 0x%04x is not RSA; the Azure AK is RSA-2048", uint16(s.SigAlg))
}
