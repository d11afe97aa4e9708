package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/viewport"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// docKind names the full-width text views that cover the steps: the welcome, the guided
// lesson, the token as JSON and the key help.
type docKind int

const (
	docNone docKind = iota
	docWelcome
	docLesson
	docJSON
	docHelp
)

// doc is a scrollable text view. Its lines are built for a width by render, again on every
// resize and language switch, so wrapping always fits the terminal.
type doc struct {
	vp     viewport.Model
	render func(w int) []string
	width  int
}

func newDoc(render func(w int) []string) *doc {
	return &doc{vp: viewport.New(0, 0), render: render}
}

// SetSize gives the view its size; with layout, the text is laid out again for the new
// width (without, Refresh must come before the view is shown).
func (d *doc) SetSize(w, h int, layout bool) {
	d.width = w
	d.vp.Width, d.vp.Height = w, max(h, 1)
	if layout {
		d.Refresh()
	}
}

// Refresh lays the text out again (after a language switch or new content), keeping the
// scroll position where it still exists.
func (d *doc) Refresh() {
	off := d.vp.YOffset
	lines := d.render(max(d.width-4, 20))
	for i, l := range lines {
		lines[i] = pad("  "+l, d.width)
	}
	d.vp.SetContent(strings.Join(lines, "\n"))
	d.vp.SetYOffset(off)
}

func (d *doc) Scroll(n int) {
	if n < 0 {
		d.vp.ScrollUp(-n)
	} else {
		d.vp.ScrollDown(n)
	}
}

func (d *doc) PageDown() { d.vp.PageDown() }
func (d *doc) PageUp()   { d.vp.PageUp() }
func (d *doc) Top()      { d.vp.GotoTop() }
func (d *doc) Bottom()   { d.vp.GotoBottom() }

// View is exactly the view's height in lines of its width.
func (d *doc) View() string { return d.vp.View() }

// more says whether lines are hidden below, for the footer's "↓ more".
func (d *doc) more() bool { return !d.vp.AtBottom() }

// docText builds a doc's lines for one width: headings, wrapped paragraphs, numbered items
// with a hanging indent, and commands as the workshop printed them.
type docText struct {
	c     *common
	w     int
	lines []string
}

func (b *docText) add(ls ...string) { b.lines = append(b.lines, ls...) }

func (b *docText) blank() {
	if n := len(b.lines); n > 0 && b.lines[n-1] != "" {
		b.add("")
	}
}

func (b *docText) title(s string) {
	for _, l := range wrap(s, b.w) {
		b.add(b.c.st.Title.Render(l))
	}
}

func (b *docText) heading(s string) {
	b.blank()
	for _, l := range wrap(s, b.w) {
		b.add(b.c.st.SectionTitle.Render(l))
	}
}

// para wraps s in st, each line indented by ind cells.
func (b *docText) para(s string, st lipgloss.Style, ind int) {
	for _, l := range wrap(s, b.w-ind) {
		b.add(spaces(ind) + st.Render(l))
	}
}

// item is a label and its text beside it; the text wraps under itself, not under the label.
// With labelW 0, or when two columns leave the text too little room, the label stands on
// its own line and the text goes indented below it.
func (b *docText) item(label string, labelW int, labelSt lipgloss.Style, text string, st lipgloss.Style) {
	if labelW == 0 || b.w-max(labelW, cells(label))-2 < 24 {
		// Too narrow for two columns: the label on its own line, the text below it.
		b.add(labelSt.Render(fit(label, b.w)))
		b.para(text, st, 3)
		return
	}
	labelW = max(labelW, cells(label))
	for i, l := range wrap(text, b.w-labelW-2) {
		head := spaces(labelW + 2)
		if i == 0 {
			head = labelSt.Render(pad(label, labelW)) + "  "
		}
		b.add(head + st.Render(l))
	}
}

// flow draws steps joined by arrows, breaking lines only at an arrow, so no step name is
// split across lines.
func (b *docText) flow(steps []string, st lipgloss.Style) {
	line := ""
	for i, s := range steps {
		switch {
		case i == 0:
			line = s
		case cells(line)+3+cells(s) > b.w:
			b.add(st.Render(line))
			line = "→ " + s
		default:
			line += " → " + s
		}
	}
	b.para(line, st, 0)
}

// code shows lines as typed or printed in a terminal. A long line is broken at the width
// and its continuation marked ↪, so one command never reads as two.
func (b *docText) code(st lipgloss.Style, lines ...string) {
	for _, l := range lines {
		for i, part := range strings.Split(ansi.Hardwrap(l, b.w-2, true), "\n") {
			lead := "  "
			if i > 0 {
				lead = b.c.st.Arrow.Render("↪ ")
			}
			b.add(lead + st.Render(part))
		}
	}
}
