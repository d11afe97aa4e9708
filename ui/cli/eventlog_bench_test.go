package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/eventlog/eventlogtest"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

const azureLog = "azsnp-eventlog-cvmmeasure-ncc40ads.bin"

// bigLog writes the real Azure log's events of at most 200 bytes repeated to n events, as
// bench/mkeventlog makes the logs of BENCHMARKS.md, and returns its path.
func bigLog(tb testing.TB, n int) string {
	tb.Helper()
	raw := realdata.Read(tb, azureLog)
	if n > 0 {
		var err error
		if raw, err = eventlogtest.Repeat(raw, n, 200); err != nil {
			tb.Fatal(err)
		}
	}
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("log%d.bin", n))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkInspectEventLogJSON is `cvmscope inspect -o json LOG` in process, the event-log
// rows of BENCHMARKS.md without the process start: the real Azure log (39 events) and
// logs of 1,000 to 100,000 of its events.
func BenchmarkInspectEventLogJSON(b *testing.B) {
	for _, n := range []int{0, 1000, 10000, 100000} {
		name := fmt.Sprintf("events=%d", n)
		if n == 0 {
			name = "azure"
		}
		b.Run(name, func(b *testing.B) {
			path := bigLog(b, n)
			if fi, err := os.Stat(path); err == nil {
				b.SetBytes(fi.Size())
			}
			b.ReportAllocs()
			for b.Loop() {
				// A log alone is read and replayed but nothing signs it, which may exit 2
				// (evidence.unverified); 1 would be misuse or a bug.
				if code := Main([]string{"inspect", "-o", "json", path}, io.Discard, io.Discard); code != 0 && code != 2 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
