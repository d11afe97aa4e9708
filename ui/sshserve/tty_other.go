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

// drain: without a PTY master to ask, nothing to wait for.
func drain(ssh.Pty, time.Duration) {}

// socketPair: no room link; sessions run, unsteered by the instructor's view.
func socketPair() (server, child *os.File, err error) {
	return nil, nil, errors.New("no room link on this system")
}

// termSize: not read; the view keeps the size the client asked for.
func termSize(*os.File) (w, h int, ok bool) { return 0, 0, false }
