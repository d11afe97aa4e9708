package tdx

import (
	"encoding/hex"
	"fmt"
	"strconv"
)

// Field is one decoded field of a TDREPORT or TD quote, for display and explanation.
type Field struct {
	Name string
	// Offset and Size locate the field in the structure it was read from (TDREPORT offsets
	// are relative to the TDREPORT; add 32 for the HCL report). Decoded bits repeat the
	// offset and size of the field they come from.
	Offset, Size int
	// Value is lower-case hex for byte fields (as MAA prints them) or a decoded value.
	Value string
	// Claim is the MAA claim carrying this value (tdx_* of the TdxVm profile), if any.
	Claim string
	// Note says what the field means, Azure specifics included; NoteKO is its Korean when
	// this package writes it (older notes are translated by the pages that show them).
	Note, NoteKO string
}

const (
	notePara   = "On Azure this measures the paravisor's TD (Microsoft's HCL), not the guest OS; guest boot measurements are in the vTPM PCRs."
	noteModule = "TDX module (SEAM) that runs the TD; Intel's TCB info judges it."
)

type measuredSpec struct {
	name, claim, note string
	quoteOff, size    int
	report            func(*TDReport) []byte
}

// measured lists the TD fields the quote body shares with the TDREPORT, in quote-body order.
// The quote-body offset is relative to the body (add 48 for the quote).
var measured = []measuredSpec{
	{"tee_tcb_svn", "tdx_tee_tcb_svn", "TDX module TCB SVN: byte 0 module SVN, byte 1 module major version, byte 2 TDX late microcode update SVN. " + noteModule, 0, 16, (*TDReport).TeeTCBSVN},
	{"mr_seam", "tdx_mrseam", "Measurement of the TDX module. " + noteModule, 16, 48, (*TDReport).MRSeam},
	{"mr_signer_seam", "tdx_mrsignerseam", "Signer of the TDX module; all zero for Intel's module.", 64, 48, (*TDReport).MRSignerSeam},
	{"seam_attributes", "tdx_seam_attributes", "TDX module attributes; zero today.", 112, 8, (*TDReport).SeamAttributes},
	{"td_attributes", "tdx_td_attributes", "TD attributes (DEBUG, SEPT_VE_DISABLE, PKS, KL, PERFMON).", 120, 8, (*TDReport).TDAttributesRaw},
	{"xfam", "tdx_xfam", "Extended features (XSAVE) the TD may use.", 128, 8, (*TDReport).XFAM},
	{"mr_td", "tdx_mrtd", "Build-time measurement of the TD's initial memory. " + notePara, 136, 48, (*TDReport).MRTD},
	{"mr_config_id", "tdx_mrconfigid", "Host-defined configuration ID of the TD (zero on Azure so far).", 184, 48, (*TDReport).MRConfigID},
	{"mr_owner", "tdx_mrowner", "Host-defined owner ID of the TD.", 232, 48, (*TDReport).MROwner},
	{"mr_owner_config", "tdx_mrownerconfig", "Host-defined owner configuration of the TD.", 280, 48, (*TDReport).MROwnerConfig},
	{"rtmr0", "tdx_rtmr0", "Runtime measurement register 0 (TD firmware and configuration). " + notePara, 328, 48, func(r *TDReport) []byte { return r.RTMR(0) }},
	{"rtmr1", "tdx_rtmr1", "Runtime measurement register 1. " + notePara, 376, 48, func(r *TDReport) []byte { return r.RTMR(1) }},
	{"rtmr2", "tdx_rtmr2", "Runtime measurement register 2. " + notePara, 424, 48, func(r *TDReport) []byte { return r.RTMR(2) }},
	{"rtmr3", "tdx_rtmr3", "Runtime measurement register 3. " + notePara, 472, 48, func(r *TDReport) []byte { return r.RTMR(3) }},
	{"report_data", "tdx_report_data", "REPORT_DATA: on Azure the hash of the HCL runtime claims (HCLAkPub, vm-configuration, user-data), zero-padded.", 520, 64, (*TDReport).ReportData},
}

