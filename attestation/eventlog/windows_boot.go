package eventlog

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-attestation/attest"
	"github.com/google/go-eventlog/tcg"
)

// CheckWindows is the ID of the check that reads what Windows measured about its own boot.
const CheckWindows = "eventlog.windows"

// Windows is what Windows' boot manager and loader recorded in PCRs 12 and 13, as
// go-attestation's ParseWinEvents reads it (the maintained parser of these records).
// Nothing here is signed: it means something once PCRs 12 and 13 replay to quoted values.
type Windows struct {
	ColdBoot                                    bool
	BootCount                                   uint64
	BootDebugging, KernelDebugging, TestSigning bool
	// CodeIntegrity and DEP are "on", "off" (off at least once) or "" (never recorded).
	CodeIntegrity, DEP string
	// Modules are the files Windows loaded during boot, by path (or Authenticode hash when
	// no path was recorded), sorted; ELAM are the anti-malware drivers' keys.
	Modules, ELAM    []string
	BitLockerUnlocks int
}

// IsWindows says whether the log carries Windows boot events: a SIPA container tag or the
// "WBCL" separator Windows writes into PCRs 12-14.
func IsWindows(l *Log) bool {
	for e := range l.Events() {
		switch {
		case e.Type == uint32(tcg.Separator) && e.PCR >= 12 && e.PCR <= 14 && bytes.Equal(e.Data, []byte("WBCL")):
			return true
		case e.Type == uint32(tcg.EventTag) && len(e.Data) >= 8:
			if ev, err := tcg.ParseTaggedEventData(e.Data); err == nil && isSIPAContainer(ev.ID) {
				return true
			}
		}
	}
	return false
}

// ParseWindows reads the Windows boot events of a raw log with go-attestation.
func ParseWindows(raw []byte) (*Windows, error) {
	el, err := attest.ParseEventLog(raw)
	if err != nil {
		return nil, err
	}
	we, err := attest.ParseWinEvents(el.Events(attest.HashSHA256))
	if err != nil {
		return nil, err
	}
	w := &Windows{ColdBoot: we.ColdBoot, BootCount: we.BootCount, BootDebugging: we.BootDebuggingEnabled,
		KernelDebugging: we.KernelDebugEnabled, TestSigning: we.TestSigningEnabled,
		CodeIntegrity: ternary(we.CodeIntegrityEnabled), DEP: ternary(we.DEPEnabled), BitLockerUnlocks: len(we.BitlockerUnlocks)}
	for hash, m := range we.LoadedModules {
		name := m.FilePath
		if name == "" {
			name = "Authenticode " + hash
		}
		w.Modules = append(w.Modules, name)
	}
	for k := range we.ELAM {
		w.ELAM = append(w.ELAM, k)
	}
	sort.Strings(w.Modules)
	sort.Strings(w.ELAM)
	return w, nil
}

func ternary(t attest.Ternary) string {
	switch t {
	case attest.TernaryTrue:
		return "on"
	case attest.TernaryFalse:
		return "off"
	}
	return ""
}

func onOff(b bool) text {
	if b {
		return text{"on", "켜짐"}
	}
	return text{"off", "꺼짐"}
}

func triText(s string) text {
	switch s {
	case "on":
		return text{"on", "켜짐"}
	case "off":
		return text{"off", "꺼짐"}
	}
	return text{"not recorded", "기록 없음"}
}

