// Package hcl parses and builds the Azure HCL attestation report that the paravisor (the
// "HCL", host compatibility layer) stores in vTPM NV index 0x01400001.
//
// Layout (all little-endian; ../shared/docs/azure-protocol.md §2):
//
//	0     32    attestation header: "HCLA", version, report size, request type, status
//	32    1184  hardware report: SEV-SNP ATTESTATION_REPORT, or TDX TDREPORT (1024) + 160 zero bytes
//	1216  20    IGVM request data: data size, version, report type, hash type, claims size
//	1236  n     runtime claims JSON (exact bytes; their hash is the REPORT_DATA prefix)
//	...         zero padding up to the NV size (2048 on early VMs, 2600 today)
//
// The parser is lenient where the published layouts disagree (header version 1 or 2, the
// ReportSize field's meaning, 2048- or 2600-byte indices) and strict where a wrong value would
// make later checks meaningless (magic, offsets, claims length). Every error names the field
// and its offset.
package hcl

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Offsets and sizes of the fixed layout.
const (
	HeaderSize         = 32
	HardwareReportOff  = 32
	HardwareReportSize = 1184
	IGVMOff            = HardwareReportOff + HardwareReportSize // 1216
	IGVMSize           = 20
	ClaimsOff          = IGVMOff + IGVMSize // 1236

	// NVSize is the size of Azure's report index today; early VMs used 2048.
	NVSize = 2600
	// MaxInputSize bounds what Parse accepts: far above any NV index (TPMs cap an index at a
	// few KiB), so anything larger is another file, not a report with padding.
	MaxInputSize = 64 << 10

	// TDReportSize is the TDX TDREPORT_STRUCT size inside the hardware report area.
	TDReportSize = 1024
	// SNPReportDataOff and TDXReportDataOff locate REPORT_DATA within the hardware report.
	SNPReportDataOff = 0x50
	TDXReportDataOff = 128
	ReportDataSize   = 64
)

// Magic is the header signature, "HCLA" in byte order.
var Magic = [4]byte{'H', 'C', 'L', 'A'}

// ReportType says which hardware report the HCL report carries.
type ReportType uint32

const (
	ReportInvalid ReportType = 0
	ReportVBS     ReportType = 1
	ReportSNP     ReportType = 2
	ReportTVM     ReportType = 3
	ReportTDX     ReportType = 4
)

func (t ReportType) String() string {
	switch t {
	case ReportInvalid:
		return "invalid"
	case ReportVBS:
		return "VBS"
	case ReportSNP:
		return "SEV-SNP"
	case ReportTVM:
		return "TVM"
	case ReportTDX:
		return "TDX"
	}
	return fmt.Sprintf("unknown(%d)", uint32(t))
}

// HashType is the algorithm that binds the runtime claims into REPORT_DATA.
type HashType uint32

const (
	HashInvalid HashType = 0
	HashSHA256  HashType = 1
	HashSHA384  HashType = 2
	HashSHA512  HashType = 3
)

func (h HashType) String() string {
	switch h {
	case HashSHA256:
		return "SHA-256"
	case HashSHA384:
		return "SHA-384"
	case HashSHA512:
		return "SHA-512"
	}
	return fmt.Sprintf("unknown(%d)", uint32(h))
}

// New returns a new hash.Hash for the type, or nil for an unknown type.
func (h HashType) New() hash.Hash {
	switch h {
	case HashSHA256:
		return sha256.New()
	case HashSHA384:
		return sha512.New384()
	case HashSHA512:
		return sha512.New()
	}
	return nil
}

// RequestType is the header's request type.
type RequestType uint32

func (r RequestType) String() string {
	switch r {
	case 0:
		return "invalid"
	case 1:
		return "KeyReleaseRequest"
	case 2:
		return "AkCertRequest"
	case 3:
		return "WrappedKeyRequest"
	}
	return fmt.Sprintf("unknown(%d)", uint32(r))
}

// Header is the 32-byte attestation header.
type Header struct {
	Signature   [4]byte
	Version     uint32
	ReportSize  uint32 // observed: the whole meaningful length; informational only
	RequestType RequestType
	Status      uint32
	Reserved    [12]byte
}

