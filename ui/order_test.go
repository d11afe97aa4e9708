package ui

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// TestRunLaterStepRunsEarlierOnesInOrder: enter on Call MAA with nothing run runs
// Preflight, Read report and Build request first, each as its own run with its own page,
// and the status line sums up all four.
func TestRunLaterStepRunsEarlierOnesInOrder(t *testing.T) {
	r := uitest.New()
	tm := teatest.NewTestModel(t, New(r, Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40}), teatest.WithInitialTermSize(120, 40))
	press(tm, "esc", "tab", "tab", "tab", "enter")
	waitText(t, tm, "4 steps: 4 passed")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
	fm := tm.FinalModel(t).(*model)
	want := []workshop.StepID{workshop.Preflight, workshop.ReadReport, workshop.BuildRequest, workshop.CallMAA}
	if got := r.Calls(); !slices.Equal(got, want) {
		t.Errorf("runner calls = %v, want %v", got, want)
	}
	for i, id := range want {
		if fm.runs[i].state != passed || fm.panes[i].page == nil {
			t.Errorf("%s: %s with page %v, want passed with its page", id, stateWords[fm.runs[i].state], fm.panes[i].page != nil)
		}
	}
	if fm.sel != fm.stepIndex(workshop.CallMAA) {
		t.Errorf("selection ends on step %d, want Call MAA", fm.sel)
	}

	// Run again: the earlier steps passed, so only the step asked for runs.
	m := newTestModel(t, uitest.New(), 80, 24, false, present.EN)
	keys(m, "esc", "tab", "enter", "tab", "enter")
	if got := m.runner.(*uitest.Runner).Calls(); !slices.Equal(got, []workshop.StepID{workshop.Preflight, workshop.ReadReport, workshop.BuildRequest}) {
		t.Errorf("with Read report done, enter on Build request ran %v", got)
	}
}

// TestFailedStepOpensAtFailingCheck: a step that failed shows why and what to do above
// its page, and the page opens with the failing check selected.
func TestFailedStepOpensAtFailingCheck(t *testing.T) {
	r := uitest.New()
	r.SecureBootOff = true
	m := newTestModel(t, r, 80, 24, false, present.EN)
	keys(m, "a")
	idx := m.stepIndex(workshop.ReadReport)
	if m.runs[idx].state != failed {
		t.Fatalf("Read report is %s, want failed", stateWords[m.runs[idx].state])
	}
	for m.sel != idx {
		keys(m, "tab")
	}
	_, row := m.pane().Selected()
	if row == nil || row.Verdict != check.Fail {
		t.Fatalf("the failed page opens at %+v, want the failing check", row)
	}
	frame := ansi.Strip(m.View())
	lines := strings.Split(frame, "\n")
	top := strings.Join(lines[2:8], "\n")
	if !strings.Contains(top, "✗ "+row.Key) || !strings.Contains(top, "What to do") {
		t.Errorf("the top of the pane does not say what failed and what to do:\n%s", frame)
	}
	if !strings.Contains(frame, "▸ ") {
		t.Errorf("the failing check is not in view:\n%s", frame)
	}
}

// retryRunner calls a real MAA client for Call MAA against a loopback server that answers
// 429 first; the client's wait before the retry blocks until the test releases it.
type retryRunner struct {
	*uitest.Runner
	srv     *httptest.Server
	waiting chan time.Duration
	release chan struct{}
}

func (r *retryRunner) Run(ctx context.Context, step workshop.StepID) (present.Page, error) {
	if step != workshop.CallMAA {
		return r.Runner.Run(ctx, step)
	}
	pool := x509.NewCertPool()
	pool.AddCert(r.srv.Certificate())
	c, err := maa.NewClient(r.srv.URL, pool)
	if err != nil {
		return present.Page{}, err
	}
	c.MaxJitter = 0
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		r.waiting <- d
		<-r.release
		return ctx.Err()
	}
	if _, err := c.Attest(ctx, maa.PathAzureGuest, []byte("{}")); err != nil {
		return present.Page{}, err
	}
	return r.Runner.Run(ctx, step)
}

// TestMAARetryShownWhileWaiting: while MAA answers 429, the pane says which attempt it is,
// what MAA answered, how long the wait is and the time elapsed; after `a` the summary
// names the attempts.
func TestMAARetryShownWhileWaiting(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			http.Error(w, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, `{"token":"a.b.c"}`)
	}))
	defer srv.Close()
	r := &retryRunner{Runner: uitest.New(), srv: srv, waiting: make(chan time.Duration, 1), release: make(chan struct{})}
	tm := teatest.NewTestModel(t, New(r, Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40}), teatest.WithInitialTermSize(120, 40))
	press(tm, "a")
	if d := <-r.waiting; d != 7*time.Second {
		t.Errorf("the client waits %v, want Retry-After's 7s", d)
	}
	waitText(t, tm, "attempt 1 of 3 got HTTP 429 Too Many Requests; trying again after 7.0s")
	close(r.release)
	waitText(t, tm, "5 steps: 5 passed (Call MAA: 2 attempts)")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
}
