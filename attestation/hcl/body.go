package hcl

import (
	"encoding/binary"
	"fmt"
)

// Body is an HCL report without its 32-byte "HCLA" header: the hardware report followed by
// the IGVM request data header, and the runtime claims when the tool that cut it kept them.
// edgelesssys/constellation and go-azguestattestation keep the report this way and carry
// the runtime claims beside it.
type Body struct {
	// HardwareReport is the SEV-SNP report (1184 bytes) or the TDREPORT (1024 bytes).
	HardwareReport []byte
	IGVM           IGVMRequestData
	// Claims are the runtime claims the body holds, nil when it was cut before them.
	Claims []byte
}

// bodyIGVM is where the IGVM request data starts in a body.
const bodyIGVM = HardwareReportSize

// IsBody reports whether b looks like an HCL body: an IGVM request header at offset 1184 with
// a known version, report type and hash type, whose data size agrees with its claims size.
func IsBody(b []byte) bool {
	if len(b) < bodyIGVM+IGVMSize || len(b) > MaxInputSize {
		return false
	}
	g := igvmAt(b, bodyIGVM)
	return (g.Version == 1 || g.Version == 2) && (g.ReportType == ReportSNP || g.ReportType == ReportTDX) &&
		g.ReportDataHash >= HashSHA256 && g.ReportDataHash <= HashSHA512 && g.DataSize == IGVMSize+g.VariableDataSize
}

func igvmAt(b []byte, off int) IGVMRequestData {
	le := binary.LittleEndian
	return IGVMRequestData{
		DataSize:         le.Uint32(b[off:]),
		Version:          le.Uint32(b[off+4:]),
		ReportType:       ReportType(le.Uint32(b[off+8:])),
		ReportDataHash:   HashType(le.Uint32(b[off+12:])),
		VariableDataSize: le.Uint32(b[off+16:]),
	}
}

// ParseBody splits an HCL body. The claims are taken only when the whole of them is there:
// a body cut right after the IGVM header (the usual case) has none, and its runtime claims
// come from their own file.
func ParseBody(b []byte) (*Body, error) {
	if len(b) < bodyIGVM+IGVMSize {
		return nil, perr("body", 0, "an HCL body without its header needs %d bytes (hardware report and IGVM request header), the input has %d",
			"헤더 없는 HCL 본문에는 %d바이트(하드웨어 보고서와 IGVM 요청 헤더)가 필요하지만 입력은 %d바이트입니다", bodyIGVM+IGVMSize, len(b))
	}
	if len(b) > MaxInputSize {
		return nil, perr("input", MaxInputSize, "the input is %d bytes, more than an HCL report can occupy", "입력이 %d바이트로, HCL 보고서가 차지할 수 있는 크기보다 큽니다", len(b))
	}
	body := &Body{IGVM: igvmAt(b, bodyIGVM)}
	switch body.IGVM.ReportType {
	case ReportSNP:
		body.HardwareReport = b[:HardwareReportSize]
	case ReportTDX:
		body.HardwareReport = b[:TDReportSize]
	default:
		return nil, perr("igvm.report_type", bodyIGVM+8, "report type %d in a body without header; only SEV-SNP (2) and TDX (4) bodies are read",
			"헤더 없는 본문의 보고서 유형이 %d입니다. SEV-SNP(2)와 TDX(4) 본문만 읽습니다", uint32(body.IGVM.ReportType))
	}
	n := int64(body.IGVM.VariableDataSize)
	start := int64(bodyIGVM + IGVMSize)
	if n > 0 && start+n <= int64(len(b)) {
		body.Claims = b[start : start+n]
	}
	return body, nil
}

// Describe says what the body holds, for the file list.
func (b *Body) Describe() string {
	claims := "its runtime claims cut off (supply them as a file)"
	if b.Claims != nil {
		claims = fmt.Sprintf("%d bytes of runtime claims", len(b.Claims))
	}
	return fmt.Sprintf("HCL report without its header: %s report, report-data hash %s, %s", b.IGVM.ReportType, b.IGVM.ReportDataHash, claims)
}
