//go:build unix

package sshserve

import "syscall"

// controllingTTY makes the child a session leader whose controlling terminal is its stdin,
// the PTY's slave side: the kernel then sends it SIGWINCH when the PTY is resized.
func controllingTTY() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Setctty: true}
}
