package eventlog

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/eventlog/eventlogtest"
	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
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
	if len(events(l)) != 1001 {
		t.Fatalf("%d events, want the Spec ID event and 1000", len(events(l)))
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

// TestLibraryReadsChunksAsWhole: go-eventlog, given a large log a chunk of records at a
// time (libAgrees), reads what it reads of the whole log at once, and Parse's events are
// those, so the chunks hide no disagreement.
func TestLibraryReadsChunksAsWhole(t *testing.T) {
	raw, err := eventlogtest.Repeat(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"), 3*libChunk+5, 0)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	el, err := tcg.ParseEventLog(raw, tcg.ParseOpts{AllowPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	whole := el.Events(register.HashSHA256)
	evs := slices.Collect(l.Events())
	if len(whole) != len(evs)-1 || l.Len() != len(evs) {
		t.Fatalf("go-eventlog read %d events of the whole log, Parse %d (Len %d) after the Spec ID event", len(whole), len(evs)-1, l.Len()-1)
	}
	for i, le := range whole {
		e := evs[i+1]
		if le.Index != e.PCR || uint32(le.Type) != e.Type || !bytes.Equal(le.Data, e.Data) || !bytes.Equal(le.Digest, e.Digest) {
			t.Fatalf("event %d: Parse read PCR%d %s, go-eventlog PCR%d %v", e.Index, e.PCR, e.TypeName, le.Index, le.Type)
		}
	}
	// A record cut short in the last chunk is refused as the whole log would be.
	if _, err := Parse(raw[:len(raw)-3]); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a log cut in its last chunk: %v", err)
	}
}
