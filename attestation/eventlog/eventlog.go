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
	"iter"
	"slices"
	"sync"

	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
)

// Log is a parsed event log. It holds the raw log and what it read of it as a whole (the
// banks, the number of events per PCR, the startup locality), not its events: those are
// made from their records as Events reaches them. An Event per record, held for the whole
// run with its descriptions, took more memory than the log itself (100,000 events: 14 MB
// of log, about 20 MB of events and descriptions).
type Log struct {
	// Banks lists the digest algorithms the Spec ID event declares ("sha1", "sha256",
	// "sha384"...). A SHA-1 format (TPM 1.2 style) log has just "sha1".
	Banks []string
	// CryptoAgile is true for a TCG2 log that starts with "Spec ID Event03".
	CryptoAgile bool
	// Size is the number of bytes parsed; TrailingBytes were ignored after a 0xFFFFFFFF
	// padding marker.
	Size, TrailingBytes int

	raw      []byte    // the log as given to Parse
	algs     []specAlg // the Spec ID event's, nil for a SHA-1 format log
	n        int       // events, the Spec ID event included
	counts   map[int]pcrCount
	locality byte // the StartupLocality event's, PCR0's starting value
}

// pcrCount is a PCR's events: measured (extended into it) and EV_NO_ACTION.
type pcrCount struct{ measured, noAction int }

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

// Len is the number of events. For a crypto-agile log it counts the Spec ID event, as
// tpm2_eventlog numbers them.
func (l *Log) Len() int { return l.n }

// Events yields the events in log order, Index 0 first. For a crypto-agile log the first is
// the Spec ID event. Each is made from its record when it is reached, with Data and Digest
// slices of the raw log.
func (l *Log) Events() iter.Seq[Event] {
	return func(yield func(Event) bool) {
		i := 0
		// The framing was checked when the log was read; a caller who changed the raw log
		// since gets the events up to where it no longer frames.
		eachFrame(l.raw, func(f frame) bool {
			e := Event{Index: i, Offset: f.offset, PCR: int(f.pcr), Type: f.typ, TypeName: TypeName(f.typ),
				Data: f.data, Digest: f.digest(algSHA256, l.algs)}
			i++
			return i <= l.n && yield(e)
		})
	}
}

// Describe renders the event's data in one line, in English and in Korean; the Korean
// says the same with the event's own data (names, paths, strings, hex) unchanged. It is
// made when asked: a row is described as it is written.
func (l *Log) Describe(e Event) (en, ko string) {
	d := describe(e, l)
	return d.en, d.ko
}

// Parse parses a raw TCG event log. Errors name the event and byte offset at fault.
//
// The Log reads its events from raw, which the caller leaves unchanged while it uses the
// Log.
func Parse(raw []byte) (*Log, error) { return lastRead.get(raw) }

// Check reports what Parse would say of raw.
func Check(raw []byte) error {
	_, err := lastRead.get(raw)
	return err
}

// lastRead keeps the last log read. inspect recognises a file as a log (Check), replays
// its banks (ReplayBanks) and verifies it (Parse), and each read ran go-eventlog over the
// whole log again. Each caller gets its own copy of the Log, which is small: the events
// stay in the raw log.
//
// An entry answers only for the same bytes in the same buffer (the Log reads from it),
// unchanged since: a seeded hash of them is compared, which guards against a caller reusing
// its buffer, not against an adversary, who cannot write into it.
var lastRead readCache

var readSeed = maphash.MakeSeed()

type readCache struct {
	sync.Mutex
	src   []byte
	sum   uint64
	log   *Log
	err   error
	banks []Bank // nil until ReplayBanks asks
}

func (c *readCache) holds(raw []byte, sum uint64) bool {
	return c.src != nil && len(c.src) == len(raw) && (len(raw) == 0 || &c.src[0] == &raw[0]) && c.sum == sum
}

