package evidence

import (
	"strings"
	"testing"
)

// A PCR JSON file that gives one PCR two values under two spellings ("pcr0" and "0", or the
// same key twice) was read through a Go map, so which value won changed from run to run: the
// same file beside its quote exited 0 or 2 at random. Such a file is refused, naming the keys.
func TestParsePCRsRefusesAPCRGivenTwice(t *testing.T) {
	a, b := strings.Repeat("aa", 32), strings.Repeat("bb", 32)
	for _, in := range []string{
		`{"pcr0":"` + a + `","0":"` + b + `"}`,
		`{"pcrs":{"PCR7":"` + a + `","pcr[7]":"` + b + `"}}`,
		`{"pcr0":"` + a + `","pcr0":"` + b + `"}`,
		`{"pcrs":{"1":"` + a + `"},"pcrBanks":{"sha1":{"0":"` + strings.Repeat("aa", 20) + `","00":"` + strings.Repeat("bb", 20) + `"}}}`,
	} {
		if _, err := parsePCRFile([]byte(in)); err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("%s: got %v, want the PCR given twice refused", in, err)
		}
		s := &Set{}
		if err := s.Add("pcrs.json", []byte(in)); err != nil || len(s.Files) != 1 || !strings.Contains(s.Files[0].Err, "twice") {
			t.Errorf("%s: Add: %v, files %+v; want a pcrs.parse failure", in, err, s.Files)
		}
	}
	// The same value under two spellings says one thing.
	if m, err := ParsePCRs([]byte(`{"pcr0":"` + a + `","0":"` + a + `"}`)); err != nil || len(m) != 1 {
		t.Errorf("one value spelled twice: %v, %v", m, err)
	}
	// Errors name the first bad key in the file's order, the same every time.
	in := []byte(`{"pcr1":"zz","pcr2":"yy","pcr3":"xx","pcr4":"ww"}`)
	for range 20 {
		if _, err := ParsePCRs(in); err == nil || !strings.Contains(err.Error(), `"pcr1"`) {
			t.Fatalf("got %v, want the error to name pcr1, the first bad key", err)
		}
	}
}

// parsePCRFile reads a PCR JSON file as Add does: SHA-256 values and the other banks.
func parsePCRFile(data []byte) (map[int][]byte, error) {
	m, err := ParsePCRs(data)
	if err != nil {
		return nil, err
	}
	_, err = parsePCRBanks(data)
	return m, err
}
