package ui

import (
	"fmt"
	"maps"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// chrome holds every string the UI itself prints, in English and Korean. Domain text
// (what a field or check means) comes from the pages, never from here.
// It is built on first use, not at init, with the tables the other files keep merged in:
// a process that never opens the TUI (inspect, --version) does not pay for it.
var chrome = sync.OnceValue(func() map[string]present.Text {
	m := map[string]present.Text{
		"state.waiting":    present.T("waiting", "대기"),
		"state.running":    present.T("running", "실행 중"),
		"state.cancelling": present.T("cancelling", "취소 중"),
		"state.cancelled":  present.T("cancelled", "취소됨"),
		"state.passed":     present.T("passed", "통과"),
		"state.warned":     present.T("warned", "경고"),
		"state.failed":     present.T("failed", "실패"),
		"state.skipped":    present.T("skipped", "건너뜀"),
		"state.notrun":     present.T("not run", "실행 안 함"),
		"state.stale":      present.T("stale", "이전 결과"),

		// Counts of checks, as the headless text ends; the Korean follows the pages' summaries.
		"text.counts": present.T("%d passed, %d failed, %d warnings, %d skipped", "통과 %d, 실패 %d, 경고 %d, 건너뜀 %d"),

		"verdict.pass": present.T("PASS", "통과"),
		"verdict.fail": present.T("FAIL", "실패"),
		"verdict.warn": present.T("WARN", "경고"),
		"verdict.skip": present.T("SKIP", "건너뜀"),

		"help.up":       present.T("up", "위"),
		"help.down":     present.T("down", "아래"),
		"help.prevstep": present.T("prev step", "이전 단계"),
		"help.nextstep": present.T("next step", "다음 단계"),
		"help.pgup":     present.T("page up", "이전 쪽"),
		"help.pgdown":   present.T("page down", "다음 쪽"),
		"help.top":      present.T("top", "처음"),
		"help.bottom":   present.T("bottom", "끝"),
		"help.nextsec":  present.T("next section", "다음 섹션"),
		"help.prevsec":  present.T("prev section", "이전 섹션"),
		"help.run":      present.T("run step", "단계 실행"),
		"help.runall":   present.T("run all", "모두 실행"),
		"help.rerun":    present.T("rerun", "다시 실행"),
		"help.cancel":   present.T("cancel", "취소"),
		"help.nonce":    present.T("nonce", "논스"),
		"help.search":   present.T("search", "검색"),
		"help.nextm":    present.T("next match", "다음 결과"),
		"help.prevm":    present.T("prev match", "이전 결과"),
		"help.filter":   present.T("PCR filter", "PCR 필터"),
		"help.pcr":      present.T("only PCR n", "PCR n만"),
		"help.expand":   present.T("expand blobs", "긴 값 펼치기"),
		"help.copy":     present.T("copy", "복사"),
		"help.save":     present.T("save", "저장"),
		"help.lang":     present.T("한국어", "English"),
		"help.help":     present.T("help", "도움말"),
		"help.close":    present.T("close", "닫기"),
		"help.quit":     present.T("quit", "종료"),
		"help.submit":   present.T("submit", "확인"),
		"help.json":     present.T("token as JSON", "토큰 JSON 보기"),
		"help.lesson":   present.T("guided lesson", "따라 하기 강의"),
		"help.welcome":  present.T("welcome", "처음 안내"),
		"help.next":     present.T("lesson: next", "강의: 다음"),
		"help.back":     present.T("lesson: back", "강의: 이전"),
		"help.more":     present.T("more below", "아래에 더 있음"),

		"title.help":   present.T("Keys", "키"),
		"pane.empty":   present.T("Not run yet. Press enter to run this step, or a to run all.", "아직 실행하지 않았습니다. enter로 이 단계를, a로 모든 단계를 실행합니다."),
		"pane.running": present.T("Running…", "실행 중…"),
		"run.elapsed":  present.T("%s elapsed", "%s 경과"),
		"run.try":      present.T("Calling MAA: attempt %d of %d, waiting for its answer · %s elapsed", "MAA 호출: %d/%d번째 시도, 응답을 기다리는 중 · %s 경과"),
		"run.wait":     present.T("Calling MAA: attempt %d of %d got %s; trying again after %s (%s left) · %s elapsed", "MAA 호출: %d/%d번째 시도의 응답은 %s입니다. %s 뒤 다시 시도합니다 (%s 남음) · %s 경과"),
		"sum.steps":    present.T("%d steps: %s", "단계 %d개: %s"),
		"sum.count":    present.T("%d %s", "%[2]s %[1]d"),
		"sum.attempts": present.T("%s: %d attempts", "%s: %d회 시도"),
		"pane.error":   present.T("The step stopped with an error", "단계가 오류로 멈췄습니다"),
		"pane.hint":    present.T("What to do", "조치 방법"),
		"pane.stale":   present.T("An earlier step ran again after this page was made: press enter to run this step again.", "이 화면을 만든 뒤 앞 단계가 다시 실행되었습니다. enter로 이 단계를 다시 실행합니다."),
		"pane.cancel":  present.T("Cancelled. Press enter or r to run it again.", "취소했습니다. enter나 r로 다시 실행합니다."),

		"events.filter":  present.T("PCR filter: %s · %d of %d events · 0-9 pick, f cycle", "PCR 필터: %s · 이벤트 %d/%d개 · 0-9 선택, f 순환"),
		"events.all":     present.T("all", "전체"),
		"code.collapsed": present.T("long values summarised · e expands", "긴 값은 요약함 · e로 펼치기"),
		"code.expanded":  present.T("showing every byte · e collapses", "모든 바이트 표시 · e로 접기"),
		"value.more":     present.T("… %d characters in all; y copies the whole value", "… 모두 %d자. y로 전체 값을 복사합니다"),
		"code.bytes":     present.T("(%d bytes)", "(%d바이트)"),

		"status.ready":     present.T("Ready. enter runs the selected step, a runs all, ? shows every key.", "준비됨. enter: 선택한 단계 실행, a: 모두 실행, ?: 모든 키"),
		"status.busy":      present.T("A step is running; esc cancels it.", "단계가 실행 중입니다. esc로 취소합니다."),
		"status.cancel":    present.T("Cancelling %s…", "%s 취소 중…"),
		"status.cancelled": present.T("%s cancelled.", "%s 취소됨."),
		"status.done":      present.T("%s %s in %s.", "%s: %s (%s)."),
		"status.error":     present.T("%s failed: %s", "%s 실패: %s"),
		"status.copied":    present.T("Copied %d bytes to the clipboard (OSC 52).", "클립보드에 %d바이트 복사함 (OSC 52)."),
		"status.copied1":   present.T("Copied 1 byte to the clipboard (OSC 52).", "클립보드에 1바이트 복사함 (OSC 52)."),
		"status.nocopy":    present.T("Nothing to copy here: select a row first.", "복사할 것이 없습니다. 먼저 행을 선택합니다."),
		"status.copyerr":   present.T("Copy failed: %s", "복사 실패: %s"),
		"status.saved":     present.T("Evidence saved to %s", "증거를 %s에 저장함"),
		"status.saveerr":   present.T("Save failed: %s", "저장 실패: %s"),
		"status.nosave":    present.T("Saving is not available in this mode.", "이 모드에서는 저장할 수 없습니다."),
		"status.saving":    present.T("Saving evidence…", "증거 저장 중…"),
		"status.lang":      present.T("English.", "한국어로 표시합니다."),
		"status.nonce":     present.T("Nonce set; reading a fresh report.", "논스를 설정함. 새 보고서를 읽습니다."),
		"status.nomatch":   present.T("No match for %q.", "%q와 일치하는 항목이 없습니다."),
		"status.match":     present.T("Match %d of %d for %q.", "%[3]q: %[1]d/%[2]d번째 결과."),
		"status.filter":    present.T("Showing events of PCR %s.", "PCR %s 이벤트를 표시합니다."),
		"status.nostep":    present.T("This runner does not offer %s.", "이 실행기에는 %s 단계가 없습니다."),

		"prompt.nonce":  present.T("nonce: ", "논스: "),
		"prompt.search": present.T("/", "/"),
		"nonce.ph":      present.T("text to bind into the report (user data)", "보고서에 묶을 값 (사용자 데이터)"),
		"search.ph":     present.T("search this pane", "이 화면에서 검색"),
	}
	// The welcome and the lesson keep their long text in their own files; it is chrome all
	// the same. The order is the one the init functions that merged these ran in.
	maps.Copy(m, welcomeChrome())
	maps.Copy(m, jwtChrome())
	maps.Copy(m, lessonChrome())
	maps.Copy(m, demoChrome())
	addRoomChrome(m)
	addRoomMarksChrome(m)
	addRoomLinkChrome(m)
	addServedChrome(m)
	return m
})

// catalog looks chrome strings up in one language.
type catalog struct{ lang present.Lang }

func (c catalog) t(id string) string {
	if s, ok := chrome()[id]; ok {
		return s.In(c.lang)
	}
	return id
}

func (c catalog) f(id string, a ...any) string { return fmt.Sprintf(c.t(id), a...) }

func (c catalog) verdict(v check.Verdict) string { return c.t("verdict." + string(v)) }

// verdictWidth is the widest verdict label, so badges line up in columns.
func (c catalog) verdictWidth() int {
	w := 0
	for _, v := range []check.Verdict{check.Pass, check.Fail, check.Warn, check.Skip} {
		w = max(w, cells(c.verdict(v)))
	}
	return w
}
