package pages

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// link is one row of the chain: its verdict folds the checks that establish it.
func link(r *verify.Result, id, key, value string, ids ...string) present.Row {
	var l check.List
	for _, cid := range ids {
		l = append(l, r.Checks.Find(cid)...)
	}
	row := present.Row{Key: key, Value: value, Verdict: check.Fold(l), Explain: explain.Link(id), PCR: -1}
	var ls lines
	for _, c := range l {
		ls.add(c.String(), checkLineKO(c))
		if row.Hint.Empty() {
			row.Hint = explain.HintFor(c)
		}
	}
	if len(l) == 0 {
		ls.add("no check covers this link with the evidence given", "주어진 증거로는 이 연결을 다루는 검사가 없습니다")
	}
	ls.set(&row)
	return row
}

// chainSection draws vendor root → VCEK or PCK → hardware report → REPORT_DATA → runtime
// claims → HCLAkPub → TPM quote → PCRs → event log; Trusted Launch starts at the AK
// certificate because there is no hardware report.
func chainSection(s *evidence.Set, r *verify.Result) present.Section {
	sec := present.Section{ID: "chain", Title: present.T("Chain of trust", "신뢰 체인"), Kind: present.Chain}
	sim := s.Source == evidence.SourceSim
	switch {
	case r.SNP != nil:
		sec.Rows = append(sec.Rows, snpLinks(r, sim)...)
	case r.TDQuote != nil || r.TDReport != nil:
		sec.Rows = append(sec.Rows, tdxLinks(r, sim)...)
		sec.Note = present.T("On Azure, MRTD and the RTMRs measure the paravisor (Microsoft's HCL), not your guest OS: the guest's boot is in the vTPM PCRs below.",
			"Azure에서 MRTD와 RTMR은 게스트 OS가 아니라 패러바이저(Microsoft HCL)를 측정합니다. 게스트 부팅은 아래 vTPM PCR에 있습니다.")
	}
	if r.HCL != nil || r.Claims != nil {
		sec.Rows = append(sec.Rows, claimLinks(r)...)
	} else if r.AKCert != nil || len(s.AKCert) > 0 || r.TEE == evidence.TEETrustedLaunch || (r.SNP == nil && r.TDReport == nil && r.TDQuote == nil) {
		sec.Rows = append(sec.Rows, akCertLink(s, r))
	}
	sec.Rows = append(sec.Rows, tpmLinks(s, r)...)
	return sec
}

func snpLinks(r *verify.Result, sim bool) []present.Row {
	var ark, vcek *x509.Certificate
	for _, c := range r.Certs {
		switch {
		case c.Subject.CommonName == c.Issuer.CommonName && strings.HasPrefix(c.Subject.CommonName, "ARK-"):
			ark = c
		case c.Subject.CommonName == "SEV-VCEK" || c.Subject.CommonName == "SEV-VLEK":
			vcek = c
		}
	}
	rootID, rootKey, rootKO, rootVal := explain.LinkAMDRoot, "AMD root key (ARK)", "AMD 루트 키 (ARK)", "embedded AMD root for the VCEK's product line"
	rootValKO := "VCEK 제품군에 맞는 내장 AMD 루트"
	if ark != nil {
		rootKey = "AMD root key (" + ark.Subject.CommonName + ")"
		rootKO = "AMD 루트 키 (" + ark.Subject.CommonName + ")"
		rootVal = "self-signed, serial " + shortSerial(ark)
		rootValKO = "자체 서명, 일련번호 " + shortSerial(ark)
	}
	if sim || (ark != nil && isSimulated(ark)) {
		rootID, rootKey, rootKO, rootVal = explain.LinkSimRoot, "Simulated test root (not AMD)", "시뮬레이션 테스트 루트 (AMD 아님)", "test ARK of the simulated CVM"
		rootValKO = "시뮬레이션 CVM의 테스트 ARK"
		if ark != nil {
			rootVal += ": " + ark.Subject.CommonName
			rootValKO += ": " + ark.Subject.CommonName
		}
	}
	vcekVal, vcekKO := "no VCEK supplied", "VCEK가 주어지지 않음"
	if vcek != nil {
		vcekVal = fmt.Sprintf("%s issued by %s, valid to %s", vcek.Subject.CommonName, vcek.Issuer.CommonName, vcek.NotAfter.UTC().Format("2006-01-02"))
		vcekKO = fmt.Sprintf("%s, 발급자 %s, %s까지 유효", vcek.Subject.CommonName, nameKO(vcek.Issuer.CommonName), vcek.NotAfter.UTC().Format("2006-01-02"))
	}
	return []present.Row{
		ko(link(r, rootID, rootKey, rootVal, "snp.chain"), rootKO, rootValKO),
		ko(link(r, explain.LinkVCEK, "VCEK", vcekVal, "certs.parse", "snp.chain"), "", vcekKO),
		ko(link(r, explain.LinkSNPReport, "SEV-SNP report", fmt.Sprintf("version %d, signed by the %v (ECDSA P-384)", r.SNP.Version(), r.SNP.SigningKey()), "snp.parse", "snp.signature"),
			"SEV-SNP 증명 보고서", fmt.Sprintf("버전 %d, %v 서명 (ECDSA P-384)", r.SNP.Version(), r.SNP.SigningKey())),
	}
}

