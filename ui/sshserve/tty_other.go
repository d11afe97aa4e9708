//go:build !unix

package sshserve

import "syscall"

// controllingTTY: other systems deliver size changes through their console API.
func controllingTTY() *syscall.SysProcAttr { return nil }
