package workshop

import (
	"crypto/x509"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/cvmscope/cvmscope/attestation/pki"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// aloneChecks gives a verdict on what arrived without the evidence it serves: certificates
// with no report or quote to vouch for, CRLs and Intel collateral with no TD quote, an event
// log with no PCR values. With that evidence present, its own checks judge them instead.
func aloneChecks(s *evidence.Set, opts verify.Options) check.List {
	var out check.List
	hardware := len(s.HCLReport)+len(s.SNPReport)+len(s.TDReport)+len(s.TDQuote) > 0
	in := pki.Input{Now: opts.Now}
	for _, der := range s.Certs {
		if c, err := x509.ParseCertificate(der); err == nil && !hardware {
			in.Certs = append(in.Certs, c)
		} else if err == nil {
			// The report's own checks judge its chain; here it may only have issued a CRL.
			in.Known = append(in.Known, c)
		}
	}
	if len(s.TDQuote) == 0 {
		if signing, err := certs.FromPEM(s.Collateral.SigningChain); err == nil {
			in.Certs = append(in.Certs, signing...)
		}
		in.TCBInfo, in.QEIdentity = s.Collateral.TCBInfo, s.Collateral.QEIdentity
	}
	// tdx.tcb checks CRLs with the collateral; without it they would go unchecked beside a TD
	// quote, so they are judged here, with the quote's PCK chain for revocation.
	if len(s.TDQuote) == 0 || s.Collateral.Empty() {
		for _, d := range [][]byte{s.Collateral.PCKCRL, s.Collateral.RootCRL} {
			if len(d) > 0 {
				in.CRLs = append(in.CRLs, d)
			}
		}
		if hardware && len(in.CRLs) > 0 {
			// A CRL given with a report is there for its chain: certs.chain says whether
			// the CRL revokes any of it, which the report's own checks do not.
			in.Certs, in.Known = append(in.Certs, in.Known...), nil
		}
		if len(in.CRLs) > 0 && len(s.TDQuote) > 0 {
			if q, err := tdx.ParseQuote(s.TDQuote); err == nil {
				in.Certs = append(in.Certs, q.PCK, q.Intermediate, q.Root)
			}
		}
	}
	for _, r := range opts.Trust.AMD {
		in.Extra = append(in.Extra, r.ARK, r.ASK)
	}
	in.Extra = append(in.Extra, opts.Trust.Intel...)
	// A go-tpm-tools attestation carries the CA between its AK certificate and a vTPM root.
	in.Extra = append(in.Extra, opts.Trust.VTPM...)
	out = append(out, pki.Checks(in)...)
	if len(s.EventLog) > 0 && len(s.PCRs) == 0 {
		out = append(out, eventlog.BanksCheck(s.EventLog))
	}
	return out
}
