package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// The demo (--demo) is the presenter's mode run by a timer: like the guided lesson it shows
// one thing at a time, but it presses the keys itself, so it can run unattended on a booth
// screen. It plays scenes (a TEE and what goes wrong) one after another and starts again
// after the last, until someone presses a key; from then on the TUI is the ordinary one,
// on the scene that was showing.
//
// Update only moves state: every pause is a command (tea.Tick by default), and opening or
// closing a scene's runner happens in a command too. A scene replaces the previous one's
// runner, pages and panes, and nothing accumulates across scenes or cycles (a cycle count
// is all that grows), so hours on a booth screen use the memory of one scene.

// DemoScene is one scene: a caption and the runner that plays it.
type DemoScene struct {
	// Title says what the scene shows, e.g. "Intel TDX · a debuggable guest, refused".
	Title present.Text
	// Open makes the scene's runner. It runs in a command, so it may do I/O (a scene that
	// stages tampered evidence reads a report first). The demo closes each runner when the
	// next scene replaces it, the first one (the caller's) included: the embedded TPM
	// simulator is one per process, so a scene must let go of it before the next opens
	// it. The caller may close its runner again at the end.
	Open func(ctx context.Context) (workshop.Runner, error)
}

// Demo configures the demo.
type Demo struct {
	Scenes []DemoScene
	// Pause is how long each move stays on screen; zero means DefaultDemoPause. A scene's
	// last page stays twice as long.
	Pause time.Duration
	// After delivers msg after d: tea.Tick by default. Tests deliver at once, so hundreds
	// of cycles run without waiting.
	After func(d time.Duration, msg tea.Msg) tea.Cmd
	// Rows is how many interesting rows each page scrolls to; zero means 4.
	Rows int
}

// DefaultDemoPause is long enough to read a row's verdict from a few steps away.
const DefaultDemoPause = 2500 * time.Millisecond

func demoChrome() map[string]present.Text {
	return map[string]present.Text{
		"demo.caption": present.T("▶ Demo %d/%d · %s · press any key to take over",
			"▶ 데모 %d/%d · %s · 아무 키나 누르면 직접 조작합니다"),
		"demo.opening": present.T("Demo: opening %s", "데모: %s 여는 중"),
		"demo.openerr": present.T("Demo: %s could not start (%s); the next scene follows",
			"데모: %s을(를) 시작하지 못했습니다(%s). 다음 장면으로 넘어갑니다"),
		"demo.stopped": present.T("Demo stopped: the keys work as usual (? for help)",
			"데모를 멈췄습니다. 이제 키가 평소대로 동작합니다(? 도움말)"),
	}
}

// demoPhase is what the demo's next tick does.
type demoPhase int

const (
	demoRun  demoPhase = iota // start step `step`
	demoShow                  // select the next interesting row of step `step`
	demoNext                  // open the next scene
)

// demoState is the demo's position. It holds no history: the scene index, the step, the
// rows to show on its page and a cycle count.
type demoState struct {
	d      Demo
	on     bool
	gen    int // ticks of an earlier position (or of a stopped demo) carry another gen
	scene  int
	cycles int // completed passes over every scene
	phase  demoPhase
	step   int
	rows   []int // the page's interesting items, shown one per tick
	// opened: the runner on screen is one the demo made (not the caller's), so the demo
	// closes it when the program ends.
	opened bool
}

// demoTickMsg moves the demo on, unless a later move or a key made it stale.
type demoTickMsg struct{ gen int }

// demoStuckMsg comes long after run `run` started; if it is still running, the demo
// cancels it.
type demoStuckMsg struct{ run int }

// demoStuckPauses is how many pauses a step may take before the demo cancels it: a minute
// at the default pace, where a simulated step takes well under a second.
const demoStuckPauses = 24

// demoStuck cancels the step the demo started if it is still running.
func (m *model) demoStuck(msg demoStuckMsg) {
	if m.demoOn() && m.active >= 0 && m.gen == msg.run {
		m.cancelRun()
	}
}

// demoOpenedMsg is a scene's runner, made (and the previous one closed) in a command.
type demoOpenedMsg struct {
	gen, scene int
	runner     workshop.Runner
	err        error
}

func newDemo(d Demo) *demoState {
	if d.Pause <= 0 {
		d.Pause = DefaultDemoPause
	}
	if d.After == nil {
		d.After = func(dur time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(dur, func(time.Time) tea.Msg { return msg })
		}
	}
	if d.Rows <= 0 {
		d.Rows = 4
	}
	return &demoState{d: d, on: len(d.Scenes) > 0}
}

// demoOn reports whether the demo is driving the TUI.
func (m *model) demoOn() bool { return m.demo != nil && m.demo.on }

// demoWait schedules the next move after n pauses.
func (m *model) demoWait(n int) tea.Cmd {
	ds := m.demo
	ds.gen++
	return ds.d.After(time.Duration(n)*ds.d.Pause, demoTickMsg{gen: ds.gen})
}

// demoStart begins the first scene on the runner the model was built with.
func (m *model) demoStart() tea.Cmd {
	if !m.demoOn() {
		return nil
	}
	m.closeDoc()
	m.demo.phase, m.demo.step = demoRun, 0
	return m.demoWait(1)
}

// demoStop hands the TUI back: pending ticks go stale, a running step finishes normally.
func (m *model) demoStop() {
	m.demo.on = false
	m.demo.gen++
	m.setStatus(statusInfo, m.c.cat.t("demo.stopped"))
}

