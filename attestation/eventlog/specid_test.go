package eventlog

import (
	"encoding/binary"
	"strings"
	"testing"
)

// specIDLog is a crypto-agile log whose Spec ID event lists n one-byte algorithms and SHA-256,
// and one event carrying a digest of each of them. The made-up IDs end in 0x80 and above:
// go-eventlog would take one ending in 0x0b for SHA-256.
func specIDLog(n int) []byte {
	le := binary.LittleEndian
	spec := []byte(specIDSignature)
	spec = le.AppendUint32(spec, 0)         // platformClass
	spec = append(spec, 0, 2, 0, 2)         // spec version 2.0 errata 0, uintnSize 2
	spec = le.AppendUint32(spec, uint32(n)) // numberOfAlgorithms
	for i := range n - 1 {
		spec = le.AppendUint16(spec, uint16(0x2080+i))
		spec = le.AppendUint16(spec, 1)
	}
	spec = le.AppendUint16(spec, algSHA256)
	spec = le.AppendUint16(spec, 32)
	spec = append(spec, 0) // vendorInfoSize
	log := le.AppendUint32(nil, 0)
	log = le.AppendUint32(log, 3) // EV_NO_ACTION
	log = append(log, make([]byte, 20)...)
	log = le.AppendUint32(log, uint32(len(spec)))
	log = append(log, spec...)
	log = le.AppendUint32(log, 0)
	log = le.AppendUint32(log, 0x80000008) // EV_EFI_PLATFORM_FIRMWARE_BLOB
	log = le.AppendUint32(log, uint32(n))
	for i := range n - 1 {
		log = le.AppendUint16(log, uint16(0x2080+i))
		log = append(log, 1)
	}
	log = le.AppendUint16(log, algSHA256)
	log = append(log, make([]byte, 32)...)
	return le.AppendUint32(log, 0)
}

// TestParseRefusesSpecIDWithTooManyAlgorithms: each digest of a record is looked up among
// the Spec ID event's algorithms, here and in go-eventlog, so a log whose Spec ID event lists
// n algorithms and whose records carry n digests each costs n² per record: an 8 MiB
// request to the MAA emulator (about a million algorithms) kept a core busy for hours. The
// Spec ID event may list at most maxSpecAlgs algorithms; a real one lists one to four.
func TestParseRefusesSpecIDWithTooManyAlgorithms(t *testing.T) {
	if _, err := Parse(specIDLog(4)); err != nil {
		t.Fatalf("four algorithms: %v", err)
	}
	if _, err := Parse(specIDLog(maxSpecAlgs)); err != nil {
		t.Fatalf("%d algorithms: %v", maxSpecAlgs, err)
	}
	_, err := Parse(specIDLog(maxSpecAlgs + 1))
	if err == nil || !strings.Contains(err.Error(), "lists 17 algorithms") {
		t.Fatalf("%d algorithms: %v; want the Spec ID event refused for listing too many", maxSpecAlgs+1, err)
	}
	if err := Check(specIDLog(5000)); err == nil {
		t.Error("5000 algorithms: accepted")
	}
}
