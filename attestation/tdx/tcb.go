package tdx

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-tdx-guest/pcs"
)

// statusRank orders Intel's TCB statuses from best to worst so that the platform, TDX module
// and QE statuses can be folded into one.
var statusRank = map[pcs.TcbComponentStatus]int{
	pcs.TcbComponentStatusUpToDate:                          0,
	pcs.TcbComponentStatusSwHardeningNeeded:                 1,
	pcs.TcbComponentStatusConfigurationNeeded:               2,
	pcs.TcbComponentStatusConfigurationAndSWHardeningNeeded: 3,
	pcs.TcbComponentStatusOutOfDate:                         4,
	pcs.TcbComponentStatusOutOfDateConfigurationNeeded:      5,
	pcs.TcbComponentStatusRevoked:                           6,
}

// converge folds a TDX module or QE status into the platform status the way Intel's quote
// verification library does (EvaluateTcb.cpp, convergeTcbStatusWithTdxModuleStatus and
// ...WithQeTcbStatus): an out-of-date component makes the whole TCB out of date while keeping
// a "configuration needed" hint, a revoked one revokes it, and an up-to-date one leaves the
// platform status as it is. go-tdx-guest instead replaces the platform status with the
// module's, which calls an out-of-date platform with a current module UpToDate.
func converge(platform, component pcs.TcbComponentStatus) pcs.TcbComponentStatus {
	switch component {
	case pcs.TcbComponentStatusRevoked:
		return component
	case pcs.TcbComponentStatusOutOfDate, pcs.TcbComponentStatusOutOfDateConfigurationNeeded:
		switch platform {
		case pcs.TcbComponentStatusConfigurationNeeded, pcs.TcbComponentStatusConfigurationAndSWHardeningNeeded, pcs.TcbComponentStatusOutOfDateConfigurationNeeded:
			return pcs.TcbComponentStatusOutOfDateConfigurationNeeded
		case pcs.TcbComponentStatusRevoked:
			return platform
		}
		return pcs.TcbComponentStatusOutOfDate
	}
	if statusRank[component] > statusRank[platform] {
		return component
	}
	return platform
}

// tcbResult is the outcome of matching a quote against verified collateral.
type tcbResult struct {
	status     pcs.TcbComponentStatus
	advisories []string
	details    []string
	tcbDate    string
}

// matchPlatform finds the first (highest) TCB level that the PCK's SGX components and PCE
// SVN and the quote's TEE_TCB_SVN all reach. For TDX 1.5 modules (TEE_TCB_SVN[1] > 0) the
// first two TDX components are judged by the module identities instead, so they are skipped.
func matchPlatform(levels []pcs.TcbLevel, cpuSVN []byte, pceSVN uint16, teeTCBSVN []byte) (*pcs.TcbLevel, bool) {
	start := 0
	if teeTCBSVN[1] > 0 {
		start = 2
	}
	for i := range levels {
		l := &levels[i]
		if len(l.Tcb.SgxTcbcomponents) != len(cpuSVN) || len(l.Tcb.TdxTcbcomponents) != len(teeTCBSVN) || pceSVN < l.Tcb.Pcesvn {
			continue
		}
		ok := true
		for j, c := range l.Tcb.SgxTcbcomponents {
			ok = ok && cpuSVN[j] >= c.Svn
		}
		for j := start; j < len(teeTCBSVN); j++ {
			ok = ok && teeTCBSVN[j] >= l.Tcb.TdxTcbcomponents[j].Svn
		}
		if ok {
			return l, true
		}
	}
	return nil, false
}

func svnList(comps []pcs.TcbComponent) string {
	s := make([]string, len(comps))
	for i, c := range comps {
		s[i] = fmt.Sprint(c.Svn)
	}
	return strings.Join(s, ".")
}

func byteList(b []byte) string {
	s := make([]string, len(b))
	for i, c := range b {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, ".")
}

