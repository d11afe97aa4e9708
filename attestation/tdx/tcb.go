package tdx

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// The running module is current; only the TD predates it (ranked like OutOfDate).
	StatusRelaunchAdvised:                    4,
	StatusRelaunchAdvisedConfigurationNeeded: 5,
}

// Intel QVL's TD relaunch statuses (TD_RELAUNCH_ADVISED…, TDX 1.5 quotes only), named in
// the style of the TCB info's statuses; go-tdx-guest's pcs does not define them.
const (
	StatusRelaunchAdvised                    pcs.TcbComponentStatus = "TDRelaunchAdvised"
	StatusRelaunchAdvisedConfigurationNeeded pcs.TcbComponentStatus = "TDRelaunchAdvisedConfigurationNeeded"
)

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
	details    []detail
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
		return nil, koErr("TCB info is for FMSPC %s but the quote's PCK certificate names FMSPC %s; fetch the TCB info for %s",
			"TCB info는 FMSPC %s용이지만 쿼트의 PCK 인증서는 FMSPC %s입니다. FMSPC %s용 TCB info를 가져옵니다", strings.ToLower(ti.Fmspc), q.FMSPC(), q.FMSPC())
	}
	if !strings.EqualFold(ti.PceID, q.PCKExt.PCEID) {
		return nil, koErr("TCB info is for PCE ID %s, the PCK certificate names %s", "TCB info는 PCE ID %s용이지만 PCK 인증서는 %s입니다", ti.PceID, q.PCKExt.PCEID)
	}
	if !bytes.Equal(ti.TdxModule.Mrsigner.Bytes, body.GetMrSignerSeam()) {
		return nil, koErr("quote mr_signer_seam %x is not the TDX module signer in the TCB info (%x)", "쿼트의 mr_signer_seam %x가 TCB info의 TDX 모듈 서명자(%x)가 아닙니다", body.GetMrSignerSeam(), ti.TdxModule.Mrsigner.Bytes)
	}
	if !maskedEqual(body.GetSeamAttributes(), ti.TdxModule.AttributesMask.Bytes, ti.TdxModule.Attributes.Bytes) {
		return nil, koErr("quote seam_attributes %x do not match the TCB info (%x under mask %x)", "쿼트의 seam_attributes %x가 TCB info(마스크 %[3]x 적용 시 %[2]x)와 맞지 않습니다", body.GetSeamAttributes(), ti.TdxModule.Attributes.Bytes, ti.TdxModule.AttributesMask.Bytes)
	}
	tee, cpu, pce := body.GetTeeTcbSvn(), q.PCKExt.TCB.CPUSvnComponents, q.PCKExt.TCB.PCESvn
	res := &tcbResult{}
	var moduleStatus pcs.TcbComponentStatus
	res.details = append(res.details, detail{fmt.Sprintf("platform: TEE_TCB_SVN %s, PCK SGX components %s, PCESVN %d", byteList(tee), byteList(cpu), pce),
		fmt.Sprintf("플랫폼: TEE_TCB_SVN %s, PCK SGX 구성 요소 %s, PCESVN %d", byteList(tee), byteList(cpu), pce)})
	level, ok := matchPlatform(ti.TcbLevels, cpu, pce, tee)
	if !ok {
		var lv []string
		for _, l := range ti.TcbLevels {
			lv = append(lv, fmt.Sprintf("%s: SGX %s PCESVN %d TDX %s", l.TcbStatus, svnList(l.Tcb.SgxTcbcomponents), l.Tcb.Pcesvn, svnList(l.Tcb.TdxTcbcomponents)))
		}
		return nil, koErr("no TCB level in the TCB info (evaluation %d) matches TEE_TCB_SVN %s with PCK SGX components %s and PCESVN %d; levels: %s",
			"TCB info(평가 %d)의 어떤 TCB 수준도 TEE_TCB_SVN %s, PCK SGX 구성 요소 %s, PCESVN %d와 맞지 않습니다. 수준 목록: %s",
			ti.TcbEvaluationDataNumber, byteList(tee), byteList(cpu), pce, strings.Join(lv, "; "))
	}
	res.status, res.tcbDate = level.TcbStatus, level.TcbDate
	res.advisories = append(res.advisories, level.AdvisoryIDs...)
	sgx, tdxs := svnList(level.Tcb.SgxTcbcomponents), svnList(level.Tcb.TdxTcbcomponents)
	res.details = append(res.details, detail{fmt.Sprintf("platform TCB level %s (tcbDate %s): SGX %s, PCESVN %d, TDX %s", level.TcbStatus, level.TcbDate, sgx, level.Tcb.Pcesvn, tdxs),
		fmt.Sprintf("플랫폼 TCB 수준 %s(tcbDate %s): SGX %s, PCESVN %d, TDX %s", level.TcbStatus, level.TcbDate, sgx, level.Tcb.Pcesvn, tdxs)})

	if tee[1] > 0 {
		id := "TDX_" + hex.EncodeToString(tee[1:2])
		idx := slices.IndexFunc(ti.TdxModuleIdentities, func(m pcs.TdxModuleIdentity) bool { return strings.EqualFold(m.ID, id) })
		if idx < 0 {
			return nil, koErr("TDX module %s (TEE_TCB_SVN[1] = %d) has no module identity in the TCB info; no TCB level applies",
				"TDX 모듈 %s(TEE_TCB_SVN[1] = %d)의 모듈 identity가 TCB info에 없어 적용되는 TCB 수준이 없습니다", id, tee[1])
		}
		mod := ti.TdxModuleIdentities[idx]
		if !bytes.Equal(mod.Mrsigner.Bytes, body.GetMrSignerSeam()) || !maskedEqual(body.GetSeamAttributes(), mod.AttributesMask.Bytes, mod.Attributes.Bytes) {
			return nil, koErr("quote's TDX module signer or attributes do not match module identity %s", "쿼트의 TDX 모듈 서명자나 속성이 모듈 identity %s와 맞지 않습니다", id)
		}
		var ml *pcs.TcbLevel
		for i := range mod.TcbLevels {
			if uint32(tee[0]) >= mod.TcbLevels[i].Tcb.Isvsvn {
				ml = &mod.TcbLevels[i]
				break
			}
		}
		if ml == nil {
			return nil, koErr("TDX module %s SVN %d is below every level of its module identity; no TCB level applies",
				"TDX 모듈 %s의 SVN %d이 모듈 identity의 모든 수준보다 낮아 적용되는 TCB 수준이 없습니다", id, tee[0])
		}
		res.details = append(res.details, detail{fmt.Sprintf("TDX module %s SVN %d: level isvsvn %d %s", id, tee[0], ml.Tcb.Isvsvn, ml.TcbStatus),
			fmt.Sprintf("TDX 모듈 %s SVN %d: 수준 isvsvn %d, 상태 %s", id, tee[0], ml.Tcb.Isvsvn, ml.TcbStatus)})
		res.status = converge(res.status, ml.TcbStatus)
		res.advisories = append(res.advisories, ml.AdvisoryIDs...)
		moduleStatus = ml.TcbStatus
		if d := earlierDate(res.tcbDate, ml.TcbDate); d != res.tcbDate {
			// Microsoft's evaluator dates the merged platform and module verdict by the
			// earlier of the two levels (protocol §14.4), which is what a baseline judges.
			res.details = append(res.details, detail{fmt.Sprintf("TCB date: the TDX module level's tcbDate %s is earlier than the platform level's %s, so the TCB is dated %[1]s", ml.TcbDate, res.tcbDate),
				fmt.Sprintf("TCB 날짜: TDX 모듈 수준의 tcbDate %s가 플랫폼 수준의 %s보다 이르므로 TCB 날짜는 %[1]s입니다", ml.TcbDate, res.tcbDate)})
			res.tcbDate = d
		}
	}

	qe := q.Proto.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport()
	if !bytes.Equal(qe.GetMrSigner(), qi.Mrsigner.Bytes) || qe.GetIsvProdId() != uint32(qi.IsvProdID) {
		return nil, koErr("quoting enclave (MRSIGNER %x, ISVPRODID %d) is not Intel's TD_QE (MRSIGNER %x, ISVPRODID %d)",
			"쿼팅 엔클레이브(MRSIGNER %x, ISVPRODID %d)가 Intel의 TD_QE(MRSIGNER %x, ISVPRODID %d)가 아닙니다", qe.GetMrSigner(), qe.GetIsvProdId(), qi.Mrsigner.Bytes, qi.IsvProdID)
	}
	misc := binary.LittleEndian.AppendUint32(nil, qe.GetMiscSelect())
	if !maskedEqual(misc, qi.MiscselectMask.Bytes, qi.Miscselect.Bytes) || !maskedEqual(qe.GetAttributes(), qi.AttributesMask.Bytes, qi.Attributes.Bytes) {
		return nil, koErr("quoting enclave MISCSELECT/ATTRIBUTES do not match the TD_QE identity", "쿼팅 엔클레이브의 MISCSELECT/ATTRIBUTES가 TD_QE identity와 맞지 않습니다")
	}
	var ql *pcs.TcbLevel
	for i := range qi.TcbLevels {
		if qe.GetIsvSvn() >= qi.TcbLevels[i].Tcb.Isvsvn {
			ql = &qi.TcbLevels[i]
			break
		}
	}
	if ql == nil {
		return nil, koErr("quoting enclave ISVSVN %d is below every level of the TD_QE identity", "쿼팅 엔클레이브 ISVSVN %d이 TD_QE identity의 모든 수준보다 낮습니다", qe.GetIsvSvn())
	}
	res.details = append(res.details, detail{fmt.Sprintf("quoting enclave ISVSVN %d: level isvsvn %d %s", qe.GetIsvSvn(), ql.Tcb.Isvsvn, ql.TcbStatus),
		fmt.Sprintf("쿼팅 엔클레이브 ISVSVN %d: 수준 isvsvn %d, 상태 %s", qe.GetIsvSvn(), ql.Tcb.Isvsvn, ql.TcbStatus)})
	if q.BodyType >= BodyTDX15 {
		// Intel's QVL judges relaunching before folding in the QE status (TDRelaunchCheck.cpp).
		sgx := sgxStatus(ti.TcbLevels, cpu, pce)
		st, d := relaunch(ti, tee, q.TeeTCBSVN2(), res.status, sgx, moduleStatus, ql.TcbStatus)
		res.status = st
		res.details = append(res.details, d)
	}
	res.status = converge(res.status, ql.TcbStatus)
	res.advisories = append(res.advisories, ql.AdvisoryIDs...)
	slices.Sort(res.advisories)
	res.advisories = slices.Compact(res.advisories)
	return res, nil
}

