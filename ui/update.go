package ui

import (
	"errors"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// Update only moves state; every runner call happens in a returned command.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.drawn = ""
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// Bubble Tea reports the size once at start, which Run has usually laid the
		// model out for already.
		if msg.Width != m.width || msg.Height != m.height {
			m.setSize(msg.Width, msg.Height)
		}
	case spinner.TickMsg:
		if m.active < 0 {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		m.showRunning()
		return m, cmd
	case progressMsg:
		return m, m.progress(msg)
	case stepDoneMsg:
		cmd := m.finish(msg)
		if m.demoOn() && m.active < 0 {
			return m, tea.Batch(cmd, m.demoStepDone(msg.idx))
		}
		return m, cmd
	case demoTickMsg:
		return m, m.demoTick(msg)
	case demoOpenedMsg:
		return m, m.demoOpened(msg)
	case demoStuckMsg:
		m.demoStuck(msg)
	case copiedMsg:
		if msg.err != nil {
			m.setStatus(statusErr, m.c.cat.f("status.copyerr", msg.err))
		} else if msg.token {
			m.setStatus(statusOK, m.c.cat.f("status.tokencopied", msg.n))
		} else if msg.n == 1 {
			m.setStatus(statusOK, m.c.cat.t("status.copied1"))
		} else {
			m.setStatus(statusOK, m.c.cat.f("status.copied", msg.n))
		}
	case savedMsg:
		switch {
		case errors.Is(msg.err, errNoSave):
			m.setStatus(statusErr, m.c.cat.t("status.nosave"))
		case msg.err != nil:
			m.setStatus(statusErr, m.c.cat.f("status.saveerr", msg.err))
		default:
			m.setStatus(statusOK, savedStatus(m.c.cat, msg.path))
		}
	case tea.MouseMsg:
		scroll := m.pane().Scroll
		switch {
		case m.showHelp:
			scroll = m.helpDoc.Scroll
		case m.doc != nil:
			scroll = m.doc.Scroll
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			scroll(-3)
		case tea.MouseButtonWheelDown:
			scroll(3)
		}
	case tea.KeyMsg:
		if m.demoOn() {
			// The first key takes over from the demo; only the quit keys also act.
			m.demoStop()
			if msg.String() != "ctrl+c" && !key.Matches(msg, m.c.keys.Quit) {
				return m, nil
			}
		}
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && m.mode == inputNone {
			// Keys typed faster than a frame arrive together; each is its own command.
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.key(msg)
	default:
		if m.mode != inputNone {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

func (m *model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.c.keys
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	if m.mode != inputNone {
		return m.inputKey(msg)
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Help, k.Close):
			m.showHelp = false
		default:
			scrollDoc(m.helpDoc, k, msg)
		}
		return nil
	}
	if m.doc != nil {
		if cmd, done := m.docKey(msg); done {
			return cmd
		}
	}
	p := m.pane()
	if key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.NextSection, k.PrevSection, k.PrevStep, k.NextStep) {
		// A message about the last action ("Copied", "Match 2 of 5") is about another row or
		// step once the reader moves on.
		m.setStatus(statusInfo, "")
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Welcome):
		m.openDoc(docWelcome)
	case key.Matches(msg, k.JSON):
		m.openJSON()
	case key.Matches(msg, k.Lesson):
		m.openLesson()
	case key.Matches(msg, k.Cancel):
		if m.active >= 0 {
			m.cancelRun()
		} else if p.query != "" {
			m.setQuery("")
		}
	case key.Matches(msg, k.Up):
		p.Up()
	case key.Matches(msg, k.Down):
		p.Down()
	case key.Matches(msg, k.PageUp):
		p.PageUp()
	case key.Matches(msg, k.PageDown):
		p.PageDown()
	case key.Matches(msg, k.Top):
		p.Top()
	case key.Matches(msg, k.Bottom):
		p.Bottom()
	case key.Matches(msg, k.NextSection):
		p.JumpSection(1)
	case key.Matches(msg, k.PrevSection):
		p.JumpSection(-1)
	case key.Matches(msg, k.PrevStep):
		m.sel = (m.sel + len(m.steps) - 1) % len(m.steps)
	case key.Matches(msg, k.NextStep):
		m.sel = (m.sel + 1) % len(m.steps)
	case key.Matches(msg, k.Run, k.Rerun):
		return m.runUpTo(m.sel)
	case key.Matches(msg, k.RunAll):
		return m.runAll()
	case key.Matches(msg, k.Nonce):
		m.openInput(inputNonce, "")
	case key.Matches(msg, k.Search):
		m.openInput(inputSearch, p.query)
	case key.Matches(msg, k.NextMatch):
		m.nextMatch(1)
	case key.Matches(msg, k.PrevMatch):
		m.nextMatch(-1)
	case key.Matches(msg, k.Filter):
		if p.has(present.Events) {
			p.CycleFilter()
			m.filterStatus(p)
		}
	case key.Matches(msg, k.PCR):
		if p.has(present.Events) {
			p.SetFilter(int(msg.String()[0] - '0'))
			m.filterStatus(p)
		}
	case key.Matches(msg, k.Expand):
		if p.has(present.Code) {
			p.ToggleExpand()
		}
	case key.Matches(msg, k.Copy):
		text := p.CopyText()
		if text == "" {
			m.setStatus(statusErr, m.c.cat.t("status.nocopy"))
			return nil
		}
		return copyCmd(m.clip, text, text == m.token)
	case key.Matches(msg, k.Save):
		m.setStatus(statusInfo, m.c.cat.t("status.saving"))
		return m.saveCmd()
	case key.Matches(msg, k.Lang):
		m.switchLang()
	}
	return nil
}

