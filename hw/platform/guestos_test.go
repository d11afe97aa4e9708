package platform

import (
	"slices"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/evidence"
)

func TestDefaultQuotePCRsPerGuest(t *testing.T) {
	for _, c := range []struct {
		src  evidence.Source
		goos string
		want []int
	}{
		{evidence.SourceAzure, "linux", QuotePCRs},
		{evidence.SourceAzure, "windows", []int{0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14}},
		{evidence.SourceSim, "windows", QuotePCRs},
	} {
		if got := defaultQuotePCRs(c.src, c.goos); !slices.Equal(got, c.want) {
			t.Errorf("%v on %s: %v, want %v", c.src, c.goos, got, c.want)
		}
	}
}
