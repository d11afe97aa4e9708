package ui

import (
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// item is one selectable thing on a page: a row, or a whole Code section (row -1).
type item struct{ sec, row int }

// notice is a line shown above the page: why it is empty, the error a step stopped with.
type notice struct {
	text  string
	style lipgloss.Style
}

// pane shows one step's page in a scrollable window with one item selected. Rendered
// rows are cached, because a page can hold a thousand events and only the selected one
// changes when the cursor moves.
type pane struct {
	c             *common
	width, height int

	page    *present.Page
	notices []notice
	// sticky notices stay above the scrolled page: what a running step is waiting for,
	// why a step failed and what to do, while the page below opens at the failing check.
	sticky      []notice
	stickyLines []string

	sel, offset int
	filter      int // PCR shown in Events sections, -1 for all
	expand      bool
	query       string

	items   []item
	lines   []string
	start   []int // first line of each item
	end     []int // one past its last line
	secLine []int // line of each section's title

	dirty   bool               // lines must be rebuilt
	cache   map[item][]string  // unselected renderings; dropped when width, language, filter or query change
	layouts map[int]*secLayout // per-section column widths, dropped with cache
	lang    present.Lang       // language the cache was rendered in
}

func newPane(c *common) *pane {
	return &pane{c: c, filter: -1, dirty: true}
}

// SetSize gives the pane its width and height in cells.
func (p *pane) SetSize(w, h int) {
	if w != p.width {
		p.invalidate()
	}
	p.width, p.height = max(w, 1), max(h, 1)
	p.dirty = true
	p.layoutSticky()
}

// SetPage shows page (nil for none) under the given notices. The selection survives a
// rerun of the same step, so a presenter does not lose their place.
//
// Pages and notices (an error may quote an HTTP body or a file name) carry untrusted
// text; the pane keeps a safe copy of both, so everything drawn, searched and copied from
// it shows control characters as escapes, while cvmscope's own styling is added later.
func (p *pane) SetPage(page *present.Page, notices ...notice) {
	if page != nil {
		safe := page.Safe()
		page = &safe
	}
	ns := make([]notice, len(notices))
	for i, n := range notices {
		ns[i] = notice{present.SafeLines(n.text), n.style}
	}
	p.page, p.notices = page, ns
	p.invalidate()
}

// SetSticky replaces the notices kept above the page. They are laid out apart from the
// page, so a running step's clock can tick without rebuilding a thousand rows.
func (p *pane) SetSticky(ns ...notice) {
	p.sticky = p.sticky[:0]
	for _, n := range ns {
		p.sticky = append(p.sticky, notice{present.SafeLines(n.text), n.style})
	}
	p.layoutSticky()
}

func (p *pane) layoutSticky() {
	p.stickyLines = p.stickyLines[:0]
	for _, n := range p.sticky {
		for _, l := range wrap(n.text, p.contentWidth()) {
			p.stickyLines = append(p.stickyLines, "  "+n.style.Render(l))
		}
	}
	// At most half the pane: the page below is what the notice is about.
	if limit := max(p.height/2, 1); len(p.stickyLines) > limit {
		p.stickyLines = append(p.stickyLines[:limit-1], "  "+p.c.st.Explain.Render("…"))
	}
	if len(p.stickyLines) > 0 {
		p.stickyLines = append(p.stickyLines, "  "+p.c.st.Rule.Render(strings.Repeat("─", p.contentWidth())))
	}
	p.clampOffset()
}

// bodyH is the height of the scrolled page under the sticky notices.
func (p *pane) bodyH() int { return max(p.height-len(p.stickyLines), 1) }

func (p *pane) invalidate() {
	p.cache, p.layouts = nil, nil
	p.dirty = true
}

// contentWidth is the width left for a row after the two-cell selection gutter.
func (p *pane) contentWidth() int { return max(p.width-2, 8) }

// ensure rebuilds the lines when something changed since the last frame.
func (p *pane) ensure() {
	if p.lang != p.c.lang() {
		p.invalidate()
		p.lang = p.c.lang()
	}
	if p.dirty {
		p.layoutSticky()
	}
	if !p.dirty {
		return
	}
	if p.cache == nil {
		p.cache = map[item][]string{}
		p.layouts = map[int]*secLayout{}
	}
	p.build()
	p.dirty = false
}

func (p *pane) build() {
	w := p.contentWidth()
	p.items, p.lines, p.start, p.end, p.secLine = p.items[:0], p.lines[:0], p.start[:0], p.end[:0], p.secLine[:0]
	add := func(ls ...string) {
		for _, l := range ls {
			p.lines = append(p.lines, "  "+l)
		}
	}
	for _, n := range p.notices {
		for _, l := range wrap(n.text, w) {
			add(n.style.Render(l))
		}
	}
	if p.page == nil {
		p.clampOffset()
		return
	}
	for si := range p.page.Sections {
		p.items = append(p.items, p.sectionItems(si, &p.page.Sections[si])...)
	}
	p.sel = min(max(p.sel, 0), max(len(p.items)-1, 0))
	add(p.header(w)...)
	k := 0
	for si := range p.page.Sections {
		sec := &p.page.Sections[si]
		add("")
		p.secLine = append(p.secLine, len(p.lines))
		add(p.sectionHeader(si, sec, w)...)
		for ; k < len(p.items) && p.items[k].sec == si; k++ {
			p.start = append(p.start, len(p.lines))
			p.lines = append(p.lines, p.itemLines(p.items[k], k == p.sel)...)
			p.end = append(p.end, len(p.lines))
		}
	}
	p.clampOffset()
}

// itemLines renders an item with its gutter; unselected renderings come from the cache.
func (p *pane) itemLines(it item, selected bool) []string {
	if !selected {
		if ls, ok := p.cache[it]; ok {
			return ls
		}
	}
	body := p.render(it, selected)
	out := make([]string, len(body))
	for i, l := range body {
		g := "  "
		if selected {
			g = p.c.st.Cursor.Render("▸ ")
			if i > 0 {
				g = p.c.st.Cursor.Render("│ ")
			}
		}
		out[i] = g + l
	}
	if !selected {
		p.cache[it] = out
	}
	return out
}

// sectionItems lists a section's selectable items, honouring the PCR filter for events.
func (p *pane) sectionItems(si int, sec *present.Section) []item {
	if sec.Kind == present.Code {
		return []item{{si, -1}}
	}
	out := make([]item, 0, len(sec.Rows))
	for ri := range sec.Rows {
		if sec.Kind == present.Events && p.filter >= 0 && sec.Rows[ri].PCR != p.filter {
			continue
		}
		out = append(out, item{si, ri})
	}
	return out
}

func (p *pane) header(w int) []string {
	pg := p.page
	title := p.c.st.Title.Render(fit(pg.Title.In(p.c.lang()), w-10))
	if pg.Verdict != "" {
		title += " " + p.c.st.badge(pg.Verdict, p.c.cat)
	}
	out := []string{title}
	if pg.Summary.Empty() {
		return out
	}
	for _, l := range wrap(pg.Summary.In(p.c.lang()), w) {
		out = append(out, p.c.st.Summary.Render(l))
	}
	return out
}

func (p *pane) clampOffset() {
	p.offset = min(max(p.offset, 0), max(len(p.lines)-p.bodyH(), 0))
}

// reveal scrolls so the selected item is in view, its top first when it is taller.
func (p *pane) reveal() {
	p.ensure()
	if len(p.items) == 0 {
		return
	}
	s, e := p.start[p.sel], p.end[p.sel]
	switch {
	case s < p.offset || e-s > p.bodyH():
		p.offset = s
	case e > p.offset+p.bodyH():
		p.offset = e - p.bodyH()
	}
	p.clampOffset()
}

// Down moves the selection, or scrolls while the selected item runs past the bottom.
func (p *pane) Down() {
	p.ensure()
	if len(p.items) == 0 || p.end[p.sel] > p.offset+p.bodyH() || p.sel == len(p.items)-1 {
		p.Scroll(1)
		return
	}
	p.Select(p.sel + 1)
}

// Up moves the selection, or scrolls while the selected item starts above the top.
func (p *pane) Up() {
	p.ensure()
	if len(p.items) == 0 || p.start[p.sel] < p.offset || p.sel == 0 {
		p.Scroll(-1)
		return
	}
	p.Select(p.sel - 1)
}

// Select makes item i the selected one and brings it into view.
func (p *pane) Select(i int) {
	p.ensure()
	if len(p.items) == 0 {
		return
	}
	i = min(max(i, 0), len(p.items)-1)
	if i != p.sel {
		// Only the two items change: their lines are swapped in place rather than every
		// item's lines rebuilt, so a move costs the same at ten events as at ten thousand.
		old := p.sel
		p.sel = i
		p.replaceItem(old, p.itemLines(p.items[old], false))
		p.replaceItem(i, p.itemLines(p.items[i], true))
	}
	p.reveal()
}

// replaceItem puts ls in place of item k's lines, moving the lines after it when the
// count differs (a selected row can show more than an unselected one).
func (p *pane) replaceItem(k int, ls []string) {
	s, e := p.start[k], p.end[k]
	d := len(ls) - (e - s)
	if d == 0 {
		copy(p.lines[s:e], ls)
		return
	}
	p.lines = slices.Replace(p.lines, s, e, ls...)
	p.end[k] += d
	for j := k + 1; j < len(p.items); j++ {
		p.start[j] += d
		p.end[j] += d
	}
	for j, l := range p.secLine {
		if l > s {
			p.secLine[j] = l + d
		}
	}
}

// Scroll moves the window by n lines without moving the selection.
func (p *pane) Scroll(n int) {
	p.ensure()
	p.offset += n
	p.clampOffset()
}

func (p *pane) PageDown() { p.Scroll(max(p.bodyH()-1, 1)) }
func (p *pane) PageUp()   { p.Scroll(-max(p.bodyH()-1, 1)) }
func (p *pane) Top()      { p.Select(0); p.offset = 0 }
func (p *pane) Bottom()   { p.Select(len(p.items) - 1); p.Scroll(len(p.lines)) }

// View renders exactly height lines of exactly width cells.
func (p *pane) View() string {
	p.ensure()
	var b strings.Builder
	n := min(len(p.stickyLines), p.height)
	for i := 0; i < p.height; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		l := ""
		if i < n {
			l = p.stickyLines[i]
		} else if j := p.offset + i - n; j < len(p.lines) {
			l = p.lines[j]
		}
		b.WriteString(pad(l, p.width))
	}
	return b.String()
}

