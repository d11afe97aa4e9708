package eventlog

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"

	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
)

// Bank is what a log computes for one PCR bank, as tpm2_eventlog prints it.
type Bank struct {
	// Name is the bank's algorithm: "sha1", "sha256" or "sha384".
	Name string
	// Values are the replayed PCR values by index.
	Values map[int][]byte
	// Missing counts, per PCR, the measured events that carry no digest for this bank; such a
	// PCR's value is left out of Values.
	Missing map[int]int
}

var bankAlgs = []struct {
	name string
	alg  register.HashAlg
}{{"sha1", register.HashSHA1}, {"sha256", register.HashSHA256}, {"sha384", register.HashSHA384}}

// replayBanks does ReplayBanks' work, every time it is called.
func replayBanks(raw []byte) ([]Bank, error) {
	el, err := tcg.ParseEventLog(raw, tcg.ParseOpts{AllowPadding: true})
	if err != nil {
		return nil, fmt.Errorf("parse event log (%d bytes): %v", len(raw), err)
	}
	var out []Bank
	for _, b := range bankAlgs {
		evs := el.Events(b.alg)
		carried := false
		for _, e := range evs {
			carried = carried || len(e.Digest) > 0
		}
		if !carried {
			continue
		}
		out = append(out, replayBank(b.name, b.alg, evs))
	}
	return out, nil
}

func replayBank(name string, alg register.HashAlg, evs []tcg.Event) Bank {
	size := alg.CryptoHash().Size()
	var locality byte
	for _, e := range evs {
		if e.Index == 0 && e.Type == tcg.NoAction && len(e.Data) == 17 && bytes.HasPrefix(e.Data, []byte("StartupLocality\x00")) {
			locality = e.Data[16]
		}
	}
	b := Bank{Name: name, Values: map[int][]byte{}, Missing: map[int]int{}}
	started := map[int]bool{}
	for _, e := range evs {
		if e.Type == tcg.NoAction {
			continue
		}
		v, ok := b.Values[e.Index]
		if !started[e.Index] {
			started[e.Index] = true
			v = make([]byte, size)
			if e.Index == 0 {
				v[size-1] = locality
			}
			if e.Type == tcg.EFIHCRTMEvent {
				v[size-1] = 4
			}
			ok = true
		}
		if !ok || len(e.Digest) != size {
			b.Missing[e.Index]++
			delete(b.Values, e.Index)
			continue
		}
		h := alg.CryptoHash().New()
		h.Write(v)
		h.Write(e.Digest)
		b.Values[e.Index] = h.Sum(nil)
	}
	return b
}

// CheckBanks is the ID of the check that replays every bank of a log given without PCR
// values.
const CheckBanks = "eventlog.banks"

// BanksCheck replays every bank the log carries and lists the PCR values it computes, as
// tpm2_eventlog prints them. They are what the log claims, not verified: only a quote makes
// them mean anything. It fails when the log does not replay, and warns when a bank the log
// declares lacks digests for some events (that bank's PCR then cannot be computed).
func BanksCheck(raw []byte) check.Check {
	banks, err := ReplayBanks(raw)
	if err != nil {
		return check.Failf(CheckBanks, "the event log does not replay: %v", err).KO("이벤트 로그를 재생할 수 없습니다: %v", err)
	}
	var parts, partsKO []string
	missing := 0
	for _, b := range banks {
		parts = append(parts, fmt.Sprintf("%s (%d PCRs)", b.Name, len(b.Values)))
		partsKO = append(partsKO, fmt.Sprintf("%s(PCR %d개)", b.Name, len(b.Values)))
		for _, n := range b.Missing {
			missing += n
		}
	}
	c := check.Passf(CheckBanks, "the log computes PCR values in every bank it carries: %s; they are the log's claim, unverified until compared with quoted PCRs", strings.Join(parts, ", ")).
		KO("로그가 담은 모든 뱅크의 PCR 값을 계산했습니다: %s. 쿼트된 PCR 값과 비교하기 전까지는 로그의 주장일 뿐 검증되지 않았습니다", strings.Join(partsKO, ", "))
	if missing > 0 {
		c = check.Warnf(CheckBanks, "%d events lack a digest for a bank the log declares, so those PCRs cannot be computed in that bank: %s", missing, strings.Join(parts, ", ")).
			KO("이벤트 %d개에 로그가 선언한 뱅크의 다이제스트가 없어, 그 뱅크에서는 해당 PCR을 계산할 수 없습니다: %s", missing, strings.Join(partsKO, ", "))
	}
	for _, b := range banks {
		idx := make([]int, 0, len(b.Values))
		for i := range b.Values {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			c = c.WithDetails(fmt.Sprintf("%s PCR%-2d %x", b.Name, i, b.Values[i]))
		}
	}
	return c
}
