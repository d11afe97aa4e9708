package simcvm

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// NV indices and persistent handles of an Azure vTPM (protocol §1.2).
const (
	ReportIndex   uint32 = 0x01400001 // HCL report, owned by the paravisor
	UserDataIndex uint32 = 0x01400002 // 64 bytes of guest data bound into the next report
	AKCertIndex   uint32 = 0x01C101D0 // DER AK certificate
	AKHandle      uint32 = 0x81000003
	EKHandle      uint32 = 0x81010001

	// UserDataSize is the size of NV 0x01400002.
	UserDataSize = 64
)

// ReportNVPublic is the public area the paravisor answers for NV 0x01400001. The attributes
// are those OpenVMM's paravisor uses when it defines the index (platform-created,
// password-authorised, owner- or index-readable, no dictionary-attack protection), plus
// WRITTEN because the report is always present.
func ReportNVPublic() tpm2.TPMSNVPublic {
	return tpm2.TPMSNVPublic{
		NVIndex: tpm2.TPMHandle(ReportIndex),
		NameAlg: tpm2.TPMAlgSHA256,
		Attributes: tpm2.TPMANV{
			AuthWrite:      true,
			OwnerRead:      true,
			AuthRead:       true,
			NoDA:           true,
			Written:        true,
			PlatformCreate: true,
		},
		DataSize: hcl.NVSize,
	}
}

// paravisor answers NV 0x01400001 in front of a TPM, as Azure's paravisor does: stock TPMs
// cap an NV index at 2048 bytes (TPM_PT_NV_INDEX_MAX) while the report index is 2600, so the
// index cannot live in the TPM itself. Every other command goes to the inner TPM unchanged.
type paravisor struct {
	inner transport.TPM
	cvm   *CVM

	mu          sync.Mutex // one command at a time, like a TPM
	nvBufferMax int        // TPM_PT_NV_BUFFER_MAX of the inner TPM, read once
}

// NewParavisor wraps inner so that NV 0x01400001 is answered from cvm's report. For a
// Trusted Launch CVM (no report) every command passes through, so reading the index gives
// the inner TPM's TPM_RC_HANDLE, as on Azure.
func NewParavisor(inner transport.TPM, cvm *CVM) transport.TPM {
	return &paravisor{inner: inner, cvm: cvm}
}

// Send implements transport.TPM.
func (p *paravisor) Send(cmd []byte) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cc, ok := commandCode(cmd)
	if !ok || !p.cvm.hasReport() {
		return p.inner.Send(cmd)
	}
	switch cc {
	case ccNVReadPublic:
		if handleAt(cmd, 0) == ReportIndex {
			return p.readPublic(cmd)
		}
	case ccNVRead:
		if handleAt(cmd, 1) == ReportIndex {
			return p.read(cmd)
		}
	case ccNVWrite, ccNVUndefineSpace:
		// The guest may neither overwrite nor remove the paravisor's index: it is
		// platform-created and its password is the paravisor's.
		if handleAt(cmd, 1) == ReportIndex {
			return errorResponse(rcNVAuthorization), nil
		}
	}
	return p.inner.Send(cmd)
}

func handleAt(cmd []byte, i int) uint32 {
	off := headerSize + 4*i
	if len(cmd) < off+4 {
		return 0
	}
	return binary.BigEndian.Uint32(cmd[off:])
}

func (p *paravisor) readPublic(raw []byte) ([]byte, error) {
	c, rc, err := parseCommand(raw, 1)
	if err != nil {
		return errorResponse(rc), nil
	}
	if len(c.auths) > 0 {
		// Audit or encryption sessions on NV_ReadPublic belong to the inner TPM; the
		// paravisor cannot answer them.
		return errorResponse(rcAuthUnavailable), nil
	}
	if err := p.cvm.refresh(p.inner); err != nil {
		return nil, err
	}
	pub := ReportNVPublic()
	name, err := tpm2.NVName(&pub)
	if err != nil {
		return nil, fmt.Errorf("simcvm paravisor: NV name of 0x%08x: %w", ReportIndex, err)
	}
	params := append(tpm2.Marshal(tpm2.New2B(pub)), tpm2.Marshal(*name)...)
	return successResponse(c, params), nil
}

func (p *paravisor) read(raw []byte) ([]byte, error) {
	c, rc, err := parseCommand(raw, 2)
	if err != nil {
		return errorResponse(rc), nil
	}
	if c.tag != tagSessions || len(c.auths) == 0 {
		return errorResponse(rcAuthMissing), nil
	}
	// NV_Read has one authorised handle; only a password session can be checked here.
	a := c.auths[0]
	if a.handle != handlePW {
		return errorResponse(rcAuthUnavailable), nil
	}
	if auth := c.handles[0]; auth != uint32(tpm2.TPMRHOwner) && auth != ReportIndex {
		return errorResponse(rcNVAuthorization), nil
	}
	if len(a.hmac) != 0 {
		// Owner auth and the index password are both empty in the simulated CVM.
		return errorResponse(rcBadAuthSession1), nil
	}
	if len(c.params) != 4 {
		return errorResponse(rcCommandSize), nil
	}
	size := int(binary.BigEndian.Uint16(c.params[0:]))
	offset := int(binary.BigEndian.Uint16(c.params[2:]))
	// Same checks, in the same order, as TPM2_NV_Read in the reference implementation.
	max, err := p.bufferMax()
	if err != nil {
		return nil, err
	}
	if size > max {
		return errorResponse(rcNVReadSizeValue), nil
	}
	if offset > hcl.NVSize {
		return errorResponse(rcNVReadOffsetVal), nil
	}
	if size > hcl.NVSize-offset {
		return errorResponse(rcNVRange), nil
	}
	if offset == 0 {
		// A reader starts at offset 0; regenerating there keeps the chunks of one read
		// consistent with each other.
		if err := p.cvm.refresh(p.inner); err != nil {
			return nil, err
		}
	}
	report := p.cvm.Report()
	params := binary.BigEndian.AppendUint16(nil, uint16(size))
	params = append(params, report[offset:offset+size]...)
	return successResponse(c, params), nil
}

// bufferMax asks the inner TPM for TPM_PT_NV_BUFFER_MAX once, so that the paravisor rejects
// the same read sizes the TPM would.
func (p *paravisor) bufferMax() (int, error) {
	if p.nvBufferMax == 0 {
		v, err := tpmProperty(p.inner, tpm2.TPMPTNVBufferMax)
		if err != nil {
			return 0, err
		}
		p.nvBufferMax = int(v)
	}
	return p.nvBufferMax, nil
}