// IGVMRequestData is the 20-byte header in front of the runtime claims.
type IGVMRequestData struct {
	DataSize         uint32 // 20 + VariableDataSize
	Version          uint32
	ReportType       ReportType
	ReportDataHash   HashType
	VariableDataSize uint32
}

// Report is a parsed HCL report.
type Report struct {
	Header Header
	// HardwareReport is the whole 1184-byte area: an SNP report, or a TDREPORT followed by
	// 160 zero bytes.
	HardwareReport []byte
	IGVM           IGVMRequestData
	// Claims holds the runtime claims exactly as stored; never re-serialise them, the
	// binding hash covers these bytes.
	Claims []byte
	// RuntimeClaims is Claims decoded; nil when Claims is not valid JSON (ClaimsErr says why).
	RuntimeClaims *RuntimeClaims
	ClaimsErr     error
	// Size is the size of the input, TrailingNonZero the count of non-zero bytes after the
	// claims (zero on every real VM).
	Size            int
	TrailingNonZero int
}

// ParseError names the field and offset that made a report unparseable.
type ParseError struct {
	Field  string
	Offset int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("HCL report: %s at offset %d: %s", e.Field, e.Offset, e.Msg)
}

// perr builds a ParseError from an English and a Korean message formatted with the same
// arguments; the Korean travels beside it (fault.MessageIn) so that --lang ko can show it.
func perr(field string, off int, en, ko string, a ...any) error {
	pe := &ParseError{Field: field, Offset: off, Msg: fmt.Sprintf(en, a...)}
	return fault.Korean(pe, fmt.Sprintf("HCL 보고서: %s (오프셋 %d): ", field, off)+fmt.Sprintf(ko, a...), "")
}

