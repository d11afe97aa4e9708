package tdx

import (
	"testing"

	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// The simulated platform's own collateral rates its quotes UpToDate; the real 2025
// collateral rates the real Azure quote OutOfDate (MANIFEST.md).
func TestTCBStatus(t *testing.T) {
	q, opts, plat := simulatedQuote(t, [16]byte{2, 1, 6})
	now, col := opts.Now, opts.Collateral
	if st, err := TCBStatus(q, opts); st != "UpToDate" || err != nil {
		t.Errorf("simulated quote under simulated collateral: %q %v", st, err)
	}
	if c := EvaluateTCB(q, opts); c.Verdict != "pass" {
		t.Errorf("tdx.tcb: %v %v", c, c.Details)
	}
	// Without trusting the simulated root, the collateral is not accepted.
	if st, err := TCBStatus(q, Options{Now: now, Collateral: col}); err == nil {
		t.Errorf("simulated collateral accepted without its root: %q", st)
	}
	// An older module is rated by the second level.
	old, _ := plat.NewTDReport(simroots.TDXParams{TEETCBSVN: [16]byte{1, 1, 6}})
	raw, _ := plat.Quote(old)
	q, _ = ParseQuote(raw)
	if st, err := TCBStatus(q, opts); st != "OutOfDate" || err != nil {
		t.Errorf("module ISVSVN 1: %q %v", st, err)
	}

	rq := azureQuote(t)
	real := &Collateral{TCBInfo: readReal(t, "intel-tdx-tcbinfo-00806f050000.json"), QEIdentity: readReal(t, "intel-tdx-qeidentity.json"),
		SigningChain: readReal(t, "intel-tcb-signing-chain.pem"), PCKCRL: readReal(t, "intel-pck-platform-crl.der")}
	if st, err := TCBStatus(rq, Options{Now: collateralDate, Collateral: real}); st != "OutOfDate" || err != nil {
		t.Errorf("real Azure quote: %q %v", st, err)
	}
}
