//go:build unix

package sshserve

import (
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/charmbracelet/ssh"
)

// controllingTTY makes the child a session leader whose controlling terminal is its stdin,
// the PTY's slave side: the kernel then sends it SIGWINCH when the PTY is resized.
func controllingTTY() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Setctty: true}
}

// tell writes a line to the attendee's terminal once the child has run. It goes through
// the PTY's slave side, as the child's output does: the session channel then has one
// writer, the library's PTY copier, which may still be sending the child's last output
// (x/crypto channels are not safe for concurrent writes). Best effort: the library ends
// the session when the handler returns, whether or not the copier has sent everything.
func tell(_ ssh.Session, p ssh.Pty, line string) {
	io.WriteString(p.Slave, line+"\r\n")
}

// drain waits, up to limit, until the library's PTY copier has read everything the child
// wrote: the library closes the session channel as soon as the handler returns, and what
// is still in the PTY then never reaches the attendee (a short session's whole output, an
// error's last line). The fd is reached through SyscallConn so that the copier's reads
// stay non-blocking.
func drain(p ssh.Pty, limit time.Duration) {
	if p.Master == nil {
		return
	}
	rc, err := p.Master.SyscallConn()
	if err != nil {
		return
	}
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		pending := 0
		cerr := rc.Control(func(fd uintptr) { pending, err = unix.IoctlGetInt(int(fd), unix.TIOCINQ) })
		if cerr != nil || err != nil || pending == 0 {
			// The copier may hold the last read in flight to the channel: a moment more.
			time.Sleep(20 * time.Millisecond)
			return
		}
	}
}

// socketPair returns the two ends of a room link: the server's (non-blocking, so that
// closing it ends a read and writes can time out) and the child's (blocking, as the child
// reads it as a plain file).
func socketPair() (server, child *os.File, err error) {
	// Close-on-exec before any other session's child can be forked (SOCK_CLOEXEC is not
	// on every Unix): another child must not inherit this link.
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "room link"), os.NewFile(uintptr(fds[1]), "room link (child)"), nil
}

// termSize reads a terminal's size without putting it in blocking mode (as Fd would).
func termSize(f *os.File) (w, h int, ok bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, 0, false
	}
	var ws *unix.Winsize
	cerr := rc.Control(func(fd uintptr) { ws, err = unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ) })
	if cerr != nil || err != nil {
		return 0, 0, false
	}
	return int(ws.Col), int(ws.Row), true
}
