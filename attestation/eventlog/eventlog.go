// Package eventlog reads TCG firmware event logs (binary_bios_measurements): it parses
// them with github.com/google/go-eventlog, describes every event in one line, replays the
// SHA-256 bank into PCR values and compares those with PCR values from a TPM quote.
//
// The log itself is unauthenticated: it only means something once its replay matches
// PCR values that a TPM signed, which is what Compare checks.
package eventlog

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
)

// Log is a parsed event log.
type Log struct {
	// Events in log order; Events[i].Index == i. For a crypto-agile log Events[0] is the
	// Spec ID event, as tpm2_eventlog numbers them.
	Events []Event
	// Banks lists the digest algorithms the Spec ID event declares ("sha1", "sha256",
	// "sha384"...). A SHA-1 format (TPM 1.2 style) log has just "sha1".
	Banks []string
	// CryptoAgile is true for a TCG2 log that starts with "Spec ID Event03".
	CryptoAgile bool
	// Size is the number of bytes parsed; TrailingBytes were ignored after a 0xFFFFFFFF
	// padding marker.
	Size, TrailingBytes int
}

// Event is one record of the log.
type Event struct {
	Index  int // position in the log, starting at 0
	Offset int // byte offset of the record in the raw log
	PCR    int
	Type   uint32
	// TypeName is the TCG name, e.g. "EV_EFI_ACTION", or "EV_UNKNOWN(0x…)".
	TypeName string
	// Digest is the event's SHA-256 digest, nil when it carries none (the Spec ID event,
	// SHA-1 format logs).
	Digest []byte
	Data   []byte
	// Description is a decoded one-line summary of Data; DescriptionKO says the same in
	// Korean, with the event's own data (names, paths, strings, hex) unchanged.
	Description, DescriptionKO string
}

// HasBank reports whether the log declares the named digest bank, e.g. "sha256".
func (l *Log) HasBank(name string) bool {
	for _, b := range l.Banks {
		if b == name {
			return true
		}
	}
	return false
}

// Parse parses a raw TCG event log. Errors name the event and byte offset at fault.
//
// The events' Data and Digest are slices of raw, which the caller leaves unchanged while it
// uses the Log.
func Parse(raw []byte) (*Log, error) {
	l, err := take(raw)
	if err != nil {
		return nil, err
	}
	for i, ev := range l.Events {
		d := describe(ev, l)
		l.Events[i].Description, l.Events[i].DescriptionKO = d.en, d.ko
	}
	return l, nil
}

// Check reports what Parse would say of raw, without describing the events: for telling
// a log from a damaged one, where describing each event in two languages would be most of
// the cost.
func Check(raw []byte) error {
	_, err := lastRead.get(raw, false)
	return err
}

// take reads raw, handing over the Log that Check or ReplayBanks read from the same bytes.
func take(raw []byte) (*Log, error) { return lastRead.get(raw, true) }

// lastRead keeps the last log read. inspect recognises a file as a log (Check), replays
// its banks (ReplayBanks) and verifies it (Parse), and each read ran go-eventlog over the
// whole log again. The Log is handed to the first Parse, which describes its events, and
// not kept after: a second copy of every event would be most of the memory a large log
// needs. The verdict and the banks are kept, so that a ReplayBanks after Parse does not
// read again.
//
// An entry answers only for the same bytes in the same buffer (the Log's slices point
// into it), unchanged since: a seeded hash of them is compared, which guards against a
// caller reusing its buffer, not against an adversary, who cannot write into it.
var lastRead readCache

var readSeed = maphash.MakeSeed()

type readCache struct {
	sync.Mutex
	src   []byte
	sum   uint64
	log   *Log // nil once taken
	err   error
	banks []Bank // nil until ReplayBanks asks
}

func (c *readCache) holds(raw []byte, sum uint64) bool {
	return c.src != nil && len(c.src) == len(raw) && (len(raw) == 0 || &c.src[0] == &raw[0]) && c.sum == sum
}

func (c *readCache) get(raw []byte, take bool) (*Log, error) {
	sum := maphash.Bytes(readSeed, raw)
	c.Lock()
	hit := c.holds(raw, sum)
	l, err := c.log, c.err
	if hit && take {
		c.log = nil
	}
	c.Unlock()
	if hit && (err != nil || l != nil || !take) {
		return l, err
	}
	// Read outside the lock, so that sets verified side by side (inspect --each) read
	// their own logs at the same time.
	l, err = readUncached(raw)
	c.Lock()
	c.src, c.sum, c.log, c.err, c.banks = raw, sum, l, err, nil
	if take || err != nil {
		c.log = nil
	}
	c.Unlock()
	return l, err
}

