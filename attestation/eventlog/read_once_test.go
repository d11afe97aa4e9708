package eventlog

import (
	"reflect"
	"testing"
)

// TestReadKept: read answers what readUncached computes, for each log in turn, a log seen
// before and a damaged one; a caller's changes to its Log (Parse writes the descriptions)
// do not reach the next caller.
func TestReadKept(t *testing.T) {
	var logs [][]byte
	for _, rl := range realLogs {
		logs = append(logs, readReal(t, rl.file))
	}
	damaged := append([]byte(nil), logs[0][:len(logs[0])/2]...)
	logs = append(logs, logs[0], damaged, logs[0])
	for i, raw := range logs {
		want, werr := readUncached(raw)
		got, err := read(raw)
		if (werr == nil) != (err == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("log %d: read %v, %v; readUncached %v, %v", i, got, err, want, werr)
		}
		if err != nil {
			if Check(raw) == nil {
				t.Fatalf("log %d: Check passed a log read refused", i)
			}
			continue
		}
		p, err := Parse(raw)
		if err != nil || p.Events[1].Description == "" {
			t.Fatalf("log %d: Parse %v, event 1 described %q", i, err, p.Events[1].Description)
		}
		p.Events[0].PCR, p.Banks[0] = 99, "changed"
		again, _ := read(raw)
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("log %d: a caller's change reached the next caller", i)
		}
	}
}