// ShowFailure selects the check the page failed on and scrolls it into view.
func (p *pane) ShowFailure() {
	p.ensure()
	si, ri := failingItem(p.page)
	for i, it := range p.items {
		if it.sec == si && it.row == ri {
			p.Select(i)
			return
		}
	}
}

// Selected returns the selected row, if the selection is a row.
func (p *pane) Selected() (*present.Section, *present.Row) {
	p.ensure()
	if p.page == nil || len(p.items) == 0 {
		return nil, nil
	}
	it := p.items[p.sel]
	sec := &p.page.Sections[it.sec]
	if it.row < 0 {
		return sec, nil
	}
	return sec, &sec.Rows[it.row]
}

// CopyText is what `y` copies: the row's Copy, else its value as shown, else its cells; a Code
// section copies its whole body.
func (p *pane) CopyText() string {
	sec, r := p.Selected()
	switch {
	case sec == nil:
		return ""
	case r == nil:
		return sec.Body
	case r.Copy != "":
		return r.Copy
	case r.Value != "":
		// The value as shown: a check's Korean summary in Korean.
		return r.ValueIn(p.c.lang())
	}
	return strings.Join(r.Cells, "\t")
}

// has reports whether the page has a section of kind k.
func (p *pane) has(k present.Kind) bool {
	if p.page == nil {
		return false
	}
	for _, s := range p.page.Sections {
		if s.Kind == k {
			return true
		}
	}
	return false
}

