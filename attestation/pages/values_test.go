package pages_test

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/pages"
)

// Rows of boolean fields explain the value they show.
func TestReportRowsExplainTheValueShown(t *testing.T) {
	s, r, _ := load(t, "azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	p := pages.ReadReport(s, r)
	for key, want := range map[string]string{"platform_info.tsme_enabled": "is off", "policy.debug": "may not debug"} {
		row := requireRow(t, p, "snp", key)
		if row.Value != "false" || !strings.Contains(row.Explain.EN, want) || row.Explain.KO == "" {
			t.Errorf("%s = %s explained as %q", key, row.Value, row.Explain.EN)
		}
	}
}
