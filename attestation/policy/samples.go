package policy

import (
	"embed"
	"sort"
	"strings"
)

//go:embed samples/*.policy
var samplesFS embed.FS

// Sample returns cvmscope's sample policy for an attestation type (AzureGuest, SevSnpVm,
// TdxVm; any case), and whether there is one.
func Sample(kind string) (string, bool) {
	for _, n := range SampleNames() {
		if strings.EqualFold(n, kind) {
			b, err := samplesFS.ReadFile("samples/" + n + ".policy")
			return string(b), err == nil
		}
	}
	return "", false
}

// SampleNames are the attestation types with a sample policy.
func SampleNames() []string {
	ents, _ := samplesFS.ReadDir("samples")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".policy"))
	}
	sort.Strings(out)
	return out
}
