package simcvm

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"unicode/utf16"

	"github.com/google/go-eventlog/tcg"
)

// tcgLog writes a TCG2 crypto-agile event log (TCG PC Client Platform Firmware Profile
// §10.2) with SHA-1, SHA-256 and SHA-384 digests, as Azure's firmware logs carry, and
// replays the SHA-256 bank as it goes so that the expected PCR values are known without a
// second pass.
type tcgLog struct {
	buf    bytes.Buffer
	pcrs   map[int][]byte
	events []logEvent
}

// logEvent is one measured event, kept for extending the TPM in log order.
type logEvent struct {
	pcr    int
	digest [32]byte
	// sha1 and sha384 are the same measurement in the other banks the log carries.
	sha1   [20]byte
	sha384 [48]byte
}

const (
	algSHA1   = 0x0004
	algSHA256 = 0x000B
	algSHA384 = 0x000C
)

func newTCGLog() *tcgLog {
	l := &tcgLog{pcrs: map[int][]byte{}}
	l.specID()
	return l
}

// specID writes the first event in the SHA-1 TCG_PCR_EVENT format, as the spec requires:
// EV_NO_ACTION carrying TCG_EfiSpecIDEvent "Spec ID Event03", which announces the
// crypto-agile format and its digest sizes.
func (l *tcgLog) specID() {
	var ev bytes.Buffer
	ev.WriteString("Spec ID Event03\x00")
	le := binary.LittleEndian
	_ = binary.Write(&ev, le, uint32(0)) // platformClass: client
	ev.Write([]byte{0, 2, 0, 2})         // version minor 0, major 2, errata 0, uintnSize 2 (UINT64)
	_ = binary.Write(&ev, le, uint32(3)) // numberOfAlgorithms
	for _, a := range [][2]uint16{{algSHA1, sha1.Size}, {algSHA256, sha256.Size}, {algSHA384, sha512.Size384}} {
		_ = binary.Write(&ev, le, a)
	}
	ev.WriteByte(0) // vendorInfoSize

	_ = binary.Write(&l.buf, le, uint32(0))
	_ = binary.Write(&l.buf, le, uint32(tcg.NoAction))
	l.buf.Write(make([]byte, 20))
	_ = binary.Write(&l.buf, le, uint32(ev.Len()))
	l.buf.Write(ev.Bytes())
}

// add appends a TCG_PCR_EVENT2 whose digest is SHA-256(measured) and extends the replay.
// measured differs from data where the firmware hashes something other than the event
// data (an image, a firmware volume, a command line without its NUL).
func (l *tcgLog) add(pcr int, typ tcg.EventType, data, measured []byte) {
	d, d1, d384 := sha256.Sum256(measured), sha1.Sum(measured), sha512.Sum384(measured)
	le := binary.LittleEndian
	_ = binary.Write(&l.buf, le, uint32(pcr))
	_ = binary.Write(&l.buf, le, uint32(typ))
	_ = binary.Write(&l.buf, le, uint32(3)) // TPML_DIGEST_VALUES count
	_ = binary.Write(&l.buf, le, uint16(algSHA1))
	l.buf.Write(d1[:])
	_ = binary.Write(&l.buf, le, uint16(algSHA256))
	l.buf.Write(d[:])
	_ = binary.Write(&l.buf, le, uint16(algSHA384))
	l.buf.Write(d384[:])
	_ = binary.Write(&l.buf, le, uint32(len(data)))
	l.buf.Write(data)

	old, ok := l.pcrs[pcr]
	if !ok {
		old = make([]byte, sha256.Size)
	}
	next := sha256.Sum256(append(append([]byte(nil), old...), d[:]...))
	l.pcrs[pcr] = next[:]
	l.events = append(l.events, logEvent{pcr: pcr, digest: d, sha1: d1, sha384: d384})
}

// addSelf appends an event whose digest covers its own data (EV_SEPARATOR, EV_EFI_ACTION,
// EV_EFI_VARIABLE_DRIVER_CONFIG, EV_EFI_VARIABLE_AUTHORITY).
func (l *tcgLog) addSelf(pcr int, typ tcg.EventType, data []byte) { l.add(pcr, typ, data, data) }

