package ui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

func TestSaveShowsPath(t *testing.T) {
	var got *evidence.Set
	m := newTestModel(t, uitest.New(), 80, 24, false, present.EN)
	m.opts.Save = func(s *evidence.Set) (string, error) { got = s; return "/tmp/evidence-test.json", nil }
	keys(m, "s")
	if got == nil || got.Source != evidence.SourceSim {
		t.Fatalf("Save got %+v, want the runner's evidence", got)
	}
	if !strings.Contains(m.View(), "Evidence saved to /tmp/evidence-test.json") {
		t.Errorf("status line does not show the path:\n%s", m.View())
	}
	m.opts.Save = func(*evidence.Set) (string, error) { return "", errors.New("disk full") }
	keys(m, "s")
	if !strings.Contains(m.View(), "Save failed: disk full") {
		t.Errorf("status line does not show the save error:\n%s", m.View())
	}
	m.opts.Save = nil
	keys(m, "s")
	if !strings.Contains(m.View(), "Saving is not available") {
		t.Errorf("status line does not say saving is unavailable:\n%s", m.View())
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	m := newTestModel(t, uitest.New(), 80, 24, false, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter")
	before := m.pane().offset
	send(m, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if m.pane().offset != before+3 {
		t.Errorf("wheel down moved offset %d → %d, want +3", before, m.pane().offset)
	}
	send(m, tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if m.pane().offset != before {
		t.Errorf("wheel up did not scroll back: %d", m.pane().offset)
	}
}

func TestCopyNeedsSelection(t *testing.T) {
	m := newTestModel(t, uitest.New(), 80, 24, false, present.EN)
	keys(m, "y")
	if !strings.Contains(m.View(), "Nothing to copy") {
		t.Errorf("y on an empty pane should say there is nothing to copy:\n%s", m.View())
	}
}

func TestFilterKeys(t *testing.T) {
	m := newTestModel(t, uitest.New(), 160, 48, false, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter", "7")
	_, row := m.pane().Selected()
	if row == nil || row.PCR != 7 {
		t.Fatalf("after 7 the selection is %+v, want the first PCR 7 event", row)
	}
	for _, it := range m.pane().items {
		sec := m.pane().page.Sections[it.sec]
		if sec.Kind == present.Events && sec.Rows[it.row].PCR != 7 {
			t.Fatalf("filter 7 shows an event of PCR %d", sec.Rows[it.row].PCR)
		}
	}
	keys(m, "f") // 7 → the next PCR with events
	if m.pane().filter <= 7 {
		t.Errorf("f from 7 went to %d", m.pane().filter)
	}
	keys(m, "e")
	if m.pane().expand {
		t.Error("e expanded blobs on a page without a Code section")
	}
}

func TestDefaultLang(t *testing.T) {
	for _, c := range []struct {
		all, lang string
		want      present.Lang
	}{
		{"", "ko_KR.UTF-8", present.KO},
		{"", "en_US.UTF-8", present.EN},
		{"C", "ko_KR.UTF-8", present.EN},
		{"ko_KR.UTF-8", "en_US.UTF-8", present.KO},
		{"", "", present.EN},
	} {
		t.Setenv("LC_ALL", c.all)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		if got := DefaultLang(); got != c.want {
			t.Errorf("LC_ALL=%q LANG=%q: %s, want %s", c.all, c.lang, got, c.want)
		}
	}
}

// TestSectionJumps walks the report page with ] and [: each jump selects the section's first
// item and puts its title at the top of the pane; [ first returns to the top of the current
// section, then goes to the one before; the PCR filter's empty event log is passed over.
func TestSectionJumps(t *testing.T) {
	m := newTestModel(t, uitest.New(), 80, 24, false, present.EN)
	m.sel = m.stepIndex(workshop.ReadReport)
	keys(m, "enter")
	p := m.pane()
	n := len(p.page.Sections)
	if n < 4 {
		t.Fatalf("test page has %d sections", n)
	}
	at := func(si int) {
		t.Helper()
		if got := p.items[p.sel].sec; got != si {
			t.Fatalf("selection is in section %d, want %d", got, si)
		}
		if p.sel != p.firstItem(si) {
			t.Errorf("selected item %d, want the section's first, %d", p.sel, p.firstItem(si))
		}
		if end := max(len(p.lines)-p.height, 0); p.offset != p.secLine[si] && p.offset != end {
			t.Errorf("section %d: pane starts at line %d, want its title's line %d", si, p.offset, p.secLine[si])
		}
		title := p.page.Sections[si].Title.EN
		if !strings.Contains(m.View(), title) {
			t.Errorf("section %q not on screen", title)
		}
	}
	for si := 1; si < n; si++ {
		keys(m, "]")
		at(si)
	}
	keys(m, "]") // past the last section: nothing moves
	at(n - 1)
	keys(m, "j", "[") // inside the last section, [ returns to its top
	at(n - 1)
	keys(m, "[")
	at(n - 2)
	keys(m, "g", "[") // nothing before the first section: the page's top stays in view
	if p.sel != 0 || p.offset != 0 {
		t.Errorf("[ at the top moved to item %d, line %d", p.sel, p.offset)
	}

	// Filtered to a PCR without events, the event log shows none: ] passes over it.
	ev := -1
	for si, s := range p.page.Sections {
		if s.Kind == present.Events {
			ev = si
		}
	}
	if ev < 0 || ev == n-1 {
		t.Fatalf("the test page needs an event log that is not the last section")
	}
	p.SetFilter(23)
	p.ShowSection(ev-1, p.firstItem(ev-1))
	keys(m, "]")
	at(ev + 1)
}

// TestRerunMarksLaterStepsStale: a new nonce reads a fresh report, so the request, the call
// and the token built on the old one are marked stale until they run again.
func TestRerunMarksLaterStepsStale(t *testing.T) {
	m := newTestModel(t, uitest.New(), 120, 40, true, present.EN)
	keys(m, "a")
	for i := range m.runs {
		if m.runs[i].stale {
			t.Fatalf("%s is stale right after run all", m.steps[i])
		}
	}
	keys(m, "n")
	for _, c := range "fresh" {
		keys(m, string(c))
	}
	keys(m, "enter")
	rr := m.stepIndex(workshop.ReadReport)
	for i := range m.runs {
		if want := i > rr; m.runs[i].stale != want {
			t.Errorf("%s stale = %v, want %v", m.steps[i], m.runs[i].stale, want)
		}
	}
	br := m.stepIndex(workshop.BuildRequest)
	m.sel = br
	frame := m.View()
	if !strings.Contains(frame, "passed · stale") || !strings.Contains(frame, "An earlier step ran again") {
		t.Errorf("Build request does not show that it is stale:\n%s", frame)
	}
	keys(m, "enter")
	if m.runs[br].stale {
		t.Error("running Build request again did not clear its stale mark")
	}
	if !m.runs[br+1].stale {
		t.Error("Call MAA should still be stale after Build request ran again")
	}
}

// TestStatusClearedOnNavigation: a message about the last action goes when the reader
// moves to another row or step.
func TestStatusClearedOnNavigation(t *testing.T) {
	for _, k := range []string{"j", "k", "]", "tab", "shift+tab", "G", "g"} {
		m := newTestModel(t, uitest.New(), 80, 24, false, present.EN)
		keys(m, "a", "j", "y")
		if !strings.Contains(m.View(), "Copied") {
			t.Fatalf("y did not report a copy:\n%s", m.View())
		}
		keys(m, k)
		if strings.Contains(m.View(), "Copied") {
			t.Errorf("after %q the status line still says Copied:\n%s", k, m.View())
		}
	}
}

// filesRunner is the test runner as the Files runner behaves: saved evidence cannot take a
// new nonce.
type filesRunner struct{ *uitest.Runner }

func (filesRunner) CanSetNonce() bool { return false }

// TestNonceKeyOnlyWhenTheRunnerTakesOne: inspecting files, n is not offered in the footer
// or the help, and pressing it opens no prompt, in both languages and after switching;
// a live run offers and answers it.
func TestNonceKeyOnlyWhenTheRunnerTakesOne(t *testing.T) {
	nonceHelp := map[present.Lang]string{present.EN: "n nonce", present.KO: "n 논스"}
	for _, lang := range []present.Lang{present.EN, present.KO} {
		m := newTestModel(t, filesRunner{uitest.New()}, 160, 48, false, lang)
		keys(m, "esc", "a")
		for _, switched := range []bool{false, true} {
			if switched {
				keys(m, "L")
			}
			want := nonceHelp[m.c.lang()]
			if f := m.View(); strings.Contains(f, want) {
				t.Errorf("%s (switched %v): the footer offers %q for saved files:\n%s", lang, switched, want, f)
			}
			keys(m, "?")
			if f := m.View(); strings.Contains(f, want) {
				t.Errorf("%s (switched %v): the help offers %q for saved files:\n%s", lang, switched, want, f)
			}
			keys(m, "?", "n")
			if m.mode != inputNone {
				t.Errorf("%s (switched %v): n opened the nonce prompt for saved files", lang, switched)
				keys(m, "esc")
			}
		}
	}
	m := newTestModel(t, uitest.New(), 160, 48, false, present.EN)
	keys(m, "esc", "a")
	if f := m.View(); !strings.Contains(f, nonceHelp[present.EN]) {
		t.Errorf("a live run does not offer n:\n%s", f)
	}
	keys(m, "n")
	if m.mode != inputNonce {
		t.Error("n opened no prompt on a live run")
	}
}
