package pages_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// The PCR table names every bank the TPM gave and says, PCR by PCR, whether the log's
// replay in that bank agrees: here the real Azure log (SHA-1, SHA-256, SHA-384) against
// bank values with one SHA-1 PCR changed.
func TestPCRTableShowsEveryBank(t *testing.T) {
	raw := realdata.Read(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	banks, err := eventlog.ReplayBanks(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := &evidence.Set{Source: evidence.SourceFiles, EventLog: raw, PCRBanks: map[string]map[int][]byte{}}
	for _, b := range banks {
		if b.Name == "sha256" {
			s.PCRs = maps.Clone(b.Values)
		} else {
			s.PCRBanks[b.Name] = maps.Clone(b.Values)
		}
	}
	s.PCRBanks["sha1"][7] = make([]byte, 20)
	r := verify.Evidence(s, verify.Options{})
	if c := r.Checks.Find(eventlog.CheckBanksReplay); len(c) != 1 || c[0].Verdict != check.Warn || !strings.Contains(c[0].Summary, "sha1 (PCR7)") {
		t.Fatalf("%s: %+v", eventlog.CheckBanksReplay, c)
	}
	sec := section(t, pages.ReadReport(s, r), "pcrs")
	if sec.Title.EN != "PCRs (SHA-256; also read: sha1, sha384)" || !strings.Contains(sec.Title.KO, "함께 읽은 뱅크") {
		t.Errorf("title %+v", sec.Title)
	}
	for i, want := range map[int][]string{
		0: {"sha1 (read, not quoted): ", "the log's replay matches", "sha384 (read, not quoted): "},
		7: {"sha1 (read, not quoted): 0000000000000000000000000000000000000000; the log's replay gives "},
	} {
		for _, w := range want {
			if !strings.Contains(sec.Rows[i].Detail, w) {
				t.Errorf("PCR%d detail lacks %q:\n%s", i, w, sec.Rows[i].Detail)
			}
		}
		if !strings.Contains(sec.Rows[i].DetailKO, "읽은 값, 쿼트 안 됨") {
			t.Errorf("PCR%d Korean detail:\n%s", i, sec.Rows[i].DetailKO)
		}
	}
}
