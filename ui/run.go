package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// stepDoneMsg is a finished Runner.Run.
type stepDoneMsg struct {
	gen, idx int
	page     present.Page
	err      error
	dur      time.Duration
	// banner is read after the run: the first step opens the platform, and only then does
	// the runner know whether it is a real VM or the simulated CVM.
	banner workshop.Banner
	// token is the compact JWT the runner holds after the run ("" when none), for y on the
	// token row and the JSON view.
	token string
	// attempts is how many tries the MAA call took (0 when the step made none).
	attempts int
}

// progressMsg is what the MAA client reported while a step ran.
type progressMsg struct {
	gen, idx int
	p        maa.Progress
	next     tea.Cmd // listens for the next report
}

// listenProgress waits for the next report of run gen, or for the run to end.
func listenProgress(gen, idx int, ch <-chan maa.Progress, done <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		select {
		case p := <-ch:
			return progressMsg{gen: gen, idx: idx, p: p, next: listenProgress(gen, idx, ch, done)}
		case <-done:
			return nil
		}
	}
}

// startRun runs step idx in a command. before, when set, runs first in the same command
// (SetNonce before reading a fresh report), so the runner is only ever called from one
// goroutine at a time.
func (m *model) startRun(idx int, before func()) tea.Cmd {
	if m.active >= 0 {
		m.setStatus(statusErr, m.c.cat.t("status.busy"))
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.prog = maa.Progress{}
	m.active, m.cancel = idx, cancel
	m.gen++
	m.runs[idx] = stepRun{state: running, start: m.now()}
	m.refreshPane(idx)
	gen, r, step, wg := m.gen, m.runner, m.steps[idx], m.wg
	// The MAA client reports each try and wait through the context; the report is handed
	// on without blocking, and the last try's number is kept for the summary.
	ch, done := make(chan maa.Progress, 8), make(chan struct{})
	var attempts atomic.Int32
	ctx = maa.WithProgress(ctx, func(p maa.Progress) {
		attempts.Store(int32(p.Attempt))
		select {
		case ch <- p:
		default:
		}
	})
	wg.Add(1)
	run := func() tea.Msg {
		defer wg.Done()
		defer close(done)
		if before != nil {
			before()
		}
		t := time.Now()
		page, err := r.Run(ctx, step)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		tok := ""
		if s := r.Evidence(); s != nil {
			tok = s.Token
		}
		return stepDoneMsg{gen: gen, idx: idx, page: page, err: err, dur: time.Since(t), banner: r.Banner(), token: tok, attempts: int(attempts.Load())}
	}
	return tea.Batch(run, listenProgress(gen, idx, ch, done), m.spin.Tick)
}

// finish records a run's outcome and starts the next queued step.
func (m *model) finish(msg stepDoneMsg) tea.Cmd {
	if msg.gen != m.gen || m.active != msg.idx {
		return nil
	}
	m.cancel()
	m.active, m.cancel = -1, nil
	if !msg.banner.Text.Empty() {
		m.banner = msg.banner
	}
	run := &m.runs[msg.idx]
	run.dur, run.attempts = msg.dur, msg.attempts
	name := m.steps[msg.idx].Title().In(m.c.lang())
	m.token = msg.token
	page := withToken(m.steps[msg.idx], msg.page, m.token)
	m.last[msg.idx] = &page
	switch {
	case run.state == cancelling || errors.Is(msg.err, context.Canceled):
		run.state = cancelled
		m.queue = nil
		m.setStatus(statusInfo, m.c.cat.f("status.cancelled", name))
	case msg.err != nil:
		run.state, run.err = failed, msg.err
		m.queue = nil
		why, _ := fault.MessageIn(msg.err, string(m.c.lang()))
		m.setStatus(statusErr, m.c.cat.f("status.error", name, why))
	default:
		run.state = stateOf(page.Verdict)
		m.setStatus(statusOK, m.c.cat.f("status.done", name, m.c.cat.t(stateWords[run.state]), duration(msg.dur)))
	}
	m.refreshPane(msg.idx)
	if run.state == failed {
		m.panes[msg.idx].ShowFailure()
	}
	m.markStale(msg.idx)
	if len(m.queue) > 0 {
		next := m.queue[0]
		m.queue = m.queue[1:]
		m.sel = next
		return m.startRun(next, nil)
	}
	if len(m.batch) > 1 {
		m.summarise()
	}
	m.batch = nil
	return nil
}

// summarise puts every step of the last batch on the status line: "5 steps: 4 passed,
// 1 warned (Call MAA: 2 attempts)", so a warning early on is not hidden by the last pass.
func (m *model) summarise() {
	cat := m.c.cat
	counts := map[runState]int{}
	var extra []string
	for _, i := range m.batch {
		r := m.runs[i]
		counts[r.state]++
		if r.attempts > 1 {
			extra = append(extra, cat.f("sum.attempts", m.steps[i].Title().In(m.c.lang()), r.attempts))
		}
	}
	var parts []string
	for _, s := range []runState{passed, warned, failed, skipped, cancelled, waiting} {
		if n := counts[s]; n > 0 {
			word := cat.t(stateWords[s])
			if s == waiting {
				word = cat.t("state.notrun")
			}
			parts = append(parts, cat.f("sum.count", n, word))
		}
	}
	text := cat.f("sum.steps", len(m.batch), strings.Join(parts, ", "))
	if len(extra) > 0 {
		text += " (" + strings.Join(extra, ", ") + ")"
	}
	kind := statusOK
	if counts[failed]+counts[cancelled] > 0 {
		kind = statusErr
	}
	// A run that stopped keeps its reason after the counts.
	if last := m.runs[m.batch[len(m.batch)-1]].state; last != passed && last != warned && m.status != "" {
		text += " · " + m.status
	}
	m.setStatus(kind, text)
}

// progress shows what the MAA client reported on the running step's pane.
func (m *model) progress(msg progressMsg) tea.Cmd {
	if msg.gen != m.gen || m.active != msg.idx {
		return nil
	}
	m.prog, m.progAt = msg.p, m.now()
	m.showRunning()
	return msg.next
}

// showRunning keeps the running step's notice current: the try MAA is on, the wait before
// the next, and the time since the step started.
func (m *model) showRunning() {
	if m.active < 0 {
		return
	}
	cat, st := m.c.cat, m.c.st
	run := m.runs[m.active]
	text := cat.t("pane.running")
	if run.state == cancelling {
		text = cat.f("status.cancel", m.steps[m.active].Title().In(m.c.lang()))
	}
	elapsed := duration(m.now().Sub(run.start))
	if p := m.prog; p.Attempt > 0 {
		switch {
		case p.Wait > 0:
			why := p.Err
			if p.Status != 0 {
				why = fmt.Sprintf("HTTP %d %s", p.Status, http.StatusText(p.Status))
			}
			left := max(p.Wait-m.now().Sub(m.progAt), 0)
			text = cat.f("run.wait", p.Attempt, p.MaxAttempts, why, duration(p.Wait), duration(left), elapsed)
		default:
			text = cat.f("run.try", p.Attempt, p.MaxAttempts, elapsed)
		}
	} else {
		text += " " + cat.f("run.elapsed", elapsed)
	}
	m.panes[m.active].SetSticky(notice{text, st.Hint})
}

// markStale flags the finished steps after idx: they were built on what idx gathered before.
func (m *model) markStale(idx int) {
	for j := idx + 1; j < len(m.runs); j++ {
		switch m.runs[j].state {
		case passed, warned, failed, skipped:
			m.runs[j].stale = true
			m.refreshPane(j)
		}
	}
}

func stateOf(v check.Verdict) runState {
	switch v {
	case check.Fail:
		return failed
	case check.Warn:
		return warned
	case check.Skip:
		return skipped
	}
	return passed
}

// runAll queues every step from the first, as the workshop runs them.
func (m *model) runAll() tea.Cmd { return m.runFrom(0, len(m.steps)-1) }

// runUpTo runs step idx after every earlier step that has not run, failed, was cancelled
// or is stale: the runner would run them itself to get idx's inputs, but silently, and an
// attendee must see what was sent. Each shows its page and state as it runs.
func (m *model) runUpTo(idx int) tea.Cmd {
	first := idx
	for j := 0; j < idx; j++ {
		if r := m.runs[j]; r.stale || (r.state != passed && r.state != warned && r.state != skipped) {
			first = j
			break
		}
	}
	return m.runFrom(first, idx)
}

// runFrom runs steps first to last in order, each in its own command, showing each.
func (m *model) runFrom(first, last int) tea.Cmd {
	if m.active >= 0 {
		m.setStatus(statusErr, m.c.cat.t("status.busy"))
		return nil
	}
	m.queue, m.batch = nil, nil
	for i := first; i <= last; i++ {
		m.batch = append(m.batch, i)
		if i > first {
			m.queue = append(m.queue, i)
		}
	}
	m.sel = first
	return m.startRun(first, nil)
}

// cancelRun cancels the running step; it shows as cancelled once Run has returned.
func (m *model) cancelRun() {
	if m.active < 0 {
		return
	}
	m.cancel()
	m.queue = nil
	m.runs[m.active].state = cancelling
	m.setStatus(statusInfo, m.c.cat.f("status.cancel", m.steps[m.active].Title().In(m.c.lang())))
	m.refreshPane(m.active)
}

// stepIndex finds a step this runner offers.
func (m *model) stepIndex(id workshop.StepID) int {
	for i, s := range m.steps {
		if s == id {
			return i
		}
	}
	return -1
}

// refreshPane gives pane i its page and the notices its state calls for.
func (m *model) refreshPane(i int) {
	st, cat := m.c.st, m.c.cat
	run := m.runs[i]
	page := m.last[i]
	var ns []notice
	if run.stale {
		ns = append(ns, notice{cat.t("pane.stale"), st.Hint})
	}
	switch run.state {
	case waiting:
		page = nil
		ns = append(ns, notice{cat.t("pane.empty"), st.Explain})
	case cancelled:
		page = nil
		ns = append(ns, notice{cat.t("pane.cancel"), st.Explain})
	}
	var sticky []notice
	switch run.state {
	case failed:
		// Why it failed and what to do stay on top; the page opens at the failing check.
		if run.err != nil {
			msg, h := fault.MessageIn(run.err, string(m.c.lang()))
			sticky = append(sticky, notice{cat.t("pane.error") + ": " + msg, st.StatusErr})
			if h != "" {
				sticky = append(sticky, notice{cat.t("pane.hint") + ": " + h, st.Hint})
			}
			if page != nil && len(page.Sections) == 0 && page.Title.Empty() {
				page = nil
			}
		}
		if r := failingRow(page); r != nil {
			if run.err == nil {
				sticky = append(sticky, notice{"✗ " + r.KeyIn(m.c.lang()) + ": " + r.ValueIn(m.c.lang()), st.StatusErr})
			}
			if h := r.Hint.In(m.c.lang()); h != "" && (run.err == nil || fault.HintOf(run.err) == "") {
				sticky = append(sticky, notice{cat.t("pane.hint") + ": " + h, st.Hint})
			}
		}
	}
	m.panes[i].SetPage(page, ns...)
	m.panes[i].SetSticky(sticky...)
	if i == m.active {
		m.showRunning()
	}
}

// failingRow is the check a failed page failed on: the first failing row of its Checks
// section, else the first failing row anywhere.
func failingRow(page *present.Page) *present.Row {
	sec, ri := failingItem(page)
	if sec < 0 {
		return nil
	}
	return &page.Sections[sec].Rows[ri]
}

func failingItem(page *present.Page) (sec, row int) {
	if page == nil {
		return -1, -1
	}
	for _, checks := range []bool{true, false} {
		for si, s := range page.Sections {
			if (s.Kind == present.Checks) != checks {
				continue
			}
			for ri, r := range s.Rows {
				if r.Verdict == check.Fail {
					return si, ri
				}
			}
		}
	}
	return -1, -1
}
