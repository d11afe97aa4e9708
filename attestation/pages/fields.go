package pages

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// loc says where a field sits. hclBase is the structure's offset inside the HCL report, or
// -1 when it was read on its own.
type loc struct{ off, size, hclBase int }

func (l loc) String() string {
	s := fmt.Sprintf("offset 0x%03x (%d), %d byte%s", l.off, l.off, l.size, plural(l.size))
	if l.hclBase >= 0 {
		s += fmt.Sprintf("; HCL report offset %d", l.hclBase+l.off)
	}
	return s
}

// ko is where the field sits, in Korean.
func (l loc) ko() string {
	s := fmt.Sprintf("오프셋 0x%03x (%d), %d바이트", l.off, l.off, l.size)
	if l.hclBase >= 0 {
		s += fmt.Sprintf("; HCL 보고서 오프셋 %d", l.hclBase+l.off)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// fieldRow is one field with its place, its MAA claim and a note from the parser, if any,
// a line each. The detail is joined here rather than through lines: a report's page has a
// row per field, and the two growing slices were a third of its allocations.
func fieldRow(kind, name, value string, at loc, claim string, note present.Text) present.Row {
	en, ko := at.String(), at.ko()
	if claim != "" {
		en, ko = en+"\nMAA claim: "+claim, ko+"\nMAA 클레임: "+claim
	}
	if note.EN != "" {
		en, ko = en+"\n"+note.EN, ko+"\n"+note.In(present.KO)
	}
	row := present.Row{Key: name, Value: value, Explain: explain.FieldValue(kind, name, value), PCR: -1, Detail: en}
	if ko != en {
		row.DetailKO = ko
	}
	return row
}

// hclSection shows the HCL header and IGVM request data; package hcl exposes them as
// structs, so their layout (protocol §2) is spelled out here.
func hclSection(r *verify.Result) present.Section {
	h, ig := r.HCL.Header, r.HCL.IGVM
	u := func(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
	hwKind, hwKO := ig.ReportType.String()+" report", ig.ReportType.String()+" 보고서"
	if ig.ReportType == hcl.ReportTDX {
		hwKind, hwKO = "TDX TDREPORT (1024 bytes) + 160 zero bytes", "TDX TDREPORT (1024바이트) + 0 바이트 160개"
	}
	claimsLen := len(r.HCL.Claims)
	pad := r.HCL.Size - hcl.ClaimsOff - claimsLen
	rows := []present.Row{
		fieldRow(explain.KindHCLHeader, "signature", fmt.Sprintf("%q", h.Signature[:]), loc{0, 4, -1}, "", present.Text{}),
		fieldRow(explain.KindHCLHeader, "version", u(h.Version), loc{4, 4, -1}, "", present.Text{}),
		fieldRow(explain.KindHCLHeader, "report_size", u(h.ReportSize), loc{8, 4, -1}, "", present.Text{}),
		fieldRow(explain.KindHCLHeader, "request_type", fmt.Sprintf("%d (%s)", uint32(h.RequestType), h.RequestType), loc{12, 4, -1}, "", present.Text{}),
		fieldRow(explain.KindHCLHeader, "status", u(h.Status), loc{16, 4, -1}, "", present.Text{}),
		fieldRow(explain.KindHCLHeader, "reserved", hex.EncodeToString(h.Reserved[:]), loc{20, 12, -1}, "", present.Text{}),
		ko(fieldRow(explain.KindHCLHeader, "hardware_report", hwKind, loc{hcl.HardwareReportOff, hcl.HardwareReportSize, -1}, "", present.Text{}), "", hwKO),
	}
	igvm := []struct {
		name, value string
		off         int
	}{
		{"data_size", u(ig.DataSize), 0},
		{"version", u(ig.Version), 4},
		{"report_type", fmt.Sprintf("%d (%s)", uint32(ig.ReportType), ig.ReportType), 8},
		{"report_data_hash_type", fmt.Sprintf("%d (%s)", uint32(ig.ReportDataHash), ig.ReportDataHash), 12},
		{"variable_data_size", u(ig.VariableDataSize), 16},
	}
	for _, f := range igvm {
		row := fieldRow(explain.KindIGVM, f.name, f.value, loc{hcl.IGVMOff + f.off, 4, -1}, "", present.Text{})
		row.Key = "igvm." + f.name
		rows = append(rows, row)
	}
	rows = append(rows,
		ko(fieldRow(explain.KindHCLHeader, "runtime_claims", fmt.Sprintf("%d bytes of JSON", claimsLen), loc{hcl.ClaimsOff, claimsLen, -1}, "", present.Text{}),
			"", "JSON "+bytesKO(claimsLen)),
		ko(fieldRow(explain.KindHCLHeader, "padding", fmt.Sprintf("%d bytes, %d non-zero", pad, r.HCL.TrailingNonZero), loc{hcl.ClaimsOff + claimsLen, pad, -1}, "", present.Text{}),
			"", fmt.Sprintf("%s, 0이 아닌 바이트 %d개", bytesKO(pad), r.HCL.TrailingNonZero)))
	if r.HCL.TrailingNonZero > 0 {
		rows[len(rows)-1].Verdict = check.Warn
	}
	return present.Section{ID: "hcl", Title: present.T("HCL report", "HCL 보고서"), Kind: present.Fields, Rows: rows}
}

func snpSection(r *verify.Result) present.Section {
	base := -1
	if r.HCL != nil && r.HCL.SNPReport() != nil {
		base = hcl.HardwareReportOff
	}
	fields := r.SNP.Fields()
	rows := make([]present.Row, 0, len(fields))
	for _, f := range fields {
		row := fieldRow(explain.KindSNP, f.Name, f.Value, loc{f.Offset, f.Size, base}, f.Claim, present.Text{})
		if v := snpWordsKO.Replace(f.Value); v != f.Value {
			row.ValueKO = v
		}
		if f.Name == "report_data" {
			row.Verdict = r.Checks.Verdict(hcl.IDBinding)
		}
		if f.Name == "policy.debug" && f.Value == "true" {
			row.Verdict = check.Fail
			row.Hint = present.T("A debuggable VM is not confidential: never release secrets to it.",
				"디버그 가능한 VM은 기밀성이 없습니다. 이 VM에는 비밀 정보를 넘기지 않습니다.")
		}
		rows = append(rows, row)
	}
	return present.Section{ID: "snp", Title: present.T("SEV-SNP report", "SEV-SNP 보고서"), Kind: present.Fields, Rows: rows}
}

// snpWordsKO puts the few words package snp writes into decoded values (TCB components,
// CPUID, firmware build, signature algorithm) into Korean; numbers and names stay.
var snpWordsKO = strings.NewReplacer("family ", "패밀리 ", "model ", "모델 ", "stepping ", "스테핑 ", " build ", " 빌드 ",
	"bootloader ", "부트로더 ", "microcode ", "마이크로코드 ", " with ", ", ")

var paravisorNote = present.T("On Azure, MRTD and RTMR0-3 measure the paravisor (Microsoft's HCL), not your guest OS; the guest's boot is in the vTPM PCRs.",
	"Azure에서 MRTD와 RTMR0-3은 게스트 OS가 아니라 패러바이저(Microsoft HCL)를 측정합니다. 게스트 부팅은 vTPM PCR에 있습니다.")

func tdReportSection(r *verify.Result) present.Section {
	base := -1
	if r.HCL != nil && r.HCL.TDReport() != nil {
		base = hcl.HardwareReportOff
	}
	fields := r.TDReport.Fields()
	rows := make([]present.Row, 0, len(fields))
	for _, f := range fields {
		row := tdxRow(explain.KindTDReport, f, loc{f.Offset, f.Size, base})
		if f.Name == "report_data" {
			row.Verdict = r.Checks.Verdict(hcl.IDBinding)
		}
		rows = append(rows, debugVerdict(row))
	}
	return present.Section{ID: "tdreport", Title: present.T("TDX TDREPORT", "TDX TDREPORT"), Kind: present.Fields,
		Note: paravisorNote, Rows: rows}
}

func tdQuoteSection(r *verify.Result) present.Section {
	fields := r.TDQuote.Fields()
	rows := make([]present.Row, 0, len(fields))
	for _, f := range fields {
		row := tdxRow(explain.KindTDQuote, f, loc{f.Offset, f.Size, -1})
		switch {
		case f.Name == "signature":
			row.Verdict = r.Checks.Verdict("tdx.quote.signature")
		case strings.HasPrefix(f.Name, "pck."):
			row.Verdict = r.Checks.Verdict("tdx.quote.signature")
		case f.Name == "tee_tcb_svn":
			row.Verdict = r.Checks.Verdict("tdx.tcb")
		}
		rows = append(rows, debugVerdict(row))
	}
	return present.Section{ID: "tdquote", Title: present.T("TD quote", "TD 쿼트"), Kind: present.Fields,
		Note: paravisorNote, Rows: rows}
}

// tdxRow is a TDREPORT or TD quote field, with its note and decoded words in Korean.
func tdxRow(kind string, f tdx.Field, at loc) present.Row {
	ko := f.NoteKO
	if ko == "" { // cmp.Or would look the note up even when tdx wrote the Korean
		ko = tdxNoteKO(f.Note)
	}
	row := fieldRow(kind, f.Name, f.Value, at, f.Claim, present.T(f.Note, ko))
	row.KeyKO, row.ValueKO = tdxKeyKO()[f.Name], tdxValueKO(f.Name, f.Value)
	return row
}

// debugVerdict fails the DEBUG attribute row when the bit is set: the host can then read
// the TD's memory.
func debugVerdict(row present.Row) present.Row {
	if row.Key == "td_attributes.DEBUG" && row.Value == "true" {
		row.Verdict = check.Fail
		row.Hint = present.T("A debug TD is not confidential: never release secrets to it.",
			"디버그 TD는 기밀성이 없습니다. 이 VM에는 비밀 정보를 넘기지 않습니다.")
	}
	return row
}

func quoteSection(r *verify.Result) present.Section {
	var rows []present.Row
	for _, f := range r.Attest.Fields() {
		row := present.Row{Key: f.Name, KeyKO: attestKeyKO()[f.Name], Value: f.Value, ValueKO: attestValueKO(r.Attest, f),
			Explain: explain.Field(explain.KindAttest, f.Name), PCR: -1}
		switch f.Name {
		case "PCR digest":
			row.Verdict = r.Checks.Verdict("tpm.quote.pcr-digest")
		case "Extra data":
			row.Verdict = r.Checks.Verdict("tpm.quote.nonce")
		case "Qualified signer":
			row.Verdict = r.Checks.Verdict("tpm.quote.signature")
		}
		rows = append(rows, row)
	}
	return present.Section{ID: "quote", Title: present.T("TPM quote", "TPM 쿼트"), Kind: present.Fields, Rows: rows}
}

func akCertSection(r *verify.Result) present.Section {
	var rows []present.Row
	for _, f := range akcert.Fields(r.AKCert) {
		row := present.Row{Key: f.Name, KeyKO: f.NameKO, Value: f.Value, Explain: explain.Field(explain.KindAKCert, f.Name), PCR: -1}
		if k, ok := r.AKCert.PublicKey.(*rsa.PublicKey); ok && f.Name == "Key" {
			h := sha256.Sum256(k.N.Bytes())
			row.ValueKO = fmt.Sprintf("RSA-%d, e=%d, 모듈러스의 SHA-256 %x", k.N.BitLen(), k.E, h[:8])
		}
		if f.Name == "Key" || f.Name == "Not after" {
			row.Verdict = r.Checks.Verdict(akcert.ID)
			if row.Verdict == check.Fail || row.Verdict == check.Warn {
				_, row.Hint = explain.Check(akcert.ID)
			}
		}
		rows = append(rows, row)
	}
	return present.Section{ID: "akcert", Title: present.T("AK certificate", "AK 인증서"), Kind: present.Fields, Rows: rows}
}

// attestKeyKO names the TPM quote's fields in Korean; the TPM structure's own name stays
// beside the word where it helps find it.
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var attestKeyKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"Magic": "매직 값", "Type": "증명 유형", "Qualified signer": "서명자 이름 (qualifiedSigner)",
		"Extra data": "추가 데이터 (extraData, 논스)", "Clock": "TPM 시계 (clockInfo)", "Firmware version": "펌웨어 버전",
		"PCR selection": "PCR 선택", "PCR digest": "PCR 다이제스트 (pcrDigest)",
		"Certified name": "인증된 키 이름 (certifiedName)", "Certified qualified name": "인증된 정규 이름 (qualifiedName)",
	}
})

// attestTypeKO is Attest.TypeName in Korean.
func attestTypeKO(a *tpmquote.Attest) string {
	if a.Type == tpmquote.TypeQuote {
		return "쿼트"
	}
	return "키 인증"
}

// attestValueKO is a TPMS_ATTEST field's value in Korean where it has words; "" keeps the
// value as it is (digests, names, versions).
func attestValueKO(a *tpmquote.Attest, f tpmquote.Field) string {
	switch f.Name {
	case "Type":
		return fmt.Sprintf("0x%04x (%s)", a.Type, attestTypeKO(a))
	case "Clock":
		return fmt.Sprintf("%dms, 리셋 %d회, 재시작 %d회, 안전 플래그 %v", a.Clock, a.ResetCount, a.RestartCount, a.Safe)
	case "Extra data":
		if len(a.ExtraData) == 0 {
			return "(비어 있음)"
		}
	}
	return ""
}
