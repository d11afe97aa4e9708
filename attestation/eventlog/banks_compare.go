package eventlog

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// CheckBanksReplay is the ID of the check that replays the log in the banks other than
// SHA-256 and compares them with the values the TPM gave for those banks.
const CheckBanksReplay = "eventlog.banks-replay"

// CompareBanks replays the log in every bank it carries and compares each bank the TPM also
// gave (tpm: bank name to PCR values; SHA-256 is left to the quoted replay) PCR by PCR, for
// the PCRs the log measures. Those values are read, not signed, unless a quote covers their
// bank: a difference is a warning that the firmware's measurements and its log disagree in
// that bank. Nil when the TPM gave no other bank.
func CompareBanks(raw []byte, tpm map[string]map[int][]byte) check.List {
	var names []string
	for n := range tpm {
		if n != "sha256" && len(tpm[n]) > 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 || len(raw) == 0 {
		return nil
	}
	sort.Strings(names)
	banks, err := ReplayBanks(raw)
	if err != nil {
		return check.List{check.Skipf(CheckBanksReplay, "the event log does not replay per bank: %v", err).KO("이벤트 로그를 뱅크별로 재생할 수 없습니다: %v", err)}
	}
	logged := map[string]Bank{}
	for _, b := range banks {
		logged[b.Name] = b
	}
	var matched, matchedKO, bad, absent, badKO []string
	var details []string
	for _, n := range names {
		b, ok := logged[n]
		if !ok {
			absent = append(absent, n)
			continue
		}
		idx := slices.Sorted(maps.Keys(b.Values))
		var off []string
		for _, i := range idx {
			got, ok := tpm[n][i]
			if !ok {
				continue
			}
			if !bytes.Equal(got, b.Values[i]) {
				off = append(off, fmt.Sprintf("PCR%d", i))
				details = append(details, fmt.Sprintf("%s PCR%-2d TPM %x, log %x", n, i, got, b.Values[i]))
			}
		}
		if len(off) > 0 {
			bad = append(bad, fmt.Sprintf("%s (%s)", n, strings.Join(off, ", ")))
			badKO = append(badKO, fmt.Sprintf("%s(%s)", n, strings.Join(off, ", ")))
			continue
		}
		matched = append(matched, fmt.Sprintf("%s (%d PCRs)", n, len(idx)))
		matchedKO = append(matchedKO, fmt.Sprintf("%s(PCR %d개)", n, len(idx)))
	}
	var c check.Check
	switch {
	case len(bad) > 0:
		c = check.Warnf(CheckBanksReplay, "the log's replay differs from the TPM's values in %s; these banks are read, not quoted", strings.Join(bad, ", ")).
			KO("로그의 재생 값이 TPM 값과 다릅니다: %s. 이 뱅크들은 읽은 값이며 쿼트되지 않았습니다", strings.Join(badKO, ", "))
	case len(matched) > 0:
		c = check.Passf(CheckBanksReplay, "the log replays to the TPM's values in %s as in SHA-256; these banks are read, not quoted", strings.Join(matched, ", ")).
			KO("SHA-256과 마찬가지로 %s에서도 로그의 재생 값이 TPM 값과 같습니다. 이 뱅크들은 읽은 값이며 쿼트되지 않았습니다", strings.Join(matchedKO, ", "))
	default:
		c = check.Skipf(CheckBanksReplay, "the TPM has banks %s but the log carries no digests for them: nothing to compare", strings.Join(absent, ", ")).
			KO("TPM에는 %s 뱅크가 있지만 로그에는 그 다이제스트가 없어 비교할 것이 없습니다", strings.Join(absent, ", "))
		return check.List{c}
	}
	if len(absent) > 0 {
		c = c.WithDetail("the log carries no digests for "+strings.Join(absent, ", "), "로그에 "+strings.Join(absent, ", ")+" 다이제스트가 없습니다")
	}
	return check.List{c.WithDetails(details...)}
}
