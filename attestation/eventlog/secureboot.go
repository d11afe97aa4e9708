package eventlog

import (
	"github.com/google/go-eventlog/tcg"
)

// SecureBootEnabled reads the SecureBoot variable as the firmware measured it into PCR7.
// known is false when the log holds no readable SecureBoot event whose digest covers its
// data (DataMeasured: a replay vouches only for digests); enabled then means nothing. Like
// every log value it is trustworthy only after PCR7 replays to a quoted value.
func (l *Log) SecureBootEnabled() (enabled bool, known bool) {
	for e := range l.Events() {
		if e.PCR != 7 || e.Type != uint32(tcg.EFIVariableDriverConfig) || !e.DataMeasured() {
			continue
		}
		v, err := tcg.ParseUEFIVariableData(bytesReader(e.Data))
		if err != nil || v.VarName() != "SecureBoot" || v.Header.VariableName.String() != globalVariableGUID {
			continue
		}
		// An absent or empty variable means Secure Boot is off (UEFI spec, SecureBoot).
		return len(v.VariableData) > 0 && v.VariableData[0] == 1, true
	}
	return false, false
}
