package eventlog

import (
	"bytes"
	"reflect"
	"sync"
	"testing"
)

// TestReplayBanksKept: ReplayBanks answers what replayBanks computes, for each log in turn
// and again for one seen before; callers get copies they may change; logs replayed side by
// side each get their own banks.
func TestReplayBanksKept(t *testing.T) {
	var logs [][]byte
	for _, rl := range realLogs {
		logs = append(logs, readReal(t, rl.file))
	}
	logs = append(logs, logs[0], []byte("not a log"))
	for i, raw := range logs {
		want, werr := replayBanks(raw)
		got, err := ReplayBanks(raw)
		if (werr == nil) != (err == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("log %d: ReplayBanks %v, %v; replayBanks %v, %v", i, got, err, want, werr)
		}
		if err != nil {
			continue
		}
		for _, b := range got {
			clear(b.Values)
		}
		again, _ := ReplayBanks(raw)
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("log %d: a caller's change reached the next caller", i)
		}
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw := logs[i%len(realLogs)]
			want, _ := replayBanks(raw)
			if got, _ := ReplayBanks(bytes.Clone(raw)); !reflect.DeepEqual(got, want) {
				t.Errorf("log %d replayed side by side got another log's banks", i%len(realLogs))
			}
		}()
	}
	wg.Wait()
}
