package simroots

import (
	"crypto"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
)

// Layout of the SEV-SNP ATTESTATION_REPORT (AMD SNP ABI, protocol §2.4).
const (
	SNPReportSize     = 1184
	snpSignatureOff   = 0x2A0
	snpSigCompSize    = 72 // R and S are each 72 bytes, little-endian, zero-padded
	snpPolicyBase     = uint64(0x3001F)
	snpPolicyDebug    = uint64(1) << 19
	snpSigAlgoECDSA   = 1
	snpAuthorKeyEnBit = 1
)

// SNPParams are the guest-chosen and launch-time fields of a simulated SEV-SNP report.
type SNPParams struct {
	ReportData      [64]byte
	Measurement     [48]byte
	HostData        [32]byte
	IDKeyDigest     [48]byte
	AuthorKeyDigest [48]byte
	FamilyID        [16]byte
	ImageID         [16]byte
	GuestSVN        uint32
	VMPL            uint32 // 0–3; Azure's paravisor (HCL) runs at VMPL 0
	Debug           bool   // sets policy bit 19
	ReportID        [32]byte
	// Version is the report format, 2 or 3; 0 means 3 (which adds the CPUID family, model
	// and stepping at 0x188 and lets verifiers identify the product without a hint).
	Version uint32
}

// NewReport builds a 1184-byte ATTESTATION_REPORT signed by the VCEK with ECDSA
// P-384/SHA-384 (RFC 6979, so the same params give the same bytes). Policy is 0x3001F as on
// Azure, plus the debug bit when p.Debug is set.
func (a *AMD) NewReport(p SNPParams) ([]byte, error) {
	version := p.Version
	if version == 0 {
		version = 3
	}
	if version != 2 && version != 3 {
		return nil, fmt.Errorf("simroots: SNPParams.Version is %d; the simulator writes report versions 2 and 3", p.Version)
	}
	if p.VMPL > 3 {
		return nil, fmt.Errorf("simroots: SNPParams.VMPL is %d; SEV-SNP has VMPLs 0 to 3", p.VMPL)
	}
	policy := snpPolicyBase
	if p.Debug {
		policy |= snpPolicyDebug
	}
	var keyInfo uint32 // signing key 0 = VCEK
	if p.AuthorKeyDigest != ([48]byte{}) {
		keyInfo |= snpAuthorKeyEnBit
	}
	le := binary.LittleEndian
	r := make([]byte, SNPReportSize)
	le.PutUint32(r[0x000:], version)
	le.PutUint32(r[0x004:], p.GuestSVN)
	le.PutUint64(r[0x008:], policy)
	copy(r[0x010:0x020], p.FamilyID[:])
	copy(r[0x020:0x030], p.ImageID[:])
	le.PutUint32(r[0x030:], p.VMPL)
	le.PutUint32(r[0x034:], snpSigAlgoECDSA)
	le.PutUint64(r[0x038:], a.ReportedTCB) // current TCB
	le.PutUint64(r[0x040:], a.PlatformInfo)
	le.PutUint32(r[0x048:], keyInfo)
	copy(r[0x050:0x090], p.ReportData[:])
	copy(r[0x090:0x0C0], p.Measurement[:])
	copy(r[0x0C0:0x0E0], p.HostData[:])
	copy(r[0x0E0:0x110], p.IDKeyDigest[:])
	copy(r[0x110:0x140], p.AuthorKeyDigest[:])
	copy(r[0x140:0x160], p.ReportID[:])
	// REPORT_ID_MA all ones: no migration agent, as observed on Azure.
	for i := 0x160; i < 0x180; i++ {
		r[i] = 0xFF
	}
	le.PutUint64(r[0x180:], a.ReportedTCB)
	if version >= 3 {
		r[0x188], r[0x189], r[0x18A] = cpuidFamily, cpuidModel, cpuidStepping
	}
	copy(r[0x1A0:0x1E0], a.ChipID[:])
	le.PutUint64(r[0x1E0:], a.ReportedTCB) // committed TCB
	r[0x1E8], r[0x1E9], r[0x1EA] = fwBuild, fwMinor, fwMajor
	r[0x1EC], r[0x1ED], r[0x1EE] = fwBuild, fwMinor, fwMajor
	le.PutUint64(r[0x1F0:], a.ReportedTCB) // launch TCB
	if err := a.signReport(r); err != nil {
		return nil, err
	}
	return r, nil
}

// signReport signs r[0:0x2A0] and writes R and S little-endian at 0x2A0 and 0x2E8.
func (a *AMD) signReport(r []byte) error {
	digest := sha512.Sum384(r[:snpSignatureOff])
	// A nil random source selects RFC 6979 deterministic ECDSA.
	der, err := a.vcekKey.Sign(nil, digest[:], crypto.SHA384)
	if err != nil {
		return fmt.Errorf("simroots: signing the SNP report with the simulated VCEK: %w", err)
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) != 0 {
		return fmt.Errorf("simroots: unexpected ECDSA signature encoding: %v", err)
	}
	putLittleEndian(r[snpSignatureOff:snpSignatureOff+snpSigCompSize], sig.R)
	putLittleEndian(r[snpSignatureOff+snpSigCompSize:snpSignatureOff+2*snpSigCompSize], sig.S)
	return nil
}

func putLittleEndian(dst []byte, v *big.Int) {
	be := v.Bytes()
	for i := range dst {
		dst[i] = 0
	}
	for i, b := range be {
		dst[len(be)-1-i] = b
	}
}
