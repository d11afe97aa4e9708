// Package snp parses AMD SEV-SNP attestation reports, explains their fields (with the MAA
// claim each one becomes) and verifies them: the report signature with the VCEK or VLEK, and
// the certificate chain VCEK → ASK → ARK up to AMD's roots as go-sev-guest ships them, or up
// to roots the caller adds (the simulated CVM's test roots).
//
// Verification never touches the network unless Options.AllowNetwork is set: AMD's KDS
// rate-limits and go-sev-guest's default getter retries for minutes when offline
// (../shared/docs/azure-protocol.md §11).
package snp

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
)

// Size is the size of an SEV-SNP ATTESTATION_REPORT.
const Size = abi.ReportSize

// Report versions accepted by Parse. Version 1 is the pre-release layout of 2022 Azure
// previews; it parses (so it can be explained) but its signature cannot be verified.
const (
	MinVersion = 1
	MaxVersion = abi.MaxSupportedReportVersion
)

// Report is a parsed SEV-SNP attestation report.
type Report struct {
	// Raw is the 1184-byte report exactly as given; the signature covers Raw[0:0x2A0].
	Raw []byte
	// Proto is go-sev-guest's decoding of Raw.
	Proto *spb.Report
}

// ParseError names the field and offset that made a report unparseable.
type ParseError struct {
	Field  string
	Offset int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("SEV-SNP report: %s at offset 0x%03x: %s", e.Field, e.Offset, e.Msg)
}

// perr builds a ParseError from an English and a Korean message formatted with the same
// arguments; the Korean travels beside it (fault.MessageIn) so that --lang ko can show it.
func perr(field string, off int, en, ko string, a ...any) error {
	pe := &ParseError{Field: field, Offset: off, Msg: fmt.Sprintf(en, a...)}
	return fault.Korean(pe, fmt.Sprintf("SEV-SNP 보고서: %s (오프셋 0x%03x): ", field, off)+fmt.Sprintf(ko, a...), "")
}

// Parse parses a raw SEV-SNP report. Input longer than 1184 bytes is accepted when the excess
// is zero padding (as some tools store it); the report itself must be complete.
func Parse(raw []byte) (*Report, error) {
	if len(raw) < Size {
		return nil, perr("report", len(raw), "need %d bytes, have %d; the report is truncated", "%d바이트가 필요하지만 %d바이트뿐입니다. 보고서가 잘렸습니다", Size, len(raw))
	}
	if i := bytes.IndexFunc(raw[Size:], func(r rune) bool { return r != 0 }); i >= 0 {
		return nil, perr("trailing data", Size+i, "%d bytes follow the %d-byte report and are not zero padding; pass only the report",
			"%[2]d바이트 보고서 뒤에 0 패딩이 아닌 %[1]d바이트가 있습니다. 보고서만 넘깁니다", len(raw)-Size, Size)
	}
	raw = raw[:Size]
	if err := precheck(raw); err != nil {
		return nil, err
	}
	p, err := abi.ReportToProto(raw)
	if err != nil {
		// precheck covers every rule ReportToProto enforces; this is a safety net for rules a
		// newer go-sev-guest may add.
		return nil, perr("report", 0, "%v", "go-sev-guest가 보고서를 거부합니다: %v", err)
	}
	return &Report{Raw: append([]byte(nil), raw...), Proto: p}, nil
}

// precheck enforces the rules abi.ReportToProto enforces, but names the field and offset.
func precheck(b []byte) error {
	le := binary.LittleEndian
	if v := le.Uint32(b[0:]); v < MinVersion || v > MaxVersion {
		return perr("version", 0x000, "version %d is not an SEV-SNP report version (%d to %d are known); this is not an SNP report or it is garbled",
			"버전 %d은 SEV-SNP 보고서 버전이 아닙니다(알려진 버전은 %d~%d). SNP 보고서가 아니거나 손상되었습니다", v, MinVersion, MaxVersion)
	}
	pol := le.Uint64(b[0x08:])
	if pol&(1<<17) == 0 {
		return perr("policy", 0x008, "policy 0x%x has reserved bit 17 clear; it must be 1", "정책 0x%x의 예약 비트 17이 0입니다. 1이어야 합니다", pol)
	}
	if pol>>26 != 0 {
		return perr("policy", 0x008, "policy 0x%x sets reserved bits 26-63", "정책 0x%x가 예약 비트 26-63을 설정합니다", pol)
	}
	ki := le.Uint32(b[0x48:])
	if ki>>5 != 0 {
		return perr("key_info", 0x048, "key info 0x%x sets reserved bits 5-31", "키 정보 0x%x가 예약 비트 5-31을 설정합니다", ki)
	}
	if k := (ki >> 2) & 7; k >= 2 && k <= 6 {
		return perr("key_info.signing_key", 0x048, "signing key %d is reserved (0 = VCEK, 1 = VLEK, 7 = none)", "서명 키 %d은 예약된 값입니다(0 = VCEK, 1 = VLEK, 7 = 없음)", k)
	}
	zero := []struct {
		field  string
		lo, hi int
	}{
		{"reserved", 0x04C, 0x050},
		{"reserved", 0x18B, 0x1A0},
		{"reserved", 0x1EB, 0x1EC},
		{"reserved", 0x1EF, 0x1F0},
		{"reserved", 0x208, 0x2A0},
	}
	if le.Uint32(b[0:]) < abi.ReportVersion3 {
		zero[1].lo = 0x188
	}
	if le.Uint32(b[0x34:]) == abi.SignEcdsaP384Sha384 {
		zero = append(zero, struct {
			field  string
			lo, hi int
		}{"signature.reserved", 0x2A0 + abi.EcdsaP384Sha384SignatureSize, Size})
	}
	for _, z := range zero {
		for i := z.lo; i < z.hi; i++ {
			if b[i] != 0 {
				return perr(z.field, i, "must be zero (range 0x%03x-0x%03x), found 0x%02x; the report is garbled or from an unknown firmware",
					"0이어야 하지만(범위 0x%03x-0x%03x) 0x%02x입니다. 보고서가 손상되었거나 알 수 없는 펌웨어에서 왔습니다", z.lo, z.hi-1, b[i])
			}
		}
	}
	return nil
}

