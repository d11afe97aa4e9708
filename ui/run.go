package ui

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
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
	m.active, m.cancel = idx, cancel
	m.gen++
	m.runs[idx] = stepRun{state: running, start: m.now()}
	m.refreshPane(idx)
	gen, r, step, wg := m.gen, m.runner, m.steps[idx], m.wg
	wg.Add(1)
	run := func() tea.Msg {
		defer wg.Done()
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
		return stepDoneMsg{gen: gen, idx: idx, page: page, err: err, dur: time.Since(t), banner: r.Banner(), token: tok}
	}
	return tea.Batch(run, m.spin.Tick)
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
	run.dur = msg.dur
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
		m.setStatus(statusErr, m.c.cat.f("status.error", name, msg.err))
	default:
		run.state = stateOf(page.Verdict)
		m.setStatus(statusOK, m.c.cat.f("status.done", name, m.c.cat.t(stateWords[run.state]), duration(msg.dur)))
	}
	m.refreshPane(msg.idx)
	m.markStale(msg.idx)
	if len(m.queue) > 0 {
		next := m.queue[0]
		m.queue = m.queue[1:]
		m.sel = next
		return m.startRun(next, nil)
	}
	return nil
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
func (m *model) runAll() tea.Cmd {
	if m.active >= 0 {
		m.setStatus(statusErr, m.c.cat.t("status.busy"))
		return nil
	}
	m.queue = nil
	for i := 1; i < len(m.steps); i++ {
		m.queue = append(m.queue, i)
	}
	m.sel = 0
	return m.startRun(0, nil)
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
	case running, cancelling:
		ns = append(ns, notice{cat.t("pane.running"), st.Explain})
	case cancelled:
		page = nil
		ns = append(ns, notice{cat.t("pane.cancel"), st.Explain})
	case failed:
		if run.err != nil {
			ns = append(ns, notice{cat.t("pane.error") + ": " + run.err.Error(), st.StatusErr})
			if h := fault.HintOf(run.err); h != "" {
				ns = append(ns, notice{cat.t("pane.hint") + ": " + h, st.Hint})
			}
			if page != nil && len(page.Sections) == 0 && page.Title.Empty() {
				page = nil
			}
		}
	}
	m.panes[i].SetPage(page, ns...)
}
