package ui

import (
	"errors"
	"io"
	"os"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
)

type copiedMsg struct {
	n     int
	token bool // the whole JWT was copied
	err   error
}

type savedMsg struct {
	path string
	err  error
}

// copyCmd sends text to the terminal's clipboard with OSC 52, which the terminal at the
// far end of an SSH session honours, so a presenter can paste a token on their laptop.
func copyCmd(w io.Writer, text string, token bool) tea.Cmd {
	if w == nil {
		w = os.Stdout
	}
	return func() tea.Msg {
		_, err := osc52.New(text).WriteTo(w)
		return copiedMsg{n: len(text), token: token, err: err}
	}
}

// saveCmd asks the runner for its evidence and hands it to save, off the update loop.
func (m *model) saveCmd() tea.Cmd {
	save, r := m.opts.Save, m.runner
	if save == nil {
		return func() tea.Msg { return savedMsg{err: errNoSave} }
	}
	return func() tea.Msg {
		path, err := save(r.Evidence())
		return savedMsg{path: path, err: err}
	}
}

var errNoSave = errors.New("no save function")
