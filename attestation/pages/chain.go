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
	var lines []string
	for _, c := range l {
		lines = append(lines, c.String())
		if row.Hint.Empty() {
			row.Hint = explain.HintFor(c)
		}
	}
	if len(l) == 0 {
		lines = append(lines, "no check covers this link with the evidence given")
	}
	row.Detail = strings.Join(lines, "\n")
	return row
}

// korean gives a link its Korean name (glossary-ko.md terms; product and protocol names
// stay in Latin letters). link keeps its signature for callers in other files.
func korean(row present.Row, key string) present.Row {
	row.KeyKO = key
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
	if ark != nil {
		rootKey = "AMD root key (" + ark.Subject.CommonName + ")"
		rootKO = "AMD 루트 키 (" + ark.Subject.CommonName + ")"
		rootVal = "self-signed, serial " + shortSerial(ark)
	}
	if sim || (ark != nil && isSimulated(ark)) {
		rootID, rootKey, rootKO, rootVal = explain.LinkSimRoot, "Simulated test root (not AMD)", "시뮬레이션 테스트 루트 (AMD 아님)", "test ARK of the simulated CVM"
		if ark != nil {
			rootVal += ": " + ark.Subject.CommonName
		}
	}
	vcekVal := "no VCEK supplied"
	if vcek != nil {
		vcekVal = fmt.Sprintf("%s issued by %s, valid to %s", vcek.Subject.CommonName, vcek.Issuer.CommonName, vcek.NotAfter.UTC().Format("2006-01-02"))
	}
	return []present.Row{
		korean(link(r, rootID, rootKey, rootVal, "snp.chain"), rootKO),
		link(r, explain.LinkVCEK, "VCEK", vcekVal, "certs.parse", "snp.chain"),
		korean(link(r, explain.LinkSNPReport, "SEV-SNP report", fmt.Sprintf("version %d, signed by the %v (ECDSA P-384)", r.SNP.Version(), r.SNP.SigningKey()), "snp.parse", "snp.signature"), "SEV-SNP 증명 보고서"),
	}
}

func tdxLinks(r *verify.Result, sim bool) []present.Row {
	rootID, rootKey, rootKO, rootVal := explain.LinkIntelRoot, "Intel SGX Root CA", "Intel SGX 루트 CA", "no TD quote, so no PCK chain"
	pckVal := "no TD quote"
	quoteVal := "no TD quote: on Azure, IMDS POST /acc/tdquote turns the TDREPORT into one"
	if q := r.TDQuote; q != nil {
		rootKey, rootKO = q.Root.Subject.CommonName, q.Root.Subject.CommonName
		rootVal = "self-signed, serial " + shortSerial(q.Root)
		pckVal = fmt.Sprintf("%s issued by %s, FMSPC %s", q.PCK.Subject.CommonName, q.Intermediate.Subject.CommonName, q.FMSPC())
		quoteVal = fmt.Sprintf("version 4, %d bytes, signed by the quoting enclave", len(q.Raw))
		if sim || isSimulated(q.Root) {
			rootID, rootKey = explain.LinkSimRoot, "Simulated test root (not Intel): "+q.Root.Subject.CommonName
			rootKO = "시뮬레이션 테스트 루트 (Intel 아님): " + q.Root.Subject.CommonName
		}
	} else if sim {
		rootID, rootKey, rootKO = explain.LinkSimRoot, "Simulated test root (not Intel)", "시뮬레이션 테스트 루트 (Intel 아님)"
	}
	tdVal := "TDREPORT not supplied"
	if r.TDReport != nil {
		tdVal = "MRTD " + shortHex(r.TDReport.MRTD()) + " (the paravisor's)"
	}
	return []present.Row{
		korean(link(r, rootID, rootKey, rootVal, "tdx.quote.signature"), rootKO),
		korean(link(r, explain.LinkPCK, "PCK certificate", pckVal, "tdx.quote.signature"), "PCK 인증서"),
		korean(link(r, explain.LinkTDQuote, "TD quote", quoteVal, "tdx.parse", "tdx.quote.signature", "tdx.tcb"), "TD 쿼트"),
		link(r, explain.LinkTDReport, "TDREPORT", tdVal, "tdx.quote.matches-report"),
	}
}

