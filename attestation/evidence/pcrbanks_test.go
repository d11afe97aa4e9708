package evidence

import (
	"strings"
	"testing"
)

func TestParsePCRBanks(t *testing.T) {
	b, err := parsePCRBanks([]byte(`{"pcrs":{"0":"00"},"pcrBanks":{"sha1":{"7":"` + strings.Repeat("ab", 20) + `"}}}`))
	if err != nil || len(b["sha1"][7]) != 20 {
		t.Fatalf("%v %v", b, err)
	}
	for _, bad := range []string{
		`{"pcrBanks":{"md5":{"0":"00"}}}`,
		`{"pcrBanks":{"sha1":{"0":"abcd"}}}`,
		`{"pcrBanks":{"sha384":{"24":"` + strings.Repeat("ab", 48) + `"}}}`,
	} {
		if _, err := parsePCRBanks([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if b, err := parsePCRBanks([]byte(`{"pcrs":{}}`)); b != nil || err != nil {
		t.Errorf("no banks: %v %v", b, err)
	}
}
