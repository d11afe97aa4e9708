package cli

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// BenchmarkInspectOfflineJSON is `cvmscope inspect -o json` on the offline rows of
// BENCHMARKS.md (a TD quote; an SEV-SNP report and its VCEK) in process, without the
// process start. Lazily built tables are built by the first run only, so this measures the
// per-inspect work and allocations; a whole process pays the first run's too. For tdx that
// includes the PCK chain: tdx.ParseQuote keeps the last chain it parsed, so every run after
// the first skips parsing its three certificates, which a process always does once (about
// 80 us, 53 KB and 600 allocations of a 5 KB Azure quote, load 2.2).
func BenchmarkInspectOfflineJSON(b *testing.B) {
	for _, c := range []struct {
		name  string
		files []string
	}{
		{"tdx", []string{"aztdx-tdquote-trustee-6332533d.bin"}},
		{"snp", []string{"snp-report-gosevguest.bin", "amd-milan-vcek-gosevguest.der"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			dir := realdata.Dir(b)
			args := []string{"inspect", "-o", "json"}
			for _, f := range c.files {
				args = append(args, filepath.Join(dir, f))
			}
			b.ReportAllocs()
			for b.Loop() {
				// Offline, nothing vouches for the platform's TCB: exit 2 is the verdict
				// "not verified", 5 the baseline (the go-sev-guest sample's guest policy
				// allows debugging), 1 would be misuse or a bug.
				if code := Main(args, io.Discard, io.Discard); code != 0 && code != 2 && code != 5 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
