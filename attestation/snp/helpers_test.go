package snp

import (
	"crypto/x509"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/hcl"
)

// realDir is ../shared/testdata/real beside the repository root.
func readReal(tb testing.TB, name string) []byte {
	tb.Helper()
	return realdata.Read(tb, name)
}

// hclSNP parses a real HCL report and its embedded SNP report.
func hclSNP(tb testing.TB, name string) (*hcl.Report, *Report) {
	tb.Helper()
	h, err := hcl.Parse(readReal(tb, name))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	r, err := Parse(h.SNPReport())
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return h, r
}

func realCerts(tb testing.TB, names ...string) []*x509.Certificate {
	tb.Helper()
	var out []*x509.Certificate
	for _, n := range names {
		cs, err := ParseCerts(readReal(tb, n))
		if err != nil {
			tb.Fatalf("%s: %v", n, err)
		}
		out = append(out, cs...)
	}
	return out
}

// when is inside the validity of every real certificate used here (VCEKs from 2023 on,
// the earliest notAfter is 2030).
var when = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// readRealOptional reads a real sample without a testing.TB (for fuzz seeds).
func readRealOptional(name string) ([]byte, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for dir := wd; filepath.Dir(dir) != dir; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return os.ReadFile(filepath.Join(dir, "..", "shared", "testdata", "real", name))
		}
	}
	return nil, os.ErrNotExist
}

// hclParse returns the SNP report inside an HCL report.
func hclParse(raw []byte) ([]byte, error) {
	h, err := hcl.Parse(raw)
	if err != nil {
		return nil, err
	}
	return h.SNPReport(), nil
}
