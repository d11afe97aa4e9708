package workshop

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// Scenario is a fault the simulated CVM and the emulators can stage for a workshop or a
// test: what a presenter wants to show going wrong, made to go wrong for real (the
// emulators really refuse, really throttle, really sign with the wrong key), so the
// checks that catch it are the ones that run on Azure.
type Scenario struct {
	Name string
	// Summary is one line for `--scenario list`.
	Summary present.Text
	// Expect is how the run ends: the check or error that catches the fault.
	Expect string

	// What the scenario changes.
	SecureBootOff bool // the simulated VM boots with Secure Boot off
	Debug         bool // the hardware report says the guest is debuggable
	StaleReport   bool // the paravisor ignores new user data
	MAADown       bool // nothing listens where MAA should be
	IMDSDown      bool // nothing listens where IMDS should be
	MAA           MAAFaults
	// SamplePolicy makes the MAA emulator enforce cvmscope's sample policy for the
	// attestation type the run calls (`cvmscope policy sample TYPE`) instead of its
	// built-in one, so a denial names the sample's rule and line; --policy still wins.
	SamplePolicy bool
	// NeedsTEE: the fault lives in the hardware report or in what IMDS supplies for it, so
	// a Trusted Launch VM (no report, nothing asked of IMDS) cannot show it.
	NeedsTEE bool
}

// Supports says whether the scenario can be staged on a simulated CVM of type simTEE
// ("sevsnp", "tdx", "trustedlaunch").
func (s Scenario) Supports(simTEE string) error {
	if s.NeedsTEE && simTEE == "trustedlaunch" {
		return fault.Korean(fault.Errorf(fault.Internal, "--scenario %s stages its fault in the hardware report or what IMDS supplies for it; a Trusted Launch VM has neither: use --sim-tee sevsnp or tdx", s.Name),
			fmt.Sprintf("--scenario %s는 하드웨어 보고서나 IMDS가 그 보고서에 주는 것에서 장애를 연출하는데, Trusted Launch VM에는 둘 다 없습니다. --sim-tee sevsnp 또는 tdx를 씁니다", s.Name), "")
	}
	return nil
}

// MAAFaults are the emulator's fault knobs a scenario sets.
type MAAFaults struct {
	Delay       time.Duration
	Throttle    int // answer 429 with Retry-After to the first N calls
	Fail5xx     int // answer 500 to the first N calls; negative: always
	UnknownKey  bool
	Expired     bool
	WrongIssuer bool
	ClockSkew   time.Duration
}

// StaleNonce is the nonce the stale-report scenario uses when the user gave none: the fault
// is only visible when user data is written.
const StaleNonce = "cvmscope-stale-report-demo"

