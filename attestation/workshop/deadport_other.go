//go:build !linux

package workshop

import "net"

// reserveDeadPort returns a loopback address where nothing listens. Off Linux the port is
// only free at the moment it is returned (bound-but-not-listening sockets are not portable
// through package syscall); the Linux version holds it for the run.
func reserveDeadPort() (addr string, release func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	ln.Close()
	return addr, func() error { return nil }, nil
}