// Parse parses an HCL report as read from NV 0x01400001 (any padding length).
func Parse(b []byte) (*Report, error) {
	if len(b) > MaxInputSize {
		return nil, perr("input", MaxInputSize, "the input is %d bytes, more than the %d an HCL report can occupy; this is not a report read from NV 0x01400001",
			"입력이 %d바이트로, HCL 보고서가 차지할 수 있는 %d바이트보다 큽니다. NV 0x01400001에서 읽은 보고서가 아닙니다", len(b), MaxInputSize)
	}
	if len(b) < HeaderSize {
		return nil, perr("header", 0, "need %d bytes, have %d; the input is truncated or not an HCL report",
			"%d바이트가 필요하지만 %d바이트뿐입니다. 입력이 잘렸거나 HCL 보고서가 아닙니다", HeaderSize, len(b))
	}
	r := &Report{Size: len(b)}
	copy(r.Header.Signature[:], b[0:4])
	if r.Header.Signature != Magic {
		return nil, perr("header.signature", 0, "want %q, found % x; this is not an HCL report (NV 0x01400001)",
			"%q이어야 하지만 % x입니다. HCL 보고서(NV 0x01400001)가 아닙니다", Magic[:], b[0:4])
	}
	le := binary.LittleEndian
	r.Header.Version = le.Uint32(b[4:])
	r.Header.ReportSize = le.Uint32(b[8:])
	r.Header.RequestType = RequestType(le.Uint32(b[12:]))
	r.Header.Status = le.Uint32(b[16:])
	copy(r.Header.Reserved[:], b[20:32])
	if r.Header.Version == 0 {
		return nil, perr("header.version", 4, "version 0 is invalid (1 and 2 are known)", "버전 0은 유효하지 않습니다(알려진 버전은 1과 2입니다)")
	}
	if len(b) < IGVMOff {
		return nil, perr("hardware report", HardwareReportOff, "need %d bytes up to the runtime claims, have %d; the report is truncated",
			"런타임 클레임까지 %d바이트가 필요하지만 %d바이트뿐입니다. 보고서가 잘렸습니다", ClaimsOff, len(b))
	}
	if len(b) < ClaimsOff {
		return nil, perr("igvm", IGVMOff, "need %d bytes up to the runtime claims, have %d; the report is truncated inside the IGVM request data",
			"런타임 클레임까지 %d바이트가 필요하지만 %d바이트뿐입니다. 보고서가 IGVM 요청 데이터 중간에서 잘렸습니다", ClaimsOff, len(b))
	}
	r.HardwareReport = append([]byte(nil), b[HardwareReportOff:IGVMOff]...)
	r.IGVM = IGVMRequestData{
		DataSize:         le.Uint32(b[IGVMOff:]),
		Version:          le.Uint32(b[IGVMOff+4:]),
		ReportType:       ReportType(le.Uint32(b[IGVMOff+8:])),
		ReportDataHash:   HashType(le.Uint32(b[IGVMOff+12:])),
		VariableDataSize: le.Uint32(b[IGVMOff+16:]),
	}
	switch r.IGVM.ReportType {
	case ReportSNP, ReportTDX, ReportVBS, ReportTVM:
	default:
		return nil, perr("igvm.report_type", IGVMOff+8, "unknown report type %d (2 = SEV-SNP, 4 = TDX)", "알 수 없는 보고서 유형 %d입니다(2 = SEV-SNP, 4 = TDX)", uint32(r.IGVM.ReportType))
	}
	n64 := int64(r.IGVM.VariableDataSize)
	if n64 > int64(len(b)-ClaimsOff) {
		return nil, perr("igvm.variable_data_size", IGVMOff+16, "claims size %d runs past the end of the %d-byte input (%d bytes available); the report is truncated or garbled",
			"클레임 크기 %d가 %d바이트 입력의 끝을 넘습니다(사용 가능한 바이트 %d). 보고서가 잘렸거나 손상되었습니다", n64, len(b), len(b)-ClaimsOff)
	}
	n := int(n64)
	// ReportSize's meaning varies between paravisors, so only a size past the end of the
	// input is refused: it says the input lost bytes, or the header is garbled.
	if int64(r.Header.ReportSize) > int64(len(b)) {
		return nil, perr("header.report_size", 8, "says the report is %d bytes, but the input has only %d; the report is truncated or its header garbled (read NV 0x01400001 again)",
			"보고서가 %d바이트라고 하지만 입력은 %d바이트뿐입니다. 보고서가 잘렸거나 헤더가 손상되었습니다(NV 0x01400001을 다시 읽습니다)", r.Header.ReportSize, len(b))
	}
	if int64(r.IGVM.DataSize) > int64(len(b)-IGVMOff) {
		return nil, perr("igvm.data_size", IGVMOff, "says %d bytes of request data, but only %d follow offset %d; the report is truncated or garbled",
			"요청 데이터가 %d바이트라고 하지만 오프셋 %[3]d 뒤에는 %[2]d바이트뿐입니다. 보고서가 잘렸거나 손상되었습니다", r.IGVM.DataSize, len(b)-IGVMOff, IGVMOff)
	}
	r.Claims = append([]byte(nil), b[ClaimsOff:ClaimsOff+n]...)
	for _, c := range b[ClaimsOff+n:] {
		if c != 0 {
			r.TrailingNonZero++
		}
	}
	r.RuntimeClaims, r.ClaimsErr = ParseRuntimeClaims(r.Claims)
	if r.ClaimsErr != nil {
		ko, _ := fault.MessageIn(r.ClaimsErr, "ko")
		r.ClaimsErr = fault.Korean(fmt.Errorf("HCL report: runtime claims at offset %d: %w", ClaimsOff, r.ClaimsErr),
			fmt.Sprintf("HCL 보고서: 오프셋 %d의 런타임 클레임: %s", ClaimsOff, ko), "")
	}
	return r, nil
}

// ReportData returns the 64-byte REPORT_DATA of the hardware report, or nil when the report
// type carries none.
func (r *Report) ReportData() []byte {
	switch r.IGVM.ReportType {
	case ReportSNP:
		return r.HardwareReport[SNPReportDataOff : SNPReportDataOff+ReportDataSize]
	case ReportTDX:
		return r.HardwareReport[TDXReportDataOff : TDXReportDataOff+ReportDataSize]
	}
	return nil
}

// ReportDataOffset is REPORT_DATA's offset within the whole HCL report (for messages).
func (r *Report) ReportDataOffset() int {
	if r.IGVM.ReportType == ReportTDX {
		return HardwareReportOff + TDXReportDataOff
	}
	return HardwareReportOff + SNPReportDataOff
}

