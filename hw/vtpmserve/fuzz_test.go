package vtpmserve

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"testing"
)

// checkingTPM stands in for the TPM behind the framing: it fails the test on any frame the
// framing should have refused, and answers every other one with a success carrying a
// transient handle, so that the ownership bookkeeping runs too.
type checkingTPM struct{ t *testing.T }

func (c checkingTPM) Send(cmd []byte) ([]byte, error) {
	if len(cmd) < headerSize || len(cmd) > MaxCommandSize || binary.BigEndian.Uint32(cmd[2:6]) != uint32(len(cmd)) {
		c.t.Fatalf("the framing passed on a %d-byte frame whose header says %x", len(cmd), cmd[:min(len(cmd), headerSize)])
	}
	rsp := binary.BigEndian.AppendUint16(nil, tpmTagNoSessions)
	rsp = binary.BigEndian.AppendUint32(rsp, headerSize+4)
	rsp = binary.BigEndian.AppendUint32(rsp, 0)
	return binary.BigEndian.AppendUint32(rsp, 0x80000000), nil
}

// stream is a client's side of a connection: what it sent, and what it got back.
type stream struct {
	io.Reader
	out bytes.Buffer
}

func (s *stream) Write(p []byte) (int, error) { return s.out.Write(p) }

// FuzzFraming feeds arbitrary bytes to the command and platform channels: nothing may
// panic, no frame outside 10..4096 bytes or with a size field that disagrees may reach the
// TPM, the answer to a leading TPM_SEND_COMMAND is length-prefixed and well-formed, and
// the channel ends when the input does.
func FuzzFraming(f *testing.F) {
	getRandom := []byte{0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 8}
	mssim := func(loc byte, cmd []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, simSendCommand)
		b = append(b, loc)
		b = binary.BigEndian.AppendUint32(b, uint32(len(cmd)))
		return append(b, cmd...)
	}
	f.Add(getRandom)
	f.Add(mssim(0, getRandom))
	f.Add(mssim(2, getRandom))
	f.Add(append(mssim(0, getRandom), getRandom...))
	f.Add([]byte{0, 0, 0, simRemoteHandshake, 0, 0, 0, 1, 0, 0, 0, simSessionEnd})
	f.Add([]byte{0x80, 0x02, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0, 0, 0, simSendCommand, 0, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0, 0, 0, swtpmSetLocality, 0, 0, 0, 0, simPowerOn})
	// NV_Read of the report index under an HMAC session (tpm2-tools' shape), for parseCmd.
	nvRead := []byte{0x80, 0x02, 0, 0, 0, 0x2F, 0, 0, 0x01, 0x4E, 0x40, 0, 0, 0x01, 0x01, 0x40, 0, 0x01,
		0, 0, 0, 23, 0x02, 0, 0, 0, 0, 0x02, 0xAA, 0xBB, 0x01, 0, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x04, 0, 0, 0}
	binary.BigEndian.PutUint32(nvRead[2:], uint32(len(nvRead)))
	f.Add(nvRead)
	f.Fuzz(func(t *testing.T, in []byte) {
		s := &Server{cfg: Config{TPM: checkingTPM{t}}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), owners: map[uint32]*conn{}, sessions: map[uint32]*hmacSession{}}
		cl := &conn{id: "fuzz"}
		st := &stream{Reader: bytes.NewReader(in)}
		s.serveCommands(st, cl)
		s.track(ccFlushContext, append(make([]byte, headerSize), 0x80, 0, 0, 0), nil, cl)
		if err := wellFormed(in, st.out.Bytes()); err != nil {
			t.Fatal(err)
		}
		servePlatform(&stream{Reader: bytes.NewReader(in)}, s.log)
	})
}

// wellFormed checks the first answer when the input opens with TPM_SEND_COMMAND: a length,
// a response of that length whose own size field agrees, and a zero.
func wellFormed(in, out []byte) error {
	if len(in) < 4 || binary.BigEndian.Uint32(in) != simSendCommand || len(out) == 0 {
		return nil
	}
	if len(out) < 4 {
		return fmt.Errorf("answer cut inside its length: %x", out)
	}
	n := int(binary.BigEndian.Uint32(out))
	if n < headerSize || len(out) < 4+n+4 {
		return fmt.Errorf("answer of %d bytes in %d", n, len(out))
	}
	if int(binary.BigEndian.Uint32(out[4+2:])) != n || binary.BigEndian.Uint32(out[4+n:]) != 0 {
		return fmt.Errorf("answer's size field or trailer is wrong: %x", out[:4+n+4])
	}
	return nil
}