// Fields lists the TDREPORT's fields with offsets relative to the TDREPORT.
func (r *TDReport) Fields() []Field {
	f := []Field{
		{Name: "reportmacstruct.type", Offset: offReportType, Size: 1, Value: fmt.Sprintf("0x%02x", r.raw[0]), Note: "0x81 = TDX report."},
		{Name: "reportmacstruct.subtype", Offset: 1, Size: 1, Value: strconv.Itoa(int(r.raw[1]))},
		{Name: "reportmacstruct.version", Offset: 2, Size: 1, Value: strconv.Itoa(int(r.raw[2]))},
		{Name: "cpu_svn", Offset: offCPUSVN, Size: 16, Value: hex.EncodeToString(r.CPUSVN()), Note: "CPU security version when the report was made."},
		{Name: "tee_tcb_info_hash", Offset: offTeeTCBInfoHash, Size: 48, Value: hex.EncodeToString(r.at(offTeeTCBInfoHash, 48)), Note: "SHA-384 of TEE_TCB_INFO (offset 256)."},
		{Name: "tee_info_hash", Offset: offTeeInfoHash, Size: 48, Value: hex.EncodeToString(r.at(offTeeInfoHash, 48)), Note: "SHA-384 of TDINFO (offset 512)."},
	}
	byName := map[string]int{
		"report_data": offReportData, "tee_tcb_svn": offTeeTCBSVN, "mr_seam": offMRSeam, "mr_signer_seam": offMRSignerSeam,
		"seam_attributes": offSeamAttributes, "td_attributes": offTDAttributes, "xfam": offXFAM, "mr_td": offMRTD,
		"mr_config_id": offMRConfigID, "mr_owner": offMROwner, "mr_owner_config": offMROwnerConfig,
		"rtmr0": offRTMR0, "rtmr1": offRTMR0 + 48, "rtmr2": offRTMR0 + 96, "rtmr3": offRTMR0 + 144,
	}
	// REPORT_DATA and the MAC belong to REPORTMACSTRUCT; list them in offset order.
	f = append(f, measuredField(measured[len(measured)-1], byName["report_data"], r.ReportData()))
	f = append(f,
		Field{Name: "mac", Offset: offMAC, Size: 32, Value: hex.EncodeToString(r.at(offMAC, 32)), Note: "MAC with a CPU key: only this CPU can check it, so the TDREPORT becomes verifiable evidence only through a TD quote."},
		Field{Name: "tee_tcb_info.valid", Offset: offTCBValid, Size: 8, Value: hex.EncodeToString(r.at(offTCBValid, 8)), Note: "Which TEE_TCB_INFO fields are valid."},
	)
	for _, m := range measured[:len(measured)-1] {
		v := m.report(r)
		f = append(f, measuredField(m, byName[m.name], v))
		if m.name == "seam_attributes" {
			f = append(f,
				Field{Name: "tee_tcb_svn2", Offset: offTeeTCBSVN2, Size: 16, Value: hex.EncodeToString(r.at(offTeeTCBSVN2, 16)), Note: "TCB SVN of the running module after a TD-preserving update; equal to tee_tcb_svn unless the module was updated."},
				seamSVNField(r.TeeTCBSVN(), offTeeTCBSVN),
			)
		}
		if m.name == "td_attributes" {
			f = append(f, attributeFields(r.Attributes(), offTDAttributes)...)
		}
	}
	f = append(f, Field{Name: "servtd_hash", Offset: offServTDHash, Size: 48, Value: hex.EncodeToString(r.at(offServTDHash, 48)), Note: "Hash of service TDs bound to this TD (migration TD etc.)."})
	return f
}

func measuredField(m measuredSpec, off int, v []byte) Field {
	return Field{Name: m.name, Offset: off, Size: m.size, Value: hex.EncodeToString(v), Claim: m.claim, Note: m.note}
}

// seamSVNField decodes the module SVN from TEE_TCB_SVN bytes 0 (minor) and 1 (major).
func seamSVNField(teeTCBSVN []byte, off int) Field {
	return Field{
		Name: "tee_tcb_svn (module SVN)", Offset: off, Size: 2,
		Value:  strconv.Itoa(int(teeTCBSVN[1])<<8 | int(teeTCBSVN[0])),
		Claim:  "tdx_seamsvn",
		Note:   fmt.Sprintf("TDX module %d, SVN %d (little-endian 16-bit value of tee_tcb_svn[0:2]; MAA's exact derivation of tdx_seamsvn is not documented).", teeTCBSVN[1], teeTCBSVN[0]),
		NoteKO: fmt.Sprintf("TDX 모듈 %d, SVN %d (TEE_TCB_SVN[0:2]의 리틀 엔디언 16비트 값이며, MAA가 tdx_seamsvn을 정확히 어떻게 구하는지는 문서화되지 않았습니다).", teeTCBSVN[1], teeTCBSVN[0]),
	}
}

func attributeFields(a TDAttributes, off int) []Field {
	out := []Field{{Name: "td_attributes (decoded)", Offset: off, Size: 8, Value: a.String(), Note: "Set bits of TD_ATTRIBUTES."}}
	for _, b := range attributeBits {
		out = append(out, Field{Name: "td_attributes." + b.Name, Offset: off, Size: 8, Value: strconv.FormatBool(a&b.Bit != 0), Claim: b.Claim, Note: b.Note})
	}
	return out
}
