package workshop

import (
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// TestBuildRequestAgainVerifiesTHIMChain: on Azure, Read report has no VCEK (its SEV-SNP
// verdicts are skips) and Build request verifies the report once THIM's chain is in the set.
// Build request publishes that set with Read report's result, so a second Build request
// found no certificate new to the set and showed Read report's skips instead of a verdict
// on the chain it holds.
func TestBuildRequestAgainVerifiesTHIMChain(t *testing.T) {
	l := NewLive(LiveOptions{Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
		Pager: pages.Pager{}, Nonce: "n"})
	defer l.Close()
	if _, err := l.Run(t.Context(), ReadReport); err != nil {
		t.Fatal(err)
	}
	// Make Read report's outcome what it is on Azure: a report read without its VCEK chain.
	l.mu.Lock()
	s := cloneSet(l.rep.set)
	s.Certs = nil
	res := verify.Evidence(s, l.opts.Verify)
	l.rep = &report{nonce: l.rep.nonce, set: s, result: res}
	l.mu.Unlock()
	if got := res.Checks.Verdict("snp.signature"); got != check.Skip {
		t.Fatalf("Read report without the VCEK chain: snp.signature %s, want a skip", got)
	}

	for run := 1; run <= 2; run++ {
		p, err := l.Run(t.Context(), BuildRequest)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"snp.signature", "snp.chain"} {
			if got := p.Checks.Verdict(id); got != check.Pass {
				t.Errorf("Build request run %d: %s %s, want the pass THIM's chain gives", run, id, got)
			}
		}
	}
}
