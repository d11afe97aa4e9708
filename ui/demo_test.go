package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// demoRunners counts the runners the demo's scenes made and closed, so a test can tell
// that a scene's runner is let go when the next replaces it.
type demoRunners struct {
	mu sync.Mutex
	// opened are the first runners made (kept for inspection), count all of them; the
	// rest are not kept, or the test itself would hold on to every scene.
	opened []*closeRec
	count  int
	// onOpen, when set, is called with each scene's number as it opens.
	onOpen func(scene int)
}

// closeRec is a test-data runner that remembers being closed.
type closeRec struct {
	*uitest.Runner
	closed atomic.Bool
}

func (c *closeRec) Close() error { c.closed.Store(true); return c.Runner.Close() }

func (d *demoRunners) open(scene int, setup func(*uitest.Runner)) func(context.Context) (workshop.Runner, error) {
	return func(context.Context) (workshop.Runner, error) {
		r := &closeRec{Runner: uitest.New()}
		setup(r.Runner)
		d.mu.Lock()
		if d.count++; len(d.opened) < 4 {
			d.opened = append(d.opened, r)
		}
		d.mu.Unlock()
		if d.onOpen != nil {
			d.onOpen(scene)
		}
		return r, nil
	}
}

// testScenes are a pass, a refusal (Secure Boot off, which fails Read report's checks) and
// a step that stops with an error.
func testScenes(d *demoRunners) []DemoScene {
	return []DemoScene{
		{Title: present.T("test data · every check passes", "테스트 데이터 · 모든 검사 통과"), Open: d.open(1, func(*uitest.Runner) {})},
		{Title: present.T("test data · Secure Boot off", "테스트 데이터 · 보안 부팅 꺼짐"), Open: d.open(2, func(r *uitest.Runner) { r.SecureBootOff = true })},
		{Title: present.T("test data · MAA down", "테스트 데이터 · MAA 응답 없음"), Open: d.open(3, func(r *uitest.Runner) {
			r.Fail = map[workshop.StepID]error{workshop.CallMAA: errors.New("connection refused")}
		})},
	}
}

// fakeTime is the demo's clock in tests: a pause is added up, not waited for. The
// watchdogs of running steps never fire (these steps do not hang).
type fakeTime struct{ total time.Duration }

func (f *fakeTime) after(d time.Duration, msg tea.Msg) tea.Cmd {
	if _, ok := msg.(demoStuckMsg); ok {
		return nil
	}
	f.total += d
	return func() tea.Msg { return msg }
}

// newDemoModel is the UI in demo mode on the first scene, with a stopped clock.
func newDemoModel(t testing.TB, scenes []DemoScene, after func(time.Duration, tea.Msg) tea.Cmd, lang present.Lang) *model {
	t.Helper()
	first, err := scenes[0].Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(context.Background(), first, Options{Lang: lang, Width: 120, Height: 40, Output: io.Discard,
		Demo: &Demo{Scenes: scenes, After: after}}, testStyles(false))
	m.now = func() time.Time { return fixedNow }
	return m
}

