//go:build unix

package sshserve

import (
	"io"
	"syscall"

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
