package sshserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
)

// allowed are the flags an attendee may pass (`ssh -t host -- --lang ko`): the ones that
// shape their own simulated run. Anything else (a real TPM, files, a provider) is refused.
var allowed = map[string]bool{"--lang": true, "--sim-tee": true, "--scenario": true, "--flow": true, "--nonce": true, "-n": true, "--seed": true}

// saveToStdout is the one option of serve itself: run every step without a terminal and
// write the evidence bundle on stdout, for `ssh … -- --save-to-stdout > bundle.json`.
const saveToStdout = "--save-to-stdout"

// SessionArgs checks an attendee's arguments and returns them as flags, or says which one
// is not allowed.
func SessionArgs(args []string) ([]string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		if !allowed[name] {
			return nil, fmt.Errorf("%q is not available over SSH; allowed: --lang, --sim-tee, --scenario, --flow, --nonce, --seed, and --save-to-stdout (without -t) for the evidence bundle", a)
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

// Attendee is one running session, as the room knows it: what an instructor's view of
// the room would list.
type Attendee struct {
	ID      int
	User    string // the SSH user name, as the attendee typed it (not verified)
	Remote  string // their address
	Auth    string // "key SHA256:…", "room code" or "open room"
	Args    []string
	Started time.Time
}

// room tracks the running sessions: it caps them, hands each its PTY, and lets stopping
// the server wait for each to end and remove its directory. It is the registry an
// instructor's view would read (Attendees) and steer through.
type room struct {
	max int

	mu      sync.Mutex
	stopped bool
	running sync.WaitGroup
	nextID  int
	live    map[ssh.Session]*Attendee
	// ptys holds each session's PTY, taken when it is allocated. The session handler does
	// not call Session.Pty itself: that copies the PTY while the request loop may be
	// writing a resize into it, a data race in charmbracelet/ssh (issue #58).
	ptys map[ssh.Session]ssh.Pty
}

func newRoom(max int) *room {
	return &room{max: max, live: map[ssh.Session]*Attendee{}, ptys: map[ssh.Session]ssh.Pty{}}
}

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

var (
	errStopping = errors.New("the server is shutting down")
	errFull     = errors.New("the room is full")
)

// enter registers a session, or refuses it when the server is stopping or the room is
// full. It also returns the session's PTY, if it has one.
func (r *room) enter(s ssh.Session, a Attendee) (ssh.Pty, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return ssh.Pty{}, false, errStopping
	}
	if len(r.live) >= r.max {
		return ssh.Pty{}, false, fmt.Errorf("%w: %d sessions are running, the most this server takes (--max-sessions); try again in a few minutes", errFull, r.max)
	}
	r.nextID++
	a.ID = r.nextID
	r.live[s] = &a
	r.running.Add(1)
	pty, ok := r.ptys[s]
	return pty, ok, nil
}

// leave unregisters a session once its cvmscope has exited and its directory is gone.
func (r *room) leave(s ssh.Session) {
	r.mu.Lock()
	delete(r.live, s)
	r.mu.Unlock()
	r.running.Done()
}

// Attendees lists the running sessions, oldest first.
func (r *room) Attendees() []Attendee {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Attendee, 0, len(r.live))
	for _, a := range r.live {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b Attendee) int { return a.ID - b.ID })
	return out
}

// wait stops new sessions and waits for the running ones to end.
func (r *room) wait() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	r.running.Wait()
}

// handler runs cvmscope in the session's terminal until it exits, the attendee leaves,
// the session reaches its limit or serverCtx ends. The ssh command's exit status is
// cvmscope's, so a refused option or value fails the command.
func (r *room) handler(serverCtx context.Context, cfg Config) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(s ssh.Session) {
			defer next(s)
			cmdArgs := s.Command()
			save := slices.Contains(cmdArgs, saveToStdout)
			extra, err := SessionArgs(slices.DeleteFunc(slices.Clone(cmdArgs), func(a string) bool { return a == saveToStdout }))
			if err != nil {
				wish.Fatalln(s, "cvmscope:", err)
				return
			}
			a := Attendee{User: s.User(), Remote: hostOf(s.RemoteAddr()), Auth: authOf(s, cfg.OpenRoom), Args: extra, Started: time.Now()}
			pty, hasPty, err := r.enter(s, a)
			if err != nil {
				slog.Warn("ssh session refused", "user", a.User, "remote", a.Remote, "why", err)
				wish.Fatalln(s, "cvmscope:", err)
				return
			}
			defer r.leave(s)
			switch {
			case save && hasPty:
				wish.Fatalf(s, "cvmscope: --save-to-stdout writes the bundle on stdout, which a terminal would mangle: run it without -t:\r\n  %s\r\n", takeHome(s, extra))
				return
			case !save && !hasPty:
				// Nothing runs without a terminal (ssh -T, or a command without -t).
				wish.Fatalln(s, "cvmscope: needs a terminal: connect with ssh -t")
				return
			}
			slog.Info("ssh session", "user", a.User, "remote", a.Remote, "auth", a.Auth, "args", extra, "save", save)
			code := runSession(serverCtx, s, cfg, pty, extra, save)
			slog.Info("ssh session ended", "user", a.User, "remote", a.Remote, "exit", code, "duration", time.Since(a.Started).Round(time.Second))
			s.Exit(code)
		}
	}
}

