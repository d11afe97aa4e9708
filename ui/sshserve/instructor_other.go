//go:build !unix

package sshserve

import (
	"context"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
)

// instruct: the room view runs on the session's PTY device, which charmbracelet/ssh offers
// only on Unix; elsewhere (the windows/amd64 release binary) an instructor is told so.
func (r *room) instruct(_ context.Context, s ssh.Session, _ []string) {
	wish.Fatalln(s, "cvmscope: the instructor's room view needs a Unix server (Linux, macOS); serve the room from one")
}
