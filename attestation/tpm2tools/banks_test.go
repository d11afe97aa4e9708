package tpm2tools_test

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/tpm2tools"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// A quote over two banks, as tpm2-tools writes it, verifies through the evidence set: the
// set keeps each bank's values (from tpm2_quote -o, or tpm2_pcrread -o settled by the
// quote's selection) and the digest runs over the selection in its order.
func TestTwoBankQuoteThroughTheEvidenceSet(t *testing.T) {
	x := tpm2tools.NewTools(t)
	for _, sel := range []string{"sha1:0,1,2,3,4,5,6,7+sha256:0,1,2,3,4,5,6,7", "sha256:0,1,7+sha384:0,1,7+sha1:7"} {
		f := x.QuoteFiles(sel)
		msg, sig, pcrFile, values, ak := f[0], f[1], f[2], f[3], f[4]
		for what, files := range map[string][]string{"tpm2_quote -o": {msg, sig, pcrFile, ak}, "tpm2_pcrread -o": {values, msg, sig, ak}} {
			s, err := evidence.LoadFiles(files)
			if err != nil {
				t.Fatalf("%s, %s: %v", sel, what, err)
			}
			if len(s.PCRBanks["sha1"]) == 0 || len(s.PCRs) == 0 {
				t.Errorf("%s, %s: banks not kept: sha256 %d values, others %v", sel, what, len(s.PCRs), s.PCRBanks)
			}
			l := verify.Evidence(s, verify.Options{}).Checks
			for _, id := range []string{tpmquote.IDSignature, tpmquote.IDPCRDigest} {
				if c := l.Find(id); len(c) != 1 || c[0].Verdict != check.Pass {
					t.Errorf("%s, %s: %s %v", sel, what, id, c)
				}
			}
			// One SHA-1 value changed: the digest no longer matches.
			s.PCRBanks["sha1"][7] = append([]byte{^s.PCRBanks["sha1"][7][0]}, s.PCRBanks["sha1"][7][1:]...)
			c := verify.Evidence(s, verify.Options{}).Checks.Find(tpmquote.IDPCRDigest)
			if len(c) != 1 || c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, "(sha1)") {
				t.Errorf("%s, %s, SHA-1 PCR 7 changed: %v", sel, what, c)
			}
		}
	}
}
