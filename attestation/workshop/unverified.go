package workshop

import (
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// IDEvidenceUnverified fails when an offline run holds a signed item (a hardware report, a TD
// quote, a TPM quote, a token) whose signature check was skipped, or measurements that nothing
// signed covers (an event log or PCR values without a TPM quote): every other check may pass
// on their fields, but nothing vouches for them, so the run must not exit 0 (a script doing
// `cvmscope inspect report.bin && deploy` would be told yes). A signature check that failed
// already fails the run and is not repeated here.
const IDEvidenceUnverified = "evidence.unverified"

// signedItem is one signed thing in the set: the checks that must have run on it and what to
// supply so that they can.
type signedItem struct {
	what, whatKO string
	file         string
	ids          []string
	give, giveKO string
	// unsigned: no signature covers the item at all (ids is empty), so it is always named,
	// with why (default: no signature covers it).
	unsigned   bool
	why, whyKO string
}

// unverifiedChecks returns one failing evidence.unverified check naming every signed item in
// the set whose signature checks in done were skipped, or nothing. r is
// the Read report result (nil when the evidence was not verified: cvmscope verify checks the
// token alone); withToken says the token was verified in this run.
func unverifiedChecks(s *evidence.Set, r *verify.Result, withToken bool, done check.List) check.List {
	var items []signedItem
	hw := func(k evidence.Kind) string {
		if r.HCL != nil {
			return s.FileOf(evidence.KindHCLReport)
		}
		return s.FileOf(k)
	}
	if r != nil {
		switch {
		case r.SNP != nil:
			items = append(items, signedItem{what: "the SEV-SNP report", whatKO: "SEV-SNP 보고서", file: hw(evidence.KindSNPReport),
				ids:    []string{snp.IDSignature, snp.IDChain},
				give:   "supply the VCEK certificate (PEM/DER, or the JSON of IMDS GET /metadata/THIM/amd/certification), or add --network to fetch it from AMD KDS",
				giveKO: "VCEK 인증서(PEM/DER 또는 IMDS GET /metadata/THIM/amd/certification의 JSON)를 함께 주거나, --network를 더해 AMD KDS에서 받아 옵니다"})
		case r.TDQuote != nil:
			items = append(items, signedItem{what: "the TD quote", whatKO: "TD 쿼트", file: s.FileOf(evidence.KindTDQuote),
				ids:  []string{tdx.CheckSignature},
				give: "supply its PCK certificate chain (PEM)", giveKO: "PCK 인증서 체인(PEM)을 함께 줍니다"})
		case r.TDReport != nil:
			items = append(items, signedItem{what: "the TDREPORT (only MAC'd by the CPU)", whatKO: "TDREPORT(CPU의 MAC만 있음)", file: hw(evidence.KindTDReport),
				ids:  []string{tdx.CheckSignature},
				give: "supply the TD quote that certifies it (on Azure, IMDS POST /acc/tdquote)", giveKO: "이를 인증하는 TD 쿼트를 함께 줍니다(Azure에서는 IMDS POST /acc/tdquote)"})
		case r.HCL != nil && r.HCL.IGVM.ReportType != hcl.ReportSNP && r.HCL.IGVM.ReportType != hcl.ReportTDX:
			// A VBS or TVM report: no vendor signs it, so nothing can be given.
			items = append(items, signedItem{what: "the HCL report's " + r.HCL.IGVM.ReportType.String() + " report", whatKO: "HCL 보고서의 " + r.HCL.IGVM.ReportType.String() + " 보고서",
				file: s.FileOf(evidence.KindHCLReport), ids: []string{snp.IDSignature},
				give: "no vendor signs this report type, so nothing can vouch for it", giveKO: "이 보고서 유형은 어떤 제조사도 서명하지 않으므로 보증할 수 있는 것이 없습니다"})
		}
		if s.Quote != nil && len(s.Quote.Msg) > 0 {
			items = append(items, signedItem{what: "the TPM quote", whatKO: "TPM 쿼트", file: s.FileOf(evidence.KindTPMAttest),
				ids:    []string{tpmquote.IDSignature},
				give:   "supply the AK public key (tpm2_readpublic -c 0x81000003 -o ak.pub) or an HCL report whose runtime claims carry HCLAkPub",
				giveKO: "AK 공개 키(tpm2_readpublic -c 0x81000003 -o ak.pub)나 런타임 클레임에 HCLAkPub이 있는 HCL 보고서를 함께 줍니다"})
		}
		if s.Quote != nil && len(s.Quote.Msg) > 0 && done.Verdict(tpmquote.IDSignature) == check.Pass && !akAnchored(r, done) {
			// The quote verifies, but with a key the files brought: anyone can make a key
			// and sign a quote with it, so the AK must be tied to something the caller trusts.
			items = append(items, signedItem{what: "the AK that signs the TPM quote", whatKO: "TPM 쿼트에 서명한 AK", file: fileOf(s, evidence.KindPublicKey, evidence.KindTPMPublic),
				unsigned: true, why: "nothing anchors it", whyKO: "이를 보증하는 기준이 없음",
				give:   "the quote verifies with an AK that came with the files, and nothing ties that AK to a TPM you trust; add its AK certificate (NV 0x01C101D0) with --vtpm-root FILE (--trust-simulated for simulated evidence), or the HCL report whose runtime claims carry HCLAkPub, with its VCEK or TD quote",
				giveKO: "쿼트는 파일과 함께 온 AK로 검증되지만, 그 AK를 신뢰하는 TPM에 묶어 주는 것이 없습니다. AK 인증서(NV 0x01C101D0)와 --vtpm-root FILE(시뮬레이션 증거라면 --trust-simulated)을 주거나, 런타임 클레임에 HCLAkPub이 있는 HCL 보고서를 VCEK나 TD 쿼트와 함께 줍니다"})
		}
		if it, ok := unsignedMeasurements(s); ok {
			items = append(items, it)
		}
	}
	if withToken {
		items = append(items, signedItem{what: "the token", whatKO: "토큰", file: s.FileOf(evidence.KindJWT),
			ids:    []string{token.IDSignature},
			give:   "give its provider's keys with --jwks FILE, or pin the provider with -a URL (inspect also needs --network to fetch them)",
			giveKO: "공급자의 키를 --jwks FILE로 주거나 -a URL로 공급자를 고정합니다(inspect는 키를 받으려면 --network도 필요합니다)"})
	}
	var en, ko []string
	for _, it := range items {
		if !it.unsigned && verified(it.ids, done) {
			continue
		}
		name, nameKO := it.what, it.whatKO
		if sup := s.Supplied(); it.file == "" && len(sup) == 1 {
			// A format that carries the item inside another document (Constellation,
			// trustee, go-tpm-tools) is not filed under the item's kind.
			it.file = sup[0].Path
		}
		if it.file != "" {
			name, nameKO = it.file+": "+name, it.file+": "+nameKO
		}
		if it.unsigned {
			if it.why == "" {
				it.why, it.whyKO = "no signature covers it", "이를 보증하는 서명이 없음"
			}
			en = append(en, name+" ("+it.why+"): "+it.give)
			ko = append(ko, nameKO+"("+it.whyKO+"): "+it.giveKO)
			continue
		}
		en = append(en, name+" ("+strings.Join(it.ids, ", ")+" skipped): "+it.give)
		ko = append(ko, nameKO+"("+strings.Join(it.ids, ", ")+" 건너뜀): "+it.giveKO)
	}
	if len(en) == 0 {
		return nil
	}
	return check.List{check.Failf(IDEvidenceUnverified, "signature not verified, so nothing vouches for what was shown: %s", strings.Join(en, "; ")).
		KO("서명을 검증하지 않았으므로 보여 준 내용을 보증하는 것이 없습니다: %s", strings.Join(ko, "; ")).
		WithDetail("the fields are shown as read; this check fails so that a script does not take them as verified",
			"필드는 읽은 그대로 보여 줍니다. 스크립트가 이를 검증된 것으로 받아들이지 않도록 이 검사는 실패합니다")}
}

// akAnchored reports whether the AK that verified the quote is tied to an anchor: its
// certificate passed (chained to a --vtpm-root, or informational because a verified hardware
// report binds the AK), or the HCL report binds it (HCLAkPub under REPORT_DATA, the AK read
// from the TPM equal to it, or the quote checked with HCLAkPub itself). Whether that report's
// own signature verified is the report's item above.
func akAnchored(r *verify.Result, done check.List) bool {
	if done.Verdict(akcert.ID) == check.Pass {
		return true
	}
	if done.Verdict(hcl.IDBinding) != check.Pass {
		return false
	}
	return done.Verdict(tpmquote.IDAKBinding) == check.Pass || r.AK != nil && !r.AKFromTPM
}

// unsignedMeasurements is the event log and PCR values of a set that holds no TPM quote: the
// log replays and the values compare, but only a quote signed by the AK says a TPM measured
// them, so they are shown as given and fail closed.
func unsignedMeasurements(s *evidence.Set) (signedItem, bool) {
	if s.Quote != nil && len(s.Quote.Msg) > 0 || len(s.EventLog) == 0 && len(s.PCRs) == 0 && len(s.PCRBanks) == 0 {
		return signedItem{}, false
	}
	var what, whatKO, file []string
	if len(s.EventLog) > 0 {
		what, whatKO = append(what, "the event log"), append(whatKO, "이벤트 로그")
		file = append(file, s.FileOf(evidence.KindEventLog))
	}
	if len(s.PCRs) > 0 || len(s.PCRBanks) > 0 {
		what, whatKO = append(what, "the PCR values"), append(whatKO, "PCR 값")
		file = append(file, fileOf(s, evidence.KindPCRs, evidence.KindPCRFile, evidence.KindPCRValues))
	}
	return signedItem{what: strings.Join(what, " and "), whatKO: strings.Join(whatKO, "와 "), file: strings.Join(uniq(file), ", "), unsigned: true,
		give:   "no TPM quote was given, so nothing signed says a TPM measured these values; add the TPM quote over these PCRs (tpm2_quote: its message, signature and PCR file) with its AK (the AK public key, or the HCL report whose runtime claims carry HCLAkPub)",
		giveKO: "TPM 쿼트가 없어 TPM이 이 값을 측정했다고 서명으로 보증하는 것이 없습니다. 이 PCR에 대한 TPM 쿼트(tpm2_quote의 메시지, 서명, PCR 파일)와 AK(AK 공개 키, 또는 런타임 클레임에 HCLAkPub이 있는 HCL 보고서)를 함께 줍니다"}, true
}

// fileOf names the first supplied file of one of kinds, or "".
func fileOf(s *evidence.Set, kinds ...evidence.Kind) string {
	for _, f := range s.Supplied() {
		if slices.Contains(kinds, f.Kind) {
			return f.Path
		}
	}
	return ""
}

// uniq drops empty and repeated names, keeping the order.
func uniq(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// verified reports whether no check in ids was skipped on the item: each passed, warned or
// failed (a failure already fails the run). An absent check is left to the step that did not
// run it: its error (network, interrupt) decides the exit code, not this check.
func verified(ids []string, done check.List) bool {
	for _, id := range ids {
		if l := done.Find(id); len(l) > 0 && l.Verdict(id) == check.Skip {
			return false
		}
	}
	return true
}
