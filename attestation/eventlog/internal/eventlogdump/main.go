// Command eventlogdump parses, describes and replays a TCG event log file and prints one
// line per event and per replayed PCR. It exists to time cvmscope's parser end to end
// against tpm2_eventlog until cvmscope has its own eventlog subcommand.
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"sort"

	"github.com/cvmscope/cvmscope/attestation/eventlog"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: eventlogdump FILE")
		os.Exit(1)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := eventlog.Parse(raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for e := range l.Events() {
		en, _ := l.Describe(e)
		fmt.Fprintf(w, "%d PCR%d %s %x %s\n", e.Index, e.PCR, e.TypeName, e.Digest, en)
	}
	pcrs := l.Replay()
	keys := make([]int, 0, len(pcrs))
	for p := range pcrs {
		keys = append(keys, p)
	}
	sort.Ints(keys)
	for _, p := range keys {
		fmt.Fprintf(w, "pcr%d: %s\n", p, hex.EncodeToString(pcrs[p]))
	}
}
