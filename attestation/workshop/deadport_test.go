package workshop

import (
	"errors"
	"net"
	"runtime"
	"syscall"
	"testing"
)

// TestDeadPortRefusesAndIsHeld: the unreachable-service scenarios need a port that refuses
// connections for the whole run, and that no other process can start listening on meanwhile.
func TestDeadPortRefusesAndIsHeld(t *testing.T) {
	addr, release, err := reserveDeadPort()
	if err != nil {
		t.Fatalf("reserveDeadPort: %v", err)
	}
	defer release()
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
		t.Fatalf("dial %s: connected; want connection refused", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: %v; want connection refused", addr, err)
	}
	if runtime.GOOS != "linux" {
		return // only Linux holds the port
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatalf("listen %s succeeded while the port is reserved", addr)
	}
	if err := release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s after release: %v", addr, err)
	}
	ln.Close()
}
