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