// demoTick makes one move.
func (m *model) demoTick(msg demoTickMsg) tea.Cmd {
	ds := m.demo
	if !m.demoOn() || msg.gen != ds.gen || m.active >= 0 {
		return nil
	}
	switch ds.phase {
	case demoRun:
		if ds.step >= len(m.steps) {
			ds.phase = demoNext
			return m.demoWait(1)
		}
		m.sel = ds.step
		run := m.startRun(ds.step, nil)
		// A step that hangs (a TPM that does not answer) must not freeze a booth screen:
		// after a long while the demo cancels it, and the scene ends on that.
		return tea.Batch(run, ds.d.After(demoStuckPauses*ds.d.Pause, demoStuckMsg{run: m.gen}))
	case demoShow:
		if len(ds.rows) > 0 {
			m.pane().Select(ds.rows[0])
			ds.rows = ds.rows[1:]
			return m.demoWait(1)
		}
		run := m.runs[ds.step]
		if run.state == failed || run.state == cancelled || ds.step == len(m.steps)-1 {
			// A refusal or a failed check ends the story of the scene; the page stays a
			// little longer so it can be read.
			ds.phase = demoNext
			return m.demoWait(2)
		}
		ds.step++
		ds.phase = demoRun
		return m.demoWait(0)
	case demoNext:
		return m.demoOpen((ds.scene + 1) % len(ds.d.Scenes))
	}
	return nil
}

// demoOpen makes scene i's runner in a command, closing the one it replaces there too.
func (m *model) demoOpen(i int) tea.Cmd {
	ds := m.demo
	ds.gen++
	gen, scene, ctx := ds.gen, ds.d.Scenes[i], m.ctx
	old := m.runner
	m.setStatus(statusInfo, m.c.cat.f("demo.opening", scene.Title.In(m.c.lang())))
	return func() tea.Msg {
		old.Close()
		r, err := scene.Open(ctx)
		return demoOpenedMsg{gen: gen, scene: i, runner: r, err: err}
	}
}

// demoOpened puts a new scene on screen.
func (m *model) demoOpened(msg demoOpenedMsg) tea.Cmd {
	ds := m.demo
	if msg.err == nil && msg.runner != nil && (!m.demoOn() || msg.gen != ds.gen) {
		// Opened after a key stopped the demo: the user now owns the scene on screen.
		msg.runner.Close()
		return nil
	}
	if !m.demoOn() || msg.gen != ds.gen {
		return nil
	}
	if msg.scene <= ds.scene {
		ds.cycles++
	}
	ds.scene = msg.scene
	if msg.err != nil || msg.runner == nil {
		why := ""
		if msg.err != nil {
			why = present.Safe(msg.err.Error())
		}
		m.setStatus(statusErr, m.c.cat.f("demo.openerr", ds.d.Scenes[msg.scene].Title.In(m.c.lang()), why))
		ds.phase = demoNext
		return m.demoWait(2)
	}
	ds.opened = true
	m.useRunner(msg.runner)
	m.setStatus(statusInfo, "")
	ds.phase, ds.step = demoRun, 0
	return m.demoWait(1)
}

// demoStepDone follows a finished step: its page is shown at its interesting rows.
func (m *model) demoStepDone(idx int) tea.Cmd {
	ds := m.demo
	if !m.demoOn() || idx != ds.step || ds.phase != demoRun {
		return nil
	}
	ds.rows = interestingRows(m.panes[idx], ds.d.Rows)
	ds.phase = demoShow
	return m.demoWait(1)
}

// interestingRows are the items the demo scrolls to: the checks that did not pass first
// (they tell the scene's story), then passing checks, at most n, in page order so the
// pane scrolls down.
func interestingRows(p *pane, n int) []int {
	p.ensure()
	var bad, good []int
	for i, it := range p.items {
		if it.row < 0 {
			continue
		}
		switch p.page.Sections[it.sec].Rows[it.row].Verdict {
		case check.Fail, check.Warn:
			bad = append(bad, i)
		case check.Pass:
			good = append(good, i)
		}
	}
	pick := append(bad[:min(len(bad), n):min(len(bad), n)], good[:min(len(good), max(n-len(bad), 0))]...)
	// Page order, so the window moves one way.
	for i := 1; i < len(pick); i++ {
		for j := i; j > 0 && pick[j] < pick[j-1]; j-- {
			pick[j], pick[j-1] = pick[j-1], pick[j]
		}
	}
	return pick
}

// useRunner puts r's steps on screen in place of the current runner's: runs, pages and
// panes start empty, sized for the screen.
func (m *model) useRunner(r workshop.Runner) {
	m.runner, m.banner, m.steps = r, r.Banner(), r.Steps()
	m.runs = make([]stepRun, len(m.steps))
	m.last = make([]*present.Page, len(m.steps))
	m.panes = m.panes[:0:0]
	for range m.steps {
		m.panes = append(m.panes, newPane(m.c))
	}
	m.c.nonce = r.CanSetNonce()
	m.c.setLang(m.c.lang())
	m.list = stepList{c: m.c, steps: m.steps, runs: m.runs}
	m.sel, m.token, m.queue, m.batch = 0, "", nil, nil
	m.setSize(m.width, m.height)
	for i := range m.steps {
		m.refreshPane(i)
	}
}

// demoCaption is the footer while the demo runs: which scene, and how to take over.
func (m *model) demoCaption() string {
	ds := m.demo
	title := ds.d.Scenes[ds.scene].Title.In(m.c.lang())
	return m.c.st.Summary.Render(fit(m.c.cat.f("demo.caption", ds.scene+1, len(ds.d.Scenes), title), m.width))
}
