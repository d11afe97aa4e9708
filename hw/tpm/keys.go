package tpm

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2"
)

// ReadPublic reads a loaded or persistent object's public area. raw is the TPM2B_PUBLIC
// as the TPM sent it (with its size prefix); pub is its RSA key (exponent 0 means 65537).
// A non-RSA key gives raw and an error.
func (t *TPM) ReadPublic(ctx context.Context, handle uint32) (raw []byte, pub *rsa.PublicKey, err error) {
	raw, _, pub, err = t.readPublic(ctx, handle)
	return raw, pub, err
}

func (t *TPM) readPublic(ctx context.Context, handle uint32) ([]byte, tpm2.TPM2BName, *rsa.PublicKey, error) {
	target := fmt.Sprintf("handle 0x%08X", handle)
	if err := ctx.Err(); err != nil {
		return nil, tpm2.TPM2BName{}, nil, err
	}
	rsp, err := tpm2.ReadPublic{ObjectHandle: tpm2.TPMHandle(handle)}.Execute(t.tr)
	if err != nil {
		return nil, tpm2.TPM2BName{}, nil, commandError("TPM2_ReadPublic", target, err)
	}
	raw := tpm2.Marshal(rsp.OutPublic)
	pub, err := rsaFromPublic(rsp.OutPublic)
	if err != nil {
		return raw, rsp.Name, nil, fault.Korean(fault.Errorf(fault.Device, "TPM2_ReadPublic %s: %v", target, err),
			fmt.Sprintf("TPM2_ReadPublic %s: TPM이 돌려준 공개 영역을 RSA 키로 읽을 수 없습니다 (%v)", target, err), "")
	}
	return raw, rsp.Name, pub, nil
}

func rsaFromPublic(p tpm2.TPM2BPublic) (*rsa.PublicKey, error) {
	pt, err := p.Contents()
	if err != nil {
		return nil, fmt.Errorf("decoding TPMT_PUBLIC: %w", err)
	}
	if pt.Type != tpm2.TPMAlgRSA {
		return nil, fmt.Errorf("key type is 0x%04x, want RSA (0x0001)", uint16(pt.Type))
	}
	parms, err := pt.Parameters.RSADetail()
	if err != nil {
		return nil, fmt.Errorf("RSA parameters: %w", err)
	}
	n, err := pt.Unique.RSA()
	if err != nil {
		return nil, fmt.Errorf("RSA modulus: %w", err)
	}
	return tpm2.RSAPub(parms, n)
}

// EKPub returns the RSA endorsement key: the one Azure's client persists at 0x81010001,
// or, when nothing is persisted there (simulators, fresh VMs), the key the TCG default
// RSA EK template derives, created for the moment and flushed.
func (t *TPM) EKPub(ctx context.Context) (raw []byte, pub *rsa.PublicKey, err error) {
	raw, pub, err = t.ReadPublic(ctx, HandleEK)
	if err == nil || !errors.Is(err, tpm2.TPMRCHandle) {
		return raw, pub, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	rsp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHEndorsement, Auth: tpm2.PasswordAuth(nil)},
		InPublic:      tpm2.New2B(tpm2.RSAEKTemplate),
	}.Execute(t.tr)
	if err != nil {
		return nil, nil, commandError("TPM2_CreatePrimary", "RSA EK template", err)
	}
	defer tpm2.FlushContext{FlushHandle: rsp.ObjectHandle}.Execute(t.tr)
	raw = tpm2.Marshal(rsp.OutPublic)
	pub, err = rsaFromPublic(rsp.OutPublic)
	if err != nil {
		return raw, nil, fault.Korean(fault.Errorf(fault.Device, "TPM2_CreatePrimary RSA EK: %v", err),
			fmt.Sprintf("TPM2_CreatePrimary RSA EK: TPM이 돌려준 공개 영역을 RSA 키로 읽을 수 없습니다 (%v)", err), "")
	}
	return raw, pub, nil
}

// AKCert reads the AK certificate from NV 0x01C101D0 and trims the zero padding after
// its DER encoding.
func (t *TPM) AKCert(ctx context.Context) ([]byte, error) {
	b, err := t.NVRead(ctx, NVAKCert)
	if err != nil {
		return nil, err
	}
	der, err := akcert.Trim(b)
	if err != nil {
		return nil, fault.Korean(fault.WithHint(fault.Device, fmt.Errorf("%s: %w", nvTarget(NVAKCert), err),
			"the index does not hold a DER certificate; on Azure it may not be provisioned yet, retry in a few minutes"),
			fmt.Sprintf("%s: DER 인증서가 아닙니다 (%v)", nvTarget(NVAKCert), err),
			"인덱스에 DER 인증서가 없습니다. Azure에서는 AK 인증서가 아직 프로비저닝되지 않았을 수 있으니 몇 분 뒤 다시 시도합니다")
	}
	return der, nil
}
