package hcl

import (
	"encoding/hex"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// IDBinding is the check ID of BindingCheck.
const IDBinding = "hcl.binding"

// BindingCheck states whether the hardware report vouches for these runtime claims: its
// REPORT_DATA must start with the hash of the exact claim bytes (protocol §2.7). It covers
// only this link, not the hardware report's own signature.
func (r *Report) BindingCheck() check.Check {
	if r.ReportData() == nil {
		return check.Skipf(IDBinding, "a %s report carries no REPORT_DATA, so nothing binds its runtime claims", r.IGVM.ReportType).
			KO("%s 보고서에는 REPORT_DATA가 없어 런타임 클레임을 묶는 값이 없습니다", r.IGVM.ReportType)
	}
	b, err := r.Bind()
	if err != nil {
		ko, _ := fault.MessageIn(err, "ko")
		return check.Failf(IDBinding, "the runtime-claims binding cannot be checked: %v", err).
			KO("런타임 클레임 바인딩을 검증할 수 없습니다: %s", ko)
	}
	n, rest := len(b.Hash), len(b.ReportData)-len(b.Hash)
	hashName := r.IGVM.ReportDataHash.String()
	rdAt := fmt.Sprintf("REPORT_DATA[0:%d] (HCL offset %d)", n, r.ReportDataOffset())
	rdAtKO := fmt.Sprintf("REPORT_DATA[0:%d] (HCL 오프셋 %d)", n, r.ReportDataOffset())
	switch {
	case b.Match && b.RestZero:
		return check.Passf(IDBinding, "%s of the %d-byte runtime claims equals REPORT_DATA[0:%d]; remaining %d bytes zero", hashName, len(r.Claims), n, rest).
			KO("%d바이트 런타임 클레임의 %s 값이 REPORT_DATA[0:%d]와 같고, 나머지 %d바이트는 0입니다", len(r.Claims), hashName, n, rest)
	case b.Match:
		return check.Warnf(IDBinding, "%s of the %d-byte runtime claims equals REPORT_DATA[0:%d], but the remaining %d bytes are not zero", hashName, len(r.Claims), n, rest).
			KO("%d바이트 런타임 클레임의 %s 값이 REPORT_DATA[0:%d]와 같지만, 나머지 %d바이트가 0이 아닙니다", len(r.Claims), hashName, n, rest).
			WithDetail("REPORT_DATA = "+hex.EncodeToString(b.ReportData), "REPORT_DATA 전체 = "+hex.EncodeToString(b.ReportData))
	}
	return check.Failf(IDBinding, "%s of the %d-byte runtime claims differs from REPORT_DATA[0:%d]: the hardware report does not vouch for these claims", hashName, len(r.Claims), n).
		KO("%d바이트 런타임 클레임의 %s 값이 REPORT_DATA[0:%d]와 다릅니다. 하드웨어 보고서가 이 클레임을 보증하지 않습니다", len(r.Claims), hashName, n).
		WithDetail(hashName+"(claims) = "+hex.EncodeToString(b.Hash), hashName+"(클레임) = "+hex.EncodeToString(b.Hash)).
		WithDetail(rdAt+" = "+hex.EncodeToString(b.ReportData[:n]), rdAtKO+" = "+hex.EncodeToString(b.ReportData[:n]))
}
