package hcl

import (
	"encoding/hex"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// IDBinding is the check ID of BindingCheck.
const IDBinding = "hcl.binding"

// BindingCheck states whether the hardware report vouches for these runtime claims: its
// REPORT_DATA must start with the hash of the exact claim bytes (protocol §2.7). It covers
// only this link, not the hardware report's own signature.
func (r *Report) BindingCheck() check.Check {
	if r.ReportData() == nil {
		return check.Skipf(IDBinding, "a %s report carries no REPORT_DATA, so nothing binds its runtime claims", r.IGVM.ReportType)
	}
	b, err := r.Bind()
	if err != nil {
		return check.Failf(IDBinding, "the runtime-claims binding cannot be checked: %v", err)
	}
	n, rest := len(b.Hash), len(b.ReportData)-len(b.Hash)
	hashName := r.IGVM.ReportDataHash.String()
	rdAt := fmt.Sprintf("REPORT_DATA[0:%d] (HCL offset %d)", n, r.ReportDataOffset())
	switch {
	case b.Match && b.RestZero:
		return check.Passf(IDBinding, "%s of the %d-byte runtime claims equals REPORT_DATA[0:%d]; remaining %d bytes zero", hashName, len(r.Claims), n, rest)
	case b.Match:
		return check.Warnf(IDBinding, "%s of the %d-byte runtime claims equals REPORT_DATA[0:%d], but the remaining %d bytes are not zero", hashName, len(r.Claims), n, rest).
			WithDetails("REPORT_DATA = " + hex.EncodeToString(b.ReportData))
	}
	return check.Failf(IDBinding, "%s of the %d-byte runtime claims differs from REPORT_DATA[0:%d]: the hardware report does not vouch for these claims", hashName, len(r.Claims), n).
		WithDetails(hashName+"(claims) = "+hex.EncodeToString(b.Hash), rdAt+" = "+hex.EncodeToString(b.ReportData[:n]))
}