// evaluate matches the quote against verified collateral. A non-nil error is a fail: the
// collateral does not describe this platform or no TCB level applies.
func evaluate(q *Quote, sc *signedCollateral) (*tcbResult, error) {
	ti, qi := sc.tcb.TcbInfo, sc.qe.EnclaveIdentity
	body := q.Proto.GetTdQuoteBody()
	if !strings.EqualFold(ti.Fmspc, q.PCKExt.FMSPC) {
		return nil, fmt.Errorf("TCB info is for FMSPC %s but the quote's PCK certificate names FMSPC %s; fetch the TCB info for %s", strings.ToLower(ti.Fmspc), q.FMSPC(), q.FMSPC())
	}
	if !strings.EqualFold(ti.PceID, q.PCKExt.PCEID) {
		return nil, fmt.Errorf("TCB info is for PCE ID %s, the PCK certificate names %s", ti.PceID, q.PCKExt.PCEID)
	}
	if !bytes.Equal(ti.TdxModule.Mrsigner.Bytes, body.GetMrSignerSeam()) {
		return nil, fmt.Errorf("quote mr_signer_seam %x is not the TDX module signer in the TCB info (%x)", body.GetMrSignerSeam(), ti.TdxModule.Mrsigner.Bytes)
	}
	if !maskedEqual(body.GetSeamAttributes(), ti.TdxModule.AttributesMask.Bytes, ti.TdxModule.Attributes.Bytes) {
		return nil, fmt.Errorf("quote seam_attributes %x do not match the TCB info (%x under mask %x)", body.GetSeamAttributes(), ti.TdxModule.Attributes.Bytes, ti.TdxModule.AttributesMask.Bytes)
	}
	tee, cpu, pce := body.GetTeeTcbSvn(), q.PCKExt.TCB.CPUSvnComponents, q.PCKExt.TCB.PCESvn
	res := &tcbResult{}
	res.details = append(res.details, fmt.Sprintf("platform: TEE_TCB_SVN %s, PCK SGX components %s, PCESVN %d", byteList(tee), byteList(cpu), pce))
	level, ok := matchPlatform(ti.TcbLevels, cpu, pce, tee)
	if !ok {
		var lv []string
		for _, l := range ti.TcbLevels {
			lv = append(lv, fmt.Sprintf("%s: SGX %s PCESVN %d TDX %s", l.TcbStatus, svnList(l.Tcb.SgxTcbcomponents), l.Tcb.Pcesvn, svnList(l.Tcb.TdxTcbcomponents)))
		}
		return nil, fmt.Errorf("no TCB level in the TCB info (evaluation %d) matches TEE_TCB_SVN %s with PCK SGX components %s and PCESVN %d; levels: %s",
			ti.TcbEvaluationDataNumber, byteList(tee), byteList(cpu), pce, strings.Join(lv, "; "))
	}
	res.status, res.tcbDate = level.TcbStatus, level.TcbDate
	res.advisories = append(res.advisories, level.AdvisoryIDs...)
	res.details = append(res.details, fmt.Sprintf("platform TCB level %s (tcbDate %s): SGX %s, PCESVN %d, TDX %s", level.TcbStatus, level.TcbDate, svnList(level.Tcb.SgxTcbcomponents), level.Tcb.Pcesvn, svnList(level.Tcb.TdxTcbcomponents)))

	if tee[1] > 0 {
		id := "TDX_" + hex.EncodeToString(tee[1:2])
		idx := slices.IndexFunc(ti.TdxModuleIdentities, func(m pcs.TdxModuleIdentity) bool { return strings.EqualFold(m.ID, id) })
		if idx < 0 {
			return nil, fmt.Errorf("TDX module %s (TEE_TCB_SVN[1] = %d) has no module identity in the TCB info; no TCB level applies", id, tee[1])
		}
		mod := ti.TdxModuleIdentities[idx]
		if !bytes.Equal(mod.Mrsigner.Bytes, body.GetMrSignerSeam()) || !maskedEqual(body.GetSeamAttributes(), mod.AttributesMask.Bytes, mod.Attributes.Bytes) {
			return nil, fmt.Errorf("quote's TDX module signer or attributes do not match module identity %s", id)
		}
		var ml *pcs.TcbLevel
		for i := range mod.TcbLevels {
			if uint32(tee[0]) >= mod.TcbLevels[i].Tcb.Isvsvn {
				ml = &mod.TcbLevels[i]
				break
			}
		}
		if ml == nil {
			return nil, fmt.Errorf("TDX module %s SVN %d is below every level of its module identity; no TCB level applies", id, tee[0])
		}
		res.details = append(res.details, fmt.Sprintf("TDX module %s SVN %d: level isvsvn %d %s", id, tee[0], ml.Tcb.Isvsvn, ml.TcbStatus))
		res.status = converge(res.status, ml.TcbStatus)
		res.advisories = append(res.advisories, ml.AdvisoryIDs...)
	}

	qe := q.Proto.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport()
	if !bytes.Equal(qe.GetMrSigner(), qi.Mrsigner.Bytes) || qe.GetIsvProdId() != uint32(qi.IsvProdID) {
		return nil, fmt.Errorf("quoting enclave (MRSIGNER %x, ISVPRODID %d) is not Intel's TD_QE (MRSIGNER %x, ISVPRODID %d)", qe.GetMrSigner(), qe.GetIsvProdId(), qi.Mrsigner.Bytes, qi.IsvProdID)
	}
	misc := binary.LittleEndian.AppendUint32(nil, qe.GetMiscSelect())
	if !maskedEqual(misc, qi.MiscselectMask.Bytes, qi.Miscselect.Bytes) || !maskedEqual(qe.GetAttributes(), qi.AttributesMask.Bytes, qi.Attributes.Bytes) {
		return nil, fmt.Errorf("quoting enclave MISCSELECT/ATTRIBUTES do not match the TD_QE identity")
	}
	var ql *pcs.TcbLevel
	for i := range qi.TcbLevels {
		if qe.GetIsvSvn() >= qi.TcbLevels[i].Tcb.Isvsvn {
			ql = &qi.TcbLevels[i]
			break
		}
	}
	if ql == nil {
		return nil, fmt.Errorf("quoting enclave ISVSVN %d is below every level of the TD_QE identity", qe.GetIsvSvn())
	}
	res.details = append(res.details, fmt.Sprintf("quoting enclave ISVSVN %d: level isvsvn %d %s", qe.GetIsvSvn(), ql.Tcb.Isvsvn, ql.TcbStatus))
	res.status = converge(res.status, ql.TcbStatus)
	res.advisories = append(res.advisories, ql.AdvisoryIDs...)
	slices.Sort(res.advisories)
	res.advisories = slices.Compact(res.advisories)
	return res, nil
}

