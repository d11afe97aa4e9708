package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/ui"
)

// TestDemoMeasure plays --demo's real scenes (the simulated CVM, its TPM simulator, IMDS and
// MAA emulators, the tampered report) for CVMSCOPE_DEMO_CYCLES cycles with fake time and
// reports the Go heap after GC and the process's RSS (the TPM simulator is C, outside the
// Go heap) at cycle 2, at a warm point and at the last; it fails if either grew past a
// bound from the warm point. Skipped unless asked: a cycle takes seconds.
//
//	CVMSCOPE_DEMO_CYCLES=100 go test -run TestDemoMeasure -v -timeout 30m ./ui/cli/
//
// GODEBUG=memprofilerate=524288 (Go's default, which main otherwise turns off) brings
// back the profiler's growth, and with it a failure over 100 cycles.
func TestDemoMeasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CVMSCOPE_DEMO_CYCLES"))
	if n < 6 {
		t.Skip("set CVMSCOPE_DEMO_CYCLES (at least 6: growth is judged from cycle 5) to measure the demo's real scenes")
	}
	// As main does for every run: the profiler's buckets would otherwise be measured too.
	if !strings.Contains(os.Getenv("GODEBUG"), "memprofilerate=") {
		runtime.MemProfileRate = 0
	}
	d, err := newDemo(workshop.LiveOptions{Platform: platform.Options{TPM: "sim"}, Pager: pages.Pager{}})
	if err != nil {
		t.Fatal(err)
	}
	var opens atomic.Int64
	for i := range d.Scenes {
		open := d.Scenes[i].Open
		d.Scenes[i].Open = func(ctx context.Context) (workshop.Runner, error) { opens.Add(1); return open(ctx) }
	}
	d.After = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		if fmt.Sprintf("%T", msg) == "ui.demoStuckMsg" {
			return nil // these steps do not hang; at once it would cancel them
		}
		return func() tea.Msg { return msg }
	}
	first, err := d.Scenes[0].Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	m := ui.New(first, ui.Options{Lang: present.EN, NoColor: true, Output: io.Discard, Width: 120, Height: 40, Demo: d})
	scenes := int64(len(d.Scenes))
	cycle := func() int64 { return (opens.Load() - 1) / scenes }
	msgs := make(chan tea.Msg, 64)
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
			if msg != nil {
				msgs <- msg
			}
		}()
	}
	start(m.Init())
	// Memory is read at cycle 2, at the warm point (a quarter of the run, at least cycle 5:
	// by then every scene and thread has run and the runtime's tables have their size) and
	// at the end. Growth is judged from the warm point, so warm-up does not count, and the
	// 15 KiB a cycle the memory profiler's buckets used to add comes to over 1 MiB by
	// cycle 100 against a bound of 512 KiB (the fixed demo moved by tens of KiB).
	warm := max(int64(n)/4, 5)
	var heap2, rss2, heapW, rssW uint64
	every := max(int64(n)/10, 1)
	logged := int64(-1)
	began := time.Now()
	for cycle() < int64(n) {
		msg := <-msgs
		if _, ok := msg.(spinner.TickMsg); ok {
			continue // the spinner's ticks would keep a real clock going
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		start(cmd)
		switch c := cycle(); {
		case c == 2 && heap2 == 0:
			heap2, rss2 = heapRSS()
		case c == warm && heapW == 0:
			heapW, rssW = heapRSS()
		}
		if c := cycle(); c%every == 0 && c != logged {
			logged = c
			t.Logf("cycle %d: %s", c, memClasses())
		}
	}
	heapN, rssN := heapRSS()
	t.Logf("demo, %d real scenes a cycle, %d cycles in %v: Go heap after GC %d KiB at cycle 2, %d KiB at cycle %d, %d KiB at cycle %d; RSS %d KiB, %d KiB, %d KiB",
		scenes, n, time.Since(began).Round(time.Second), heap2>>10, heapW>>10, warm, heapN>>10, n, rss2>>10, rssW>>10, rssN>>10)
	// Bounds, not timings: what a booth screen left on for hours must not do.
	const heapBound, rssBound = 256 << 10, 512 << 10
	if heapN > heapW+heapBound {
		t.Errorf("the Go heap grew %d KiB from cycle %d to %d (bound %d KiB)", (heapN-heapW)>>10, warm, n, heapBound>>10)
	}
	if rssN > rssW+rssBound {
		t.Errorf("RSS grew %d KiB from cycle %d to %d (bound %d KiB): %s", (rssN-rssW)>>10, warm, n, rssBound>>10, memClasses())
	}
}

// heapRSS returns the Go heap and the process's RSS after a collection that also returns
// free pages to the OS: without it RSS swings by a megabyte or two with the scavenger's
// pace (free spans kept for reuse), which would hide a slow leak or fake one.
func heapRSS() (heap, rss uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			rss = kb << 10
		}
	}
	return ms.HeapAlloc, rss
}

// memClasses is where the memory is: the Go runtime's classes (runtime/metrics, those
// above 256 KiB), its OS threads, and RSS.
func memClasses() string {
	var ss []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") && d.Kind == metrics.KindUint64 {
			ss = append(ss, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(ss)
	var b strings.Builder
	for _, s := range ss {
		if v := s.Value.Uint64(); v >= 256<<10 {
			fmt.Fprintf(&b, "%s %d KiB, ", strings.TrimSuffix(strings.TrimPrefix(s.Name, "/memory/classes/"), ":bytes"), v>>10)
		}
	}
	st, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(st), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && (k == "Threads" || k == "VmRSS" || k == "RssAnon") {
			fmt.Fprintf(&b, "%s %s, ", k, strings.TrimSpace(v))
		}
	}
	return strings.TrimSuffix(b.String(), ", ")
}
