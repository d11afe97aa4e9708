package tdx

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
)

func TestParseTDReportFromAzureHCL(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, azureHCLFile))
	if err != nil {
		t.Fatal(err)
	}
	td, err := ParseTDReport(rep.TDReport())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(td.ReportData(), rep.ReportData()) {
		t.Errorf("ReportData %x, HCL says %x", td.ReportData(), rep.ReportData())
	}
	// REPORT_DATA binds the runtime claims: SHA-256 of the claims, then 32 zero bytes.
	if !bytes.Equal(td.ReportData()[:32], rep.ClaimsHash()) {
		t.Errorf("REPORT_DATA does not start with the claims hash")
	}
	if td.Debug() {
		t.Error("Azure's production TD reports DEBUG")
	}
	if got := hex.EncodeToString(td.TeeTCBSVN()[:3]); got != "020106" {
		t.Errorf("tee_tcb_svn starts %s, want 020106", got)
	}
	if got := hex.EncodeToString(td.XFAM()); got != "e718060000000000" {
		t.Errorf("xfam %s", got)
	}
	if len(td.RTMRs()) != 4 || bytes.Equal(td.MRTD(), make([]byte, 48)) {
		t.Error("MRTD is zero or RTMRs missing")
	}

	fields := map[string]Field{}
	for _, f := range td.Fields() {
		fields[f.Name] = f
	}
	for name, want := range map[string]struct {
		off   int
		claim string
	}{
		"report_data": {128, "tdx_report_data"}, "mr_td": {528, "tdx_mrtd"}, "rtmr0": {720, "tdx_rtmr0"},
		"rtmr3": {864, "tdx_rtmr3"}, "mr_seam": {280, "tdx_mrseam"}, "td_attributes": {512, "tdx_td_attributes"},
		"xfam": {520, "tdx_xfam"}, "tee_tcb_svn": {264, "tdx_tee_tcb_svn"}, "td_attributes.DEBUG": {512, "tdx_td_attributes_debug"},
		"td_attributes.SEPT_VE_DISABLE": {512, "tdx_td_attributes_septve_disable"}, "tee_tcb_svn (module SVN)": {264, "tdx_seamsvn"},
	} {
		f, ok := fields[name]
		if !ok {
			t.Errorf("field %s missing", name)
			continue
		}
		if f.Offset != want.off || f.Claim != want.claim {
			t.Errorf("field %s at %d claim %q, want %d %q", name, f.Offset, f.Claim, want.off, want.claim)
		}
	}
	if v := fields["mr_td"].Value; v != hex.EncodeToString(td.MRTD()) {
		t.Errorf("mr_td value %s", v)
	}
	if !strings.Contains(fields["mr_td"].Note, "paravisor") || !strings.Contains(fields["rtmr1"].Note, "vTPM PCRs") {
		t.Error("MRTD/RTMR notes must say they measure Azure's paravisor, not the guest")
	}
	if fields["td_attributes.DEBUG"].Value != "false" || fields["tee_tcb_svn (module SVN)"].Value != "258" {
		t.Errorf("decoded values: debug %s seamsvn %s", fields["td_attributes.DEBUG"].Value, fields["tee_tcb_svn (module SVN)"].Value)
	}
}

func TestParseTDReportErrors(t *testing.T) {
	good := azureTDReport(t).Raw()
	wrongType := append([]byte(nil), good...)
	wrongType[0] = 0x02
	trailing := append(append([]byte(nil), good...), make([]byte, 160)...)
	trailing[1100] = 1
	for name, tc := range map[string]struct {
		in    []byte
		field string
	}{
		"empty":     {nil, "length"},
		"truncated": {good[:1000], "length"},
		"not TDX":   {wrongType, "reportmacstruct.type"},
		"trailing":  {trailing, "trailing bytes"},
	} {
		_, err := ParseTDReport(tc.in)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%s: err %v, want a ParseError for %s", name, err, tc.field)
		}
	}
	if _, err := ParseTDReport(append(append([]byte(nil), good...), make([]byte, 160)...)); err != nil {
		t.Errorf("zero padding to the HCL's 1184 bytes must be accepted: %v", err)
	}
}

func TestTDAttributesString(t *testing.T) {
	if s := TDAttributes(0).String(); s != "none" {
		t.Errorf("zero: %s", s)
	}
	a := AttrDebug | AttrSEPTVEDisable | 1<<5
	if s := a.String(); s != "DEBUG|SEPT_VE_DISABLE|other bits 0x20" {
		t.Errorf("got %s", s)
	}
	if !a.Debug() || a.Perfmon() {
		t.Error("bit accessors wrong")
	}
}
