package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// runState is where a step is in its life.
type runState int

const (
	waiting runState = iota
	running
	cancelling
	cancelled
	passed
	warned
	failed
	skipped
)

var stateWords = [...]string{"state.waiting", "state.running", "state.cancelling", "state.cancelled",
	"state.passed", "state.warned", "state.failed", "state.skipped"}

// stepRun is one step's state, timing and outcome.
type stepRun struct {
	state runState
	start time.Time
	dur   time.Duration
	err   error
	// stale: an earlier step ran again since this one finished (a new nonce, a rerun), so
	// its page may no longer follow from what the runner holds.
	stale bool
	// attempts is how many tries the step's MAA call took.
	attempts int
}

// stepList shows the steps: a column on wide terminals, a one-line tab strip on narrow ones.
type stepList struct {
	c             *common
	width, height int
	steps         []workshop.StepID
	runs          []stepRun
	sel           int
	spin          string    // the spinner frame of this frame
	now           time.Time // the clock of this frame, for elapsed times
}

// SetSize gives the list its width and height (height 1 means the tab strip).
func (l *stepList) SetSize(w, h int) { l.width, l.height = w, h }

// icon marks a state in one cell that reads without colour.
func (l *stepList) icon(i int) string {
	st := l.c.st
	switch l.runs[i].state {
	case running:
		return st.Cursor.Render(l.spin)
	case cancelling:
		return st.Verdict["warn"].Render("…")
	case cancelled:
		return st.Verdict["skip"].Render("⊘")
	case passed:
		return st.Verdict["pass"].Render("✓")
	case warned:
		return st.Verdict["warn"].Render("!")
	case failed:
		return st.Verdict["fail"].Render("✗")
	case skipped:
		return st.Verdict["skip"].Render("-")
	}
	return st.StepNo.Render("·")
}

// status is the state in words with its time: elapsed while running, duration after.
func (l *stepList) status(i int) string {
	r := l.runs[i]
	s := l.c.cat.t(stateWords[r.state])
	switch r.state {
	case running, cancelling:
		s += " " + duration(l.now.Sub(r.start))
	case passed, warned, failed, skipped:
		// Stale says more than the time it took, and the column has room for one of them.
		if r.stale {
			s += " · " + l.c.cat.t("state.stale")
		} else {
			s += " · " + duration(r.dur)
		}
	}
	return s
}

func duration(d time.Duration) string {
	switch {
	case d < 0:
		return "0ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// View renders the column, or the tab strip when the list is one line high.
func (l *stepList) View() string {
	if l.height <= 1 {
		return l.tabs()
	}
	st := l.c.st
	var lines []string
	for i, id := range l.steps {
		name := fmt.Sprintf("%d %s", i+1, id.Title().In(l.c.lang()))
		if i == l.sel {
			lines = append(lines, st.Cursor.Render("▸ ")+st.StepActive.Render(fit(name, l.width-2)))
		} else {
			lines = append(lines, "  "+st.Step.Render(fit(name, l.width-2)))
		}
		lines = append(lines, "    "+l.icon(i)+" "+st.Status.Render(fit(l.status(i), l.width-6)), "")
	}
	for len(lines) < l.height {
		lines = append(lines, "")
	}
	for i := range lines {
		lines[i] = pad(lines[i], l.width)
	}
	return strings.Join(lines[:l.height], "\n")
}

// tabs draws every step on one line; when the names do not fit, the longest of the steps
// other than the selected one lose their last word, one at a time, down to their number
// and state, so a shortened name never ends in half a word ("3 요청…", "2 Read…").
func (l *stepList) tabs() string {
	st := l.c.st
	names := make([]string, len(l.steps))
	for i, id := range l.steps {
		names[i] = fmt.Sprintf("%d %s", i+1, id.Title().In(l.c.lang()))
	}
	draw := func() string {
		parts := make([]string, len(l.steps))
		for i, name := range names {
			style := st.Tab
			if i == l.sel {
				style = st.TabActive
			}
			parts[i] = l.icon(i) + " " + style.Render(name)
		}
		return " " + strings.Join(parts, st.TabSep.Render(" │ "))
	}
	s := draw()
	for cells(s) > l.width {
		longest := -1
		for i, name := range names {
			if i != l.sel && dropWord(name) != name && (longest < 0 || cells(name) > cells(names[longest])) {
				longest = i
			}
		}
		if longest < 0 {
			break // every name is down to its number; pad cuts the line
		}
		names[longest] = dropWord(names[longest])
		s = draw()
	}
	return pad(s, l.width)
}

// dropWord drops the last word of a step name ("2 Read report" → "2 Read…" → "2…"); the
// number is never dropped.
func dropWord(s string) string {
	t := strings.TrimSuffix(s, "…")
	if i := strings.LastIndexByte(t, ' '); i > 0 {
		return t[:i] + "…"
	}
	return s
}
