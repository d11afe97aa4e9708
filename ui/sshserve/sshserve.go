// Package sshserve serves the workshop over SSH with wish: every session gets its own
// cvmscope process on the simulated CVM, drawn in the session's terminal. A presenter runs
// `cvmscope serve` once; each attendee types `ssh -p 2222 host` and walks through the
// steps on a VM of their own, with nothing installed.
//
// Each session is a separate process rather than a Bubble Tea program inside this one
// because the embedded TPM simulator exists once per process: separate processes give
// every attendee their own TPM, PCRs and keys.
package sshserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
)

// Config says where to listen and what each session runs.
type Config struct {
	// Listen is HOST:PORT; loopback unless AllowRemote.
	Listen      string
	AllowRemote bool
	// HostKeyPath is the server's ed25519 host key, made (mode 0600) when missing.
	HostKeyPath string
	// Command is the program and its arguments run for each session: cvmscope itself.
	// The session's allowed flags come after them, then --platform sim --tpm sim, so a
	// session can never reach a real TPM.
	Command []string
	// Env is added to each session's environment.
	Env []string
	// IdleTimeout ends a session nobody types in; zero means 30 minutes.
	IdleTimeout time.Duration
	// StopGrace is how long a session's cvmscope has, once the server stops, to exit on
	// SIGTERM (restoring the attendee's terminal) before it is killed; zero means 3 s.
	StopGrace time.Duration
}

// allowed are the flags an attendee may pass (`ssh -t host -- --lang ko`): the ones that
// shape their own simulated run. Anything else (a real TPM, files, a provider) is refused.
var allowed = map[string]bool{"--lang": true, "--sim-tee": true, "--scenario": true, "--flow": true, "--nonce": true, "-n": true, "--seed": true}

// SessionArgs checks an attendee's arguments and returns them as flags, or says which one
// is not allowed.
func SessionArgs(args []string) ([]string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		if !allowed[name] {
			return nil, fmt.Errorf("%q is not available over SSH; allowed: --lang, --sim-tee, --scenario, --flow, --nonce, --seed", a)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%s needs a value", name)
			}
			i++
			val = args[i]
		}
		out = append(out, name+"="+val)
	}
	return out, nil
}

// Serve listens and serves sessions until ctx ends. ready, when not nil, is called with the
// address once the server listens. When ctx ends, every session's cvmscope is asked to exit
// (SIGTERM, then SIGKILL after StopGrace) and Serve returns only once every session has
// ended and removed its directory.
func Serve(ctx context.Context, cfg Config, ready func(addr string)) error {
	if len(cfg.Command) == 0 {
		return errors.New("sshserve: no command to run for sessions")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:2222"
	}
	if err := checkListen(cfg.Listen, cfg.AllowRemote); err != nil {
		return err
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 3 * time.Second
	}
	if cfg.HostKeyPath == "" {
		return errors.New("sshserve: HostKeyPath is empty")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyPath), 0o700); err != nil {
		return fmt.Errorf("host key directory: %w", err)
	}
	sessions := &sessions{ptys: map[ssh.Session]ssh.Pty{}}
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		// A real PTY per session, so the child is a normal terminal program that gets
		// SIGWINCH when the attendee resizes.
		ssh.AllocatePty(),
		sessions.keepPty(),
		wish.WithMiddleware(sessions.handler(ctx, cfg)),
	)
	if err != nil {
		return fmt.Errorf("ssh server: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("ssh server: listen on %s: %w", cfg.Listen, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		// No new sessions; the running ones see ctx end and stop their cvmscope.
		ln.Close()
		<-errc
	}
	// Sessions end within StopGrace of their cvmscope being told to exit; one still
	// writing to a client that does not read is cut off by closing the connections.
	ended := make(chan struct{})
	go func() { sessions.wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(cfg.StopGrace + 2*time.Second):
	}
	srv.Close()
	<-ended
	if ctx.Err() != nil {
		return nil
	}
	return serveErr
}

// sessions tracks the running sessions, so that stopping the server waits for each to
// end and remove its directory, and hands each session its PTY.
type sessions struct {
	mu      sync.Mutex
	stopped bool
	running sync.WaitGroup
	// ptys holds each session's PTY, taken when it is allocated. The session handler does
	// not call Session.Pty itself: that copies the PTY while the request loop may be
	// writing a resize into it, a data race in charmbracelet/ssh (issue #58).
	ptys map[ssh.Session]ssh.Pty
}

