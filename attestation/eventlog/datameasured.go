package eventlog

import (
	"bytes"
	"crypto/sha256"

	"github.com/google/go-eventlog/tcg"
)

// DataMeasured reports whether the event's SHA-256 digest is the hash of its data, so that
// what the data says is what was extended into the PCR. The log is unsigned and a replay
// checks only digests: data its digest does not cover may say anything (a SecureBoot variable
// rewritten from 0 to 1 replays as before). Two firmware habits are allowed, as go-eventlog
// allows them: EDK2 hashes a Boot#### variable (EV_EFI_VARIABLE_BOOT, BOOT2) over the
// variable's data only, and some shim versions add a byte after an EV_EFI_VARIABLE_AUTHORITY's
// data that its digest leaves out. False when the event has no SHA-256 digest.
func (e Event) DataMeasured() bool {
	if len(e.Digest) != sha256.Size {
		return false
	}
	hashes := func(b []byte) bool { h := sha256.Sum256(b); return bytes.Equal(h[:], e.Digest) }
	if hashes(e.Data) {
		return true
	}
	switch tcg.EventType(e.Type) {
	case tcg.EFIVariableBoot, tcg.EFIVariableBoot2:
		v, err := tcg.ParseUEFIVariableData(bytes.NewReader(e.Data))
		return err == nil && hashes(v.VariableData)
	case tcg.EFIVariableAuthority:
		return len(e.Data) > 0 && hashes(e.Data[:len(e.Data)-1])
	}
	return false
}
