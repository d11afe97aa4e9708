package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// deadURL is a loopback address nothing listens on: a KDS that refuses.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// TestInspectNetworkKDSUnreachable: with --network and AMD KDS unreachable, a report whose
// VCEK was to be fetched exits 3 (network), naming the fetch and what to do, and
// evidence.unverified does not turn it into an integrity failure; it never exits 0. When the
// evidence fails on its own too (a tampered TPM quote), that failure wins: exit 2.
func TestInspectNetworkKDSUnreachable(t *testing.T) {
	real := realdata.Dir(t)
	root := t.TempDir()
	mk := func(name string, files map[string]func([]byte) []byte) string {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, change := range files {
			b, err := os.ReadFile(filepath.Join(real, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), change(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	same := func(b []byte) []byte { return b }
	flip := func(b []byte) []byte { b = bytes.Clone(b); b[len(b)-1] ^= 1; return b }
	alone := mk("hcl-only", map[string]func([]byte) []byte{"azsnp-hcl-trustee-911b0ef8.bin": same})
	tampered := mk("tampered-quote", map[string]func([]byte) []byte{"azsnp-hcl-trustee-911b0ef8.bin": same,
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin": same, "azsnp-tpmquote-trustee-911b0ef8.sig.bin": flip, "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin": same})

	cfg := config{verify: verify.Options{AllowNetwork: true, KDSBaseURL: deadURL(t)}}
	for _, tc := range []struct {
		sets []string
		want []int
		code int
	}{
		{[]string{alone}, []int{3}, 3},
		{[]string{alone, tampered}, []int{3, 2}, 2},
	} {
		var out, errOut bytes.Buffer
		code := inspectEach(context.Background(), tc.sets, cfg, options{output: "json", network: true}, "en", &out, &errOut)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if code != tc.code || len(lines) != len(tc.sets) {
			t.Fatalf("%v: exit %d, want %d:\n%s\n%s", tc.sets, code, tc.code, out.String(), errOut.String())
		}
		for i, line := range lines {
			var r fleetResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if r.Exit != tc.want[i] || r.OK {
				t.Errorf("%s: exit %d ok %v, want exit %d", r.Set, r.Exit, r.OK, tc.want[i])
			}
			if r.Checks.Verdict("snp.signature") != check.Skip {
				t.Errorf("%s: snp.signature %s, want skip (no VCEK)", r.Set, r.Checks.Verdict("snp.signature"))
			}
			if r.Exit == 3 && (r.Checks.Verdict("evidence.unverified") == check.Fail || !strings.Contains(r.Error, "AMD KDS") || !strings.Contains(r.Hint, "kdsintf.amd.com")) {
				t.Errorf("%s: exit 3 must come from the KDS fetch alone, named with what to do: error %q, hint %q, checks %s", r.Set, r.Error, r.Hint, verdicts(r.Checks))
			}
		}
	}
}
