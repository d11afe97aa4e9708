package tdx

import "fmt"

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
