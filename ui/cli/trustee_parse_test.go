package cli

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/explain"
)

// TestTrusteeParseCheck: trustee evidence JSON that does not parse fails its own check,
// trustee.parse (catalogued, so it is explained), not hcl.parse, which is about an HCL
// report's bytes; evidence holding both a VCEK and a TD quote is refused naming the field
// instead of dropping the quote.
func TestTrusteeParseCheck(t *testing.T) {
	if _, ok := explain.LookupCheck("trustee.parse"); !ok {
		t.Fatal("trustee.parse has no entry in the check catalog")
	}
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"both.json": `{"version":1,"tpm_quote":{"signature":"00","message":"00","pcrs":[]},"hcl_report":"SENMQQ","vcek":"MII","td_quote":"AAAA"}`,
		"cut.json":  `{"version":1,"tpm_quote":{"signature":"00","message":"00","pcrs":[]},"hcl_rep`,
	} {
		r := runCLI(t, "inspect", "-o", "json", write(t, dir, name, []byte(doc)))
		if r.code != 2 || r.verdict("trustee.parse") != check.Fail || r.verdict("hcl.parse") == check.Fail {
			t.Errorf("%s: exit %d, trustee.parse %q, hcl.parse %q; want 2, fail, not failed\n%s%s", name, r.code, r.verdict("trustee.parse"), r.verdict("hcl.parse"), r.stdout, r.stderr)
		}
		if name == "both.json" && !strings.Contains(r.stdout, `td_quote`) {
			t.Errorf("%s: the failure does not name the td_quote field:\n%s", name, r.stdout)
		}
	}
}
