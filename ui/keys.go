package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the UI answers to, with its help text in the current language.
// n is the nonce (as the workshop names it), so search moves between matches with
// ctrl+n / ctrl+p; l and h are vim's right and left, so the language switch is L.
type KeyMap struct {
	Up, Down, PrevStep, NextStep        key.Binding
	PageUp, PageDown, Top, Bottom       key.Binding
	NextSection, PrevSection            key.Binding
	Run, RunAll, Rerun, Cancel          key.Binding
	Nonce, Search, NextMatch, PrevMatch key.Binding
	Filter, PCR, Expand                 key.Binding
	Copy, Save, Lang, Help, Quit        key.Binding
	JSON, Lesson, Welcome               key.Binding
	Next, Back                          key.Binding // the lesson's pages
	Submit, Close                       key.Binding
}

func newKeyMap(c catalog) KeyMap {
	b := func(help, shown string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, c.t(help)))
	}
	k := KeyMap{
		Up:       b("help.up", "↑/k", "up", "k"),
		Down:     b("help.down", "↓/j", "down", "j"),
		PrevStep: b("help.prevstep", "←/h/shift+tab", "left", "h", "shift+tab"),
		NextStep: b("help.nextstep", "→/l/tab", "right", "l", "tab"),
		PageUp:   b("help.pgup", "pgup", "pgup", "ctrl+u"),
		PageDown: b("help.pgdown", "pgdn/space", "pgdown", "ctrl+d", " "),
		Top:      b("help.top", "g/home", "g", "home"),
		Bottom:   b("help.bottom", "G/end", "G", "end"),
		// ] and [ as in vim's ]] and [[: the report page has nine sections.
		NextSection: b("help.nextsec", "]", "]"),
		PrevSection: b("help.prevsec", "[", "["),
		Run:         b("help.run", "enter", "enter"),
		RunAll:      b("help.runall", "a", "a"),
		Rerun:       b("help.rerun", "r", "r"),
		Cancel:      b("help.cancel", "esc", "esc"),
		Nonce:       b("help.nonce", "n", "n"),
		Search:      b("help.search", "/", "/"),
		NextMatch:   b("help.nextm", "ctrl+n", "ctrl+n"),
		PrevMatch:   b("help.prevm", "ctrl+p", "ctrl+p"),
		Filter:      b("help.filter", "f", "f"),
		PCR:         b("help.pcr", "0-9", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Expand:      b("help.expand", "e", "e"),
		Copy:        b("help.copy", "y", "y"),
		Save:        b("help.save", "s", "s"),
		Lang:        b("help.lang", "L", "L"),
		Help:        b("help.help", "?", "?"),
		Quit:        b("help.quit", "q", "q", "ctrl+c"),
		JSON:        b("help.json", "J", "J"),
		Lesson:      b("help.lesson", "W", "W"),
		Welcome:     b("help.welcome", "w", "w"),
		// The presenter drives the lesson with one key; a clicker sends space or →.
		Next:   b("help.next", "space/→", " ", "right", "l", "enter"),
		Back:   b("help.back", "←", "left", "h", "backspace"),
		Submit: b("help.submit", "enter", "enter"),
		Close:  b("help.close", "esc", "esc"),
	}
	return k
}

// FullHelp is the `?` overlay, grouped by what the keys act on.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PrevStep, k.NextStep, k.NextSection, k.PrevSection, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Run, k.RunAll, k.Rerun, k.Cancel, k.Nonce, k.Save, k.Copy, k.JSON},
		{k.Search, k.NextMatch, k.PrevMatch, k.Filter, k.PCR, k.Expand},
		{k.Welcome, k.Lesson, k.Next, k.Back, k.Lang, k.Help, k.Quit},
	}
}

// ShortHelp is the footer when nothing narrows it down.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Run, k.RunAll, k.NextStep, k.Down, k.Search, k.Help, k.Quit}
}
