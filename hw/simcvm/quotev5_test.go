package simcvm

import (
	"bytes"
	"crypto/x509"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/tdx"
)

// Options.TDQuoteV5 makes the VM's TD quote service answer with v5 quotes (TDX 1.5 body)
// that verify against the simulated PCK chain and match the VM's TDREPORT.
func TestProvisionTDXQuoteV5(t *testing.T) {
	tpm := newSim(t, []byte("tdx v5 seed"))
	opts := DefaultOptions()
	opts.TEE, opts.Seed, opts.Now, opts.TDQuoteV5 = TEETDX, []byte("tdx v5 seed"), testNow, true
	c, err := Provision(tpm, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.TDX().Quote(c.TDReport())
	if err != nil {
		t.Fatal(err)
	}
	q, err := tdx.ParseQuote(raw)
	if err != nil {
		t.Fatal(err)
	}
	if q.Version != 5 || q.BodyType != tdx.BodyTDX15 {
		t.Fatalf("quote version %d body type %d, want 5 and 3", q.Version, q.BodyType)
	}
	rep, err := tdx.ParseTDReport(c.TDReport())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c.TDX().PCKRoot())
	for _, ch := range tdx.Verify(q, rep, tdx.Options{TrustedRoots: pool, Now: testNow}) {
		if ch.ID != tdx.CheckTCB && ch.Verdict != check.Pass {
			t.Errorf("%s: %v %v", ch.ID, ch, ch.Details)
		}
	}
	if m := c.MRTD(); !bytes.Equal(q.MRTD(), m[:]) {
		t.Error("v5 quote MRTD is not the VM's")
	}
}
