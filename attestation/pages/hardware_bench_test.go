package pages_test

import (
	"path/filepath"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// BenchmarkReadReportHardware builds the Read report page of a lone hardware report, as an
// offline inspect of the SEV-SNP and TDX rows of BENCHMARKS.md does after verifying it.
func BenchmarkReadReportHardware(b *testing.B) {
	for name, files := range map[string][]string{
		"tdx-quote": {"aztdx-tdquote-trustee-6332533d.bin"},
		"snp":       {"snp-report-gosevguest.bin", "amd-milan-vcek-gosevguest.der"},
	} {
		b.Run(name, func(b *testing.B) {
			var paths []string
			for _, f := range files {
				paths = append(paths, filepath.Join(realDir(b), f))
			}
			s, err := evidence.LoadFiles(paths)
			if err != nil {
				b.Fatal(err)
			}
			r := verify.Evidence(s, verify.Options{Now: now})
			b.ReportAllocs()
			for b.Loop() {
				pages.ReadReport(s, r)
			}
		})
	}
}
