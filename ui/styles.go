package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/muesli/termenv"
)

// theme is the palette; every colour adapts to light and dark backgrounds.
type theme struct {
	fg, dim, faint, accent, sel, match lipgloss.AdaptiveColor
	pass, fail, warn, skip             lipgloss.AdaptiveColor
	sim, azure, files                  lipgloss.AdaptiveColor
	num                                lipgloss.AdaptiveColor
}

func defaultTheme() theme {
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	return theme{
		fg: c("#1f2328", "#e6edf3"), dim: c("#59636e", "#9198a1"), faint: c("#d0d7de", "#3d444d"),
		accent: c("#0969da", "#58a6ff"), sel: c("#ddf4ff", "#1c2b3f"), match: c("#fff8c5", "#5a4a00"),
		pass: c("#1a7f37", "#3fb950"), fail: c("#cf222e", "#f85149"), warn: c("#9a6700", "#d29922"), skip: c("#59636e", "#8b949e"),
		sim: c("#8250df", "#a371f7"), azure: c("#0969da", "#1f6feb"), files: c("#59636e", "#6e7681"),
		num: c("#953800", "#ffa657"),
	}
}

// Styles is every style the UI draws with, built once from a theme and a renderer.
type Styles struct {
	// NoColor is set when the terminal gets no colour (NO_COLOR, a dumb terminal or the
	// Options flag): markers that colour alone would carry are then spelled out.
	NoColor bool

	Banner       map[evidence.Source]lipgloss.Style
	BannerDetail lipgloss.Style

	Tab, TabActive, TabSep   lipgloss.Style
	Step, StepActive, StepNo lipgloss.Style
	Rule                     lipgloss.Style

	Title, Summary, SectionTitle, Note lipgloss.Style
	Key, Value, Explain, Hint, Detail  lipgloss.Style
	Heading                            lipgloss.Style
	Selected, Match, Cursor            lipgloss.Style

	Verdict map[check.Verdict]lipgloss.Style
	Badge   map[check.Verdict]lipgloss.Style

	Link      map[check.Verdict]lipgloss.Style // chain boxes, border colour by verdict
	LinkSel   lipgloss.Style
	Arrow     lipgloss.Style
	CodeBlob  lipgloss.Style
	Status    lipgloss.Style
	StatusErr lipgloss.Style
	StatusOK  lipgloss.Style
	Overlay   lipgloss.Style
	Input     lipgloss.Style
	Help      help.Styles

	// JSON as jq colours it: keys, strings, numbers and booleans, null, punctuation.
	JSONKey, JSONString, JSONNumber, JSONNull, JSONPunct lipgloss.Style
}

// NewStyles builds the styles for r. With noColor, or when r's profile has no colour, it
// returns the plain variant.
func NewStyles(r *lipgloss.Renderer, noColor bool) Styles {
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	t := defaultTheme()
	n := r.NewStyle
	s := Styles{NoColor: r.ColorProfile() == termenv.Ascii}

	s.Banner = map[evidence.Source]lipgloss.Style{
		evidence.SourceSim:   n().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(t.sim),
		evidence.SourceAzure: n().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(t.azure),
		evidence.SourceFiles: n().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(t.files),
	}
	s.BannerDetail = n().Foreground(t.dim)

	s.Tab = n().Foreground(t.dim)
	s.TabActive = n().Bold(true).Foreground(t.accent).Underline(true)
	s.TabSep = n().Foreground(t.faint)
	s.Step = n().Foreground(t.fg)
	s.StepActive = n().Bold(true).Foreground(t.accent)
	s.StepNo = n().Foreground(t.dim)
	s.Rule = n().Foreground(t.faint)

	s.Title = n().Bold(true).Foreground(t.fg)
	s.Summary = n().Foreground(t.dim)
	s.SectionTitle = n().Bold(true).Foreground(t.accent)
	s.Note = n().Italic(true).Foreground(t.warn)
	s.Key = n().Foreground(t.fg)
	s.Value = n().Foreground(t.fg)
	s.Explain = n().Foreground(t.dim)
	s.Hint = n().Foreground(t.warn)
	s.Detail = n().Foreground(t.fg)
	s.Heading = n().Bold(true).Foreground(t.dim)
	s.Selected = n().Background(t.sel)
	s.Match = n().Background(t.match).Foreground(t.fg)
	s.Cursor = n().Bold(true).Foreground(t.accent)

	s.Verdict = map[check.Verdict]lipgloss.Style{
		check.Pass: n().Foreground(t.pass), check.Fail: n().Foreground(t.fail),
		check.Warn: n().Foreground(t.warn), check.Skip: n().Foreground(t.skip),
	}
	s.Badge = map[check.Verdict]lipgloss.Style{}
	s.Link = map[check.Verdict]lipgloss.Style{}
	for v, c := range map[check.Verdict]lipgloss.AdaptiveColor{check.Pass: t.pass, check.Fail: t.fail, check.Warn: t.warn, check.Skip: t.skip} {
		s.Badge[v] = n().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(c)
		s.Link[v] = n().Border(lipgloss.RoundedBorder()).BorderForeground(c).Padding(0, 1)
	}
	s.LinkSel = n().Border(lipgloss.ThickBorder()).Padding(0, 1)
	s.Arrow = n().Foreground(t.dim)
	s.CodeBlob = n().Foreground(t.accent).Italic(true)
	s.Status = n().Foreground(t.dim)
	s.StatusErr = n().Foreground(t.fail).Bold(true)
	s.StatusOK = n().Foreground(t.pass)
	s.Overlay = n().Border(lipgloss.RoundedBorder()).BorderForeground(t.accent).Padding(0, 1)
	s.Input = n().Foreground(t.accent)

	s.JSONKey = n().Bold(true).Foreground(t.accent)
	s.JSONString = n().Foreground(t.pass)
	s.JSONNumber = n().Foreground(t.num)
	s.JSONNull = n().Foreground(t.dim)
	s.JSONPunct = n().Foreground(t.fg)

	s.Help = help.Styles{
		ShortKey: n().Foreground(t.accent), ShortDesc: n().Foreground(t.dim), ShortSeparator: n().Foreground(t.faint),
		FullKey: n().Foreground(t.accent), FullDesc: n().Foreground(t.dim), FullSeparator: n().Foreground(t.faint),
		Ellipsis: n().Foreground(t.faint),
	}
	return s
}

// badge renders a verdict as a fixed-width label that reads without colour.
func (s Styles) badge(v check.Verdict, c catalog) string {
	w := c.verdictWidth()
	if v == "" {
		return spaces(w + 2)
	}
	label := c.verdict(v)
	if s.NoColor {
		return "[" + pad(label, w) + "]"
	}
	st, ok := s.Badge[v]
	if !ok {
		return pad("", w+2)
	}
	return st.Render(" " + pad(label, w) + " ")
}