func (c *readCache) get(raw []byte) (*Log, error) {
	sum := maphash.Bytes(readSeed, raw)
	c.Lock()
	hit := c.holds(raw, sum)
	l, err := c.log, c.err
	c.Unlock()
	if !hit {
		// Read outside the lock, so that sets verified side by side (inspect --each) read
		// their own logs at the same time.
		l, err = readUncached(raw)
		c.Lock()
		c.src, c.sum, c.log, c.err, c.banks = raw, sum, l, err, nil
		c.Unlock()
	}
	if err != nil {
		return nil, err
	}
	// A caller's copy: what it changes never reaches the next caller. counts is only read.
	cp := *l
	cp.Banks = slices.Clone(l.Banks)
	return &cp, nil
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
	l := &Log{raw: raw, counts: map[int]pcrCount{}}
	algs, err := eachFrame(raw, func(f frame) bool {
		c := l.counts[int(f.pcr)]
		if f.typ == uint32(tcg.NoAction) {
			c.noAction++
		} else {
			c.measured++
		}
		l.counts[int(f.pcr)] = c
		if isStartupLocality(f) {
			l.locality = f.data[16]
		}
		l.n++
		l.Size = f.offset + f.size
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("parse event log (%d bytes): %w", len(raw), err)
	}
	l.algs, l.CryptoAgile = algs, algs != nil
	if l.CryptoAgile {
		for _, a := range algs {
			l.Banks = append(l.Banks, algName(a.id))
		}
	} else {
		l.Banks = []string{"sha1"}
	}
	l.TrailingBytes = len(raw) - l.Size
	if err := libAgrees(raw, l); err != nil {
		return nil, err
	}
	return l, nil
}

// isStartupLocality recognises PCR0's StartupLocality event, which says where PCR0's
// replay starts.
func isStartupLocality(f frame) bool {
	return f.pcr == 0 && f.typ == uint32(tcg.NoAction) && len(f.data) == 17 && bytes.HasPrefix(f.data, []byte("StartupLocality\x00"))
}

// libChunk is how many records go-eventlog is given at a time (libAgrees). Its copies of
// one chunk are what the check holds at once: inspect of a 10,000-event log had 6 MB live
// while it checked chunks of 4,096 records, 3 MB with 1,024 (gctrace). Each chunk costs
// one more read of the Spec ID event, which is nothing beside 1,024 records.
const libChunk = 1024

// libAgrees has go-eventlog read the log too, and refuses it unless the library accepts it
// and reads every event as the record framing did: two parsers that disagree make an
// ambiguous log. A crypto-agile log is handed over in chunks of libChunk records behind its
// Spec ID event, which the library reads as it reads the whole log, record after record
// with nothing carried between them but the Spec ID event; its copy of every record of a
// whole large log, held at once, was several times the log's size.
func libAgrees(raw []byte, l *Log) error {
	if !l.CryptoAgile {
		// A SHA-1 format log (TPM 1.2) has no header to repeat before a chunk; it is read
		// whole, as small as such logs are.
		var all []frame
		eachFrame(raw, func(f frame) bool { all = append(all, f); return true })
		return libAgreesOn(raw, l, all, 0)
	}
	var header, buf []byte
	chunk := make([]frame, 0, libChunk)
	first := 1 // the index of chunk[0]
	flush := func() error {
		buf = append(buf[:0], header...)
		if len(chunk) > 0 {
			last := chunk[len(chunk)-1]
			buf = append(buf, raw[chunk[0].offset:last.offset+last.size]...)
		}
		err := libAgreesOn(buf, l, chunk, first)
		first += len(chunk)
		chunk = chunk[:0]
		return err
	}
	var err error
	eachFrame(raw, func(f frame) bool {
		if header == nil {
			header = raw[:f.size] // the Spec ID event
			return true
		}
		if chunk = append(chunk, f); len(chunk) == libChunk {
			err = flush()
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	return flush() // the last records; the Spec ID event alone when it is the only one
}

// libAgreesOn compares go-eventlog's reading of raw with frames, the records of events
// first onwards (the Spec ID event, the header of a crypto-agile log, is no event of
// go-eventlog's); l is the whole log, for messages and the Spec ID algorithms.
func libAgreesOn(raw []byte, l *Log, frames []frame, first int) error {
	el, err := tcg.ParseEventLog(raw, tcg.ParseOpts{AllowPadding: true})
	if err != nil {
		// The framing is sound, so the library objected to content, e.g. a Spec ID event
		// with an unsupported version or no SHA-1/SHA-256/SHA-384 bank.
		return fmt.Errorf("parse event log (%d bytes): %v", len(l.raw), err)
	}
	lib := el.Events(register.HashSHA256)
	if len(lib) != len(frames) {
		return fmt.Errorf("parse event log: go-eventlog read %d events where the record framing has %d (from event %d); refusing an ambiguous log",
			len(lib), len(frames), first)
	}
	for i, le := range lib {
		f := frames[i]
		if le.Index != int(f.pcr) || uint32(le.Type) != f.typ || !bytes.Equal(le.Data, f.data) {
			return fmt.Errorf("parse event log: event %d at offset %d reads differently in go-eventlog and the record framing", first+i, f.offset)
		}
		if !bytes.Equal(le.Digest, f.digest(algSHA256, l.algs)) {
			return fmt.Errorf("parse event log: event %d at offset %d has a SHA-256 digest that reads differently in go-eventlog and the record framing", first+i, f.offset)
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