// sgxStatus is the status of the first level the PCK's SGX components and PCE SVN reach,
// ignoring the TDX components (QVL's SGX TCB level status); "" when none.
func sgxStatus(levels []pcs.TcbLevel, cpuSVN []byte, pceSVN uint16) pcs.TcbComponentStatus {
	for _, l := range levels {
		if len(l.Tcb.SgxTcbcomponents) != len(cpuSVN) || pceSVN < l.Tcb.Pcesvn {
			continue
		}
		ok := true
		for j, c := range l.Tcb.SgxTcbcomponents {
			ok = ok && cpuSVN[j] >= c.Svn
		}
		if ok {
			return l.TcbStatus
		}
	}
	return ""
}

// relaunch is Intel QVL's TDX 1.5 relaunch check (TDRelaunchCheck.cpp, protocol §14.3 step
// 4): when the TD's launch TCB is out of date only because of the TDX module, and the module
// running now (TEE_TCB_SVN2) reaches the newest level, relaunching the TD on it is enough.
// It returns the status to use and a detail line saying what was compared.
func relaunch(ti pcs.TcbInfo, svn, svn2 []byte, tdx, sgx, module, qe pcs.TcbComponentStatus) (pcs.TcbComponentStatus, detail) {
	s1, s2 := byteList(svn), byteList(svn2)
	skip := func(en, ko string) (pcs.TcbComponentStatus, detail) {
		return tdx, detail{"TDX 1.5 relaunch check (TEE_TCB_SVN2 " + s2 + "): not applicable, " + en,
			"TDX 1.5 재시작 검사(TEE_TCB_SVN2 " + s2 + "): 해당 없음. " + ko}
	}
	switch {
	case tdx != pcs.TcbComponentStatusOutOfDate && tdx != pcs.TcbComponentStatusOutOfDateConfigurationNeeded:
		return skip("the launch TCB is not out of date", "시작 시점 TCB가 OutOfDate가 아닙니다")
	case module != pcs.TcbComponentStatusOutOfDate:
		return skip("the TDX module is not what is out of date", "OutOfDate인 것이 TDX 모듈이 아닙니다")
	case qe == pcs.TcbComponentStatusOutOfDate || qe == pcs.TcbComponentStatusOutOfDateConfigurationNeeded || qe == pcs.TcbComponentStatusRevoked:
		return skip("the quoting enclave is "+string(qe), "쿼팅 엔클레이브가 "+string(qe)+"입니다")
	case !slices.Contains([]pcs.TcbComponentStatus{pcs.TcbComponentStatusUpToDate, pcs.TcbComponentStatusSwHardeningNeeded,
		pcs.TcbComponentStatusConfigurationNeeded, pcs.TcbComponentStatusConfigurationAndSWHardeningNeeded}, sgx):
		return skip("the platform's SGX TCB is "+string(sgx)+", so relaunching would not help", "플랫폼의 SGX TCB가 "+string(sgx)+"이므로 재시작해도 나아지지 않습니다")
	case len(ti.TcbLevels) == 0 || len(ti.TcbLevels[0].Tcb.TdxTcbcomponents) < 3:
		return skip("the TCB info has no TDX levels", "TCB info에 TDX 수준이 없습니다")
	}
	newest := ti.TcbLevels[0].Tcb.TdxTcbcomponents
	wantMinor := uint32(newest[0].Svn)
	if svn2[1] != 0 {
		id := fmt.Sprintf("TDX_%02X", svn2[1])
		i := slices.IndexFunc(ti.TdxModuleIdentities, func(m pcs.TdxModuleIdentity) bool { return strings.EqualFold(m.ID, id) })
		if i < 0 || len(ti.TdxModuleIdentities[i].TcbLevels) == 0 {
			return skip("the running module "+id+" has no module identity in the TCB info", "실행 중인 모듈 "+id+"의 모듈 identity가 TCB info에 없습니다")
		}
		wantMinor = ti.TdxModuleIdentities[i].TcbLevels[0].Tcb.Isvsvn
	}
	if uint32(svn2[0]) < wantMinor || svn2[2] < newest[2].Svn {
		return tdx, detail{fmt.Sprintf("TDX 1.5 relaunch check: the running module (TEE_TCB_SVN2 %s) is below the newest level (module SVN %d, microcode SVN %d); relaunching is not enough, the host needs a newer TDX module", s2, wantMinor, newest[2].Svn),
			fmt.Sprintf("TDX 1.5 재시작 검사: 실행 중인 모듈(TEE_TCB_SVN2 %s)이 최신 수준(모듈 SVN %d, 마이크로코드 SVN %d)보다 낮습니다. 재시작만으로는 부족하며 호스트에 더 새로운 TDX 모듈이 필요합니다", s2, wantMinor, newest[2].Svn)}
	}
	st := StatusRelaunchAdvised
	if tdx == pcs.TcbComponentStatusOutOfDateConfigurationNeeded {
		st = StatusRelaunchAdvisedConfigurationNeeded
	}
	return st, detail{fmt.Sprintf("TDX 1.5 relaunch check: the running module (TEE_TCB_SVN2 %s) reaches the newest level (module SVN %d, microcode SVN %d) but the TD was launched on an older one (TEE_TCB_SVN %s); stopping and starting the VM relaunches the TD on the current module", s2, wantMinor, newest[2].Svn, s1),
		fmt.Sprintf("TDX 1.5 재시작 검사: 실행 중인 모듈(TEE_TCB_SVN2 %s)은 최신 수준(모듈 SVN %d, 마이크로코드 SVN %d)에 이르지만 TD는 더 오래된 모듈(TEE_TCB_SVN %s)에서 시작되었습니다. VM을 중지했다가 시작하면 TD가 현재 모듈에서 다시 시작됩니다", s2, wantMinor, newest[2].Svn, s1)}
}

