package eventlog

import (
	"encoding/binary"
	"fmt"

	"github.com/google/go-eventlog/tcg"
)

// frame is where one record sits in the raw log. The go-eventlog parser does not report
// offsets, so a light walk over the record framing supplies them; it also pinpoints the
// record and field at fault when the library rejects a log.
type frame struct {
	offset int
	size   int
	pcr    uint32
	typ    uint32
	data   []byte
	// digests is the record's digest list as it sits in the raw log: TPML_DIGEST_VALUES'
	// entries after the count in a crypto-agile record, the one SHA-1 digest in a SHA-1
	// format record (sha1Format).
	digests    []byte
	sha1Format bool
}

// digest returns the record's digest for the algorithm id, nil when it carries none. algs
// are the Spec ID event's, which walk checked every entry against.
func (f frame) digest(id uint16, algs []specAlg) []byte {
	if f.sha1Format {
		if id == algSHA1 {
			return f.digests
		}
		return nil
	}
	d := f.digests
	for len(d) >= 2 {
		got := binary.LittleEndian.Uint16(d)
		size := 0
		for _, a := range algs {
			if a.id == got {
				size = a.size
			}
		}
		if got == id {
			return d[2 : 2+size]
		}
		d = d[2+size:]
	}
	return nil
}

// specAlg is one digest algorithm listed by the Spec ID event.
type specAlg struct {
	id   uint16
	size int
}

const (
	// A SHA-1 format record: PCR, type, 20-byte digest, data size.
	sha1HeaderSize = 4 + 4 + 20 + 4
	// TCG_EfiSpecIDEventStruct up to and including numberOfAlgorithms.
	specIDFixedSize = 16 + 4 + 1 + 1 + 1 + 1 + 4
	specIDSignature = "Spec ID Event03\x00"
	// go-eventlog stops at a PCR index of 0xFFFFFFFF when padding is allowed.
	paddingPCR = 0xFFFFFFFF
	algSHA1    = 0x0004
	algSHA256  = 0x000b
	// maxSpecAlgs bounds the Spec ID event's algorithm list. Every digest of every record is
	// looked up in that list, here and in go-eventlog, so n algorithms cost up to n² per
	// record: a log of a million (an 8 MiB request to the MAA emulator) took hours. TCG's
	// registry has fewer hash algorithms than this; a real log lists one to four.
	maxSpecAlgs = 16
)

// eachFrame frames every record of raw and hands each to yield, in order, until yield
// returns false. It returns the Spec ID algorithms (nil for a SHA-1 format log), and an
// error naming the record, its offset and the field that did not fit; the records before
// it were handed over.
func eachFrame(raw []byte, yield func(frame) bool) ([]specAlg, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("event log is empty (0 bytes)")
	}
	first, err := sha1Record(raw, 0, 0)
	if err != nil {
		return nil, err
	}
	more := yield(first)
	algs, isSpec, err := parseSpecID(first)
	if err != nil {
		return nil, err
	}
	if !more {
		return algs, nil
	}
	off := first.size
	for n := 1; off < len(raw); n++ {
		var f frame
		if isSpec {
			if len(raw)-off >= 4 && binary.LittleEndian.Uint32(raw[off:]) == paddingPCR {
				break
			}
			f, err = agileRecord(raw, off, n, algs)
		} else {
			f, err = sha1Record(raw, off, n)
		}
		if err != nil {
			return algs, err
		}
		if !yield(f) {
			break
		}
		off += f.size
	}
	return algs, nil
}

func sha1Record(raw []byte, off, n int) (frame, error) {
	rest := raw[off:]
	if len(rest) < sha1HeaderSize {
		return frame{}, truncated(n, off, "record header", sha1HeaderSize, len(rest))
	}
	size := binary.LittleEndian.Uint32(rest[28:])
	if uint64(size) > uint64(len(rest)-sha1HeaderSize) {
		return frame{}, truncated(n, off, "event data", int64(size), len(rest)-sha1HeaderSize)
	}
	end := sha1HeaderSize + int(size)
	return frame{
		offset: off, size: end,
		pcr: binary.LittleEndian.Uint32(rest), typ: binary.LittleEndian.Uint32(rest[4:]),
		data: rest[sha1HeaderSize:end], digests: rest[8:28], sha1Format: true,
	}, nil
}

