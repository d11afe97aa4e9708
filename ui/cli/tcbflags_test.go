package cli

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// --collateral and --tcb-baseline are misuse (exit 1, the flag named) when wrong, on every
// command that verifies evidence.
func TestTCBFlagsMisuse(t *testing.T) {
	for _, cmd := range [][]string{{"--platform", "sim", "-o", "json"}, {"inspect", "x.bin"}, {"verify", "x.jwt"}} {
		for _, c := range []struct{ flag, value, want string }{
			{"--collateral", "intel", `--collateral "intel": use pcs (Intel's PCS) or azure`},
			{"--tcb-baseline", "June", `--tcb-baseline "June": want a date`},
		} {
			r := runCLI(t, append(cmd, c.flag, c.value)...)
			if r.code != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("%v %s %s: exit %d, stderr %q; want 1 and %q", cmd, c.flag, c.value, r.code, r.stderr, c.want)
			}
		}
	}
	if r := runCLI(t, "inspect", "x.bin", "--tcb-baseline", "June", "--lang", "ko"); r.code != 1 || !strings.Contains(r.stderr, "형식의 날짜를 씁니다") {
		t.Errorf("Korean misuse: exit %d, stderr %q", r.code, r.stderr)
	}
}

// inspect --tcb-baseline on the real Azure TD quote and Intel's saved collateral: Intel says
// OutOfDate for the 2023-08-09 level; a baseline before it accepts the TCB and tdx.tcb says
// so, a baseline after it keeps OutOfDate.
func TestInspectTCBBaselineRealQuote(t *testing.T) {
	dir := realdata.Dir(t)
	args := []string{"inspect", "-o", "json", "--now", "2025-03-01T00:00:00Z"}
	args = append(args, files(dir, "aztdx-tdquote-trustee-6332533d.bin", "intel-tdx-tcbinfo-00806f050000.json", "intel-tdx-qeidentity.json",
		"intel-tcb-signing-chain.pem", "intel-pck-platform-crl.der")...)
	summary := func(r result) string {
		if c := r.report.Checks.Find("tdx.tcb"); len(c) == 1 {
			return c[0].Summary
		}
		return ""
	}
	r := runCLI(t, append(args, "--tcb-baseline", "2023-01-01")...)
	if r.verdict("tdx.tcb") != check.Pass || !strings.Contains(summary(r), "TCB UpToDate") ||
		!strings.Contains(summary(r), "TCB baseline 2023-01-01 applied (Intel's status OutOfDate, TCB dated 2023-08-09)") {
		t.Errorf("baseline before the level: %s %q\n%s", r.verdict("tdx.tcb"), summary(r), r.stderr)
	}
	r = runCLI(t, append(args, "--tcb-baseline", "2024-01-01")...)
	if r.verdict("tdx.tcb") != check.Warn || !strings.Contains(summary(r), "TCB OutOfDate") || !strings.Contains(summary(r), "baseline 2024-01-01 applied") {
		t.Errorf("baseline after the level: %s %q", r.verdict("tdx.tcb"), summary(r))
	}
}
