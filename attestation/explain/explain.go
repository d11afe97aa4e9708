// Package explain is cvmscope's catalog of explanations, in English and Korean, for every
// check, report field, runtime claim, PCR, event type and TPM error it shows.
//
// The text is domain knowledge kept beside the data model, so that the TUI and the
// plain-text report only look it up and never carry prose of their own. MAA claims have
// their own catalog (package claims); a field that MAA turns into a claim names that claim
// and the runtime-claims keys defer to it. Korean follows ../shared/docs/glossary-ko.md:
// product and protocol names (MAA, vTPM, SEV-SNP, TDX, PCR, HCL, VCEK) stay in Latin
// letters and claim names are never translated.
package explain

import (
	"sort"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Entry is one explanation: what a thing means, and what to do when it is not healthy.
type Entry struct {
	Meaning present.Text
	Hint    present.Text
}

func t(en, ko string) present.Text { return present.T(en, ko) }

func eh(en, ko, hintEN, hintKO string) Entry {
	return Entry{Meaning: t(en, ko), Hint: t(hintEN, hintKO)}
}

// Check explains a check ID: what passing means and what to do when it does not pass.
// Both are empty for an ID the catalog does not know.
func Check(id string) (meaning, hint present.Text) {
	en, _ := LookupCheck(id)
	return en.Meaning, en.Hint
}

// LookupCheck returns the entry for a check ID and whether the catalog has one.
func LookupCheck(id string) (Entry, bool) {
	if target, ok := checkAliases[id]; ok {
		id = target
	}
	en, ok := checks[id]
	return en, ok
}

// CheckIDs lists every catalogued check ID (aliases included), sorted.
func CheckIDs() []string { return keys(checks, checkAliases) }

// TPMError explains a TPM error by the name hw/tpm gives it ("TPM_RC_HANDLE",
// "NO_TPM_DEVICE"). Both texts are empty for a name the catalog does not know; hw/tpm's own
// English meaning is then the best there is.
func TPMError(name string) (meaning, hint present.Text) {
	en := tpmErrors[name]
	return en.Meaning, en.Hint
}

// TPMErrorNames lists the catalogued TPM error names, sorted.
func TPMErrorNames() []string { return keys(tpmErrors, nil) }

func keys[V any](m map[string]V, extra map[string]string) []string {
	out := make([]string, 0, len(m)+len(extra))
	for k := range m {
		out = append(out, k)
	}
	for k := range extra {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
