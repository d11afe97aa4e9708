package eventlog

import (
	"maps"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// The real Azure SEV-SNP log carries SHA-1, SHA-256 and SHA-384: a TPM whose other banks
// hold what the log replays to passes, one PCR changed in one bank warns naming both, and
// a bank the log does not carry is said to be uncompared.
func TestCompareBanksRealAzureLog(t *testing.T) {
	raw := realdata.Read(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	banks, err := ReplayBanks(raw)
	if err != nil {
		t.Fatal(err)
	}
	tpm := map[string]map[int][]byte{}
	for _, b := range banks {
		tpm[b.Name] = maps.Clone(b.Values)
	}
	tpm["sha512"] = map[int][]byte{0: make([]byte, 64)}
	l := CompareBanks(raw, tpm)
	if len(l) != 1 || l[0].Verdict != check.Pass || !strings.Contains(l[0].Summary, "sha1 (10 PCRs), sha384 (10 PCRs)") ||
		!strings.Contains(strings.Join(l[0].Details, "\n"), "no digests for sha512") {
		t.Fatalf("matching banks: %+v", l)
	}
	bad := maps.Clone(tpm["sha384"])
	bad[4] = make([]byte, 48)
	tpm["sha384"] = bad
	l = CompareBanks(raw, tpm)
	if len(l) != 1 || l[0].Verdict != check.Warn || !strings.Contains(l[0].Summary, "sha384 (PCR4)") {
		t.Fatalf("one PCR off: %+v", l)
	}
	if l := CompareBanks(raw, map[string]map[int][]byte{"sha512": {0: make([]byte, 64)}}); len(l) != 1 || l[0].Verdict != check.Skip {
		t.Fatalf("no common bank: %+v", l)
	}
	if l := CompareBanks(raw, nil); l != nil {
		t.Fatalf("no other bank: %+v, want no check", l)
	}
}