// ucs2 encodes s as NUL-less UTF-16LE, the encoding of UEFI variable names and strings.
func ucs2(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// efiGUID is an EFI_GUID in its in-memory (mixed-endian) layout.
type efiGUID [16]byte

func guid(d1 uint32, d2, d3 uint16, d4 [8]byte) efiGUID {
	var g efiGUID
	binary.LittleEndian.PutUint32(g[0:], d1)
	binary.LittleEndian.PutUint16(g[4:], d2)
	binary.LittleEndian.PutUint16(g[6:], d3)
	copy(g[8:], d4[:])
	return g
}

var (
	efiGlobalVariable  = guid(0x8BE4DF61, 0x93CA, 0x11D2, [8]byte{0xAA, 0x0D, 0x00, 0xE0, 0x98, 0x03, 0x2B, 0x8C})
	efiImageSecurityDB = guid(0xD719B2CB, 0x3D3A, 0x4596, [8]byte{0xA3, 0xBC, 0xDA, 0xD0, 0x0E, 0x67, 0x65, 0x6F})
	shimLockGUID       = guid(0x605DAB50, 0xE046, 0x4300, [8]byte{0xAB, 0xB6, 0x3D, 0xD8, 0x10, 0xDD, 0x8B, 0x23})
	efiCertX509GUID    = guid(0xA5C059A1, 0x94E4, 0x4AA7, [8]byte{0x87, 0xB5, 0xAB, 0x15, 0x5C, 0x2B, 0xF0, 0x72})
	efiCertSHA256GUID  = guid(0xC1C41626, 0x504C, 0x4092, [8]byte{0xAC, 0xA9, 0x41, 0xF9, 0x36, 0x93, 0x43, 0x28})
	microsoftOwnerGUID = guid(0x77FA9ABD, 0x0359, 0x4D32, [8]byte{0xBD, 0x60, 0x28, 0xF4, 0xE7, 0x8F, 0x78, 0x4B})
)

// uefiVariableData encodes UEFI_VARIABLE_DATA: GUID, name length, data length, name, data.
func uefiVariableData(g efiGUID, name string, data []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write(g[:])
	_ = binary.Write(&b, le, uint64(len(utf16.Encode([]rune(name)))))
	_ = binary.Write(&b, le, uint64(len(data)))
	b.Write(ucs2(name))
	b.Write(data)
	return b.Bytes()
}

// signatureList encodes one EFI_SIGNATURE_LIST whose entries share a type and owner.
func signatureList(typ, owner efiGUID, entries [][]byte) []byte {
	if len(entries) == 0 {
		return nil
	}
	sigSize := 16 + len(entries[0])
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write(typ[:])
	_ = binary.Write(&b, le, uint32(28+sigSize*len(entries))) // SignatureListSize
	_ = binary.Write(&b, le, uint32(0))                       // SignatureHeaderSize
	_ = binary.Write(&b, le, uint32(sigSize))
	for _, e := range entries {
		b.Write(owner[:])
		b.Write(e)
	}
	return b.Bytes()
}

// signatureData encodes one EFI_SIGNATURE_DATA (owner GUID, then the signature), the data
// of an EV_EFI_VARIABLE_AUTHORITY event.
func signatureData(owner efiGUID, sig []byte) []byte {
	return append(append([]byte(nil), owner[:]...), sig...)
}

// filePathDevicePath encodes HD(partition)/\path as an EFI device path: a hard-drive node
// for the EFI system partition, a file-path node, and the end node.
func filePathDevicePath(partGUID efiGUID, path string) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	// MEDIA_DEVICE_PATH / HARDDRIVE (type 4, subtype 1, 42 bytes).
	b.Write([]byte{0x04, 0x01, 42, 0})
	_ = binary.Write(&b, le, uint32(1))       // partition number
	_ = binary.Write(&b, le, uint64(0x800))   // start LBA
	_ = binary.Write(&b, le, uint64(0x3F800)) // size in LBAs (127 MiB)
	b.Write(partGUID[:])
	b.Write([]byte{0x02, 0x02}) // GPT, GUID signature
	// MEDIA_DEVICE_PATH / FILEPATH (type 4, subtype 4), NUL-terminated UCS-2.
	name := append(ucs2(path), 0, 0)
	b.Write([]byte{0x04, 0x04})
	_ = binary.Write(&b, le, uint16(4+len(name)))
	b.Write(name)
	b.Write([]byte{0x7F, 0xFF, 0x04, 0x00}) // end of device path
	return b.Bytes()
}

// imageLoadEvent encodes UEFI_IMAGE_LOAD_EVENT for EV_EFI_BOOT_SERVICES_APPLICATION.
func imageLoadEvent(addr, length uint64, devicePath []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	_ = binary.Write(&b, le, addr)
	_ = binary.Write(&b, le, length)
	_ = binary.Write(&b, le, uint64(0))
	_ = binary.Write(&b, le, uint64(len(devicePath)))
	b.Write(devicePath)
	return b.Bytes()
}

// loadOption encodes EFI_LOAD_OPTION, the content of a Boot#### variable.
func loadOption(description string, devicePath []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	_ = binary.Write(&b, le, uint32(1)) // LOAD_OPTION_ACTIVE
	_ = binary.Write(&b, le, uint16(len(devicePath)))
	b.Write(append(ucs2(description), 0, 0))
	b.Write(devicePath)
	return b.Bytes()
}
