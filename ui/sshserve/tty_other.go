//go:build !unix

package sshserve

import (
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
