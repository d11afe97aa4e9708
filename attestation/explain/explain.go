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
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
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
// A hint that says "run with sudo" has a variant for root, who is never told that.
func Check(id string) (meaning, hint present.Text) {
	en, _ := LookupCheck(id)
	if h, ok := rootHints()[id]; ok && fault.AsRoot() {
		en.Hint = h
	}
	return en.Meaning, en.Hint
}

// HintFor is what to do about one check as it came out. A check that passed needs nothing,
// and one skipped says in its summary what it lacked, so neither gets a hint. A check that
// refused cvmscope's simulated roots or key (its summary names --trust-simulated) gets that
// fix, never the catalog's advice to fetch or supply certificates: no service vouches for
// simulated keys. Anything else gets the catalog's hint for its ID.
func HintFor(c check.Check) present.Text {
	if c.Verdict != check.Fail && c.Verdict != check.Warn {
		return present.Text{}
	}
	if strings.Contains(c.Summary, "--trust-simulated") {
		return trustSimulatedHint
	}
	_, h := Check(c.ID)
	return h
}

var trustSimulatedHint = t(
	"This evidence comes from cvmscope's simulated CVM, whose test roots and MAA key are trusted only when you ask: run again with --trust-simulated (it then shows the flow works, never that real hardware was involved). Fetching (--network) cannot help: no real service vouches for simulated keys.",
	"이 증거는 cvmscope의 시뮬레이션 CVM에서 나왔고, 그 테스트 루트와 MAA 키는 요청할 때만 신뢰합니다. --trust-simulated를 붙여 다시 실행합니다(흐름이 동작함을 보여 줄 뿐 실제 하드웨어임을 증명하지 않습니다). --network로 받아 와도 소용없습니다. 시뮬레이션 키를 보증하는 실제 서비스는 없습니다.")

// rootHints replace, when cvmscope runs as root, the catalog hints that say "run with
// sudo": for root a refusal comes from a security module, a container or a missing file.
// Built when first used, not at every start: most runs never look it up.
var rootHints = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"preflight.tpm": t(
			"cvmscope already runs as root, so a security module (SELinux, AppArmor) or a container without the device denies access: check ls -l /dev/tpmrm0 and the audit log. On a machine without a vTPM use the simulated CVM (--platform sim).",
			"cvmscope가 이미 root로 실행 중이므로 보안 모듈(SELinux, AppArmor)이나 장치가 없는 컨테이너가 접근을 막고 있습니다. ls -l /dev/tpmrm0과 감사 로그를 확인합니다. vTPM이 없는 머신에서는 시뮬레이션 CVM(`--platform sim`)을 씁니다."),
		"preflight.eventlog": t(
			"cvmscope already runs as root: the log is missing because securityfs is not mounted (mount -t securityfs securityfs /sys/kernel/security) or the firmware published none; a saved log can be given with --event-log FILE.",
			"cvmscope가 이미 root로 실행 중입니다. securityfs가 마운트되지 않았거나(mount -t securityfs securityfs /sys/kernel/security) 펌웨어가 로그를 남기지 않아 로그가 없습니다. 저장해 둔 로그는 --event-log FILE로 줍니다."),
	}
})

// rootTPMErrors are the TPM error hints that differ for root, as rootHints.
// Built when first used, not at every start: most runs never look it up.
var rootTPMErrors = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"PERMISSION_DENIED": t(
			"cvmscope already runs as root, so a security module (SELinux, AppArmor) or a container without the device denies access; check ls -l on the device and the audit log.",
			"cvmscope가 이미 root로 실행 중이므로 보안 모듈(SELinux, AppArmor)이나 장치가 없는 컨테이너가 접근을 막고 있습니다. 장치를 ls -l로, 그리고 감사 로그를 확인합니다."),
	}
})

// LookupCheck returns the entry for a check ID and whether the catalog has one.
func LookupCheck(id string) (Entry, bool) {
	if target, ok := checkAliases()[id]; ok {
		id = target
	}
	en, ok := checks()[id]
	return en, ok
}

// CheckIDs lists every catalogued check ID (aliases included), sorted.
func CheckIDs() []string { return keys(checks(), checkAliases()) }

// TPMError explains a TPM error by the name hw/tpm gives it ("TPM_RC_HANDLE",
// "NO_TPM_DEVICE"). Both texts are empty for a name the catalog does not know; hw/tpm's own
// English meaning is then the best there is.
func TPMError(name string) (meaning, hint present.Text) {
	en := tpmErrors()[name]
	if h, ok := rootTPMErrors()[name]; ok && fault.AsRoot() {
		en.Hint = h
	}
	return en.Meaning, en.Hint
}

// TPMErrorNames lists the catalogued TPM error names, sorted.
func TPMErrorNames() []string { return keys(tpmErrors(), nil) }

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
