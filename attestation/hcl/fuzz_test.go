package hcl

import (
	"crypto/sha256"
	"errors"
	"os"
	"testing"
)

// FuzzParse: no input panics, and whatever parses keeps the invariants (claims are the
// input's bytes at 1236, sizes agree, BindingCheck gives a verdict).
func FuzzParse(f *testing.F) {
	for _, tc := range realReports {
		if p, ok := realPath(tc.file); ok {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	claims := []byte(`{"keys":[],"vm-configuration":{},"user-data":"00"}`)
	sum := sha256.Sum256(claims)
	hw := make([]byte, HardwareReportSize)
	copy(hw[SNPReportDataOff:], sum[:])
	built, err := Build(ReportSNP, hw, HashSHA256, claims, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(built)
	f.Add(built[:ClaimsOff])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			if pe := (*ParseError)(nil); !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if msg := invariants(r, b); msg != "" {
			t.Fatal(msg)
		}
		// Size fields never point past the input once a report parsed.
		if int64(r.Header.ReportSize) > int64(len(b)) || int64(r.IGVM.DataSize) > int64(len(b)-IGVMOff) {
			t.Fatalf("accepted report_size %d / data_size %d for %d bytes", r.Header.ReportSize, r.IGVM.DataSize, len(b))
		}
		_, _ = r.Bind()
	})
}