func tdxLinks(r *verify.Result, sim bool) []present.Row {
	rootID, rootKey, rootKO, rootVal := explain.LinkIntelRoot, "Intel SGX Root CA", "Intel SGX 루트 CA", "no TD quote, so no PCK chain"
	rootValKO := "TD 쿼트가 없어 PCK 체인도 없음"
	pckVal, pckKO := "no TD quote", "TD 쿼트 없음"
	quoteVal := "no TD quote: on Azure, IMDS POST /acc/tdquote turns the TDREPORT into one"
	quoteKO := "TD 쿼트 없음: Azure에서는 IMDS POST /acc/tdquote가 TDREPORT로 쿼트를 만듭니다"
	if q := r.TDQuote; q != nil {
		rootKey, rootKO = q.Root.Subject.CommonName, q.Root.Subject.CommonName
		rootVal = "self-signed, serial " + shortSerial(q.Root)
		rootValKO = "자체 서명, 일련번호 " + shortSerial(q.Root)
		pckVal = fmt.Sprintf("%s issued by %s, FMSPC %s", q.PCK.Subject.CommonName, q.Intermediate.Subject.CommonName, q.FMSPC())
		pckKO = fmt.Sprintf("%s, 발급자 %s, FMSPC %s", nameKO(q.PCK.Subject.CommonName), nameKO(q.Intermediate.Subject.CommonName), q.FMSPC())
		quoteVal = fmt.Sprintf("version 4, %d bytes, signed by the quoting enclave", len(q.Raw))
		quoteKO = fmt.Sprintf("버전 4, %d바이트, 쿼팅 엔클레이브 서명", len(q.Raw))
		if sim || isSimulated(q.Root) {
			rootID, rootKey = explain.LinkSimRoot, "Simulated test root (not Intel): "+q.Root.Subject.CommonName
			rootKO = "시뮬레이션 테스트 루트 (Intel 아님): " + q.Root.Subject.CommonName
		}
	} else if sim {
		rootID, rootKey, rootKO = explain.LinkSimRoot, "Simulated test root (not Intel)", "시뮬레이션 테스트 루트 (Intel 아님)"
	}
	tdVal, tdKO := "TDREPORT not supplied", "TDREPORT가 주어지지 않음"
	if r.TDReport != nil {
		tdVal = "MRTD " + shortHex(r.TDReport.MRTD()) + " (the paravisor's)"
		tdKO = "MRTD " + shortHex(r.TDReport.MRTD()) + " (패러바이저의 측정값)"
	}
	return []present.Row{
		ko(link(r, rootID, rootKey, rootVal, "tdx.quote.signature"), rootKO, rootValKO),
		ko(link(r, explain.LinkPCK, "PCK certificate", pckVal, "tdx.quote.signature"), "PCK 인증서", pckKO),
		ko(link(r, explain.LinkTDQuote, "TD quote", quoteVal, "tdx.parse", "tdx.quote.signature", "tdx.tcb"), "TD 쿼트", quoteKO),
		ko(link(r, explain.LinkTDReport, "TDREPORT", tdVal, "tdx.quote.matches-report"), "", tdKO),
	}
}

func claimLinks(r *verify.Result) []present.Row {
	var rows []present.Row
	if r.HCL != nil || r.SNP != nil || r.TDReport != nil {
		rd := reportData(r)
		val, valKO := "not available", "없음"
		if rd != nil {
			val, valKO = shortHex(rd)+" (64 bytes)", shortHex(rd)+" (64바이트)"
		}
		rows = append(rows, ko(link(r, explain.LinkReportData, "REPORT_DATA", val, "hcl.binding"), "", valKO))
	}
	claimsVal, claimsKO := "no runtime claims", "런타임 클레임 없음"
	if r.HCL != nil {
		claimsVal, claimsKO = fmt.Sprintf("JSON, %d bytes", len(r.HCL.Claims)), "JSON, "+bytesKO(len(r.HCL.Claims))
	}
	if r.Claims != nil && r.Claims.VMConfig.VMUniqueID != "" {
		claimsVal += ", vmUniqueId " + r.Claims.VMConfig.VMUniqueID
		claimsKO += ", vmUniqueId " + r.Claims.VMConfig.VMUniqueID
	}
	rows = append(rows, ko(link(r, explain.LinkRuntimeClaims, "Runtime claims", claimsVal, "hcl.parse", "hcl.binding"), "런타임 클레임", claimsKO))

	akVal, akKO := "no HCLAkPub in the claims", "클레임에 HCLAkPub 없음"
	if r.Claims != nil {
		if k := r.Claims.Key("HCLAkPub"); k != nil {
			akVal, akKO = "RSA attestation key", "RSA 증명 키(AK)"
			if pub, err := k.RSA(); err == nil {
				akVal = fmt.Sprintf("RSA-%d attestation key", pub.N.BitLen())
				akKO = fmt.Sprintf("RSA-%d 증명 키(AK)", pub.N.BitLen())
			}
		}
	}
	ak := ko(link(r, explain.LinkHCLAkPub, "HCLAkPub", akVal, "ak.parse", "ak.binding"), "", akKO)
	// Without the TPM's own AK the quote is verified with HCLAkPub itself; a passing quote
	// signature then establishes this link as firmly as a key comparison would.
	if ak.Verdict == check.Skip && !r.AKFromTPM && r.AK != nil && r.Checks.Verdict("tpm.quote.signature") == check.Pass {
		ak.Verdict = check.Pass
		ak.Value += "; the quote was verified with this key"
		ak.ValueKO += "; TPM 쿼트를 이 키로 검증했습니다"
		ak.Detail += "\ntpm.quote.signature passed with HCLAkPub itself as the verifying key, which establishes this link"
		ak.DetailKO = ak.DetailIn(present.KO) + "\ntpm.quote.signature가 HCLAkPub 자체를 검증 키로 써서 통과했으므로 이 연결이 성립합니다"
	}
	return append(rows, ak)
}

