//go:build unix

package vtpmserve

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/hw/simcvm"
	legacy "github.com/google/go-tpm/legacy/tpm2"
	"github.com/google/go-tpm/tpmutil"
)

// TestStalledClients: a client that sends half a frame and stalls, or connects and sends
// nothing, neither blocks other clients nor keeps its slot: the server closes it after
// FrameTimeout (mid-request) or IdleTimeout (between requests), so MaxConns such clients
// cannot lock everyone out.
func TestStalledClients(t *testing.T) {
	cvm, srv := serveCVM(t)
	halfFrame := []byte{0x80, 0x01, 0, 0, 0, 12, 0, 0} // GetRandom's header says 12 bytes; 8 come
	stall := func(addr string, send []byte) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.Write(send); err != nil {
			t.Fatal(err)
		}
		return c
	}

	// With the default timeouts, a stalled client does not hold up an ordinary one.
	stall(srv.Addr(), halfFrame)
	rw := &legacyRW{tr: dialMSSim(t, srv)}
	if report, err := legacy.NVReadEx(rw, tpmutil.Handle(simcvm.ReportIndex), legacy.HandleOwner, "", 0); err != nil || !bytes.Equal(report, cvm.Report()) {
		t.Fatalf("beside a stalled client: %v", err)
	}

	// Two slots, both taken by stalled clients: the server closes them and serves again.
	tight, err := Start(Config{Listen: "127.0.0.1:0", TPM: cvm.Transport(), MaxConns: 2,
		FrameTimeout: 20 * time.Millisecond, IdleTimeout: 40 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer tight.Close()
	for name, send := range map[string][]byte{"half a frame": halfFrame, "nothing": nil, "half an mssim command": {0, 0, 0, 8, 0, 0, 0, 0}, "platform port: nothing": nil,
		"commands, answers never read": bytes.Repeat([]byte{0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 48}, 100_000)} {
		addr := tight.Addr()
		if name == "platform port: nothing" {
			addr = tight.PlatformAddr()
		}
		var c net.Conn
		if name == "commands, answers never read" {
			// The client writes 1.2 MB of GetRandom and reads nothing until the server gives
			// up; a small receive buffer fills after a few hundred answers.
			d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
				return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
			}}
			var err error
			if c, err = d.Dial("tcp", addr); err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetWriteDeadline(time.Now().Add(time.Minute))
			if _, err := c.Write(send); errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("%s: the server kept reading from a client that reads nothing", name)
			}
		} else {
			c = stall(addr, send)
		}
		// The server, not this generous bound, must end the connection.
		_ = c.SetReadDeadline(time.Now().Add(time.Minute))
		if _, err := io.ReadAll(c); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: the server kept the stalled connection open", name)
		}
	}
	getRandom := []byte{0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 8}
	var answer []byte
	// A slot is given back just after the close the client saw; a refused connection is
	// closed unanswered, so try again until one is served.
	for i := 0; i < 1000 && len(answer) == 0; i++ {
		c, err := net.Dial("tcp", tight.Addr())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write(getRandom)
		answer = make([]byte, 10)
		if _, err := io.ReadFull(c, answer); err != nil {
			answer = nil
			runtime.Gosched()
		}
		c.Close()
	}
	if len(answer) < 10 || !bytes.Equal(answer[:2], []byte{0x80, 0x01}) || !bytes.Equal(answer[6:10], []byte{0, 0, 0, 0}) {
		t.Fatalf("after the stalled clients were closed: answer %x, want TPM_RC_SUCCESS", answer)
	}
}
