package vtpmserve

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

// The platform port answers every signal with four bytes. A client that sends signals and
// reads no answer fills its receive buffer; the server's write then blocked for ever, past
// IdleTimeout (a read deadline), and the connection kept its platform slot: MaxConns such
// clients shut the port. As on the command port, an answer not taken within FrameTimeout
// ends the connection. net.Pipe has no buffer, so the first unread answer blocks.
func TestPlatformClientThatReadsNothingIsClosed(t *testing.T) {
	s := &Server{cfg: Config{FrameTimeout: 50 * time.Millisecond, IdleTimeout: time.Hour},
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	server, client := net.Pipe()
	defer client.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer server.Close()
		s.servePlatformConn(server)
	}()
	if _, err := client.Write([]byte{0, 0, 0, 1}); err != nil { // TPM_SIGNAL_POWER_ON, answer never read
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the server still waits to hand its answer to a client that reads nothing")
	}
}
