package tpm

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
)

// maxFrame bounds a response so that a wrong peer cannot make us allocate gigabytes.
const maxFrame = 1 << 20

// rawTCP sends bare TPM command frames over a stream, as swtpm's --server channel
// expects. go-tpm's tcp package speaks the Microsoft simulator framing instead, and its
// generic ReadWriter transport assumes one Read returns a whole response, which a TCP
// stream does not promise.
type rawTCP struct {
	mu   sync.Mutex
	conn net.Conn
}

func (r *rawTCP) Send(cmd []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.conn.Write(cmd); err != nil {
		return nil, fmt.Errorf("sending %d-byte command: %w", len(cmd), err)
	}
	hdr := make([]byte, 10)
	if _, err := io.ReadFull(r.conn, hdr); err != nil {
		return nil, fmt.Errorf("reading response header: %w", err)
	}
	size := binary.BigEndian.Uint32(hdr[2:6])
	if size < 10 || size > maxFrame {
		return nil, fmt.Errorf("response header says %d bytes; the peer does not speak raw TPM frames (mssim framing needs mssim://)", size)
	}
	rsp := make([]byte, size)
	copy(rsp, hdr)
	if _, err := io.ReadFull(r.conn, rsp[10:]); err != nil {
		return nil, fmt.Errorf("reading %d-byte response: %w", size, err)
	}
	return rsp, nil
}

func (r *rawTCP) Close() error { return r.conn.Close() }
