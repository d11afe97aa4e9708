package explain

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

func playUID(t *testing.T, uid int) {
	t.Helper()
	old := fault.Euid
	fault.Euid = func() int { return uid }
	t.Cleanup(func() { fault.Euid = old })
}

func TestHintForOnlyChecksThatDidNotPass(t *testing.T) {
	for _, v := range []check.Verdict{check.Pass, check.Skip} {
		if h := HintFor(check.Check{ID: "snp.chain", Verdict: v, Summary: "x"}); !h.Empty() {
			t.Errorf("%s snp.chain got a hint: %q", v, h.EN)
		}
	}
	for _, v := range []check.Verdict{check.Fail, check.Warn} {
		_, want := Check("snp.chain")
		if h := HintFor(check.Check{ID: "snp.chain", Verdict: v, Summary: "x"}); h != want || h.Empty() {
			t.Errorf("%s snp.chain: hint %q, want the catalog's %q", v, h.EN, want.EN)
		}
	}
}

// A chain refused because it ends at the simulated roots is fixed by --trust-simulated,
// never by fetching or supplying certificates.
func TestHintForSimulatedRootsNamesTrustSimulated(t *testing.T) {
	for _, c := range []check.Check{
		check.Failf("snp.chain", "the VCEK comes from cvmscope's simulated CVM, whose test roots are not trusted here: pass --trust-simulated to trust them"),
		check.Failf("tdx.quote.signature", "the PCK chain ends at cvmscope's simulated Intel root, which is not trusted here: pass --trust-simulated to trust it"),
	} {
		h := HintFor(c)
		for _, s := range []string{h.EN, h.KO} {
			if !strings.Contains(s, "--trust-simulated") {
				t.Errorf("%s: hint %q lacks --trust-simulated", c.ID, s)
			}
			if strings.Contains(s, "THIM") || strings.Contains(s, "Supply") || strings.Contains(s, "use --network") {
				t.Errorf("%s: hint %q names a fix that cannot apply", c.ID, s)
			}
		}
	}
}

func TestRootIsNeverToldToRunAsRoot(t *testing.T) {
	ids := []string{"preflight.tpm", "preflight.eventlog"}
	playUID(t, 1000)
	for _, id := range ids {
		if _, h := Check(id); !strings.Contains(h.EN, "sudo") || !strings.Contains(h.KO, "sudo") {
			t.Errorf("as a user, %s hint %q does not say sudo", id, h.EN)
		}
	}
	if _, h := TPMError("PERMISSION_DENIED"); !strings.Contains(h.EN, "sudo") {
		t.Errorf("as a user, PERMISSION_DENIED hint %q", h.EN)
	}
	playUID(t, 0)
	for _, id := range ids {
		_, h := Check(id)
		for _, s := range []string{h.EN, h.KO} {
			if strings.Contains(s, "sudo") || s == "" {
				t.Errorf("as root, %s hint %q", id, s)
			}
		}
	}
	if _, h := TPMError("PERMISSION_DENIED"); strings.Contains(h.EN, "sudo") || strings.Contains(h.KO, "sudo") {
		t.Errorf("as root, PERMISSION_DENIED hint %q", h.EN)
	}
}

// Hints name flags cvmscope has: --tpm sim alone is an empty TPM (the simulated CVM is
// --platform sim), and the provider is chosen with -a.
func TestHintsNameFlagsThatWork(t *testing.T) {
	for _, id := range CheckIDs() {
		_, h := Check(id)
		for _, s := range []string{h.EN, h.KO} {
			if strings.Contains(s, "--endpoint") || (strings.Contains(s, "--tpm sim") && !strings.Contains(s, "--platform sim")) {
				t.Errorf("%s: hint %q names a flag that does not do that", id, s)
			}
		}
	}
	for _, name := range TPMErrorNames() {
		_, h := TPMError(name)
		if strings.Contains(h.EN, "--tpm sim") && !strings.Contains(h.EN, "--platform sim") {
			t.Errorf("%s: hint %q", name, h.EN)
		}
	}
}
