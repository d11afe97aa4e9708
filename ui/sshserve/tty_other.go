//go:build !unix

package sshserve

import (
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
)

// controllingTTY: other systems deliver size changes through their console API.
func controllingTTY() *syscall.SysProcAttr { return nil }

// tell writes a line to the attendee's terminal once the child has run.
func tell(s ssh.Session, _ ssh.Pty, line string) { wish.Errorln(s, line) }

// ptyOptions: the library allocates the PTY (a ConPTY) and copies it to and from the
// session; keepPty gives it to the handler.
func (r *room) ptyOptions() []ssh.Option { return []ssh.Option{ssh.AllocatePty(), r.keepPty()} }

// copyPty: the library copies; without a PTY master to ask, nothing to wait for.
func copyPty(ssh.Session, ssh.Pty) (finish func(time.Duration)) { return func(time.Duration) {} }

// keepPty wraps the PTY allocation of ssh.AllocatePty to keep the PTY for the handler. It
// runs in the request loop, the goroutine that later writes resizes, so reading it there
// is safe.
func (r *room) keepPty() ssh.Option {
	return func(srv *ssh.Server) error {
		alloc := srv.PtyHandler
		if alloc == nil {
			return errors.New("sshserve: keepPty needs ssh.AllocatePty before it")
		}
		srv.PtyHandler = func(ctx ssh.Context, s ssh.Session, req ssh.Pty) (func() error, error) {
			closer, err := alloc(ctx, s, req)
			if err != nil {
				return nil, err
			}
			pty, _, ok := s.Pty()
			if ok {
				r.mu.Lock()
				r.ptys[s] = pty
				r.mu.Unlock()
			}
			return func() error {
				r.mu.Lock()
				delete(r.ptys, s)
				r.mu.Unlock()
				return closer()
			}, nil
		}
		return nil
	}
}

// socketPair: no room link; sessions run, unsteered by the instructor's view.
func socketPair() (server, child *os.File, err error) {
	return nil, nil, errors.New("no room link on this system")
}

// termSize: not read; the view keeps the size the client asked for.
func termSize(*os.File) (w, h int, ok bool) { return 0, 0, false }
