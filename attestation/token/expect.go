package token

import (
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// IDExpect is the check id of each claim expectation. A failed one is a policy denial
// (fault.Policy, exit 5), not a verification failure.
const IDExpect = "policy.expect"

// Expect requires the claim at a dotted path to have a value.
type Expect struct {
	// Claim is a dotted path, e.g. "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable".
	Claim string
	// Want is compared with the claim rendered by FormatValue.
	Want string
}

func (e Expect) String() string { return e.Claim + "=" + e.Want }

// ParseExpect parses "CLAIM=VALUE" as given on the command line.
func ParseExpect(s string) (Expect, error) {
	claim, want, ok := strings.Cut(s, "=")
	claim = strings.TrimSpace(claim)
	if !ok || claim == "" {
		return Expect{}, fmt.Errorf("expectation %q: write it as CLAIM=VALUE, e.g. x-ms-isolation-tee.x-ms-sevsnpvm-vmpl=0", s)
	}
	if strings.Contains(claim, "..") || strings.HasPrefix(claim, ".") || strings.HasSuffix(claim, ".") {
		return Expect{}, fmt.Errorf("expectation %q: claim path %q has an empty segment", s, claim)
	}
	return Expect{Claim: claim, Want: strings.TrimSpace(want)}, nil
}

// AzureCVMBaseline returns the expectations a healthy Azure VM token meets, limited to
// the ones that apply to the token's kind: Secure Boot and disabled debuggers for every
// AzureGuest token, plus compliance, debug off and VMPL 0 (SEV-SNP) or TD debug off (TDX)
// where a hardware TEE is claimed.
func AzureCVMBaseline(c Claims) []Expect {
	var out []Expect
	teePrefix, teeType := "", c.AttestationType()
	if teeType == "azurevm" {
		out = append(out,
			Expect{"secureboot", "true"},
			Expect{"x-ms-azurevm-debuggersdisabled", "true"})
		iso := c.IsolationTEE()
		if iso == nil {
			return out
		}
		teePrefix = "x-ms-isolation-tee."
		teeType, _ = iso["x-ms-attestation-type"].(string)
	}
	switch teeType {
	case "sevsnpvm":
		out = append(out,
			Expect{teePrefix + "x-ms-compliance-status", compliantCVM},
			Expect{teePrefix + "x-ms-sevsnpvm-is-debuggable", "false"},
			Expect{teePrefix + "x-ms-sevsnpvm-vmpl", "0"})
	case "tdxvm":
		out = append(out, Expect{teePrefix + "x-ms-compliance-status", compliantCVM})
		// Which debug claim MAA nests for TDX is not documented; prefer the one present,
		// and when neither is, still require the documented one so its absence shows.
		switch {
		case c.GetDotted(teePrefix+"tdx_td_attributes_debug") != nil:
			out = append(out, Expect{teePrefix + "tdx_td_attributes_debug", "false"})
		case c.GetDotted(teePrefix+"dbgstat") != nil:
			out = append(out, Expect{teePrefix + "dbgstat", "disabled"})
		default:
			out = append(out, Expect{teePrefix + "tdx_td_attributes_debug", "false"})
		}
	}
	return out
}

// CheckExpectations reports one policy.expect check per expectation, with the claim as
// subject. Strings compare exactly, except hex digests and booleans, which ignore case.
func CheckExpectations(c Claims, exps []Expect) check.List {
	out := make(check.List, 0, len(exps))
	for _, e := range exps {
		v := c.GetDotted(e.Claim)
		if v == nil {
			out = append(out, check.Failf(IDExpect, "%s is absent, want %s", e.Claim, e.Want).WithSubject(e.Claim))
			continue
		}
		got := FormatValue(v)
		if valueMatches(v, got, e.Want) {
			out = append(out, check.Passf(IDExpect, "%s = %s as required", e.Claim, got).WithSubject(e.Claim))
		} else {
			out = append(out, check.Failf(IDExpect, "%s = %s, want %s", e.Claim, got, e.Want).WithSubject(e.Claim))
		}
	}
	return out
}

// PolicyError returns a fault.Policy error (exit 5) naming the unmet expectations in l,
// or nil when none failed.
func PolicyError(l check.List) error {
	var unmet []string
	for _, c := range l.Find(IDExpect) {
		if c.Verdict == check.Fail {
			unmet = append(unmet, c.Summary)
		}
	}
	if len(unmet) == 0 {
		return nil
	}
	return fault.WithHint(fault.Policy, fmt.Errorf("%d claim expectation(s) not met: %s", len(unmet), strings.Join(unmet, "; ")),
		"the token verified but does not meet the required claims; see each policy.expect check")
}

func valueMatches(v any, got, want string) bool {
	if got == want {
		return true
	}
	switch v.(type) {
	case bool:
		return strings.EqualFold(got, want)
	case string:
		return isHex(got) && isHex(want) && strings.EqualFold(got, want)
	}
	return false
}

func isHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