// banksOf returns raw's banks, replayed once per log read.
func (c *readCache) banksOf(raw []byte) ([]Bank, error) {
	sum := maphash.Bytes(readSeed, raw)
	c.Lock()
	banks, err, hit := c.banks, c.err, c.holds(raw, sum)
	c.Unlock()
	if hit && (err != nil || banks != nil) {
		return banks, err
	}
	if banks, err = replayBanks(raw); err != nil {
		return nil, err
	}
	c.Lock()
	if c.holds(raw, sum) {
		c.banks = banks
	}
	c.Unlock()
	return banks, nil
}

func readUncached(raw []byte) (*Log, error) {
	// The record framing first: its errors name the record, its offset and the field.
	n := 0
	algs, err := eachFrame(raw, func(frame) { n++ })
	if err != nil {
		return nil, fmt.Errorf("parse event log (%d bytes): %w", len(raw), err)
	}
	// The events' Data and Digest point into raw: go-eventlog's copies of them were half of
	// what a parsed log held, and they are the same bytes (libAgrees).
	l := &Log{CryptoAgile: algs != nil, Events: make([]Event, 0, n)}
	if l.CryptoAgile {
		for _, a := range algs {
			l.Banks = append(l.Banks, algName(a.id))
		}
	} else {
		l.Banks = []string{"sha1"}
	}
	eachFrame(raw, func(f frame) {
		l.Events = append(l.Events, Event{
			Index: len(l.Events), Offset: f.offset, PCR: int(f.pcr), Type: f.typ, TypeName: TypeName(f.typ),
			Data: f.data, Digest: f.digest(algSHA256, algs),
		})
		l.Size = f.offset + f.size
	})
	l.TrailingBytes = len(raw) - l.Size
	if err := libAgrees(raw, l); err != nil {
		return nil, err
	}
	return l, nil
}

// libChunk is how many records go-eventlog is given at a time (libAgrees).
const libChunk = 4096

// libAgrees has go-eventlog read the log too, and refuses it unless the library accepts it
// and reads every event as the record framing did: two parsers that disagree make an
// ambiguous log. A crypto-agile log is handed over in chunks of libChunk records behind its
// Spec ID event, which the library reads as it reads the whole log, record after record
// with nothing carried between them but the Spec ID event; its copy of every record of a
// whole large log, held at once, was several times the log's size.
func libAgrees(raw []byte, l *Log) error {
	ev := l.Events
	if !l.CryptoAgile {
		return libAgreesOn(raw, len(raw), ev, 0)
	}
	end := func(i int) int { // where event i's record ends
		if i+1 < len(ev) {
			return ev[i+1].Offset
		}
		return l.Size
	}
	header := raw[:end(0)]
	var buf []byte
	for from := 1; ; from += libChunk {
		to := min(from+libChunk, len(ev))
		buf = append(buf[:0], header...)
		if from < to {
			buf = append(buf, raw[ev[from].Offset:end(to-1)]...)
		}
		if err := libAgreesOn(buf, len(raw), ev[min(from, to):to], from); err != nil {
			return err
		}
		if to == len(ev) {
			return nil
		}
	}
}

// libAgreesOn compares go-eventlog's reading of raw with events, which start at event
// first; size is the whole log's, for messages.
func libAgreesOn(raw []byte, size int, events []Event, first int) error {
	el, err := tcg.ParseEventLog(raw, tcg.ParseOpts{AllowPadding: true})
	if err != nil {
		// The framing is sound, so the library objected to content, e.g. a Spec ID event
		// with an unsupported version or no SHA-1/SHA-256/SHA-384 bank.
		return fmt.Errorf("parse event log (%d bytes): %v", size, err)
	}
	lib := el.Events(register.HashSHA256)
	if len(lib) != len(events) {
		return fmt.Errorf("parse event log: go-eventlog read %d events where the record framing has %d (from event %d); refusing an ambiguous log",
			len(lib), len(events), first)
	}
	for i, le := range lib {
		e := events[i]
		if le.Index != e.PCR || uint32(le.Type) != e.Type || !bytes.Equal(le.Data, e.Data) {
			return fmt.Errorf("parse event log: event %d at offset %d reads differently in go-eventlog and the record framing", e.Index, e.Offset)
		}
		if !bytes.Equal(le.Digest, e.Digest) {
			return fmt.Errorf("parse event log: event %d at offset %d has a SHA-256 digest that reads differently in go-eventlog and the record framing", e.Index, e.Offset)
		}
	}
	return nil
}

// TypeName returns the TCG name of an event type, e.g. "EV_SEPARATOR".
func TypeName(t uint32) string {
	if _, ok := tcg.EventType(t).KnownName(); ok {
		return tcg.EventType(t).TCGString()
	}
	return fmt.Sprintf("EV_UNKNOWN(0x%08x)", t)
}