// SNPReport returns the 1184-byte SEV-SNP report, or nil when the report is not SEV-SNP.
func (r *Report) SNPReport() []byte {
	if r.IGVM.ReportType != ReportSNP {
		return nil
	}
	return r.HardwareReport
}

// TDReport returns the 1024-byte TDREPORT, or nil when the report is not TDX.
func (r *Report) TDReport() []byte {
	if r.IGVM.ReportType != ReportTDX {
		return nil
	}
	return r.HardwareReport[:TDReportSize]
}

// ClaimsHash hashes the runtime claims with the report's hash type; nil for an unknown type.
func (r *Report) ClaimsHash() []byte {
	h := r.IGVM.ReportDataHash.New()
	if h == nil {
		return nil
	}
	h.Write(r.Claims)
	return h.Sum(nil)
}

// Binding is the outcome of comparing REPORT_DATA with the hash of the runtime claims.
type Binding struct {
	Hash       []byte // hash of the claims
	ReportData []byte // REPORT_DATA from the hardware report
	Match      bool   // ReportData starts with Hash
	RestZero   bool   // the bytes after the hash are zero
}

// Bind computes the REPORT_DATA binding (protocol §2.7).
func (r *Report) Bind() (Binding, error) {
	rd := r.ReportData()
	if rd == nil {
		return Binding{}, perr("igvm.report_type", IGVMOff+8, "a %s report carries no REPORT_DATA", "%s 보고서에는 REPORT_DATA가 없습니다", r.IGVM.ReportType)
	}
	h := r.ClaimsHash()
	if h == nil {
		return Binding{}, perr("igvm.report_data_hash_type", IGVMOff+12, "unknown hash type %d (1 = SHA-256, 2 = SHA-384, 3 = SHA-512)",
			"알 수 없는 해시 유형 %d입니다(1 = SHA-256, 2 = SHA-384, 3 = SHA-512)", uint32(r.IGVM.ReportDataHash))
	}
	b := Binding{Hash: h, ReportData: append([]byte(nil), rd...)}
	b.Match = bytes.Equal(rd[:len(h)], h)
	b.RestZero = bytes.Count(rd[len(h):], []byte{0}) == len(rd)-len(h)
	return b, nil
}

// Build assembles an HCL report as the paravisor stores it, padded with zeros to size
// (NVSize when size is 0). hw is the hardware report (1184 bytes for SEV-SNP; 1024 for TDX,
// padded here). It is used by the simulated CVM.
func Build(typ ReportType, hw []byte, hashType HashType, claims []byte, size int) ([]byte, error) {
	if size == 0 {
		size = NVSize
	}
	if len(hw) > HardwareReportSize {
		return nil, fault.Korean(fmt.Errorf("HCL build: hardware report is %d bytes, at most %d fit", len(hw), HardwareReportSize),
			fmt.Sprintf("HCL 보고서 생성: 하드웨어 보고서가 %d바이트이지만 최대 %d바이트만 들어갑니다", len(hw), HardwareReportSize), "")
	}
	total := ClaimsOff + len(claims)
	if total > size {
		return nil, fault.Korean(fmt.Errorf("HCL build: %d bytes of claims need %d bytes, more than the %d-byte index", len(claims), total, size),
			fmt.Sprintf("HCL 보고서 생성: %d바이트의 클레임에는 %d바이트가 필요하며, %d바이트 인덱스보다 큽니다", len(claims), total, size), "")
	}
	b := make([]byte, size)
	le := binary.LittleEndian
	copy(b[0:4], Magic[:])
	le.PutUint32(b[4:], 2)
	le.PutUint32(b[8:], uint32(total))
	le.PutUint32(b[12:], 2) // AkCertRequest, as every observed report
	copy(b[HardwareReportOff:], hw)
	le.PutUint32(b[IGVMOff:], uint32(IGVMSize+len(claims)))
	le.PutUint32(b[IGVMOff+4:], 1)
	le.PutUint32(b[IGVMOff+8:], uint32(typ))
	le.PutUint32(b[IGVMOff+12:], uint32(hashType))
	le.PutUint32(b[IGVMOff+16:], uint32(len(claims)))
	copy(b[ClaimsOff:], claims)
	return b, nil
}
