package eventlog

import (
	"bytes"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/eventlog/eventlogtest"
)

// TestRepeat: the benchmarks' large logs (eventlogtest.Repeat, bench/mkeventlog) are valid
// logs of exactly n events after the Spec ID event, made of the source's own records of at
// most max-size bytes, in order; a source that is no crypto-agile log is refused.
func TestRepeat(t *testing.T) {
	src := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	srcFrames, _, err := walk(src)
	if err != nil {
		t.Fatal(err)
	}
	var small []frame
	for _, f := range srcFrames[1:] {
		if f.size <= 200 {
			small = append(small, f)
		}
	}
	big, err := eventlogtest.Repeat(src, 1000, 200)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(big)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Events) != 1001 {
		t.Fatalf("%d events, want the Spec ID event and 1000", len(l.Events))
	}
	frames, _, _ := walk(big)
	for i, f := range frames[1:] {
		want := small[i%len(small)]
		if !bytes.Equal(big[f.offset:f.offset+f.size], src[want.offset:want.offset+want.size]) {
			t.Fatalf("event %d is not the source's record at offset %d", i+1, want.offset)
		}
	}
	if _, err := eventlogtest.Repeat(src, 10, 8); err == nil {
		t.Error("Repeat with no record small enough returned no error")
	}
	if _, err := eventlogtest.Repeat([]byte("not a log"), 10, 0); err == nil {
		t.Error("Repeat of a non-log returned no error")
	}
}
