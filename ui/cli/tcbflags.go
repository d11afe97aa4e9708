package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/verify"
	flag "github.com/spf13/pflag"
)

// addTCBFlags adds --collateral and --tcb-baseline, which the run, inspect, verify and
// endorsements commands share.
func addTCBFlags(fs *flag.FlagSet, collateral, baseline *string) {
	fs.StringVar(collateral, "collateral", tdx.CollateralPCS, "Intel collateral source with --network: pcs (Intel PCS) or azure (Azure's global mirror, global.acccache.azure.net)")
	fs.StringVar(baseline, "tcb-baseline", "", "TDX TCB baseline DATE (2006-01-02 or RFC 3339): a TCB level dated before it is out of date, one dated on or after it relaxes OutOfDate")
}

// tcbOptions puts --collateral and --tcb-baseline into the verification options.
func (o *options) tcbOptions(v *verify.Options) error {
	f, err := tdx.FetcherFor(o.collateral)
	if err != nil {
		return err
	}
	v.PCS = f
	v.TCBBaseline, err = parseTCBBaseline(o.tcbBaseline)
	return err
}

// parseTCBBaseline reads --tcb-baseline: a date or an RFC 3339 time; "" is none.
func parseTCBBaseline(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fault.Korean(errors.New(fmt.Sprintf("--tcb-baseline %q: want a date, 2024-06-01 or 2024-06-01T00:00:00Z", s)),
		fmt.Sprintf("--tcb-baseline %q: 2024-06-01 또는 2024-06-01T00:00:00Z 형식의 날짜를 씁니다", s), "")
}