// keepPty wraps the PTY allocation of ssh.AllocatePty to keep the PTY for the handler. It
// runs in the request loop, the goroutine that later writes resizes, so reading it there
// is safe.
func (ss *sessions) keepPty() ssh.Option {
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
				ss.mu.Lock()
				ss.ptys[s] = pty
				ss.mu.Unlock()
			}
			return func() error {
				ss.mu.Lock()
				delete(ss.ptys, s)
				ss.mu.Unlock()
				return closer()
			}, nil
		}
		return nil
	}
}

// start registers a session; false once the server is stopping. It also returns the
// session's PTY, if it has one.
func (ss *sessions) start(s ssh.Session) (ssh.Pty, bool, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.stopped {
		return ssh.Pty{}, false, false
	}
	ss.running.Add(1)
	pty, ok := ss.ptys[s]
	return pty, ok, true
}

// wait stops new sessions and waits for the running ones to end.
func (ss *sessions) wait() {
	ss.mu.Lock()
	ss.stopped = true
	ss.mu.Unlock()
	ss.running.Wait()
}

// handler runs cvmscope in the session's terminal until it exits, the attendee leaves or
// serverCtx ends.
func (ss *sessions) handler(serverCtx context.Context, cfg Config) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(s ssh.Session) {
			pty, hasPty, ok := ss.start(s)
			if !ok {
				wish.Fatalln(s, "cvmscope: the server is shutting down")
				return
			}
			defer ss.running.Done()
			if !hasPty {
				// Nothing runs without a terminal (ssh -T, or a command without -t).
				wish.Fatalln(s, "cvmscope: needs a terminal: connect with ssh -t")
				return
			}
			user := s.User()
			extra, err := SessionArgs(s.Command())
			if err != nil {
				wish.Fatalln(s, "cvmscope:", err)
				return
			}
			args := append(append(append([]string{}, cfg.Command[1:]...), extra...), "--platform=sim", "--tpm=sim")
			// The child ends with the session or with the server.
			ctx, cancel := context.WithCancel(s.Context())
			defer cancel()
			stop := context.AfterFunc(serverCtx, cancel)
			defer stop()
			// exec directly rather than wish.Command: the child must get the PTY as its
			// controlling terminal (a session of its own), or it never receives SIGWINCH
			// when the server resizes the PTY, and the TUI would not follow the window.
			cmd := exec.CommandContext(ctx, cfg.Command[0], args...)
			cmd.SysProcAttr = controllingTTY()
			// SIGTERM lets cvmscope restore the attendee's terminal; it is killed if it
			// has not exited after StopGrace.
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
			cmd.WaitDelay = cfg.StopGrace
			env := append(os.Environ(), cfg.Env...)
			env = append(env, "TERM="+pty.Term, "CVMSCOPE_SSH_USER="+user)
			// The attendee's language, when their client sends LANG (SendEnv LANG).
			for _, e := range s.Environ() {
				if strings.HasPrefix(e, "LANG=") || strings.HasPrefix(e, "LC_ALL=") {
					env = append(env, e)
				}
			}
			cmd.Env = env
			// A directory of its own, removed afterwards: `s` saves a bundle into the working
			// directory, and an attendee must not fill the presenter's.
			dir, err := os.MkdirTemp("", "cvmscope-ssh-")
			if err != nil {
				wish.Fatalln(s, "cvmscope:", err)
				return
			}
			defer os.RemoveAll(dir)
			cmd.Dir = dir
			start := time.Now()
			slog.Info("ssh session", "user", user, "remote", s.RemoteAddr().String(), "args", extra)
			if err := pty.Start(cmd); err != nil {
				wish.Errorln(s, "cvmscope:", err)
			} else if err := cmd.Wait(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) && serverCtx.Err() == nil {
					tell(s, pty, "cvmscope: "+err.Error())
				}
			}
			if serverCtx.Err() != nil {
				tell(s, pty, "cvmscope: the server was stopped; the session is over")
			}
			slog.Info("ssh session ended", "user", user, "duration", time.Since(start).Round(time.Second))
			next(s)
		}
	}
}

func checkListen(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v (write it as HOST:PORT, e.g. 127.0.0.1:2222)", addr, err)
	}
	if allow {
		return nil
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not loopback: anyone who can reach it gets a session (no password); pass --allow-remote for a workshop network", addr)
}