// runSession runs one session's cvmscope in a directory of its own, removed afterwards,
// and returns its exit code.
func runSession(serverCtx context.Context, s ssh.Session, cfg Config, pty ssh.Pty, extra []string, save bool) int {
	// A directory of its own, removed afterwards: `s` saves a bundle into the working
	// directory, and an attendee must not fill the presenter's. It is also the child's
	// HOME and TMPDIR, so its logs (CVMSCOPE_LOG) go with it.
	dir, err := os.MkdirTemp("", "cvmscope-ssh-")
	if err != nil {
		wish.Errorln(s, "cvmscope: the server could not make the session's directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	args := append(append(slices.Clone(cfg.Command[1:]), extra...), "--platform=sim", "--tpm=sim")
	bundle := filepath.Join(dir, "cvmscope-bundle.json")
	if save {
		args = append(args, "--output=text", "--save="+bundle)
	}
	// The child ends with the session, at the session limit, or with the server.
	ctx, cancel := context.WithTimeout(s.Context(), cfg.SessionLimit)
	defer cancel()
	stop := context.AfterFunc(serverCtx, cancel)
	defer stop()
	// exec directly rather than wish.Command: the child must get the PTY as its
	// controlling terminal (a session of its own), or it never receives SIGWINCH when the
	// server resizes the PTY, and the TUI would not follow the window.
	cmd := exec.CommandContext(ctx, cfg.Command[0], args...)
	// SIGTERM lets cvmscope restore the attendee's terminal; it is killed if it has not
	// exited after StopGrace.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = cfg.StopGrace
	cmd.Dir = dir
	term := "dumb"
	if !save {
		term = pty.Term
	}
	cmd.Env = sessionEnv(dir, term, s.Environ(), takeHome(s, extra), cfg.Env)

	if save {
		// The report goes to the attendee's terminal (stderr), the bundle alone to stdout.
		cmd.Stdout, cmd.Stderr = s.Stderr(), s.Stderr()
		code := exitCode(cmd.Run())
		f, err := os.Open(bundle)
		if err != nil {
			// cvmscope has said why when it failed; otherwise say it here.
			if code == 0 {
				fmt.Fprintln(s.Stderr(), "cvmscope: no bundle was saved:", err)
			}
			return max(code, 1)
		}
		defer f.Close()
		n, err := io.Copy(s, f)
		if err != nil {
			return max(code, 1)
		}
		// The line above names the path on the server; this one says where the bundle went.
		fmt.Fprintf(s.Stderr(), "cvmscope: the bundle (%d bytes) went to stdout; the server's copy is deleted now\n", n)
		return code
	}

	cmd.SysProcAttr = controllingTTY()
	code := 1
	if err := pty.Start(cmd); err != nil {
		wish.Errorln(s, "cvmscope:", err)
	} else {
		err := cmd.Wait()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) && serverCtx.Err() == nil {
			tell(s, pty, "cvmscope: "+err.Error())
		}
		code = exitCode(err)
	}
	switch {
	case serverCtx.Err() != nil:
		tell(s, pty, "cvmscope: the server was stopped; the session is over")
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		tell(s, pty, fmt.Sprintf("cvmscope: this session reached its time limit (%v); connect again for a new one", cfg.SessionLimit))
	}
	drain(pty, time.Second)
	return code
}

// exitCode is a finished child's exit code; 1 when it did not exit by itself.
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		return ee.ExitCode()
	}
	return 1
}

// envValue is what a locale or colour setting sent by a client may hold.
var envValue = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// sessionEnv is a session's whole environment, built rather than inherited: the server's
// own (credentials, proxies, paths) is none of an attendee's business. It holds the
// terminal, the attendee's locale and colour choice when their client sends them
// (SendEnv), a HOME, TMPDIR and working directory that are the session's own, a minimal
// PATH, CVMSCOPE_LOG when the server has it, and what the TUI needs to say where `s`
// saves.
func sessionEnv(dir, term string, client []string, takeHome string, extra []string) []string {
	env := []string{
		"TERM=" + term,
		"HOME=" + dir,
		"TMPDIR=" + dir,
		"PATH=/usr/bin:/bin",
		"CVMSCOPE_SERVE=1",
		"CVMSCOPE_SERVE_SAVE=" + takeHome,
	}
	if v := os.Getenv("CVMSCOPE_LOG"); v != "" {
		env = append(env, "CVMSCOPE_LOG="+v)
	}
	for _, e := range client {
		k, v, _ := strings.Cut(e, "=")
		if (k == "LANG" || strings.HasPrefix(k, "LC_") || k == "COLORTERM" || k == "NO_COLOR") && len(k) <= 32 && envValue.MatchString(v) {
			env = append(env, e)
		}
	}
	return append(env, extra...)
}

// takeHome is the command that gets this session's bundle onto the attendee's machine: the
// same simulated VM (same options; the language does not change the bundle), run without
// a terminal, the bundle on stdout. Values a shell would split are left out.
func takeHome(s ssh.Session, extra []string) string {
	host, port := "HOST", "2222"
	if h, p, err := net.SplitHostPort(s.LocalAddr().String()); err == nil {
		host, port = h, p
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	cmd := []string{"ssh", "-p", port, host, "--"}
	for _, a := range extra {
		if !strings.HasPrefix(a, "--lang=") && envValue.MatchString(strings.NewReplacer("=", "", "-", "").Replace(a)) {
			cmd = append(cmd, a)
		}
	}
	return strings.Join(append(cmd, saveToStdout, ">", "bundle.json"), " ")
}
