package explain_test

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// repoRoot is two levels above this package.
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// requireBoth fails unless txt has English and Korean, the Korean written in Hangul rather
// than a copy of the English.
func requireBoth(t *testing.T, what string, txt present.Text) {
	t.Helper()
	if txt.EN == "" || txt.KO == "" {
		t.Errorf("%s: EN %q KO %q; both are required", what, txt.EN, txt.KO)
		return
	}
	if !checktest.HasHangul(txt.KO) {
		t.Errorf("%s: Korean text %q has no Hangul", what, txt.KO)
	}
}

func TestEveryEntryHasEnglishAndKorean(t *testing.T) {
	for _, id := range explain.CheckIDs() {
		m, h := explain.Check(id)
		requireBoth(t, "check "+id+" meaning", m)
		requireBoth(t, "check "+id+" hint", h)
	}
	kinds := []string{explain.KindHCLHeader, explain.KindIGVM, explain.KindRuntime, explain.KindSNP,
		explain.KindTDReport, explain.KindTDQuote, explain.KindAttest, explain.KindAKCert}
	for _, k := range kinds {
		names := explain.FieldNames(k)
		if len(names) == 0 {
			t.Errorf("field kind %s has no entries", k)
		}
		for _, n := range names {
			requireBoth(t, "field "+k+"/"+n, explain.Field(k, n))
		}
	}
	for i := 0; i < 24; i++ {
		requireBoth(t, "PCR explanation", explain.PCR(i))
		if s := explain.PCRShort(i); s.EN == "" || s.KO == "" {
			t.Errorf("PCR%d short label %+v lacks a language", i, s)
		}
	}
	if !explain.PCR(24).Empty() || !explain.PCR(-1).Empty() {
		t.Error("PCR outside 0-23 must have no explanation")
	}
	for _, id := range explain.LinkIDs() {
		requireBoth(t, "chain link "+id, explain.Link(id))
	}
	for _, n := range explain.EventTypeNames() {
		requireBoth(t, "event type "+n, explain.EventType(n))
	}
	for _, n := range explain.TPMErrorNames() {
		m, h := explain.TPMError(n)
		requireBoth(t, "TPM error "+n+" meaning", m)
		requireBoth(t, "TPM error "+n+" hint", h)
	}
}

// The patterns by which the repository names check IDs: the check constructors, and
// constants named ID…/Check… holding a dotted ID.
var (
	idCall  = regexp.MustCompile(`check\.(?:Passf|Failf|Warnf|Skipf)\(\s*"([^"]+)"`)
	idConst = regexp.MustCompile(`(?m)^\s*(?:const\s+)?(?:ID|Check)\w*\s*=\s*"([a-z][a-z0-9-]*(?:\.[a-z0-9*-]+)+)"`)
	idField = regexp.MustCompile(`check\.Check\{[^}]*ID:\s*"([^"]+)"`)
)

// emittedCheckIDs scans every non-test Go file of the repository.
func emittedCheckIDs(t *testing.T) map[string][]string {
	root := repoRoot(t)
	ids := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		for _, re := range []*regexp.Regexp{idCall, idConst, idField} {
			for _, m := range re.FindAllSubmatch(b, -1) {
				ids[string(m[1])] = append(ids[string(m[1])], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scanning %s: %v", root, err)
	}
	return ids
}

func TestEveryEmittedCheckIDHasAnEntry(t *testing.T) {
	ids := emittedCheckIDs(t)
	// The scan must see the core verifiers, or it scanned the wrong tree.
	for _, must := range []string{"hcl.binding", "snp.signature", "tpm.quote.pcr-digest", "eventlog.replay", "ak.certificate"} {
		if _, ok := ids[must]; !ok {
			t.Fatalf("scan found no %s; found %v", must, sortedKeys(ids))
		}
	}
	for id, files := range ids {
		if _, ok := explain.LookupCheck(id); !ok {
			t.Errorf("check ID %q (in %s) has no explanation in the catalog", id, strings.Join(files, ", "))
		}
	}
	// The IDs the brief names, including those whose emitters are still being written.
	for _, id := range []string{"jwt.signature", "jwt.issuer", "jwt.lifetime", "jwt.version", "jwt.tee", "jwt.nonce",
		"jwt.user-data", "jwt.matches-evidence", "tdx.mrtd-endorsed", "policy.expect", "policy.baseline", "preflight.platform",
		"preflight.tpm", "preflight.imds", "preflight.endpoint", "preflight.proxy", "preflight.secureboot",
		"preflight.eventlog", "preflight.clock", "certs.parse", "ak.parse", "tdx.parse", "snp.parse", "snp.chain"} {
		if _, ok := explain.LookupCheck(id); !ok {
			t.Errorf("check ID %q has no explanation", id)
		}
	}
	if m, _ := explain.Check("no.such.check"); !m.Empty() {
		t.Errorf("unknown check ID explained as %+v", m)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
