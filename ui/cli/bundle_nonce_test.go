package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// A bundle keeps the nonce the run used, and inspect checks the token against it: the
// saved run's jwt.nonce passes again, and a bundle whose nonce was changed fails it.
func TestInspectReverifiesTheRunsNonce(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b.json")
	live := runCLI(t, "--platform", "sim", "-n", "workshop-nonce-1", "-o", "json", "--save", bundle)
	if live.code != 0 || live.verdict("jwt.nonce") != check.Pass {
		t.Fatalf("live run: exit %d, jwt.nonce %s\n%s", live.code, live.verdict("jwt.nonce"), live.stderr)
	}
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"nonce": "workshop-nonce-1"`) {
		t.Fatalf("the bundle does not keep the nonce")
	}
	back := runCLI(t, "inspect", "--trust-simulated", "-o", "json", bundle)
	if back.code != 0 || back.verdict("jwt.nonce") != check.Pass {
		t.Errorf("inspect: exit %d, jwt.nonce %s (%s)", back.code, back.verdict("jwt.nonce"), first(back.report.Checks.Find("jwt.nonce")).Summary)
	}
	forged := filepath.Join(t.TempDir(), "forged.json")
	if err := os.WriteFile(forged, []byte(strings.Replace(string(raw), `"nonce": "workshop-nonce-1"`, `"nonce": "another-nonce"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := runCLI(t, "inspect", "--trust-simulated", "-o", "json", forged)
	if bad.code != 2 || bad.verdict("jwt.nonce") != check.Fail {
		t.Errorf("a changed nonce: exit %d, jwt.nonce %s", bad.code, bad.verdict("jwt.nonce"))
	}
}

// The runner says whether a nonce can be set, so the UI offers n only where it works.
func TestRunnersSayWhetherTheyTakeANonce(t *testing.T) {
	var f workshop.Runner = workshop.NewFiles(&evidence.Set{}, verify.Options{}, pages.Pager{})
	if f.CanSetNonce() {
		t.Error("the files runner claims to take a nonce; it cannot re-read files")
	}
	var l workshop.Runner = workshop.NewLive(workshop.LiveOptions{})
	if !l.CanSetNonce() {
		t.Error("the live runner does not take a nonce")
	}
}
