//go:build unix

package sshserve

import (
	"io"
	"os"
	"syscall"
	"time"

	"github.com/creack/pty"
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
// writer, the PTY copier (copyPty), which may still be sending the child's last output
// (x/crypto channels are not safe for concurrent writes).
func tell(_ ssh.Session, p ssh.Pty, line string) {
	io.WriteString(p.Slave, line+"\r\n")
}

// ptyOptions allocates each session's PTY here instead of with ssh.AllocatePty, and leaves
// the copying between the PTY and the session to the handler (copyPty). The library's own
// copier could still hold the child's last output when the handler returned and the library
// closed the channel; waiting until the PTY was read out and then 20 ms more was not enough
// on a loaded machine, and a short session's whole output was lost (TestServeOpenRoom in CI,
// TestServeSessionEnvironment under -cpu 1: only the terminal queries arrived). The library
// starts no copier and no resizer for a PTY it did not make, so these are the only ones.
// The client's terminal modes are not applied: the PTY starts with the kernel's defaults,
// and cvmscope puts its terminal in raw mode itself.
func (r *room) ptyOptions() []ssh.Option {
	return []ssh.Option{func(srv *ssh.Server) error {
		srv.PtyHandler = func(_ ssh.Context, s ssh.Session, req ssh.Pty) (func() error, error) {
			master, slave, err := pty.Open()
			if err != nil {
				return nil, err
			}
			setSize(master, req.Window)
			p := req
			p.Master, p.Slave = master, slave
			// Called in the request loop, which writes the window changes: reading the
			// session's PTY here is safe (see room.ptys).
			_, winch, _ := s.Pty()
			go func() {
				for w := range winch {
					setSize(master, w)
				}
			}()
			r.mu.Lock()
			r.ptys[s] = p
			r.mu.Unlock()
			return func() error {
				r.mu.Lock()
				delete(r.ptys, s)
				r.mu.Unlock()
				slave.Close()
				return master.Close()
			}, nil
		}
		return nil
	}}
}

// setSize resizes the PTY through SyscallConn, not pty.Setsize: that takes the fd with Fd,
// which would put the master in blocking mode (the copier's read could then not be ended by
// Close) and races with the session's end closing it.
func setSize(master *os.File, w ssh.Window) {
	rc, err := master.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(w.Height), Col: uint16(w.Width)})
	})
}

// copyPty copies what the attendee types into the PTY and what the PTY shows to the
// attendee. finish, called once nothing more will write to the PTY (the child has exited),
// closes the handler's slave side and waits, up to limit, until the copier has read the PTY
// to its end and sent all of it: the library closes the session channel as soon as the
// handler returns, and what is not sent by then never reaches the attendee.
func copyPty(s ssh.Session, p ssh.Pty) (finish func(limit time.Duration)) {
	if p.Master == nil {
		return func(time.Duration) {}
	}
	go io.Copy(p.Master, s) //nolint:errcheck // ends with the session
	sent := make(chan struct{})
	go func() {
		// Once no slave side is open and all was read, the master's read fails (EIO).
		io.Copy(s, p.Master) //nolint:errcheck
		close(sent)
	}()
	return func(limit time.Duration) {
		p.Slave.Close()
		select {
		case <-sent:
		case <-time.After(limit):
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
