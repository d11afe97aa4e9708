package eventlog

import (
	"fmt"
	"hash"
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
	id   uint16
	alg  register.HashAlg
}{{"sha1", algSHA1, register.HashSHA1}, {"sha256", algSHA256, register.HashSHA256}, {"sha384", 0x000c, register.HashSHA384}}

// replayBanks does ReplayBanks' work, every time it is called. The log is accepted as Parse
// accepts it (through lastRead, so that it is read once for Check, Parse and this), and
// every bank is then replayed in one pass over the records, with the digests where they lie.
func replayBanks(raw []byte) ([]Bank, error) {
	l, err := lastRead.get(raw)
	if err != nil {
		return nil, err
	}
	replays := make([]*bankReplay, len(bankAlgs))
	for i, b := range bankAlgs {
		replays[i] = &bankReplay{Bank: Bank{Name: b.name, Values: map[int][]byte{}, Missing: map[int]int{}},
			id: b.id, h: b.alg.CryptoHash().New(), pcrs: map[int]*pcrValue{}}
	}
	n := 0
	eachFrame(raw, func(f frame) bool {
		if n++; n == 1 && l.algs != nil {
			return true // the Spec ID event is the log's header, not an event
		}
		for _, r := range replays {
			r.extend(f, l.algs, l.locality)
		}
		return true
	})
	var out []Bank
	for _, r := range replays {
		if r.carried {
			out = append(out, r.done())
		}
	}
	return out, nil
}

// bankReplay is one bank's replay under way. A bank is carried when some event has a
// digest for it.
type bankReplay struct {
	Bank
	id      uint16
	h       hash.Hash
	pcrs    map[int]*pcrValue // the PCRs measured so far
	carried bool
}

// pcrValue is one PCR's value in a bank's replay; broken once an event lacks its digest.
type pcrValue struct {
	v      []byte
	broken bool
}

func (b *bankReplay) extend(f frame, algs []specAlg, locality byte) {
	d := f.digest(b.id, algs)
	b.carried = b.carried || d != nil
	if f.typ == uint32(tcg.NoAction) {
		return
	}
	size := b.h.Size()
	pcr := int(f.pcr)
	p := b.pcrs[pcr]
	if p == nil {
		p = &pcrValue{v: make([]byte, size)}
		if pcr == 0 {
			p.v[size-1] = locality
		}
		if f.typ == uint32(tcg.EFIHCRTMEvent) {
			p.v[size-1] = 4
		}
		b.pcrs[pcr] = p
	}
	if p.broken || len(d) != size {
		p.broken = true
		b.Missing[pcr]++
		return
	}
	b.h.Reset()
	b.h.Write(p.v)
	b.h.Write(d)
	p.v = b.h.Sum(p.v[:0])
}

// done is the bank as replayed: the values of the PCRs no event left without a digest.
func (b *bankReplay) done() Bank {
	for pcr, p := range b.pcrs {
		if !p.broken {
			b.Values[pcr] = p.v
		}
	}
	return b.Bank
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