// maskedEqual reports whether v & mask == want, all of equal length.
func maskedEqual(v, mask, want []byte) bool {
	if len(v) != len(mask) || len(v) != len(want) {
		return false
	}
	for i := range v {
		if v[i]&mask[i] != want[i] {
			return false
		}
	}
	return true
}

// EvaluateTCB judges the quote's TCB against Intel's signed collateral in opts.Collateral:
// it verifies the collateral's signatures and signing chain, matches the FMSPC, finds the TCB
// level (SGX components and PCESVN from the PCK certificate, TDX components from
// TEE_TCB_SVN, TDX module and QE identities) and reports its status. It trusts the quote's
// PCK certificate as parsed; VerifyQuote is what proves the certificate genuine.
func EvaluateTCB(q *Quote, opts Options) check.Check {
	if opts.Collateral == nil {
		return check.Skipf(CheckTCB, "TCB status not evaluated; supply Intel TCB info and QE identity (Intel PCS /tdx/certification/v4/tcb?fmspc=%s and /qe/identity with the TCB-Info-Issuer-Chain) or use --network", q.FMSPC())
	}
	sc, err := verifyCollateral(opts.Collateral, opts)
	if err != nil {
		return check.Failf(CheckTCB, "Intel collateral not accepted: %v", err)
	}
	details := append([]string(nil), sc.details...)
	revoked, crlDetails, err := checkCRLs(q, sc, opts.Collateral)
	details = append(details, crlDetails...)
	if err != nil {
		return check.Failf(CheckTCB, "revocation lists not accepted: %v", err).WithDetails(details...)
	}
	if revoked != "" {
		return check.Failf(CheckTCB, "%s is revoked", revoked).WithDetails(details...)
	}
	res, err := evaluate(q, sc)
	if err != nil {
		return check.Failf(CheckTCB, "TCB not acceptable: %v", err).WithDetails(details...)
	}
	details = append(details, res.details...)
	details = append(details, sc.timeIssues...)
	scope := fmt.Sprintf("per Intel TCB info for FMSPC %s (evaluation %d) and TD_QE identity", q.FMSPC(), sc.tcb.TcbInfo.TcbEvaluationDataNumber)
	adv := ""
	if len(res.advisories) > 0 {
		adv = "; advisories " + strings.Join(res.advisories, ", ")
	}
	stale := ""
	if len(sc.timeIssues) > 0 {
		stale = "; collateral not valid at the verification time"
	}
	switch res.status {
	case pcs.TcbComponentStatusUpToDate:
		if stale != "" {
			return check.Warnf(CheckTCB, "TCB UpToDate %s%s", scope, stale).WithDetails(details...)
		}
		return check.Passf(CheckTCB, "TCB UpToDate %s", scope).WithDetails(details...)
	case pcs.TcbComponentStatusRevoked:
		return check.Failf(CheckTCB, "TCB Revoked %s%s", scope, adv).WithDetails(details...)
	}
	return check.Warnf(CheckTCB, "TCB %s %s%s%s", res.status, scope, adv, stale).WithDetails(details...)
}