func (m *model) openHelp() {
	m.showHelp = true
	m.helpDoc.Refresh()
	m.helpDoc.Top()
}

// docKey handles a key while a full-width view covers the steps. done is false when the
// key is for the steps: the welcome then closes and the key acts, so enter, a and tab do
// what they say on the first screen too.
func (m *model) docKey(msg tea.KeyMsg) (cmd tea.Cmd, done bool) {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit(), true
	case key.Matches(msg, k.Help):
		m.openHelp()
		return nil, true
	case key.Matches(msg, k.Lang):
		m.switchLang()
		return nil, true
	case key.Matches(msg, k.Close):
		m.closeDoc()
		return nil, true
	case m.view == docLesson && key.Matches(msg, k.Next):
		m.turnLesson(1)
		return nil, true
	case m.view == docLesson && key.Matches(msg, k.Back):
		m.turnLesson(-1)
		return nil, true
	case m.view == docLesson && key.Matches(msg, k.Lesson):
		return nil, true
	case scrollDoc(m.doc, k, msg):
		return nil, true
	}
	if m.view == docJSON {
		switch {
		case key.Matches(msg, k.Copy):
			return copyCmd(m.clip, decodeJWT(m.token).jsonText(), false), true
		case key.Matches(msg, k.JSON):
			m.closeDoc()
			return nil, true
		}
	}
	m.closeDoc()
	return nil, false
}

// scrollDoc moves d for a scrolling key and reports whether the key was one.
func scrollDoc(d *doc, k KeyMap, msg tea.KeyMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		d.Scroll(-1)
	case key.Matches(msg, k.Down):
		d.Scroll(1)
	case key.Matches(msg, k.PageUp):
		d.PageUp()
	case key.Matches(msg, k.PageDown):
		d.PageDown()
	case key.Matches(msg, k.Top):
		d.Top()
	case key.Matches(msg, k.Bottom):
		d.Bottom()
	default:
		return false
	}
	return true
}

func (m *model) quit() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.queue = nil
	return tea.Quit
}

func (m *model) filterStatus(p *pane) {
	which := m.c.cat.t("events.all")
	if p.filter >= 0 {
		which = strconv.Itoa(p.filter)
	}
	m.setStatus(statusInfo, m.c.cat.f("status.filter", which))
}

func (m *model) switchLang() {
	l := present.KO
	if m.c.lang() == present.KO {
		l = present.EN
	}
	m.c.setLang(l)
	for i := range m.steps {
		m.refreshPane(i)
	}
	m.helpDoc.Refresh()
	if m.doc != nil {
		m.doc.Refresh()
	}
	m.setStatus(statusInfo, m.c.cat.t("status.lang"))
}

func (m *model) openInput(mode inputMode, value string) {
	m.mode = mode
	m.input.SetValue(value)
	m.input.CursorEnd()
	ph := "nonce.ph"
	if mode == inputSearch {
		ph = "search.ph"
	}
	m.input.Placeholder = m.c.cat.t(ph)
	m.input.Focus()
}

func (m *model) inputKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Submit):
		mode, value := m.mode, strings.TrimSpace(m.input.Value())
		m.closeInput()
		if mode == inputSearch {
			m.setQuery(value)
			return nil
		}
		return m.submitNonce(value)
	case key.Matches(msg, k.Close):
		if m.mode == inputSearch {
			m.setQuery("")
		}
		m.closeInput()
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.mode == inputSearch {
		m.setQuery(m.input.Value())
	}
	return cmd
}

func (m *model) closeInput() {
	m.mode = inputNone
	m.input.Blur()
}

// submitNonce sets the nonce and reads a fresh report, both inside one command.
func (m *model) submitNonce(nonce string) tea.Cmd {
	if nonce == "" {
		return nil
	}
	idx := m.stepIndex(workshop.ReadReport)
	if idx < 0 {
		m.setStatus(statusErr, m.c.cat.f("status.nostep", workshop.ReadReport.Title().In(m.c.lang())))
		return nil
	}
	if m.active >= 0 {
		m.setStatus(statusErr, m.c.cat.t("status.busy"))
		return nil
	}
	r := m.runner
	m.sel = idx
	cmd := m.startRun(idx, func() { r.SetNonce(nonce) })
	m.setStatus(statusInfo, m.c.cat.t("status.nonce"))
	return cmd
}

// setQuery searches the current pane and jumps to the first match at or after the cursor.
func (m *model) setQuery(q string) {
	p := m.pane()
	p.query = q
	p.invalidate()
	if q == "" {
		return
	}
	m.jumpMatch(p, 0)
}

func (m *model) nextMatch(dir int) {
	p := m.pane()
	if p.query == "" {
		return
	}
	m.jumpMatch(p, dir)
}

func (m *model) jumpMatch(p *pane, dir int) {
	matches := p.Matches()
	if len(matches) == 0 {
		m.setStatus(statusErr, m.c.cat.f("status.nomatch", p.query))
		return
	}
	at := 0
	switch {
	case dir >= 0:
		for i, it := range matches {
			if it > p.sel || (dir == 0 && it == p.sel) {
				at = i
				break
			}
		}
	default:
		at = len(matches) - 1
		for i := len(matches) - 1; i >= 0; i-- {
			if matches[i] < p.sel {
				at = i
				break
			}
		}
	}
	p.Select(matches[at])
	m.setStatus(statusInfo, m.c.cat.f("status.match", at+1, len(matches), p.query))
}