// earlierDate is the earlier of two RFC 3339 tcbDates; an unreadable one loses to a readable
// one, and the first wins a tie (TCBStatusAt reports an unreadable date when both are).
func earlierDate(a, b string) string {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	if errB == nil && (errA != nil || tb.Before(ta)) {
		return b
	}
	return a
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
		return check.Skipf(CheckTCB, "TCB status not evaluated; supply Intel TCB info and QE identity (Intel PCS /tdx/certification/v4/tcb?fmspc=%s and /qe/identity with the TCB-Info-Issuer-Chain) or use --network", q.FMSPC()).
			KO("TCB 상태를 평가하지 않았습니다. Intel의 TCB 정보와 QE 신원 정보(Intel PCS의 /tdx/certification/v4/tcb?fmspc=%s 및 /qe/identity 응답, TCB-Info-Issuer-Chain 헤더 포함)를 넘기거나 --network를 씁니다", q.FMSPC())
	}
	sc, err := verifyCollateral(opts.Collateral, opts)
	if err != nil {
		return check.Failf(CheckTCB, "Intel collateral not accepted: %v", err).
			KO("Intel collateral을 받아들이지 않았습니다: %s", inKorean(err))
	}
	details := append([]detail(nil), sc.details...)
	revoked, crlDetails, err := checkCRLs(q, sc, opts.Collateral)
	details = append(details, crlDetails...)
	if err != nil {
		return withDetails(check.Failf(CheckTCB, "revocation lists not accepted: %v", err).
			KO("폐기 목록(CRL)을 받아들이지 않았습니다: %s", inKorean(err)), details)
	}
	if revoked.en != "" {
		return withDetails(check.Failf(CheckTCB, "%s is revoked", revoked.en).
			KO("%s가 폐기되었습니다", revoked.ko), details)
	}
	res, err := evaluate(q, sc)
	if err != nil {
		return withDetails(check.Failf(CheckTCB, "TCB not acceptable: %v", err).
			KO("TCB를 받아들일 수 없습니다: %s", inKorean(err)), details)
	}
	details = append(details, res.details...)
	if st := serviceTD(q, &sc.tcb.TcbInfo); st.present(q) {
		details = append(details, st.details()...)
	}
	details = append(details, sc.timeIssues...)
	eval := sc.tcb.TcbInfo.TcbEvaluationDataNumber
	scope := fmt.Sprintf("per Intel TCB info for FMSPC %s (evaluation %d) and TD_QE identity", q.FMSPC(), eval)
	scopeKO := fmt.Sprintf("FMSPC %s용 Intel TCB info(평가 %d)와 TD_QE identity 기준으로", q.FMSPC(), eval)
	adv, advKO := "", ""
	if len(res.advisories) > 0 {
		adv = "; advisories " + strings.Join(res.advisories, ", ")
		advKO = ". 보안 권고 " + strings.Join(res.advisories, ", ")
	}
	stale, staleKO := "", ""
	if len(sc.timeIssues) > 0 {
		stale = "; collateral not valid at the verification time"
		staleKO = ". collateral이 검증 시점에 유효하지 않습니다"
	}
	baseKO := "" // Korean puts the baseline after the verdict, English in the scope
	if !opts.Baseline.IsZero() {
		b, bKO, d, err := baselineNote(res, opts.Baseline)
		if err != nil {
			return withDetails(check.Failf(CheckTCB, "TCB not acceptable: %v", err).KO("TCB를 받아들일 수 없습니다: %s", inKorean(err)), details)
		}
		scope, baseKO = scope+b, bKO
		details = append(details, d...)
	}
	var c check.Check
	switch res.status {
	case pcs.TcbComponentStatusUpToDate:
		if stale != "" {
			c = check.Warnf(CheckTCB, "TCB UpToDate %s%s", scope, stale).KO("%s TCB는 UpToDate입니다%s", scopeKO, staleKO)
		} else {
			c = check.Passf(CheckTCB, "TCB UpToDate %s", scope).KO("%s TCB는 UpToDate입니다", scopeKO)
		}
	case StatusRelaunchAdvised, StatusRelaunchAdvisedConfigurationNeeded:
		c = check.Warnf(CheckTCB, "TCB %s %s: the TDX module running now is current but the TD was launched on an older one; stop and start the VM to relaunch the TD%s%s", res.status, scope, adv, stale).
			KO("%s TCB는 %s입니다. 지금 실행 중인 TDX 모듈은 최신이지만 TD는 더 오래된 모듈에서 시작되었습니다. VM을 중지했다가 시작해 TD를 다시 시작합니다%s%s", scopeKO, res.status, advKO, staleKO)
	case pcs.TcbComponentStatusRevoked:
		c = check.Failf(CheckTCB, "TCB Revoked %s%s", scope, adv).KO("%s TCB는 Revoked(폐기)입니다%s", scopeKO, advKO)
	default:
		c = check.Warnf(CheckTCB, "TCB %s %s%s%s", res.status, scope, adv, stale).KO("%s TCB는 %s입니다%s%s", scopeKO, res.status, advKO, staleKO)
	}
	c.SummaryKO += baseKO
	return withDetails(c, details)
}
