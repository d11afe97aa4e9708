package ui

import (
	"slices"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestSelectMatchesRebuild walks the cursor down every item of the Read report page and
// back, and after each move compares the lines Select patched in place with a rebuild
// from scratch: a selected check shows more lines than an unselected one, so every later
// item's position and every later section title must move with it.
func TestSelectMatchesRebuild(t *testing.T) {
	m := newTestModel(t, uitest.New(), 100, 30, false, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter")
	p := m.pane()
	p.ensure()
	n := len(p.items)
	if n < 20 {
		t.Fatalf("the Read report page has %d items; the walk needs a long page", n)
	}
	grew := false
	check := func(move string) {
		t.Helper()
		lines, start, end, secLine := slices.Clone(p.lines), slices.Clone(p.start), slices.Clone(p.end), slices.Clone(p.secLine)
		p.dirty = true
		p.ensure()
		if !slices.Equal(lines, p.lines) || !slices.Equal(start, p.start) || !slices.Equal(end, p.end) || !slices.Equal(secLine, p.secLine) {
			t.Fatalf("after %s to item %d (%+v) the patched lines differ from a rebuild", move, p.sel, p.items[p.sel])
		}
		if e := p.end[p.sel] - p.start[p.sel]; e > 1 {
			grew = true
		}
	}
	for i := 0; i < n; i++ {
		p.Select(i)
		check("down")
	}
	for i := n - 1; i >= 0; i -= 7 {
		p.Select(i)
		check("up")
	}
	p.Select(n / 2)
	check("a jump")
	if !grew {
		t.Error("no selected item spans several lines; the walk never moved the lines after it")
	}
}
