package eventlog

import "testing"

// BenchmarkParseAndReplayAzure parses, describes and replays the 36 KB Azure SNP log.
func BenchmarkParseAndReplayAzure(b *testing.B) {
	raw := readReal(b, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		l, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Replay()) != 10 {
			b.Fatal("replay lost PCRs")
		}
	}
}
