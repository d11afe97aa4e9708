package ui

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// RunAtStart (policy check) opens on the steps, not the welcome, and Init runs them: the
// answer is already decided, and the workshop's welcome said nothing about it.
func TestRunAtStartShowsTheStepsRun(t *testing.T) {
	r := uitest.New()
	m := newModel(context.Background(), r, Options{Lang: present.EN, Width: 120, Height: 40, Output: io.Discard, RunAtStart: true}, testStyles(false))
	m.now = func() time.Time { return fixedNow }
	if strings.Contains(ansi.Strip(m.View()), "Welcome to cvmscope") {
		t.Fatal("RunAtStart opened the welcome")
	}
	for _, msg := range runCmd(m.Init()) {
		send(m, msg)
	}
	for i, run := range m.runs {
		if run.state == waiting {
			t.Errorf("step %s did not run at start", m.steps[i])
		}
	}
	// Without it, the welcome opens and nothing runs until a key.
	m = newTestModel(t, uitest.New(), 120, 40, false, present.EN)
	if !strings.Contains(ansi.Strip(m.View()), "Welcome to cvmscope") || runCmd(m.Init()) != nil {
		t.Error("the default start is not the welcome, or it ran something")
	}
}
