package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// sectionOf finds a section kind in the test-data pages.
func sectionOf(t *testing.T, kind present.Kind) present.Section {
	t.Helper()
	for _, pg := range []present.Page{uitest.ReadReportPage("", 40, false), uitest.BuildRequestPage(), uitest.VerifyJWTPage(false)} {
		for _, s := range pg.Sections {
			if s.Kind == kind {
				return s
			}
		}
	}
	t.Fatalf("no %s section in the test pages", kind)
	return present.Section{}
}

// TestSections snapshots each section kind alone, with its second item selected so the
// expanded detail is covered, at both widths, with and without colour.
func TestSections(t *testing.T) {
	kinds := []present.Kind{present.Fields, present.Table, present.Chain, present.Events, present.Code, present.Checks}
	for _, kind := range kinds {
		for _, w := range []int{80, 160} {
			for _, color := range []bool{true, false} {
				name := fmt.Sprintf("%s_%d_%s", kind, w, colorName(color))
				t.Run(name, func(t *testing.T) {
					st := testStyles(color)
					p := newPane(newCommon(st, present.EN, true))
					p.SetSize(w, 1000)
					page := present.Page{Title: present.T("Test page", "테스트"), Sections: []present.Section{sectionOf(t, kind)}}
					p.SetPage(&page)
					p.Select(1)
					p.ensure()
					out := strings.Join(p.lines, "\n")
					for i, l := range p.lines {
						if lw := lipgloss.Width(l); lw > w {
							t.Errorf("line %d is %d cells, more than %d", i, lw, w)
						}
					}
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

func colorName(c bool) string {
	if c {
		return "color"
	}
	return "nocolor"
}

// TestScreens snapshots whole frames: the overview after every step, the report page,
// a running step, the fault scenario, the help overlay, and Korean.
func TestScreens(t *testing.T) {
	type scene struct {
		name  string
		lang  present.Lang
		setup func(r *uitest.Runner)
		keys  []string
	}
	scenes := []scene{
		{name: "welcome"},
		{name: "welcome_end", keys: []string{"G"}},
		{name: "welcome_ko", lang: present.KO},
		{name: "overview", keys: []string{"a"}},
		{name: "report", keys: []string{"a", "shift+tab", "shift+tab", "shift+tab"}},
		{name: "events", keys: []string{"a", "shift+tab", "shift+tab", "shift+tab", "4"}},
		{name: "request", keys: []string{"a", "shift+tab", "shift+tab", "G"}},
		{name: "fault", setup: func(r *uitest.Runner) { r.SecureBootOff = true }, keys: []string{"a", "shift+tab", "shift+tab", "shift+tab", "/", "secure-boot", "enter"}},
		{name: "error", setup: func(r *uitest.Runner) {
			r.Fail = map[workshop.StepID]error{workshop.CallMAA: fmt.Errorf("POST https://sharedkrc.krc.attest.azure.net/attest/AzureGuest: 400 Bad Request")}
		}, keys: []string{"a"}},
		{name: "help", keys: []string{"?"}},
		{name: "ordered", keys: []string{"tab", "tab", "tab", "enter"}},
		{name: "failure", setup: func(r *uitest.Runner) { r.SecureBootOff = true }, keys: []string{"a", "shift+tab", "shift+tab", "shift+tab"}},
		{name: "failure_ko", lang: present.KO, setup: func(r *uitest.Runner) { r.SecureBootOff = true }, keys: []string{"a", "shift+tab", "shift+tab", "shift+tab"}},
		{name: "json", keys: []string{"a", "J"}},
		{name: "json_ko", lang: present.KO, keys: []string{"a", "J", "G"}},
		{name: "korean", lang: present.KO, keys: []string{"a", "shift+tab", "shift+tab", "shift+tab"}},
	}
	// The guided lesson, page by page, after the steps ran (so its values are the token's).
	for n := 1; n <= lessonPages; n++ {
		ks := []string{"a", "W"}
		for range n - 1 {
			ks = append(ks, " ")
		}
		scenes = append(scenes, scene{name: fmt.Sprintf("lesson_%d", n), keys: ks})
		if n == 1 || n == 3 || n == lessonPages {
			scenes = append(scenes, scene{name: fmt.Sprintf("lesson_ko_%d", n), lang: present.KO, keys: ks})
		}
	}
	for _, sc := range scenes {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			for _, color := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s_%dx%d_%s", sc.name, size[0], size[1], colorName(color)), func(t *testing.T) {
					r := uitest.New()
					if sc.setup != nil {
						sc.setup(r)
					}
					lang := sc.lang
					if lang == "" {
						lang = present.EN
					}
					m := newTestModel(t, r, size[0], size[1], color, lang)
					for _, k := range sc.keys {
						if k == "secure-boot" {
							for _, c := range k {
								keys(m, string(c))
							}
							continue
						}
						keys(m, k)
					}
					frame := m.View()
					checkFrame(t, frame, size[0], size[1])
					golden.RequireEqual(t, frame)
				})
			}
		}
	}
}
