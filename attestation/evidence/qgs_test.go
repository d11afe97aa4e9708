package evidence

import (
	"encoding/binary"
	"testing"
)

// A TD quote in Intel's QGS GET_QUOTE_RESP framing is detected as a TD quote (tdx.ParseQuote
// unwraps it); a QGS message of another type or with a wrong size is not.
func TestDetectQGSWrappedQuote(t *testing.T) {
	le := binary.LittleEndian
	quote := make([]byte, 100)
	le.PutUint16(quote, 5)
	msg := func(typ uint32, size int) []byte {
		m := le.AppendUint16(nil, 1)
		m = le.AppendUint16(m, 1)
		m = le.AppendUint32(m, typ)
		m = le.AppendUint32(m, uint32(size))
		m = le.AppendUint32(m, 0)
		m = le.AppendUint32(m, 0)
		m = le.AppendUint32(m, uint32(len(quote)))
		return append(m, quote...)
	}
	if k := Detect(msg(1, 124)); k != KindTDQuote {
		t.Errorf("GET_QUOTE_RESP detected as %q", k)
	}
	for _, b := range [][]byte{msg(0, 124), msg(1, 123)} {
		if k := Detect(b); k == KindTDQuote {
			t.Errorf("%x… detected as a TD quote", b[:12])
		}
	}
}