// eventPCRs lists the PCRs that events on this page extend, ascending.
func (p *pane) eventPCRs() []int {
	seen := map[int]bool{}
	var out []int
	if p.page == nil {
		return nil
	}
	for _, s := range p.page.Sections {
		if s.Kind != present.Events {
			continue
		}
		for _, r := range s.Rows {
			if !seen[r.PCR] && r.PCR >= 0 {
				seen[r.PCR] = true
				out = append(out, r.PCR)
			}
		}
	}
	sort.Ints(out)
	return out
}

// SetFilter shows only events of PCR n (-1 for all).
func (p *pane) SetFilter(n int) {
	if n == p.filter {
		n = -1
	}
	p.filter = n
	p.showEvents()
}

// showEvents selects the first event shown, so a filter change lands on the events.
func (p *pane) showEvents() {
	p.invalidate()
	p.ensure()
	for i, it := range p.items {
		if p.page.Sections[it.sec].Kind == present.Events {
			p.Select(i)
			// Keep the section title and the filter line in view above the first event.
			p.offset = p.start[i] - 3
			p.clampOffset()
			return
		}
	}
}

// CycleFilter steps through all → each PCR that has events → all.
func (p *pane) CycleFilter() {
	pcrs := p.eventPCRs()
	next := -1
	for _, n := range pcrs {
		if n > p.filter {
			next = n
			break
		}
	}
	p.filter = next
	p.showEvents()
}

