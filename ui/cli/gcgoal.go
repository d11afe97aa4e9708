package cli

import (
	"os"
	"runtime/debug"
)

// garbageAllowance is how much garbage a streamed run lets pile up between collections
// while it holds large inputs: 2 MiB, what a small input already gets. The Go runtime's
// smallest heap goal is 4 MiB in all, and a small inspect has about 2 MiB live besides its inputs (the
// tables, the rows in flight, go-eventlog's copies of one chunk), so about 2 MiB of it is
// garbage (gctrace at 10,000 events: 4->4->2 MB, 4 MB goal). A large input gets the same
// over its bytes, so that its peak memory grows with its inputs and nothing else.
const garbageAllowance = 2 << 20

// boundGarbage sets the collector for a streamed run (-o json, text output: streamRows)
// over the files at paths, and returns the undo.
//
// The input files are held from their reading to the last row written (an event log's
// events are made from its bytes as they are written), and GOGC=100 lets as much garbage
// pile up as is live: with a 14 MB log, 14 MB of spent rows and of go-eventlog's copies
// besides it, so peak memory grew at twice the log's rate. The GC percent is lowered so
// that about garbageAllowance piles up instead, never more than the default would: inputs
// of 2 MiB or less leave it at 100. It is set before the files are read, since reading and
// recognising a log makes garbage too. At 100,000 events (14 MB) the more frequent
// collections (the inputs are bytes without pointers, which marking does not scan) cost
// about 75 ms of CPU beside GOGC=100, 15 % of the run, for about 13 MiB less peak memory
// (49 -> 36 MiB). An allowance of 4 MiB cost half as much CPU but left the peak growing
// 1.25 times as fast as the log between 10,000 and 100,000 events: its 4 MiB of garbage
// were twice what the smaller log has. An explicit GOGC is left alone.
func boundGarbage(paths []string) (undo func()) {
	held := int64(0)
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			held += fi.Size() // the loader says what is wrong with the others
		}
	}
	if held <= garbageAllowance || os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(int(max(10, 100*garbageAllowance/held)))
	return func() { debug.SetGCPercent(old) }
}
