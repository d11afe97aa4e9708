package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// View draws banner, steps, pane, footer and status line: exactly height lines, none
// wider than width.
func (m *model) View() string {
	if m.drawn != "" {
		return m.drawn
	}
	m.list.sel, m.list.spin, m.list.now = m.sel, m.spin.View(), m.now()
	var body string
	switch {
	case m.showHelp:
		body = m.helpDoc.View()
	case m.doc != nil:
		body = m.doc.View()
	case m.wide():
		sep := strings.TrimSuffix(strings.Repeat(m.c.st.Rule.Render("│")+"\n", m.pane().height), "\n")
		body = lipgloss.JoinHorizontal(lipgloss.Top, m.list.View(), " ", sep, " ", m.pane().View())
	default:
		body = m.list.View() + "\n" + m.pane().View()
	}
	return strings.Join([]string{m.bannerView(), body, m.footerView(), m.statusView()}, "\n")
}

func (m *model) bannerView() string {
	st := m.c.st
	b := m.banner
	style, ok := st.Banner[askedFor(b)]
	if !ok {
		style = st.Banner[evidence.SourceFiles]
	}
	text := b.Text.In(m.c.lang())
	if b.Source == "" {
		// Before the platform is open the runner can only say what was asked for; say it
		// as a newcomer reads it, not as "run Preflight".
		text = m.c.cat.t("banner." + string(askedFor(b)))
	}
	if text == "" {
		text = string(b.Source) + " · " + b.TEE.Label()
	}
	// The detail names the files inspected, which whoever handed them over named.
	text, detail := present.Safe(text), present.Safe(b.DetailIn(m.c.lang()))
	line := style.Render(" " + fit(text, m.width-2) + " ")
	if detail != "" && cells(line)+4 < m.width {
		line += " " + st.BannerDetail.Render(fit(detail, m.width-cells(line)-1))
	}
	return pad(line, m.width)
}

func (m *model) footerView() string {
	if m.demoOn() {
		return pad(m.demoCaption(), m.width)
	}
	if m.mode != inputNone {
		prompt := "prompt.nonce"
		if m.mode == inputSearch {
			prompt = "prompt.search"
		}
		return pad(m.c.st.Input.Render(m.c.cat.t(prompt))+m.input.View(), m.width)
	}
	return pad(m.help.ShortHelpView(m.shortKeys()), m.width)
}

// shortKeys are the keys that matter now.
func (m *model) shortKeys() []key.Binding {
	k := m.c.keys
	p := m.pane()
	switch {
	case m.mode != inputNone:
		return []key.Binding{k.Submit, k.Close}
	case m.showHelp:
		return m.withMore(m.helpDoc, k.Down, k.Close, k.Quit)
	case m.view == docWelcome:
		return m.withMore(m.doc, k.Down, k.Run, k.RunAll, k.Lesson, k.Close, k.Lang, k.Help, k.Quit)
	case m.view == docLesson:
		return m.withMore(m.doc, k.Down, k.Next, k.Back, k.Close, k.Lang, k.Quit)
	case m.view == docJSON:
		return m.withMore(m.doc, k.Down, k.Copy, k.Close, k.Lang, k.Help, k.Quit)
	case m.active >= 0:
		return []key.Binding{k.Cancel, k.NextStep, k.Down, k.Help, k.Quit}
	}
	out := []key.Binding{k.Run, k.RunAll, k.NextStep, k.Down}
	if p.has(present.Events) {
		out = append(out, k.PCR, k.Filter)
	}
	if p.has(present.Code) {
		out = append(out, k.Expand)
	}
	if p.query != "" {
		out = append(out, k.NextMatch, k.PrevMatch)
	} else {
		out = append(out, k.Search)
	}
	if p.page != nil {
		out = append(out, k.Copy)
	}
	if m.token != "" {
		out = append(out, k.JSON)
	}

	return append(out, k.Nonce, k.Save, k.Lang, k.Help, k.Quit)
}

// withMore leads with "↓ more below" while d has lines below the window, so a reader of
// the welcome at 80x24 knows to scroll.
func (m *model) withMore(d *doc, down key.Binding, rest ...key.Binding) []key.Binding {
	if d != nil && d.more() {
		more := key.NewBinding(key.WithKeys(down.Keys()...), key.WithHelp(down.Help().Key, m.c.cat.t("help.more")))
		return append([]key.Binding{more}, rest...)
	}
	return rest
}

func (m *model) statusView() string {
	st := m.c.st.Status
	switch m.statusKind {
	case statusErr:
		st = m.c.st.StatusErr
	case statusOK:
		st = m.c.st.StatusOK
	}
	return pad(" "+st.Render(fit(m.status, m.width-1)), m.width)
}

// helpLines lays the key groups out in as many columns as fit w; the help scrolls when
// they do not fit the height.
func (m *model) helpLines(w int) []string {
	st := m.c.st
	var blocks []string
	for _, g := range m.c.keys.FullHelp() {
		kw := 0
		for _, b := range g {
			kw = max(kw, cells(b.Help().Key))
		}
		var lines []string
		for _, b := range g {
			if !b.Enabled() {
				continue // a key that would do nothing here (n on saved files)
			}
			lines = append(lines, st.Help.FullKey.Render(pad(b.Help().Key, kw))+"  "+st.Help.FullDesc.Render(fit(b.Help().Desc, max(w-kw-2, 8))))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	var rows []string
	var row []string
	rowW := 0
	for _, b := range blocks {
		bw := lipgloss.Width(b)
		if len(row) > 0 && rowW+4+bw > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowW = nil, 0
		}
		if len(row) > 0 {
			row = append(row, "    ")
			rowW += 4
		}
		row = append(row, b)
		rowW += bw
	}
	rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	content := st.Title.Render(m.c.cat.t("title.help")) + "\n\n" + strings.Join(rows, "\n\n")
	lines := strings.Split(content, "\n")
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return lines
}
