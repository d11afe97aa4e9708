//go:build unix

package sshserve

import (
	"context"
	"log/slog"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/ui"
)

// instruct gives an instructor's key the room view: a Bubble Tea program in this process,
// on the session's PTY, reading and steering the registry directly. It runs until the
// instructor quits, leaves or the server stops; it takes no place among --max-sessions.
func (r *room) instruct(serverCtx context.Context, s ssh.Session, extra []string) {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		wish.Fatalln(s, "cvmscope:", errStopping)
		return
	}
	r.running.Add(1)
	pty, ok := r.ptys[s]
	r.mu.Unlock()
	defer r.running.Done()
	if !ok || pty.Slave == nil {
		wish.Fatalln(s, "cvmscope: the room view needs a terminal: connect with ssh -t")
		return
	}
	finish := copyPty(s, pty)
	ctx, cancel := context.WithCancel(s.Context())
	defer cancel()
	defer context.AfterFunc(serverCtx, cancel)()

	lang := present.Lang(optionOf(extra, "--lang", ""))
	if lang != present.EN && lang != present.KO {
		lang = present.EN
		for _, e := range s.Environ() {
			if v, ok := strings.CutPrefix(e, "LANG="); ok && strings.HasPrefix(strings.ToLower(v), "ko") {
				lang = present.KO
			}
		}
	}
	env := append(s.Environ(), "TERM="+pty.Term)
	m := ui.NewRoomView(ctx, r, ui.RoomOptions{Lang: lang, Output: pty.Slave, Environ: env})
	// The server's signals are the server's: it ends this view through ctx. It asks the
	// program to quit rather than giving it ctx: a program ended by its context does not
	// wait for its input reader, which may then still use the PTY the library closes once
	// this handler returns.
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithInput(pty.Slave), tea.WithOutput(pty.Slave), tea.WithoutSignalHandler())
	// A program that cannot quit (its output blocked on a client that stopped reading) is
	// killed after a few seconds, so that stopping the server never waits on it.
	ran := make(chan struct{})
	go func() {
		<-ctx.Done()
		p.Quit()
		select {
		case <-ran:
		case <-time.After(3 * time.Second):
			p.Kill()
		}
	}()
	go followSize(ctx, pty, p)
	slog.Info("instructor's room view", "user", s.User(), "remote", hostOf(s.RemoteAddr()), "auth", authOf(s, false))
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		slog.Warn("room view ended", "err", err)
	}
	close(ran)
	if serverCtx.Err() != nil {
		tell(s, pty, "cvmscope: the server was stopped; the room is closed")
	}
	finish(time.Second)
}

// followSize tells the view when the instructor's window changes. The PTY is resized where
// it was allocated (ptyOptions), which keeps the change events, and this process is not the
// PTY's session, so no SIGWINCH comes: the size is read a few times a second instead.
func followSize(ctx context.Context, pty ssh.Pty, p *tea.Program) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	w, h := pty.Window.Width, pty.Window.Height
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if nw, nh, ok := termSize(pty.Slave); ok && (nw != w || nh != h) {
			w, h = nw, nh
			p.Send(tea.WindowSizeMsg{Width: w, Height: h})
		}
	}
}