func claimLinks(r *verify.Result) []present.Row {
	var rows []present.Row
	if r.HCL != nil || r.SNP != nil || r.TDReport != nil {
		rd := reportData(r)
		val := "not available"
		if rd != nil {
			val = shortHex(rd) + " (64 bytes)"
		}
		rows = append(rows, link(r, explain.LinkReportData, "REPORT_DATA", val, "hcl.binding"))
	}
	claimsVal := "no runtime claims"
	if r.HCL != nil {
		claimsVal = fmt.Sprintf("JSON, %d bytes", len(r.HCL.Claims))
	}
	if r.Claims != nil && r.Claims.VMConfig.VMUniqueID != "" {
		claimsVal += ", vmUniqueId " + r.Claims.VMConfig.VMUniqueID
	}
	rows = append(rows, korean(link(r, explain.LinkRuntimeClaims, "Runtime claims", claimsVal, "hcl.parse", "hcl.binding"), "런타임 클레임"))

	akVal := "no HCLAkPub in the claims"
	if r.Claims != nil {
		if k := r.Claims.Key("HCLAkPub"); k != nil {
			akVal = "RSA attestation key"
			if pub, err := k.RSA(); err == nil {
				akVal = fmt.Sprintf("RSA-%d attestation key", pub.N.BitLen())
			}
		}
	}
	ak := link(r, explain.LinkHCLAkPub, "HCLAkPub", akVal, "ak.parse", "ak.binding")
	// Without the TPM's own AK the quote is verified with HCLAkPub itself; a passing quote
	// signature then establishes this link as firmly as a key comparison would.
	if ak.Verdict == check.Skip && !r.AKFromTPM && r.AK != nil && r.Checks.Verdict("tpm.quote.signature") == check.Pass {
		ak.Verdict = check.Pass
		ak.Value += "; the quote was verified with this key"
		ak.Detail += "\ntpm.quote.signature passed with HCLAkPub itself as the verifying key, which establishes this link"
	}
	return append(rows, ak)
}

func akCertLink(s *evidence.Set, r *verify.Result) present.Row {
	val := "no AK certificate (NV 0x01C101D0) in the evidence"
	if c := r.AKCert; c != nil {
		val = fmt.Sprintf("%s issued by %s", c.Subject.CommonName, c.Issuer.CommonName)
	}
	return korean(link(r, explain.LinkAKCert, "AK certificate", val, "ak.parse", "ak.certificate", "ak.binding"), "AK 인증서")
}

func tpmLinks(s *evidence.Set, r *verify.Result) []present.Row {
	quoteVal := "no TPM quote"
	if a := r.Attest; a != nil {
		quoteVal = fmt.Sprintf("%s, %d ms since TPM reset", a.TypeName(), a.Clock)
		if r.AK != nil {
			quoteVal = fmt.Sprintf("%s signed by an RSA-%d AK", a.TypeName(), r.AK.N.BitLen())
		}
	}
	pcrVal := fmt.Sprintf("%d PCR values", len(s.PCRs))
	if a := r.Attest; a != nil && len(a.Selection) == 1 {
		pcrVal += fmt.Sprintf(", quote selects %d", len(a.Selection[0].PCRs))
	}
	logVal := "no event log"
	if r.Log != nil {
		counted, _ := eventlog.CountText(r.Log.Counts(-1))
		logVal = counted + "; " + eventlog.ReplaySummary(r.Checks)
	}
	return []present.Row{
		korean(link(r, explain.LinkTPMQuote, "TPM quote", quoteVal, "tpm.quote.signature", "tpm.quote.nonce"), "TPM 쿼트"),
		korean(link(r, explain.LinkPCRs, "PCRs", pcrVal, "tpm.quote.pcr-digest"), "PCR"),
		korean(link(r, explain.LinkEventLog, "Event log", logVal, "eventlog.parse", "eventlog.replay"), "이벤트 로그"),
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
