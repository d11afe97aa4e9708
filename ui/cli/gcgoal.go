package cli

import (
	"os"
	"runtime/debug"
)

// garbageAllowance is how much garbage -o json lets pile up between collections while it
// holds large inputs: 4 MiB, the Go runtime's own smallest heap goal.
const garbageAllowance = 4 << 20

// boundGarbage sets the collector for a streamed -o json run over the files at paths, and
// returns the undo.
//
// The input files are held from their reading to the last row written (an event log's
// events are made from its bytes as they are written), and GOGC=100 lets as much garbage
// pile up as is live: with a 14 MB log, 14 MB of spent rows and of go-eventlog's copies
// besides it, so peak memory grew at twice the log's rate. The GC percent is lowered so
// that about garbageAllowance piles up instead, never more than the default would: inputs
// of 4 MiB or less leave it at 100. It is set before the files are read, since reading and
// recognising a log makes garbage too. The more frequent collections (the inputs are
// bytes without pointers, which marking does not scan) cost about 45 ms of CPU at 100,000
// events, 8 % of the run, for 12 MiB less peak memory; half the allowance cost 22 % for
// 2 MiB more. An explicit GOGC is left alone.
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
