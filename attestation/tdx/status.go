package tdx

import (
	"fmt"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TCBStatus is Intel's verdict on the quote's TCB under opts.Collateral, as tdx.tcb reaches
// it ("UpToDate", "OutOfDate", "Revoked", …): what a provider writes as
// attester_tcb_status. An error means the collateral was missing or not acceptable, so
// there is no verdict to write.
func TCBStatus(q *Quote, opts Options) (string, error) {
	if opts.Collateral == nil {
		return "", fmt.Errorf("no Intel collateral")
	}
	sc, err := verifyCollateral(opts.Collateral, opts)
	if err != nil {
		return "", err
	}
	revoked, _, err := checkCRLs(q, sc, opts.Collateral)
	if err != nil {
		return "", err
	}
	if revoked.en != "" {
		return "Revoked", nil
	}
	res, err := evaluate(q, sc)
	if err != nil {
		return "", err
	}
	return string(res.status), nil
}

// TCBVerdict is the TCB status with a baseline date applied (--tcb-baseline).
type TCBVerdict struct {
	// Intel is the status Intel's rules give; Status is the one after the baseline.
	Intel, Status string
	// TCBDate is the matched platform TCB level's tcbDate; Evaluation the TCB info's
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
	if opts.Collateral == nil {
		return TCBVerdict{}, fmt.Errorf("no Intel collateral")
	}
	sc, err := verifyCollateral(opts.Collateral, opts)
	if err != nil {
		return TCBVerdict{}, err
	}
	v := TCBVerdict{Evaluation: uint32(sc.tcb.TcbInfo.TcbEvaluationDataNumber)}
	revoked, _, err := checkCRLs(q, sc, opts.Collateral)
	if err != nil {
		return TCBVerdict{}, err
	}
	if revoked.en != "" {
		v.Intel, v.Status = "Revoked", "Revoked"
		return v, nil
	}
	res, err := evaluate(q, sc)
	if err != nil {
		return TCBVerdict{}, err
	}
	v.Intel = string(res.status)
	if v.TCBDate, err = time.Parse(time.RFC3339, res.tcbDate); err != nil {
		return TCBVerdict{}, fault.Korean(fault.Errorf(fault.Verification, "Intel TCB info: the matched level's tcbDate %q is not an RFC 3339 time", res.tcbDate),
			fmt.Sprintf("Intel TCB info: 일치한 수준의 tcbDate %q가 RFC 3339 시각이 아닙니다", res.tcbDate), "")
	}
	v.Status, v.Why, v.WhyKO = ApplyBaseline(v.Intel, v.TCBDate, baseline)
	return v, nil
}
