package verify

import (
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// Only replays of PCRs the quote selects vouch for Windows' records: a PCR 12 or 13 read
// from the TPM outside the quote (or given in a PCR file without a quote, which passes no
// list at all) must not make WindowsCheck say "vouched for".
func TestQuotedOnlyKeepsTheQuotedPCRs(t *testing.T) {
	l := check.List{
		check.Passf("eventlog.replay", "ok").WithSubject("PCR7"),
		check.Passf("eventlog.replay", "ok").WithSubject("PCR12"),
		check.Passf("eventlog.replay", "ok").WithSubject("PCR13"),
	}
	got := quotedOnly(l, []int{0, 1, 2, 3, 4, 5, 6, 7})
	if len(got) != 1 || got[0].Subject != "PCR7" {
		t.Errorf("quote of PCRs 0-7: kept %v", got)
	}
	if got := quotedOnly(l, nil); len(got) != 3 {
		t.Errorf("unknown selection: kept %d of 3", len(got))
	}
}
