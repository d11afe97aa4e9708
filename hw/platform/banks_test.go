package platform

import (
	"context"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
)

// Read report reads every bank the TPM allocated, not only the quoted SHA-256 one.
func TestReadReportReadsEveryBank(t *testing.T) {
	ctx := context.Background()
	p, err := Open(ctx, Options{Platform: "sim", SimTEE: "sevsnp", SecureBoot: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s, err := p.ReadReport(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, dup := s.PCRBanks["sha256"]; dup {
		t.Error("sha256 is in PCRBanks too; it belongs in PCRs")
	}
	for bank, size := range map[string]int{"sha1": 20, "sha384": 48} {
		if len(s.PCRBanks[bank]) != 24 || len(s.PCRBanks[bank][0]) != size {
			t.Errorf("%s: %d PCRs, PCR0 %d bytes; want 24 of %d", bank, len(s.PCRBanks[bank]), len(s.PCRBanks[bank][0]), size)
		}
	}
	if len(s.PCRs) != 24 {
		t.Errorf("sha256: %d PCRs", len(s.PCRs))
	}
	// The simulated firmware measures into SHA-1 and SHA-384 too, as its log says.
	if l := eventlog.CompareBanks(s.EventLog, s.PCRBanks); len(l) != 1 || l[0].Verdict != check.Pass || !strings.Contains(l[0].Summary, "sha1") || !strings.Contains(l[0].Summary, "sha384") {
		t.Errorf("banks replay: %+v", l)
	}
}