func agileRecord(raw []byte, off, n int, algs []specAlg) (frame, error) {
	rest := raw[off:]
	if len(rest) < 12 {
		return frame{}, truncated(n, off, "record header (PCR, type, digest count)", 12, len(rest))
	}
	f := frame{offset: off, pcr: binary.LittleEndian.Uint32(rest), typ: binary.LittleEndian.Uint32(rest[4:])}
	count := binary.LittleEndian.Uint32(rest[8:])
	if count > uint32(len(algs)) {
		return frame{}, fmt.Errorf("event %d at offset %d: digest count %d exceeds the %d algorithms of the Spec ID event; the log is corrupt",
			n, off, count, len(algs))
	}
	pos := 12
	for i := uint32(0); i < count; i++ {
		if len(rest)-pos < 2 {
			return frame{}, truncated(n, off, "digest algorithm ID", 2, len(rest)-pos)
		}
		id := binary.LittleEndian.Uint16(rest[pos:])
		size := -1
		for _, a := range algs {
			if a.id == id {
				size = a.size
			}
		}
		if size < 0 {
			return frame{}, fmt.Errorf("event %d at offset %d: digest algorithm 0x%04x at offset %d is not listed in the Spec ID event; the log is corrupt",
				n, off, id, off+pos)
		}
		pos += 2
		if len(rest)-pos < size {
			return frame{}, truncated(n, off, algName(id)+" digest", int64(size), len(rest)-pos)
		}
		pos += size
	}
	if len(rest)-pos < 4 {
		return frame{}, truncated(n, off, "event data size", 4, len(rest)-pos)
	}
	size := binary.LittleEndian.Uint32(rest[pos:])
	pos += 4
	if uint64(size) > uint64(len(rest)-pos) {
		return frame{}, truncated(n, off, "event data", int64(size), len(rest)-pos)
	}
	f.digests = rest[12 : pos-4]
	f.data = rest[pos : pos+int(size)]
	f.size = pos + int(size)
	return f, nil
}

// parseSpecID reads the algorithm list when the first record is the crypto-agile Spec ID
// event, and reports false for a SHA-1 format (TPM 1.2 style) log.
func parseSpecID(f frame) ([]specAlg, bool, error) {
	d := f.data
	if f.typ != uint32(tcg.NoAction) || len(d) < specIDFixedSize || string(d[:16]) != specIDSignature {
		return nil, false, nil
	}
	n := binary.LittleEndian.Uint32(d[24:])
	if n > maxSpecAlgs {
		return nil, true, fmt.Errorf("Spec ID event at offset 0: lists %d algorithms, more than the %d a log may use; the log header is corrupt",
			n, maxSpecAlgs)
	}
	pos := specIDFixedSize
	if uint64(n)*4 > uint64(len(d)-pos) {
		return nil, true, fmt.Errorf("Spec ID event at offset 0: lists %d algorithms but has room for %d; the log header is corrupt",
			n, (len(d)-pos)/4)
	}
	algs := make([]specAlg, 0, n)
	for i := uint32(0); i < n; i++ {
		algs = append(algs, specAlg{id: binary.LittleEndian.Uint16(d[pos:]), size: int(binary.LittleEndian.Uint16(d[pos+2:]))})
		pos += 4
	}
	return algs, true, nil
}

func truncated(n, off int, field string, want int64, have int) error {
	return fmt.Errorf("event %d at offset %d: %s needs %d bytes but only %d remain; the log is truncated or corrupt",
		n, off, field, want, have)
}

// algName names a TPM_ALG_ID the way tpm2-tools does.
func algName(id uint16) string {
	switch id {
	case 0x0004:
		return "sha1"
	case 0x000b:
		return "sha256"
	case 0x000c:
		return "sha384"
	case 0x000d:
		return "sha512"
	case 0x0012:
		return "sm3_256"
	}
	return fmt.Sprintf("alg-0x%04x", id)
}