// Version is the report format version.
func (r *Report) Version() uint32 { return r.Proto.GetVersion() }

// ReportData is the 64 bytes the guest asked to be signed (on Azure: hash of the runtime claims).
func (r *Report) ReportData() []byte { return r.Raw[0x50:0x90] }

// Measurement is the launch measurement (on Azure: the paravisor and UEFI).
func (r *Report) Measurement() []byte { return r.Raw[0x90:0xC0] }

// HostData is the 32 bytes the host supplied at launch.
func (r *Report) HostData() []byte { return r.Raw[0xC0:0xE0] }

// ChipID is the unique chip identifier (all zero when the host masks it).
func (r *Report) ChipID() []byte { return r.Raw[0x1A0:0x1E0] }

// VMPL is the privilege level that requested the report (0 = the Azure paravisor).
func (r *Report) VMPL() uint32 { return r.Proto.GetVmpl() }

// Policy is the decoded guest policy. Parse has already rejected malformed policies.
func (r *Report) Policy() abi.SnpPolicy {
	p, _ := abi.ParseSnpPolicy(r.Proto.GetPolicy())
	return p
}

// Debug reports whether the host may decrypt the guest for debugging.
func (r *Report) Debug() bool { return r.Policy().Debug }

// SigningKey is the kind of key that signed the report: "VCEK", "VLEK" or "None".
func (r *Report) SigningKey() abi.ReportSigner {
	si, _ := abi.ParseSignerInfo(r.Proto.GetSignerInfo())
	return si.SigningKey
}

// ProductLine is "Milan", "Genoa" or "Turin" from the CPUID fields of a version 3+ report;
// "" for older reports, which do not say.
func (r *Report) ProductLine() string {
	if fms := r.Proto.GetCpuid1EaxFms(); fms != 0 {
		if pl := kds.ProductLineFromFms(fms); pl != "Unknown" {
			return pl
		}
	}
	return ""
}

// turin reports whether TCB values use the Turin layout (an FMC byte first). Only v3+
// reports say so; older ones predate Turin.
func (r *Report) turin() bool { return r.ProductLine() == "Turin" }

// ReportedTCB is the TCB the VCEK is issued for (KDS "tcbm").
func (r *Report) ReportedTCB() TCB { return DecodeTCB(r.Proto.GetReportedTcb(), r.turin()) }

// CurrentTCB is the platform's running TCB.
func (r *Report) CurrentTCB() TCB { return DecodeTCB(r.Proto.GetCurrentTcb(), r.turin()) }

// CommittedTCB is the TCB the platform cannot roll back below.
func (r *Report) CommittedTCB() TCB { return DecodeTCB(r.Proto.GetCommittedTcb(), r.turin()) }

// LaunchTCB is the TCB at the time the guest was launched.
func (r *Report) LaunchTCB() TCB { return DecodeTCB(r.Proto.GetLaunchTcb(), r.turin()) }

// TCB is a decoded TCB_VERSION: the security patch levels of the AMD firmware parts.
type TCB struct {
	Raw        uint64
	FMC        uint8 // Turin only
	Bootloader uint8
	TEE        uint8
	SNP        uint8
	Microcode  uint8
	Turin      bool
}

// DecodeTCB splits a TCB_VERSION. Milan and Genoa put bootloader, TEE, SNP and microcode in
// bytes 0, 1, 6, 7; Turin adds the FMC in byte 0 and shifts the others to 1, 2, 3 (7 stays).
func DecodeTCB(v uint64, turin bool) TCB {
	b := func(i int) uint8 { return uint8(v >> (8 * i)) }
	if turin {
		return TCB{Raw: v, FMC: b(0), Bootloader: b(1), TEE: b(2), SNP: b(3), Microcode: b(7), Turin: true}
	}
	return TCB{Raw: v, Bootloader: b(0), TEE: b(1), SNP: b(6), Microcode: b(7)}
}

func (t TCB) String() string {
	s := fmt.Sprintf("bootloader %d, TEE %d, SNP %d, microcode %d", t.Bootloader, t.TEE, t.SNP, t.Microcode)
	if t.Turin {
		s = fmt.Sprintf("FMC %d, ", t.FMC) + s
	}
	return s
}
