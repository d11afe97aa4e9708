package eventlog

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// TestReadKept: Check, ReplayBanks and Parse read a log once between them, and each
// answers what a fresh read computes, for each log in turn, a log seen before and a damaged
// one. Each Parse gets its own Log (a caller's changes never reach the next caller), and
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
		kept := lastRead.log
		if kept == nil {
			t.Fatalf("log %d: Check kept no Log for Parse", i)
		}
		if _, err := ReplayBanks(raw); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(raw)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("log %d: Parse %v, %v; readUncached %v", i, got, err, want)
		}
		if lastRead.log != kept || got == kept {
			t.Fatalf("log %d: the log was read again, or Parse handed out the kept Log itself", i)
		}
		got.Banks[0], got.Size = "changed", -1
		again, _ := Parse(raw)
		if again.Banks[0] == "changed" || again.Size != want.Size || len(events(again)) != want.Len() {
			t.Fatalf("log %d: a caller's change reached the next caller", i)
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
	other[len(other)-1] ^= 0xff // the last event's data: still a log, other bytes
	if last := events(l)[l.Len()-1].Data; last[len(last)-1] != other[len(other)-1] {
		t.Fatal("Parse of a copy answered with the events of the buffer Check read")
	}
	if err := Check(raw); err != nil {
		t.Fatal(err)
	}
	// The last event's data size, one more than the bytes left: no longer a log.
	lastEv := events(l)[l.Len()-1]
	sizeAt := lastEv.Offset + eventDataOffset(t, raw, lastEv.Event) - 4
	binary.LittleEndian.PutUint32(raw[sizeAt:], uint32(len(lastEv.Data)+1))
	if _, err := Parse(raw); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Parse of a buffer changed in place answered from before the change: %v", err)
	}
}
