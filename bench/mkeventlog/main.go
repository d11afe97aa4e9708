// Command mkeventlog writes a TCG crypto-agile event log of a chosen number of events for
// the benchmarks: the spec ID event of a real log, then that log's own events repeated in
// order until there are N. Repeating real events keeps the mix of event types (and so the
// work of describing them) the same at every size.
//
//	mkeventlog -n 100000 -max-size 160 SOURCE.bin > big.bin
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
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
	head, events, err := split(raw)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mkeventlog: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	if *max > 0 {
		var small [][]byte
		for _, e := range events {
			if len(e) <= *max {
				small = append(small, e)
			}
		}
		if len(small) == 0 {
			fmt.Fprintf(os.Stderr, "mkeventlog: no event of %s is %d bytes or less\n", flag.Arg(0), *max)
			os.Exit(1)
		}
		events = small
	}
	w := bufio.NewWriter(os.Stdout)
	w.Write(head)
	for i := 0; i < *n; i++ {
		w.Write(events[i%len(events)])
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "mkeventlog:", err)
		os.Exit(1)
	}
}

// split returns the SHA-1 format spec ID event and each TCG_PCR_EVENT2 after it, sized
// with the digest sizes the spec ID event announces.
func split(b []byte) (head []byte, events [][]byte, err error) {
	le := binary.LittleEndian
	if len(b) < 32 {
		return nil, nil, errors.New("too short for a spec ID event")
	}
	size := int(le.Uint32(b[28:32]))
	if 32+size > len(b) || size < 28 || string(b[32:47]) != "Spec ID Event03" {
		return nil, nil, errors.New("the first event is not a crypto-agile spec ID event")
	}
	spec := b[32 : 32+size]
	digests := map[uint16]int{}
	algs := int(le.Uint32(spec[24:28]))
	for i := 0; i < algs; i++ {
		o := 28 + 4*i
		if o+4 > len(spec) {
			return nil, nil, errors.New("spec ID event's algorithm list is cut short")
		}
		digests[le.Uint16(spec[o:])] = int(le.Uint16(spec[o+2:]))
	}
	head, b = b[:32+size], b[32+size:]
	for len(b) > 0 {
		if len(b) < 12 {
			return nil, nil, errors.New("an event header is cut short")
		}
		o := 12
		for j := 0; j < int(le.Uint32(b[8:12])); j++ {
			if o+2 > len(b) {
				return nil, nil, errors.New("a digest is cut short")
			}
			d, ok := digests[le.Uint16(b[o:])]
			if !ok {
				return nil, nil, fmt.Errorf("digest algorithm %#x is not in the spec ID event", le.Uint16(b[o:]))
			}
			o += 2 + d
		}
		if o+4 > len(b) {
			return nil, nil, errors.New("an event size is cut short")
		}
		o += 4 + int(le.Uint32(b[o:]))
		if o > len(b) {
			return nil, nil, errors.New("an event's data is cut short")
		}
		events = append(events, b[:o])
		b = b[o:]
	}
	if len(events) == 0 {
		return nil, nil, errors.New("no events after the spec ID event")
	}
	return head, events, nil
}