func akCertLink(s *evidence.Set, r *verify.Result) present.Row {
	val, valKO := "no AK certificate (NV 0x01C101D0) in the evidence", "증거에 AK 인증서(NV 0x01C101D0)가 없음"
	if c := r.AKCert; c != nil {
		val = fmt.Sprintf("%s issued by %s", c.Subject.CommonName, c.Issuer.CommonName)
		valKO = fmt.Sprintf("%s, 발급자 %s", nameKO(c.Subject.CommonName), nameKO(c.Issuer.CommonName))
	}
	return ko(link(r, explain.LinkAKCert, "AK certificate", val, "ak.parse", "ak.certificate", "ak.binding"), "AK 인증서", valKO)
}

func tpmLinks(s *evidence.Set, r *verify.Result) []present.Row {
	quoteVal, quoteKO := "no TPM quote", "TPM 쿼트 없음"
	if a := r.Attest; a != nil {
		quoteVal = fmt.Sprintf("%s, %d ms since TPM reset", a.TypeName(), a.Clock)
		quoteKO = fmt.Sprintf("%s, TPM 리셋 후 %dms", attestTypeKO(a), a.Clock)
		if r.AK != nil {
			quoteVal = fmt.Sprintf("%s signed by an RSA-%d AK", a.TypeName(), r.AK.N.BitLen())
			quoteKO = fmt.Sprintf("RSA-%d AK가 서명한 %s", r.AK.N.BitLen(), attestTypeKO(a))
		}
	}
	pcrVal, pcrKO := fmt.Sprintf("%d PCR values", len(s.PCRs)), fmt.Sprintf("PCR 값 %d개", len(s.PCRs))
	if a := r.Attest; a != nil && len(a.Selection) == 1 {
		pcrVal += fmt.Sprintf(", quote selects %d", len(a.Selection[0].PCRs))
		pcrKO += fmt.Sprintf(", 쿼트가 %d개 선택", len(a.Selection[0].PCRs))
	}
	logVal, logKO := "no event log", "이벤트 로그 없음"
	if r.Log != nil {
		counted, countedKO := eventlog.CountText(r.Log.Counts(-1))
		logVal = counted + "; " + eventlog.ReplaySummary(r.Checks)
		logKO = countedKO + "; " + eventlog.ReplaySummaryKO(r.Checks)
	}
	return []present.Row{
		ko(link(r, explain.LinkTPMQuote, "TPM quote", quoteVal, "tpm.quote.signature", "tpm.quote.nonce"), "TPM 쿼트", quoteKO),
		ko(link(r, explain.LinkPCRs, "PCRs", pcrVal, "tpm.quote.pcr-digest"), "PCR", pcrKO),
		ko(link(r, explain.LinkEventLog, "Event log", logVal, "eventlog.parse", "eventlog.replay"), "이벤트 로그", logKO),
	}
}

func reportData(r *verify.Result) []byte {
	switch {
	case r.HCL != nil && r.HCL.ReportData() != nil:
		return r.HCL.ReportData()
	case r.SNP != nil:
		return r.SNP.ReportData()
	case r.TDReport != nil:
		return r.TDReport.ReportData()
	}
	return nil
}

// isSimulated recognises the simulated CVM's certificates: each carries a "SIMULATED
// cvmscope" label in some subject attribute (the description for AMD-shaped names, which
// go-sev-guest never reads).
func isSimulated(c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	for _, atv := range c.Subject.Names {
		if v, ok := atv.Value.(string); ok && strings.HasPrefix(v, "SIMULATED cvmscope") {
			return true
		}
	}
	return false
}

func shortSerial(c *x509.Certificate) string {
	s := c.SerialNumber.Text(16)
	if len(s) > 16 {
		s = s[:16] + "…"
	}
	return s
}

// shortHex keeps both ends of a value so that two values differing anywhere usually still
// look different.
func shortHex(b []byte) string {
	h := hex.EncodeToString(b)
	if len(h) <= 24 {
		return h
	}
	return h[:12] + "…" + h[len(h)-8:]
}
