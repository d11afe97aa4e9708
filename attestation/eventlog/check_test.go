package eventlog

import "testing"

// TestCheckAgreesWithParse: Check accepts exactly the logs Parse accepts, with the same
// error, over every real log cut at every 7th byte and at each record's edges.
func TestCheckAgreesWithParse(t *testing.T) {
	for _, rl := range realLogs {
		raw := readReal(t, rl.file)
		frames, _, err := walk(raw)
		if err != nil {
			t.Fatal(err)
		}
		cuts := []int{len(raw)}
		for n := 0; n < len(raw); n += 7 {
			cuts = append(cuts, n)
		}
		for _, f := range frames {
			cuts = append(cuts, f.offset, f.offset+1, f.offset+f.size-1)
		}
		accepted := 0
		for _, n := range cuts {
			_, perr := Parse(raw[:n])
			cerr := Check(raw[:n])
			if (perr == nil) != (cerr == nil) || perr != nil && perr.Error() != cerr.Error() {
				t.Fatalf("%s cut at %d: Parse says %v, Check says %v", rl.file, n, perr, cerr)
			}
			if cerr == nil {
				accepted++
			}
		}
		if accepted < len(frames) {
			t.Errorf("%s: only %d cuts accepted, want at least one per record (%d)", rl.file, accepted, len(frames))
		}
	}
}
