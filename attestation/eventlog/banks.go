package eventlog

import (
	"bytes"
	"fmt"

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

// ReplayBanks replays every bank the log carries, with the same rules as Replay (EV_NO_ACTION
// not extended, PCR0 starting at the startup locality or 4 after an H-CRTM event). A bank
// is carried when the Spec ID event declares it (a SHA-1 format log carries only SHA-1).
func ReplayBanks(raw []byte) ([]Bank, error) {
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
