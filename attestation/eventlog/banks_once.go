package eventlog

import "maps"

// ReplayBanks replays every bank the log carries, with the same rules as Replay (EV_NO_ACTION
// not extended, PCR0 starting at the startup locality or 4 after an H-CRTM event). A bank
// is carried when the Spec ID event declares it (a SHA-1 format log carries only SHA-1).
//
// The last log's banks are kept (lastRead): one Read report asks for them up to three times
// (the PCR table, eventlog.banks, eventlog.banks-replay), and each replay went over the
// whole log again, which for a large log cost more than the rest of the step. Each caller
// gets its own copy.
func ReplayBanks(raw []byte) ([]Bank, error) {
	banks, err := lastRead.banksOf(raw)
	if err != nil {
		return nil, err
	}
	out := make([]Bank, len(banks))
	for i, b := range banks {
		out[i] = Bank{Name: b.Name, Values: maps.Clone(b.Values), Missing: maps.Clone(b.Missing)}
	}
	return out, nil
}
