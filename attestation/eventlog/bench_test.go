package eventlog

import "testing"

// BenchmarkParseAndReplayAzure parses and replays the 36 KB Azure SNP log (events are
// described only when their rows are written).
func BenchmarkParseAndReplayAzure(b *testing.B) {
	raw := readReal(b, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		// Parse keeps the last log read (lastRead, by buffer): a log at another address is
		// read again, as each inspect reads its file once; the same buffer would measure
		// the kept result.
		l, err := Parse(append([]byte(nil), raw...))
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Replay()) != 10 {
			b.Fatal("replay lost PCRs")
		}
	}
}
