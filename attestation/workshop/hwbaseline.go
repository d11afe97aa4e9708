package workshop

import (
	"encoding/binary"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// hardwareBaseline is the part of the Azure CVM baseline a hardware report answers by itself,
// for evidence inspected without a token (a token's claims are judged by policyChecks): a
// guest the host may debug is not confidential. Without it such evidence exited 0, while its
// page marked the debug bit FAIL. Only a failure is reported, so that the output of every
// other set stays as it was; --no-baseline drops it, as it drops the token's baseline.
func hardwareBaseline(r *verify.Result, noBaseline bool) check.List {
	if r == nil || noBaseline {
		return nil
	}
	switch {
	case r.SNP != nil && r.SNP.Debug():
		return check.List{check.Failf(token.IDBaseline, "the SEV-SNP report's guest policy allows debugging (policy.debug = true): the host may decrypt the guest's memory, so this VM is not confidential; the Azure CVM baseline requires it off (x-ms-sevsnpvm-is-debuggable = false)").
			KO("SEV-SNP 보고서의 게스트 정책이 디버깅을 허용합니다(policy.debug = true). 호스트가 게스트 메모리를 복호화할 수 있어 이 VM은 기밀성이 없습니다. Azure CVM 기준은 이를 끄도록 요구합니다(x-ms-sevsnpvm-is-debuggable = false)").
			WithSubject("policy.debug")}
	case r.SNP == nil && tdDebug(r):
		return check.List{check.Failf(token.IDBaseline, "the TD is a debug TD (td_attributes.DEBUG = true): the host can read and change its memory and registers, so this VM is not confidential; the Azure CVM baseline requires it off (tdx_td_attributes_debug = false)").
			KO("디버그 TD입니다(td_attributes.DEBUG = true). 호스트가 메모리와 레지스터를 읽고 바꿀 수 있어 이 VM은 기밀성이 없습니다. Azure CVM 기준은 이를 끄도록 요구합니다(tdx_td_attributes_debug = false)").
			WithSubject("td_attributes.DEBUG")}
	}
	return nil
}

// tdDebug reads the debug bit from the TD quote's body, or else from the TDREPORT.
func tdDebug(r *verify.Result) bool {
	if r.TDQuote != nil {
		if a := r.TDQuote.Proto.GetTdQuoteBody().GetTdAttributes(); len(a) == 8 {
			return tdx.TDAttributes(binary.LittleEndian.Uint64(a)).Debug()
		}
	}
	return r.TDReport != nil && r.TDReport.Debug()
}