// drive runs the demo as the Bubble Tea loop would, until stop says so.
func drive(t testing.TB, m *model, stop func() bool) {
	t.Helper()
	queue := runCmd(m.Init())
	for n := 0; len(queue) > 0 && !stop(); n++ {
		if n > 10_000_000 {
			t.Fatal("the demo did not reach its goal")
		}
		msg := queue[0]
		queue = queue[1:]
		_, cmd := m.Update(msg)
		queue = append(queue, runCmd(cmd)...)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestDemoCycles plays 200 cycles (40 under -race) of three scenes with fake time: every scene runs its
// steps in order and stops at its refusal or error, every replaced runner is closed, the
// pauses add up to a readable pace, and the heap after GC at cycle 200 is no larger than at
// cycle 10 (a booth screen runs for hours).
func TestDemoCycles(t *testing.T) {
	runs := &demoRunners{}
	ft := &fakeTime{}
	m := newDemoModel(t, testScenes(runs), ft.after, present.EN)

	drive(t, m, func() bool { return m.demo.cycles >= 1 })
	runs.mu.Lock()
	opened := append([]*closeRec(nil), runs.opened...)
	runs.mu.Unlock()
	// Scenes 1, 2, 3 and 1 again (the first cycle ends when scene 1 reopens).
	if len(opened) != 4 {
		t.Fatalf("opened %d runners in the first cycle, want 4", len(opened))
	}
	// Each scene runs its steps in order and stops where its story ends: Secure Boot off
	// fails Read report's checks, MAA down stops Call MAA with an error.
	want := [][]workshop.StepID{
		workshop.AllSteps,
		{workshop.Preflight, workshop.ReadReport},
		{workshop.Preflight, workshop.ReadReport, workshop.BuildRequest, workshop.CallMAA},
	}
	for i, w := range want {
		if got := opened[i].Calls(); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("scene %d ran %v, want %v", i+1, got, w)
		}
		// Each runner is closed when the next scene replaces it, the caller's first one
		// too: the embedded TPM simulator is one per process.
		if !opened[i].closed.Load() {
			t.Errorf("scene %d's runner was not closed when the next replaced it", i+1)
		}
	}
	if opened[3].closed.Load() {
		t.Error("the runner on screen was closed")
	}
	perCycle := ft.total
	if perCycle < 30*time.Second || perCycle > 5*time.Minute {
		t.Errorf("a cycle of three scenes pauses %v in all; want a readable pace (30 s to 5 min)", perCycle)
	}

	drive(t, m, func() bool { return m.demo.cycles >= 10 })
	at10 := heapAfterGC()
	drive(t, m, func() bool { return m.demo.cycles >= demoCycles })
	atEnd := heapAfterGC()
	t.Logf("demo: cycle of 3 scenes = %v of pauses; heap after GC: %d B at cycle 10, %d B at cycle %d (%+d B)",
		perCycle, at10, atEnd, demoCycles, int64(atEnd)-int64(at10))
	// 256 KiB over 190 cycles of 3 scenes: keeping even 500 bytes a scene would exceed it.
	if atEnd > at10+256<<10 {
		t.Errorf("heap grew from %d B at cycle 10 to %d B at cycle %d", at10, atEnd, demoCycles)
	}
	runs.mu.Lock()
	n := runs.count
	runs.mu.Unlock()
	if n != demoCycles*3+1 {
		t.Errorf("opened %d runners in %d cycles, want %d", n, demoCycles, demoCycles*3+1)
	}
}

// manualTime holds the demo's ticks until the test releases them, so a frame can be taken
// between two moves.
// The watchdogs of running steps are kept apart: the steps here never hang.
type manualTime struct{ due, stuck []tea.Msg }

// after is called from Update, so the queues need no lock.
func (f *manualTime) after(_ time.Duration, msg tea.Msg) tea.Cmd {
	if _, ok := msg.(demoStuckMsg); ok {
		f.stuck = append(f.stuck, msg)
	} else {
		f.due = append(f.due, msg)
	}
	return nil
}

// tick releases the pending tick and everything it sets off, up to the next pause.
func (f *manualTime) tick(t *testing.T, m *model) {
	t.Helper()
	if len(f.due) == 0 {
		t.Fatal("the demo has no move pending")
	}
	msg := f.due[0]
	f.due = f.due[1:]
	send(m, msg)
}

// TestDemoFrames: the demo's own frames, in English and Korean: the first scene's
// Preflight page at its second interesting row, and the refusal scene's Read report page
// at its failing check; then a key takes over and the footer is the ordinary one.
func TestDemoFrames(t *testing.T) {
	for _, lang := range []present.Lang{present.EN, present.KO} {
		t.Run(string(lang), func(t *testing.T) {
			mt := &manualTime{}
			m := newDemoModel(t, testScenes(&demoRunners{}), mt.after, lang)
			for _, msg := range runCmd(m.Init()) {
				send(m, msg)
			}
			mt.tick(t, m) // Preflight runs
			mt.tick(t, m) // first row
			mt.tick(t, m) // second row
			t.Run("pass", func(t *testing.T) {
				frame := ansi.Strip(m.View())
				checkFrame(t, frame, 120, 40)
				golden.RequireEqual(t, []byte(frame))
			})

			for m.demo.scene != 1 || m.demo.phase != demoShow || m.demo.step != 1 || len(m.demo.rows) > 0 {
				mt.tick(t, m)
			}
			frame := ansi.Strip(m.View())
			if !strings.Contains(frame, "2/3") {
				t.Errorf("the refusal scene's frame does not say it is scene 2 of 3:\n%s", frame)
			}
			t.Run("refusal", func(t *testing.T) { checkFrame(t, frame, 120, 40); golden.RequireEqual(t, []byte(frame)) })

			send(m, keyMsg("j"))
			if m.demoOn() {
				t.Fatal("a key did not stop the demo")
			}
			gen := m.demo.gen
			for len(mt.due) > 0 {
				mt.tick(t, m) // stale ticks: nothing moves
			}
			if m.demo.gen != gen || m.demo.scene != 1 {
				t.Error("the demo moved on after a key stopped it")
			}
			frame = ansi.Strip(m.View())
			if strings.Contains(frame, "2/3") {
				t.Errorf("the demo caption stayed after a key stopped it:\n%s", frame)
			}
			stopped := chrome()["demo.stopped"].In(lang)
			if !strings.Contains(frame, stopped[:20]) {
				t.Errorf("the status line does not say the demo stopped:\n%s", frame)
			}
		})
	}
}

// TestDemoDrive drives the real program: the demo plays by itself, a key takes over, and
// the keys then work as usual (r runs the selected step again).
func TestDemoDrive(t *testing.T) {
	// Ticks come at once, through the program's loop, until the third scene opens; from
	// then on they wait for the test's end, so the screen holds still on that scene. The
	// test waits for what the screen says, never for a time.
	var hold atomic.Bool
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	runs := &demoRunners{onOpen: func(scene int) { hold.Store(scene == 3) }}
	scenes := testScenes(runs)
	first, _ := scenes[0].Open(context.Background())
	after := func(_ time.Duration, msg tea.Msg) tea.Cmd {
		if _, ok := msg.(demoStuckMsg); ok {
			return nil // the steps here do not hang
		}
		if hold.Load() {
			return func() tea.Msg { <-release; return msg }
		}
		return func() tea.Msg { return msg }
	}
	m := New(first, Options{Lang: present.EN, NoColor: true, Output: io.Discard, Width: 120, Height: 40,
		Demo: &Demo{Scenes: scenes, After: after}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "Demo 3/3")
	press(tm, "x")
	waitText(t, tm, "Demo stopped")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
}

// TestDemoCancelsAHungStep: a step that does not return is cancelled by the demo's
// watchdog, and the demo goes on with the next scene.
func TestDemoCancelsAHungStep(t *testing.T) {
	runs := &demoRunners{}
	scenes := testScenes(runs)
	scenes[0].Open = runs.open(1, func(r *uitest.Runner) { r.Block = map[workshop.StepID]bool{workshop.Preflight: true} })
	mt := &manualTime{}
	// The watchdog fires at once; the other moves wait for the test.
	after := func(d time.Duration, msg tea.Msg) tea.Cmd {
		if _, ok := msg.(demoStuckMsg); ok {
			return func() tea.Msg { return msg }
		}
		return mt.after(d, msg)
	}
	m := newDemoModel(t, scenes, after, present.EN)
	for _, msg := range runCmd(m.Init()) {
		send(m, msg)
	}
	// The first move starts Preflight, which blocks: its commands run concurrently, as in
	// the program, and their messages come back to Update one at a time.
	tick := mt.due[0]
	mt.due = mt.due[1:]
	_, cmd := m.Update(tick)
	msgs := make(chan tea.Msg, 16)
	var start func(tea.Cmd)
	start = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					start(c)
				}
				return
			}
			msgs <- msg
		}()
	}
	start(cmd)
	for m.runs[0].state == running || m.runs[0].state == cancelling {
		msg := <-msgs
		if msg == nil || isTick(msg) {
			continue
		}
		_, cmd := m.Update(msg)
		start(cmd)
	}
	if got := m.runs[0].state; got != cancelled {
		t.Fatalf("the hung step is %v, want cancelled", got)
	}
	for m.demo.scene != 1 {
		mt.tick(t, m)
	}
}