// Scenarios are the staged faults, by name.
// It is built on first use, not at init: only a run with --scenario (or its list) reads it.
var Scenarios = sync.OnceValue(func() map[string]Scenario {
	return map[string]Scenario{
		"secureboot-off": {
			Summary:       present.T("the VM boots with Secure Boot off; MAA's default policy refuses it (400, claim secureboot)", "VM이 보안 부팅(Secure Boot)이 꺼진 채 부팅합니다. MAA 기본 정책이 거부합니다 (400, secureboot 클레임)"),
			Expect:        "Call MAA fails with PolicyEvaluationError naming secureboot; exit 5",
			SecureBootOff: true,
		},
		"debug-enabled": {
			Summary:  present.T("the hardware report says the guest is debuggable; MAA refuses it", "하드웨어 보고서가 게스트를 디버그 가능으로 표시합니다. MAA가 거부합니다"),
			Expect:   "Call MAA fails with PolicyEvaluationError naming the debug claim; exit 5",
			Debug:    true,
			NeedsTEE: true,
		},
		"policy-debug": {
			Summary: present.T("MAA runs cvmscope's sample policy (policy sample TYPE) on a debuggable guest; a rule denies it",
				"MAA가 디버그 가능한 게스트에 cvmscope 샘플 정책(policy sample TYPE)을 적용합니다. 규칙 하나가 거부합니다"),
			Expect:       "Call MAA fails with PolicyEvaluationError naming the sample policy's rule (line) and the claim that decided it; exit 5",
			Debug:        true,
			SamplePolicy: true,
			NeedsTEE:     true,
		},
		"stale-report": {
			Summary:     present.T("the paravisor does not renew the report after user data is written: the nonce is not bound", "사용자 데이터를 쓴 뒤에도 패러바이저가 보고서를 갱신하지 않습니다. 논스(nonce)가 바인딩되지 않습니다"),
			Expect:      "jwt.user-data fails: the token carries the old user data; exit 2",
			StaleReport: true,
			NeedsTEE:    true,
		},
		"maa-slow": {
			Summary: present.T("MAA answers after 3 seconds", "MAA가 3초 뒤에 응답합니다"),
			Expect:  "Call MAA warns about the latency; the token verifies; exit 0",
			MAA:     MAAFaults{Delay: 3 * time.Second},
		},
		"maa-429": {
			Summary: present.T("MAA throttles the first two calls with 429 and Retry-After: 1", "MAA가 처음 두 호출을 429와 Retry-After: 1로 제한합니다"),
			Expect:  "Call MAA retries after Retry-After and warns; the token verifies; exit 0",
			MAA:     MAAFaults{Throttle: 2},
		},
		"maa-500": {
			Summary: present.T("MAA answers 500 to every call", "MAA가 모든 호출에 500으로 응답합니다"),
			Expect:  "Call MAA fails after 3 attempts with a server error; exit 3",
			MAA:     MAAFaults{Fail5xx: -1},
		},
		"maa-down": {
			Summary: present.T("nothing listens at the MAA endpoint", "MAA 엔드포인트에서 아무것도 응답하지 않습니다"),
			Expect:  "Call MAA fails: connection refused, read out in words; exit 3",
			MAADown: true,
		},
		"imds-down": {
			Summary:  present.T("IMDS does not answer, as on a machine that is not an Azure VM", "Azure VM이 아닌 머신에서처럼 IMDS가 응답하지 않습니다"),
			Expect:   "Build request fails: this does not look like an Azure VM; exit 3",
			IMDSDown: true,
			NeedsTEE: true,
		},
		"unknown-key": {
			Summary: present.T("MAA signs the token with a key it does not publish", "MAA가 공개하지 않은 키로 토큰에 서명합니다"),
			Expect:  "jwt.signature fails: key not published by the provider; exit 2",
			MAA:     MAAFaults{UnknownKey: true},
		},
		"expired-token": {
			Summary: present.T("MAA issues a token that has already expired", "MAA가 이미 만료된 토큰을 발급합니다"),
			Expect:  "jwt.lifetime fails: expired; exit 2",
			MAA:     MAAFaults{Expired: true},
		},
		"wrong-issuer": {
			Summary: present.T("the token names another provider as its issuer", "토큰의 발급자(iss)가 다른 공급자를 가리킵니다"),
			Expect:  "jwt.issuer fails; exit 2",
			MAA:     MAAFaults{WrongIssuer: true},
		},
		"clock-skew": {
			Summary: present.T("MAA's clock runs 10 minutes ahead: the token is not valid yet", "MAA 시계가 10분 빠릅니다. 토큰이 아직 유효하지 않습니다"),
			Expect:  "jwt.lifetime fails: not valid yet (beyond the 60 s leeway); exit 2",
			MAA:     MAAFaults{ClockSkew: 10 * time.Minute},
		},
	}
})

// ScenarioNames lists the scenarios in alphabetical order.
func ScenarioNames() []string {
	var names []string
	for n := range Scenarios() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupScenario finds a scenario; "" and "none" mean no fault.
func LookupScenario(name string) (Scenario, error) {
	if name == "" || name == "none" {
		return Scenario{}, nil
	}
	s, ok := Scenarios()[name]
	if !ok {
		return Scenario{}, fault.Korean(fmt.Errorf("--scenario %q: unknown; use one of %s (or `--scenario list`)", name, strings.Join(ScenarioNames(), ", ")),
			fmt.Sprintf("--scenario %q: 알 수 없는 시나리오입니다. %s 중 하나를 씁니다 (`--scenario list`로 목록을 봅니다)", name, strings.Join(ScenarioNames(), ", ")), "")
	}
	s.Name = name
	return s, nil
}

// ScenarioList is the `--scenario list` text, one line per scenario.
func ScenarioList(lang present.Lang) string {
	var b strings.Builder
	for _, n := range ScenarioNames() {
		s := Scenarios()[n]
		fmt.Fprintf(&b, "%-15s %s\n", n, s.Summary.In(lang))
	}
	return b.String()
}
