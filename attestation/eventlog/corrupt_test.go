package eventlog

import (
	"encoding/binary"
	"strings"
	"testing"
)

// Cutting a log anywhere inside a record is an error naming the record; cutting it
// between records leaves a shorter but valid log.
func TestTruncatedLogs(t *testing.T) {
	for _, rl := range realLogs {
		raw := readReal(t, rl.file)
		frames, _, err := walk(raw)
		if err != nil {
			t.Fatal(err)
		}
		boundary := map[int]int{} // offset -> events before it
		for i, f := range frames {
			boundary[f.offset] = i
		}
		var cuts []int
		for n := 0; n < 300; n++ {
			cuts = append(cuts, n)
		}
		for n := 300; n < len(raw); n += 37 {
			cuts = append(cuts, n)
		}
		for _, f := range frames[1:] {
			cuts = append(cuts, f.offset, f.offset+1, f.offset+f.size-1)
		}
		for _, n := range cuts {
			l, err := Parse(raw[:n])
			want, atBoundary := boundary[n]
			switch {
			case atBoundary && n > 0:
				if err != nil || l.Len() != want || len(events(l)) != want {
					t.Errorf("%s cut at record boundary %d: err %v, want %d events", rl.file, n, err, want)
				}
			case err == nil:
				t.Errorf("%s cut at %d (inside a record): no error, %d events", rl.file, n, l.Len())
			case n > 0 && !strings.Contains(err.Error(), "offset"):
				t.Errorf("%s cut at %d: error %q does not name the offset", rl.file, n, err)
			}
		}
	}
}

func TestGarbledLogs(t *testing.T) {
	raw := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	frames, _, err := walk(raw)
	if err != nil {
		t.Fatal(err)
	}
	ev5 := frames[5]
	tests := []struct {
		name  string
		edit  func(b []byte)
		wants []string
	}{
		{"empty", func(b []byte) {}, []string{"empty"}},
		{"data size beyond the end", func(b []byte) {
			binary.LittleEndian.PutUint32(b[ev5.offset+ev5.size-len(ev5.data)-4:], 0xFFFFFFF0)
		}, []string{"event 5 at offset 2530", "event data", "truncated"}},
		{"digest count too large", func(b []byte) {
			binary.LittleEndian.PutUint32(b[ev5.offset+8:], 1000)
		}, []string{"event 5 at offset 2530", "digest count 1000"}},
		{"unknown digest algorithm", func(b []byte) {
			binary.LittleEndian.PutUint16(b[ev5.offset+12:], 0x0099)
		}, []string{"event 5", "algorithm 0x0099", "not listed in the Spec ID event"}},
		{"Spec ID lists too many algorithms", func(b []byte) {
			binary.LittleEndian.PutUint32(b[32+24:], 0x7FFFFFFF)
		}, []string{"Spec ID event", "2147483647 algorithms"}},
		{"Spec ID version", func(b []byte) {
			b[32+21] = 9 // specVersionMajor
		}, []string{"spec major version"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), raw...)
			if tc.name == "empty" {
				b = nil
			}
			tc.edit(b)
			_, err := Parse(b)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// Padding after the last event (some firmware hands over a fixed-size area) is ignored
// and counted.
func TestTrailingPadding(t *testing.T) {
	raw := readReal(t, "baremetal-archlinux-eventlog.bin")
	padded := append(append([]byte(nil), raw...), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	l, err := Parse(padded)
	if err != nil {
		t.Fatal(err)
	}
	if len(events(l)) != 25 || l.TrailingBytes != 8 || l.Size != len(raw) {
		t.Errorf("%d events, %d trailing bytes, size %d", len(events(l)), l.TrailingBytes, l.Size)
	}
}

// FuzzParse feeds mutated real logs to Parse and everything that reads a parsed log;
// none of it may panic.
func FuzzParse(f *testing.F) {
	for _, rl := range realLogs {
		raw := readReal(f, rl.file)
		f.Add(raw)
		// Short seeds let the fuzzer reach deep into the Spec ID event and first records.
		f.Add(raw[:min(len(raw), 600)])
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := Parse(raw)
		if err != nil {
			return
		}
		l.SecureBootEnabled()
		pcrs := l.Replay()
		Compare(l, pcrs)
		evs := events(l)
		for _, e := range evs {
			if e.Description == "" {
				t.Fatalf("event %d has no description", e.Index)
			}
		}
		if measured, noAction := l.Counts(-1); len(evs) != l.Len() || measured+noAction != l.Len() {
			t.Fatalf("Events yields %d events, Len says %d, Counts %d + %d", len(evs), l.Len(), measured, noAction)
		}
	})
}
