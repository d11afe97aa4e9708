package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
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
// Go heap) at cycle 2 and at the last. Skipped unless asked: a cycle takes seconds.
//
//	CVMSCOPE_DEMO_CYCLES=30 go test -run TestDemoMeasure -v ./ui/cli/
func TestDemoMeasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CVMSCOPE_DEMO_CYCLES"))
	if n < 3 {
		t.Skip("set CVMSCOPE_DEMO_CYCLES (at least 3) to measure the demo's real scenes")
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
	var heap2, rss2 uint64
	began := time.Now()
	for cycle() < int64(n) {
		msg := <-msgs
		if _, ok := msg.(spinner.TickMsg); ok {
			continue // the spinner's ticks would keep a real clock going
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		start(cmd)
		if heap2 == 0 && cycle() == 2 {
			heap2, rss2 = heapRSS()
		}
	}
	heapN, rssN := heapRSS()
	t.Logf("demo, %d real scenes a cycle, %d cycles in %v: Go heap after GC %d KiB at cycle 2, %d KiB at cycle %d; RSS %d KiB, %d KiB",
		scenes, n, time.Since(began).Round(time.Second), heap2>>10, heapN>>10, n, rss2>>10, rssN>>10)
}

func heapRSS() (heap, rss uint64) {
	runtime.GC()
	runtime.GC()
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
