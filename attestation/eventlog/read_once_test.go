package eventlog

import (
	"bytes"
	"reflect"
	"testing"
)

// TestReadKept: Check, ReplayBanks and Parse read a log once between them, and each
// answers what a fresh read computes, for each log in turn, a log seen before and a damaged
// one. Parse hands the kept Log over (a caller's changes never reach the next caller), and
// an entry answers only for the same buffer, unchanged.
func TestReadKept(t *testing.T) {
	var logs [][]byte
	for _, rl := range realLogs {
		logs = append(logs, readReal(t, rl.file))
	}
	damaged := append([]byte(nil), logs[0][:len(logs[0])/2]...)
	logs = append(logs, logs[0], damaged, logs[0])
	for i, raw := range logs {
		want, werr := readUncached(raw)
		if err := Check(raw); (werr == nil) != (err == nil) {
			t.Fatalf("log %d: Check %v; readUncached %v", i, err, werr)
		}
		if werr != nil {
			if _, err := Parse(raw); err == nil || err.Error() != werr.Error() {
				t.Fatalf("log %d: Parse %v after Check refused it, want %v", i, err, werr)
			}
			continue
		}
		if lastRead.log == nil {
			t.Fatalf("log %d: Check kept no Log for Parse", i)
		}
		if _, err := ReplayBanks(raw); err != nil {
			t.Fatal(err)
		}
		got, err := take(raw)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("log %d: take %v, %v; readUncached %v", i, got, err, want)
		}
		if lastRead.log != nil {
			t.Fatalf("log %d: the Log handed to Parse is still kept", i)
		}
		got.Events[0].PCR, got.Banks[0] = 99, "changed"
		again, _ := Parse(raw)
		if again.Events[0].PCR == 99 || again.Banks[0] == "changed" || again.Events[1].Description == "" {
			t.Fatalf("log %d: a caller's change reached the next caller, or Parse described nothing", i)
		}
	}

	// The same bytes in another buffer are read again, and so is a buffer changed in place.
	raw := bytes.Clone(logs[0])
	if err := Check(raw); err != nil {
		t.Fatal(err)
	}
	other := bytes.Clone(raw)
	l, err := Parse(other)
	if err != nil {
		t.Fatal(err)
	}
	clear(other)
	if d := l.Events[1].Data; len(d) == 0 || !bytes.Equal(d, make([]byte, len(d))) {
		t.Fatal("Parse of a copy answered with the events of the buffer Check read")
	}
	if err := Check(raw); err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 0xff // the last event's data: still a log, other bytes
	l, err = Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if last := l.Events[len(l.Events)-1].Data; last[len(last)-1] != raw[len(raw)-1] {
		t.Fatal("Parse of a buffer changed in place answered from before the change")
	}
}
