// Command mkeventlog writes a TCG crypto-agile event log of a chosen number of events for
// the benchmarks: the spec ID event of a real log, then that log's own events repeated in
// order until there are N (eventlogtest.Repeat, which the in-process benchmarks use too).
//
//	mkeventlog -n 100000 -max-size 200 SOURCE.bin > big.bin
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cvmscope/cvmscope/attestation/eventlog/eventlogtest"
)

func main() {
	n := flag.Int("n", 1000, "number of events after the spec ID event")
	max := flag.Int("max-size", 0, "repeat only the source's events of at most this many bytes (0: all), so that a large log stays under inspect's 16 MiB file limit")
	flag.Parse()
	if flag.NArg() != 1 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: mkeventlog -n EVENTS SOURCE_LOG > OUT")
		os.Exit(1)
	}
	raw, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkeventlog:", err)
		os.Exit(1)
	}
	out, err := eventlogtest.Repeat(raw, *n, *max)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mkeventlog: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintln(os.Stderr, "mkeventlog:", err)
		os.Exit(1)
	}
}
