package tdx

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TDReportSize is the size of TDREPORT_STRUCT.
const TDReportSize = 1024

// ReportTypeTDX is REPORTMACSTRUCT.type for a TDX report.
const ReportTypeTDX = 0x81

// Offsets inside TDREPORT_STRUCT (azure-protocol.md §2.5, Intel TDX module ABI).
const (
	offReportType     = 0
	offCPUSVN         = 16
	offTeeTCBInfoHash = 32
	offTeeInfoHash    = 80
	offReportData     = 128
	offMAC            = 224
	offTCBValid       = 256
	offTeeTCBSVN      = 264
	offMRSeam         = 280
	offMRSignerSeam   = 328
	offSeamAttributes = 376
	offTeeTCBSVN2     = 384
	offTDAttributes   = 512
	offXFAM           = 520
	offMRTD           = 528
	offMRConfigID     = 576
	offMROwner        = 624
	offMROwnerConfig  = 672
	offRTMR0          = 720
	offServTDHash     = 912

	measurementSize = 48
)

// TDReport is a parsed TDREPORT_STRUCT. Its accessors return slices of a private copy of
// the input; callers must not modify them.
type TDReport struct {
	raw [TDReportSize]byte
}

// ParseError names the structure, field and offset that made an input unparseable.
type ParseError struct {
	What   string // "TDREPORT" or "TD quote"
	Field  string
	Offset int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: %s at offset %d: %s", e.What, e.Field, e.Offset, e.Msg)
}

// newParseError builds a ParseError with its message in English and Korean; the Korean
// travels beside it (fault.MessageIn) for --lang ko.
func newParseError(what, field string, off int, msg, msgKO string) error {
	pe := &ParseError{What: what, Field: field, Offset: off, Msg: msg}
	return fault.Korean(pe, fmt.Sprintf("%s: %s (오프셋 %d): %s", what, field, off, msgKO), "")
}

// koErr is an error in English with its Korean beside it, both formatted from the same
// arguments, for fault.MessageIn.
// An error among a is written in Korean by inKorean.
func koErr(en, ko string, a ...any) error {
	ka := make([]any, len(a))
	for i, v := range a {
		ka[i] = v
		if err, ok := v.(error); ok {
			ka[i] = inKorean(err)
		}
	}
	return fault.Korean(fmt.Errorf(en, a...), fmt.Sprintf(ko, ka...), "")
}

// inKorean is err's Korean message; an error nobody wrote Korean for (from a library: x509,
// encoding/json) is quoted as received, so the reader sees it is a quotation.
func inKorean(err error) string {
	msg, _ := fault.MessageIn(err, "ko")
	if strings.IndexFunc(msg, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) >= 0 {
		return msg
	}
	return fault.QuoteKO("오류 원문", msg)
}

// ParseTDReport parses a 1024-byte TDREPORT_STRUCT. Longer input is accepted only when the
// extra bytes are zero, because the HCL report pads the TDREPORT to 1184 bytes.
func ParseTDReport(b []byte) (*TDReport, error) {
	perr := func(field string, off int, en, ko string, a ...any) error {
		return newParseError("TDREPORT", field, off, fmt.Sprintf(en, a...), fmt.Sprintf(ko, a...))
	}
	if len(b) < TDReportSize {
		return nil, perr("length", len(b), "need %d bytes, have %d; the TDREPORT is truncated", "%d바이트가 필요하지만 %d바이트뿐입니다. TDREPORT가 잘렸습니다", TDReportSize, len(b))
	}
	for i, c := range b[TDReportSize:] {
		if c != 0 {
			return nil, perr("trailing bytes", TDReportSize+i, "non-zero byte 0x%02x after the %d-byte TDREPORT; the input is not a TDREPORT or was cut at the wrong offset",
				"%[2]d바이트 TDREPORT 뒤에 0이 아닌 바이트 0x%02[1]x가 있습니다. TDREPORT가 아니거나 잘못된 오프셋에서 잘렸습니다", c, TDReportSize)
		}
	}
	if b[offReportType] != ReportTypeTDX {
		return nil, perr("reportmacstruct.type", offReportType, "want 0x%02x (TDX), found 0x%02x; this is not a TDX TDREPORT", "0x%02x(TDX)여야 하지만 0x%02x입니다. TDX TDREPORT가 아닙니다", ReportTypeTDX, b[offReportType])
	}
	r := &TDReport{}
	copy(r.raw[:], b)
	return r, nil
}

func (r *TDReport) at(off, size int) []byte { return r.raw[off : off+size : off+size] }

// Raw returns the 1024 bytes of the report.
func (r *TDReport) Raw() []byte { return r.raw[:] }

// CPUSVN is the CPU security version the report was produced under.
func (r *TDReport) CPUSVN() []byte { return r.at(offCPUSVN, 16) }

// ReportData is REPORT_DATA; on Azure the hash of the HCL runtime claims, zero-padded.
func (r *TDReport) ReportData() []byte { return r.at(offReportData, 64) }

// TeeTCBSVN is the TDX module's TCB SVN (byte 0 module minor SVN, byte 1 module major version).
func (r *TDReport) TeeTCBSVN() []byte { return r.at(offTeeTCBSVN, 16) }

// MRSeam is the measurement of the TDX module.
func (r *TDReport) MRSeam() []byte { return r.at(offMRSeam, measurementSize) }

// MRSignerSeam is the TDX module signer's measurement (zero for Intel's own module).
func (r *TDReport) MRSignerSeam() []byte { return r.at(offMRSignerSeam, measurementSize) }

// SeamAttributes are the TDX module's attributes.
func (r *TDReport) SeamAttributes() []byte { return r.at(offSeamAttributes, 8) }

// TDAttributesRaw are the 8 bytes of TD_ATTRIBUTES.
func (r *TDReport) TDAttributesRaw() []byte { return r.at(offTDAttributes, 8) }

// XFAM is the extended-feature mask the TD may use.
func (r *TDReport) XFAM() []byte { return r.at(offXFAM, 8) }

// MRTD is the build-time measurement of the TD; on Azure, of the paravisor image.
func (r *TDReport) MRTD() []byte { return r.at(offMRTD, measurementSize) }

// MRConfigID, MROwner and MROwnerConfig are host-provided identifiers of the TD.
func (r *TDReport) MRConfigID() []byte    { return r.at(offMRConfigID, measurementSize) }
func (r *TDReport) MROwner() []byte       { return r.at(offMROwner, measurementSize) }
func (r *TDReport) MROwnerConfig() []byte { return r.at(offMROwnerConfig, measurementSize) }

// RTMR returns runtime measurement register i (0..3); it panics on another index, like a slice.
func (r *TDReport) RTMR(i int) []byte {
	return r.at(offRTMR0+i*measurementSize, measurementSize)
}

// RTMRs returns RTMR0..3.
func (r *TDReport) RTMRs() [][]byte {
	return [][]byte{r.RTMR(0), r.RTMR(1), r.RTMR(2), r.RTMR(3)}
}

// Attributes decodes TD_ATTRIBUTES.
func (r *TDReport) Attributes() TDAttributes {
	return TDAttributes(binary.LittleEndian.Uint64(r.TDAttributesRaw()))
}

// Debug reports whether the TD runs in debug mode (TD_ATTRIBUTES bit 0), in which the host
// can read and change the TD's memory and registers.
func (r *TDReport) Debug() bool { return r.Attributes().Debug() }
