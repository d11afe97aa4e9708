package tpm

import (
	"context"
	"errors"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2"
)

// NVPublic is what TPM2_NV_ReadPublic says about an index.
type NVPublic struct {
	Index      uint32
	NameAlg    tpm2.TPMAlgID
	Attributes tpm2.TPMANV
	Size       int
	// Name is the index's TPM name, needed to authorize commands on it.
	Name tpm2.TPM2BName
}

// AttributeNames lists the set attributes as tpm2-tools prints them, e.g. "ownerread".
func (p NVPublic) AttributeNames() []string {
	a := p.Attributes
	flags := []struct {
		on   bool
		name string
	}{
		{a.PPWrite, "ppwrite"}, {a.OwnerWrite, "ownerwrite"}, {a.AuthWrite, "authwrite"},
		{a.PolicyWrite, "policywrite"}, {a.PolicyDelete, "policydelete"}, {a.WriteLocked, "writelocked"},
		{a.WriteAll, "writeall"}, {a.WriteDefine, "writedefine"}, {a.WriteSTClear, "write_stclear"},
		{a.GlobalLock, "globallock"}, {a.PPRead, "ppread"}, {a.OwnerRead, "ownerread"},
		{a.AuthRead, "authread"}, {a.PolicyRead, "policyread"}, {a.NoDA, "no_da"},
		{a.Orderly, "orderly"}, {a.ClearSTClear, "clear_stclear"}, {a.ReadLocked, "readlocked"},
		{a.Written, "written"}, {a.PlatformCreate, "platformcreate"}, {a.ReadSTClear, "read_stclear"},
	}
	var out []string
	for _, f := range flags {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

func nvTarget(idx uint32) string { return fmt.Sprintf("NV 0x%08X", idx) }

func ownerAuth() tpm2.AuthHandle {
	// Azure leaves the owner password empty; every reference client reads with it.
	return tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)}
}

// NVReadPublic reads an NV index's public area.
func (t *TPM) NVReadPublic(ctx context.Context, idx uint32) (*NVPublic, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rsp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(idx)}.Execute(t.tr)
	if err != nil {
		return nil, commandError("TPM2_NV_ReadPublic", nvTarget(idx), err)
	}
	pub, err := rsp.NVPublic.Contents()
	if err != nil {
		return nil, commandError("TPM2_NV_ReadPublic", nvTarget(idx), fmt.Errorf("decoding TPMS_NV_PUBLIC: %w", err))
	}
	return &NVPublic{Index: uint32(pub.NVIndex), NameAlg: pub.NameAlg, Attributes: pub.Attributes,
		Size: int(pub.DataSize), Name: rsp.NVName}, nil
}

// NVBufferMax is TPM_PT_NV_BUFFER_MAX, the most one TPM2_NV_Read or TPM2_NV_Write moves.
func (t *TPM) NVBufferMax(ctx context.Context) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.nvBufMax > 0 {
		return t.nvBufMax, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	v, err := t.property(tpm2.TPMPTNVBufferMax)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		// A TPM that does not report it: 512 is what the Azure C++ client uses.
		v = 512
	}
	t.nvBufMax = int(v)
	return t.nvBufMax, nil
}

func (t *TPM) property(p tpm2.TPMPT) (uint32, error) {
	rsp, err := tpm2.GetCapability{Capability: tpm2.TPMCapTPMProperties, Property: uint32(p), PropertyCount: 1}.Execute(t.tr)
	if err != nil {
		return 0, commandError("TPM2_GetCapability", fmt.Sprintf("property 0x%x", uint32(p)), err)
	}
	props, err := rsp.CapabilityData.Data.TPMProperties()
	if err != nil {
		return 0, commandError("TPM2_GetCapability", fmt.Sprintf("property 0x%x", uint32(p)), err)
	}
	for _, tp := range props.TPMProperty {
		if tp.Property == p {
			return tp.Value, nil
		}
	}
	return 0, nil
}

// NVRead reads a whole NV index with owner authorization (empty password), in chunks of
// at most TPM_PT_NV_BUFFER_MAX bytes.
func (t *TPM) NVRead(ctx context.Context, idx uint32) ([]byte, error) {
	pub, err := t.NVReadPublic(ctx, idx)
	if err != nil {
		return nil, err
	}
	chunk, err := t.NVBufferMax(ctx)
	if err != nil {
		return nil, err
	}
	nv := tpm2.NamedHandle{Handle: tpm2.TPMHandle(idx), Name: pub.Name}
	out := make([]byte, 0, pub.Size)
	for off := 0; off < pub.Size; off += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(chunk, pub.Size-off)
		rsp, err := tpm2.NVRead{AuthHandle: ownerAuth(), NVIndex: nv, Size: uint16(n), Offset: uint16(off)}.Execute(t.tr)
		if err != nil {
			return nil, commandError("TPM2_NV_Read", fmt.Sprintf("%s offset %d", nvTarget(idx), off), err)
		}
		out = append(out, rsp.Data.Buffer...)
	}
	return out, nil
}

