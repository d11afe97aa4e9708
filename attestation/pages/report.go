package pages

import (
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// ReadReport builds the "Read report" page: the chain of trust first (the answer), then the
// evidence it rests on, structure by structure, then every check. Sections whose evidence is
// absent are left out; the chain and the checks say what is missing.
func ReadReport(s *evidence.Set, r *verify.Result) present.Page { return readReport(s, r, false) }

func readReport(s *evidence.Set, r *verify.Result, stream bool) present.Page {
	if s == nil {
		s = &evidence.Set{}
	}
	if r == nil {
		r = &verify.Result{}
	}
	p := present.Page{
		Step:    stepReadReport,
		Title:   present.T("Read report", "증명 보고서 읽기"),
		Checks:  r.Checks,
		Verdict: check.Fold(r.Checks),
	}
	tee := r.TEE
	if tee == "" {
		tee = s.TEE
	}
	// A quote read live without a hardware report is Trusted Launch; one given as a file (a
	// trustee or tpm2-tools quote) may come from any VM, so it is not named.
	if tee == "" && r.HCL == nil && r.Attest != nil && s.Source != evidence.SourceFiles {
		tee = evidence.TEETrustedLaunch
	}
	label, labelKO := tee.Label()+" evidence", tee.LabelKO()+" 증거"
	if tee == evidence.TEEUnknown {
		label, labelKO = "Evidence", "증거"
	}
	if s.Source == evidence.SourceSim {
		label, labelKO = "simulated "+label, "시뮬레이션 "+labelKO
	}
	p.Summary = countSummary(present.T(label, labelKO), r.Checks)

	// Each section is built only when its evidence is there.
	add := func(ok bool, build func() present.Section) {
		if !ok {
			return
		}
		if sec := build(); len(sec.Rows) > 0 || sec.Each != nil {
			p.Sections = append(p.Sections, sec)
		}
	}
	// Certificates, CRLs, collateral or a log given alone start no chain from a report or a
	// quote: their verdicts are the checks below, which a column of skipped links would hide.
	chain := r.HCL != nil || r.SNP != nil || r.TDReport != nil || r.TDQuote != nil || r.Claims != nil ||
		r.Attest != nil || r.AKCert != nil || len(s.AKCert) > 0 || len(s.PCRs) > 0 || s.Source != evidence.SourceFiles
	add(chain, func() present.Section { return chainSection(s, r) })
	add(r.HCL != nil, func() present.Section { return hclSection(r) })
	add(r.SNP != nil, func() present.Section { return snpSection(r) })
	add(r.TDReport != nil, func() present.Section { return tdReportSection(r) })
	add(r.TDQuote != nil, func() present.Section { return tdQuoteSection(r) })
	add(r.Claims != nil, func() present.Section { return claimsSection(s, r) })
	add(len(s.PCRs) > 0 || r.Log != nil, func() present.Section { return pcrSection(s, r) })
	add(r.Log != nil, func() present.Section { return eventsSection(r, stream) })
	add(r.Attest != nil, func() present.Section { return quoteSection(r) })
	add(r.AKCert != nil, func() present.Section { return akCertSection(r) })
	add(true, func() present.Section { return Checks(r.Checks) })
	return p
}