// WindowsCheck reports the Windows boot configuration a log records, or false when the log
// has no Windows events. replay is the eventlog.replay checks of the same log: the
// configuration is vouched for only when PCRs 12 and 13 replayed to the quoted values.
// Debugging or test signing on, or code integrity or DEP off, is a warning: MAA turns the
// same records into x-ms-azurevm-*debug*/testsigning claims a policy may refuse.
func WindowsCheck(l *Log, raw []byte, replay check.List) (check.Check, bool) {
	if !IsWindows(l) {
		return check.Check{}, false
	}
	w, err := ParseWindows(raw)
	if err != nil {
		return check.Warnf(CheckWindows, "the log has Windows boot events, but go-attestation cannot read them: %v", err).
			KO("로그에 Windows 부팅 이벤트가 있지만 go-attestation이 읽지 못했습니다: %v", err).
			WithDetail("the events are still listed one by one in the event table", "이벤트는 이벤트 표에 하나씩 그대로 나옵니다"), true
	}
	boot := text{"resume from hibernation", "최대 절전 모드에서 재개"}
	if w.ColdBoot {
		boot = text{"cold boot", "콜드 부팅"}
	}
	sum := both("Windows boot #%d (%s): boot debugging %s, kernel debugging %s, test signing %s, code integrity %s, DEP %s; %d module%s, %d ELAM driver%s",
		"Windows 부팅 #%[1]d(%[2]s): 부팅 디버깅 %[3]s, 커널 디버깅 %[4]s, 테스트 서명 %[5]s, 코드 무결성 %[6]s, DEP %[7]s. 모듈 %[8]d개, ELAM 드라이버 %[10]d개",
		w.BootCount, boot, onOff(w.BootDebugging), onOff(w.KernelDebugging), onOff(w.TestSigning), triText(w.CodeIntegrity), triText(w.DEP),
		len(w.Modules), plural(len(w.Modules)), len(w.ELAM), plural(len(w.ELAM)))
	var weak []text
	if w.BootDebugging {
		weak = append(weak, text{"boot debugging is on", "부팅 디버깅이 켜져 있습니다"})
	}
	if w.KernelDebugging {
		weak = append(weak, text{"kernel debugging is on", "커널 디버깅이 켜져 있습니다"})
	}
	if w.TestSigning {
		weak = append(weak, text{"test signing is on", "테스트 서명이 켜져 있습니다"})
	}
	if w.CodeIntegrity == "off" {
		weak = append(weak, text{"code integrity was off", "코드 무결성이 꺼져 있었습니다"})
	}
	if w.DEP == "off" {
		weak = append(weak, text{"DEP was off", "DEP가 꺼져 있었습니다"})
	}
	var c check.Check
	if len(weak) > 0 {
		t := join(weak, "; ")
		c = check.Warnf(CheckWindows, "%s; %s", sum.en, t.en).KO("%s. %s", sum.ko, t.ko)
	} else {
		c = check.Passf(CheckWindows, "%s", sum.en).KO("%s", sum.ko)
	}
	if v := vouched(replay); v != "" {
		vko := strings.NewReplacer("(no quoted value)", "(쿼트된 값 없음)", "(replay differs)", "(재생 결과 다름)").Replace(v)
		c = c.WithDetail("not vouched for: "+v+"; until PCRs 12 and 13 replay to quoted values these records may not be what Windows measured",
			"보증되지 않음: "+vko+". PCR 12와 13이 쿼트된 값으로 재생되기 전에는 이 기록이 Windows가 측정한 것과 다를 수 있습니다")
	} else {
		c = c.WithDetail("vouched for: PCRs 12 and 13 replay to the quoted values", "보증됨: PCR 12와 13이 쿼트된 값으로 재생됩니다")
	}
	for _, m := range w.Modules {
		c = c.WithDetail("loaded "+m, "로드됨 "+m)
	}
	for _, e := range w.ELAM {
		c = c.WithDetail("ELAM "+e, "ELAM "+e)
	}
	return c, true
}

// vouched says which of PCRs 12 and 13 the replay did not confirm, "" when both passed.
func vouched(replay check.List) string {
	seen, passed := map[string]bool{}, map[string]bool{}
	for _, c := range replay {
		if c.ID == CheckReplay {
			seen[c.Subject] = true
			passed[c.Subject] = passed[c.Subject] || c.Verdict == check.Pass
		}
	}
	var missing []string
	for _, p := range []string{"PCR12", "PCR13"} {
		switch {
		case !seen[p]:
			missing = append(missing, p+" (no quoted value)")
		case !passed[p]:
			missing = append(missing, p+" (replay differs)")
		}
	}
	return strings.Join(missing, ", ")
}

// String is the summary in English, for logs and tests.
func (w *Windows) String() string {
	return fmt.Sprintf("boot %d cold=%v bootdebug=%v kerneldebug=%v testsigning=%v ci=%s dep=%s modules=%d elam=%d",
		w.BootCount, w.ColdBoot, w.BootDebugging, w.KernelDebugging, w.TestSigning, w.CodeIntegrity, w.DEP, len(w.Modules), len(w.ELAM))
}