// NVDefine defines an index with owner authorization, nameAlg SHA-256, an empty
// authValue and no policy.
func (t *TPM) NVDefine(ctx context.Context, idx uint32, size int, attrs tpm2.TPMANV) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if size <= 0 || size > 0xFFFF {
		return fault.Korean(fault.Errorf(fault.Internal, "NV index 0x%08X: size %d out of range 1..65535", idx, size),
			fmt.Sprintf("NV 인덱스 0x%08X: 크기 %d이(가) 범위 1..65535를 벗어납니다", idx, size), "")
	}
	pub := tpm2.TPMSNVPublic{NVIndex: tpm2.TPMHandle(idx), NameAlg: tpm2.TPMAlgSHA256, Attributes: attrs, DataSize: uint16(size)}
	_, err := tpm2.NVDefineSpace{AuthHandle: ownerAuth(), PublicInfo: tpm2.New2B(pub)}.Execute(t.tr)
	return commandError("TPM2_NV_DefineSpace", nvTarget(idx), err)
}

// NVUndefine removes an index with owner authorization.
func (t *TPM) NVUndefine(ctx context.Context, idx uint32) error {
	pub, err := t.NVReadPublic(ctx, idx)
	if err != nil {
		return err
	}
	_, err = tpm2.NVUndefineSpace{AuthHandle: ownerAuth(),
		NVIndex: tpm2.NamedHandle{Handle: tpm2.TPMHandle(idx), Name: pub.Name}}.Execute(t.tr)
	return commandError("TPM2_NV_UndefineSpace", nvTarget(idx), err)
}

// NVWrite writes data at offset 0 of an index with owner authorization, in chunks of at
// most TPM_PT_NV_BUFFER_MAX bytes.
func (t *TPM) NVWrite(ctx context.Context, idx uint32, data []byte) error {
	pub, err := t.NVReadPublic(ctx, idx)
	if err != nil {
		return err
	}
	if len(data) > pub.Size {
		return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s holds %d bytes, cannot write %d", nvTarget(idx), pub.Size, len(data)),
			"write at most the index size"),
			fmt.Sprintf("%s은(는) %d바이트라 %d바이트를 쓸 수 없습니다", nvTarget(idx), pub.Size, len(data)), "인덱스 크기 이하로만 씁니다")
	}
	chunk, err := t.NVBufferMax(ctx)
	if err != nil {
		return err
	}
	for off := 0; off < len(data); off += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(off+chunk, len(data))
		// The name changes once TPMA_NV_WRITTEN is set, so re-read it after the first write.
		if off > 0 {
			if pub, err = t.NVReadPublic(ctx, idx); err != nil {
				return err
			}
		}
		_, err := tpm2.NVWrite{AuthHandle: ownerAuth(),
			NVIndex: tpm2.NamedHandle{Handle: tpm2.TPMHandle(idx), Name: pub.Name},
			Data:    tpm2.TPM2BMaxNVBuffer{Buffer: data[off:end]}, Offset: uint16(off)}.Execute(t.tr)
		if err != nil {
			return commandError("TPM2_NV_Write", fmt.Sprintf("%s offset %d", nvTarget(idx), off), err)
		}
	}
	return nil
}

// UserDataAttributes are the attributes the Azure clients give NVUserData
// (OWNERWRITE|AUTHWRITE|OWNERREAD|AUTHREAD = 0x00060006).
var UserDataAttributes = tpm2.TPMANV{OwnerWrite: true, AuthWrite: true, OwnerRead: true, AuthRead: true, NT: tpm2.TPMNTOrdinary}

// NVWriteUserData writes data, zero-padded to 64 bytes, to NV 0x01400002, defining the
// index first when the TPM says it does not exist. On Azure the next read of the HCL
// report then carries the upper-case hex of these 64 bytes as "user-data".
func (t *TPM) NVWriteUserData(ctx context.Context, data []byte) error {
	if len(data) > UserDataSize {
		return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("user data is %d bytes; NV 0x%08X holds %d", len(data), NVUserData, UserDataSize),
			"pass at most 64 bytes (for a longer nonce, write its SHA-512)"),
			fmt.Sprintf("사용자 데이터가 %d바이트입니다. NV 0x%08X에는 %d바이트까지 들어갑니다", len(data), NVUserData, UserDataSize),
			"64바이트 이하로 넘깁니다(더 긴 논스(nonce)는 SHA-512를 씁니다)")
	}
	if _, err := t.NVReadPublic(ctx, NVUserData); err != nil {
		if !errors.Is(err, tpm2.TPMRCHandle) {
			return err
		}
		if err := t.NVDefine(ctx, NVUserData, UserDataSize, UserDataAttributes); err != nil {
			return err
		}
	}
	buf := make([]byte, UserDataSize)
	copy(buf, data)
	return t.NVWrite(ctx, NVUserData, buf)
}