// ToggleExpand switches Code sections between summarised and full blobs.
func (p *pane) ToggleExpand() {
	p.expand = !p.expand
	p.invalidate()
}

// JumpSection moves to the next (dir > 0) or previous section: its first item is selected
// and its title scrolled to the top, so a long page (the report's nine sections) is walked
// a section at a time. Backwards, the first jump returns to the top of the current section.
func (p *pane) JumpSection(dir int) {
	p.ensure()
	if len(p.items) == 0 {
		return
	}
	cur := p.items[p.sel].sec
	target := cur + 1
	if dir < 0 {
		target = cur
		if first := p.firstItem(cur); p.sel == first && p.offset <= p.secLine[cur] {
			target = cur - 1
		}
	}
	step := 1
	if dir < 0 {
		step = -1
	}
	// A section that shows no item (events filtered to a PCR without any) is passed over.
	for si := target; si >= 0 && si < len(p.page.Sections); si += step {
		if first := p.firstItem(si); first >= 0 {
			p.ShowSection(si, first)
			return
		}
	}
}

// ShowSection selects item first of section si and puts the section's title at the top.
func (p *pane) ShowSection(si, first int) {
	p.Select(first)
	p.offset = p.secLine[si]
	p.clampOffset()
}

// firstItem is the index of section si's first item, -1 when si is out of range or the
// section shows no item (an event log filtered to a PCR without events).
func (p *pane) firstItem(si int) int {
	if si < 0 {
		return -1
	}
	for i, it := range p.items {
		if it.sec == si {
			return i
		}
		if it.sec > si {
			break
		}
	}
	return -1
}

// Matches lists the items whose text contains the search query, in page order.
func (p *pane) Matches() []int {
	p.ensure()
	var out []int
	for i, it := range p.items {
		if contains(p.itemText(it), p.query) {
			out = append(out, i)
		}
	}
	return out
}

// itemText is everything a search looks through in an item, in the current language.
func (p *pane) itemText(it item) string {
	sec := &p.page.Sections[it.sec]
	if it.row < 0 {
		return sec.Body
	}
	r := &sec.Rows[it.row]
	l := p.c.lang()
	// The stable key is searched too, so a claim or link is found by the name the workshop
	// script uses whatever the language shown.
	fields := []string{r.Key, r.ValueIn(l), r.Explain.In(l), r.Hint.In(l), r.DetailIn(l)}
	if k := r.KeyIn(l); k != r.Key {
		fields = append(fields, k)
	}
	return strings.Join(append(fields, r.CellsIn(l)...), "\n")
}
