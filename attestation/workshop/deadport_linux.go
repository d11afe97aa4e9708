//go:build linux

package workshop

import (
	"fmt"
	"sync"
	"syscall"
)

// reserveDeadPort returns a loopback address where every connection is refused for as long
// as release is not called. A TCP socket that is bound but never listens holds its port, so
// no other process can take it meanwhile: a listener closed at once (the old way) freed the
// port, and a test elsewhere on the machine could listen there before the step called it,
// turning "nothing listens at MAA" into a stranger's answer.
func reserveDeadPort() (addr string, release func() error, err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("bound socket has address %T, not IPv4", sa)
	}
	// Once: a second Close could close whatever descriptor the process opened since.
	var once sync.Once
	release = func() error {
		var err error
		once.Do(func() { err = syscall.Close(fd) })
		return err
	}
	return fmt.Sprintf("127.0.0.1:%d", in4.Port), release, nil
}
