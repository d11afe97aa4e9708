// Package eventlogtest makes large TCG event logs out of a real one, for benchmarks and
// tests of the event-log path at sizes no real sample has.
package eventlogtest

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Repeat returns a crypto-agile log of n events after src's Spec ID event: src's own
// events repeated in order. Repeating real events keeps the mix of event types (and so the
// work of describing them) the same at every size. maxSize > 0 repeats only the events of
// at most that many bytes, so that a large log stays under inspect's 16 MiB file limit.
func Repeat(src []byte, n, maxSize int) ([]byte, error) {
	head, events, err := split(src)
	if err != nil {
		return nil, err
	}
	if maxSize > 0 {
		var small [][]byte
		for _, e := range events {
			if len(e) <= maxSize {
				small = append(small, e)
			}
		}
		if len(small) == 0 {
			return nil, fmt.Errorf("no event is %d bytes or less", maxSize)
		}
		events = small
	}
	size := len(head)
	for i := range n {
		size += len(events[i%len(events)])
	}
	out := make([]byte, 0, size)
	out = append(out, head...)
	for i := range n {
		out = append(out, events[i%len(events)]...)
	}
	return out, nil
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
