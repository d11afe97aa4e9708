package tdx

import (
	"fmt"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tdx-guest/pcs"
)

// TCBStatus is Intel's verdict on the quote's TCB under opts.Collateral, as tdx.tcb reaches
// it ("UpToDate", "OutOfDate", "Revoked", …): what a provider writes as
// attester_tcb_status. An error means the collateral was missing or not acceptable, so
// there is no verdict to write.
func TCBStatus(q *Quote, opts Options) (string, error) {
	_, res, err := intelVerdict(q, opts)
	switch {
	case err != nil:
		return "", err
	case res == nil:
		return "Revoked", nil
	}
	return string(res.status), nil
}

// intelVerdict checks opts.Collateral and evaluates the quote's TCB under it; res is nil when
// a CRL revokes the quote's PCK chain.
func intelVerdict(q *Quote, opts Options) (sc *signedCollateral, res *tcbResult, err error) {
	if opts.Collateral == nil {
		return nil, nil, fmt.Errorf("no Intel collateral")
	}
	if sc, err = verifyCollateral(opts.Collateral, opts); err != nil {
		return nil, nil, err
	}
	revoked, _, err := checkCRLs(q, sc, opts.Collateral)
	if err != nil || revoked.en != "" {
		return sc, nil, err
	}
	res, err = evaluate(q, sc)
	return sc, res, err
}

// TCBVerdict is the TCB status with a baseline date applied (--tcb-baseline).
type TCBVerdict struct {
	// Intel is the status Intel's rules give; Status is the one after the baseline.
	Intel, Status string
	// TCBDate is the matched TCB level's tcbDate, the earlier of the platform level's and
	// (when TEE_TCB_SVN names one) the TDX module level's; Evaluation the TCB info's
	// tcbEvaluationDataNumber.
	TCBDate    time.Time
	Evaluation uint32
	// Why says what the baseline did, in English and Korean; empty when it did nothing.
	Why, WhyKO string
}

// ApplyBaseline judges a TCB status against a baseline date. A level dated on or after the
// baseline is as current as the relying party asks: OutOfDate counts as UpToDate and
// OutOfDateConfigurationNeeded as ConfigurationNeeded (Microsoft's TdxTcbPolicy.baseline_date,
// protocol §14.4). A level dated before it is out of date whatever Intel's status says:
// UpToDate, SWHardeningNeeded and the relaunch statuses become OutOfDate,
// ConfigurationNeeded (and ConfigurationAndSWHardeningNeeded) OutOfDateConfigurationNeeded.
// Revoked and anything else stay as they are. A zero baseline changes nothing.
func ApplyBaseline(status string, tcbDate, baseline time.Time) (string, string, string) {
	if baseline.IsZero() {
		return status, "", ""
	}
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
	to := status
	if !tcbDate.Before(baseline) {
		switch status {
		case "OutOfDate":
			to = "UpToDate"
		case "OutOfDateConfigurationNeeded":
			to = "ConfigurationNeeded"
		}
	} else {
		switch status {
		case "UpToDate", "SWHardeningNeeded", string(StatusRelaunchAdvised):
			to = "OutOfDate"
		case "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", string(StatusRelaunchAdvisedConfigurationNeeded):
			to = "OutOfDateConfigurationNeeded"
		}
	}
	if to == status {
		return status, "", ""
	}
	if tcbDate.Before(baseline) {
		return to, fmt.Sprintf("the TCB level's tcbDate %s is before the baseline %s: %s is treated as %s", day(tcbDate), day(baseline), status, to),
			fmt.Sprintf("TCB 수준의 tcbDate %s가 기준일 %s보다 이르므로 %s를 %s로 봅니다", day(tcbDate), day(baseline), status, to)
	}
	return to, fmt.Sprintf("the TCB level's tcbDate %s is on or after the baseline %s: %s is accepted as %s", day(tcbDate), day(baseline), status, to),
		fmt.Sprintf("TCB 수준의 tcbDate %s가 기준일 %s 이후이므로 %s를 %s로 받아들입니다", day(tcbDate), day(baseline), status, to)
}

// TCBStatusAt is TCBStatus with a baseline date applied (zero: none).
func TCBStatusAt(q *Quote, opts Options, baseline time.Time) (TCBVerdict, error) {
	sc, res, err := intelVerdict(q, opts)
	if err != nil {
		return TCBVerdict{}, err
	}
	v := TCBVerdict{Evaluation: uint32(sc.tcb.TcbInfo.TcbEvaluationDataNumber)}
	if res == nil {
		v.Intel, v.Status = "Revoked", "Revoked"
		return v, nil
	}
	v.Intel = string(res.status)
	if v.TCBDate, err = res.date(); err != nil {
		return TCBVerdict{}, err
	}
	v.Status, v.Why, v.WhyKO = ApplyBaseline(v.Intel, v.TCBDate, baseline)
	return v, nil
}

// date is the matched level's tcbDate: the earlier of the platform's and the TDX module's.
func (r *tcbResult) date() (time.Time, error) {
	t, err := time.Parse(time.RFC3339, r.tcbDate)
	if err != nil {
		return t, fault.Korean(fault.Errorf(fault.Verification, "Intel TCB info: the matched level's tcbDate %q is not an RFC 3339 time", r.tcbDate),
			fmt.Sprintf("Intel TCB info: 일치한 수준의 tcbDate %q가 RFC 3339 시각이 아닙니다", r.tcbDate), "")
	}
	return t, nil
}

// baselineNote applies a baseline to res.status and says so for tdx.tcb's summary (the
// baseline and Intel's own status, which a reader must still be able to see) and details.
func baselineNote(res *tcbResult, baseline time.Time) (string, string, []detail, error) {
	date, err := res.date()
	if err != nil {
		return "", "", nil, err
	}
	intel := string(res.status)
	to, why, whyKO := ApplyBaseline(intel, date, baseline)
	res.status = pcs.TcbComponentStatus(to)
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	note := fmt.Sprintf("; TCB baseline %s applied (Intel's status %s, TCB dated %s)", day(baseline), intel, day(date))
	noteKO := fmt.Sprintf(". Intel의 상태는 %s(TCB 날짜 %s)이며 TCB 기준일 %s을 적용했습니다", intel, day(date), day(baseline))
	if why == "" {
		why = fmt.Sprintf("TCB baseline %s: the TCB dated %s keeps Intel's status %s", day(baseline), day(date), intel)
		whyKO = fmt.Sprintf("TCB 기준일 %s: TCB 날짜 %s에서 Intel의 상태 %s를 그대로 둡니다", day(baseline), day(date), intel)
	}
	return note, noteKO, []detail{{why, whyKO}}, nil
}
