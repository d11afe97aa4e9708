package sshserve

import (
	"bufio"
	"context"
	"encoding/json"
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

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
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
	// TEE and Scenario are the session's, from its options or the instructor's last push;
	// Lang and Steps are what its cvmscope last reported.
	TEE, Scenario, Lang string
	Steps               []ui.RoomStep

	// Save is a --save-to-stdout run: no terminal, nothing to steer.
	Save bool

	ctl  *sessionCtl
	conn string // the SSH connection's session id, shared by all its channels; "" unknown
}

// maxPerConn bounds the sessions one SSH connection holds at once: every channel starts a
// cvmscope of its own, and the connection rate limit counts connections, so without it one
// connection could open channel after channel and take every place of the room.
const maxPerConn = 4

// sessionCtl steers one session: the link to its current cvmscope (nil between two), and
// the restarts the instructor asked for.
type sessionCtl struct {
	restart chan ui.RoomCommand // the note the new cvmscope shows; the latest replaces one pending

	mu   sync.Mutex
	link *os.File
}

// send writes c to the session's cvmscope. A session that does not read within a second is
// stuck or gone; the instructor is told rather than held up.
func (c *sessionCtl) send(cmd ui.RoomCommand) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.link == nil {
		return fault.Korean(errors.New("restarting"), "다시 시작하는 중입니다", "")
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	if err := c.link.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	_, err = c.link.Write(append(b, '\n'))
	return err
}

// requestRestart asks the session's loop to start its cvmscope again, with note.
func (c *sessionCtl) requestRestart(note ui.RoomCommand) {
	for {
		select {
		case c.restart <- note:
			return
		default:
		}
		select {
		case <-c.restart:
		default:
		}
	}
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
	// changed is closed, and replaced, at every change the instructor's view shows.
	changed chan struct{}
	// ptys holds each session's PTY, taken when it is allocated. The session handler does
	// not call Session.Pty itself: that copies the PTY while the request loop may be
	// writing a resize into it, a data race in charmbracelet/ssh (issue #58).
	ptys map[ssh.Session]ssh.Pty
}

func newRoom(max int) *room {
	return &room{max: max, live: map[ssh.Session]*Attendee{}, ptys: map[ssh.Session]ssh.Pty{}, changed: make(chan struct{})}
}

var (
	errStopping = errors.New("the server is shutting down")
	errFull     = errors.New("the room is full")
)

// enter registers a session, or refuses it when the server is stopping or the room is
// full. It also returns the session's PTY, if it has one.
func (r *room) enter(s ssh.Session, a Attendee) (*Attendee, ssh.Pty, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil, ssh.Pty{}, false, errStopping
	}
	if len(r.live) >= r.max {
		return nil, ssh.Pty{}, false, fmt.Errorf("%w: %d sessions are running, the most this server takes (--max-sessions); try again in a few minutes", errFull, r.max)
	}
	if a.conn != "" {
		n := 0
		for _, o := range r.live {
			if o.conn == a.conn {
				n++
			}
		}
		if n >= maxPerConn {
			return nil, ssh.Pty{}, false, fmt.Errorf("this connection already holds %d sessions, the most one connection may; end one, or connect again for another", n)
		}
	}
	r.nextID++
	a.ID = r.nextID
	a.ctl = &sessionCtl{restart: make(chan ui.RoomCommand, 1)}
	r.live[s] = &a
	r.running.Add(1)
	r.notify()
	pty, ok := r.ptys[s]
	return &a, pty, ok, nil
}

// leave unregisters a session once its cvmscope has exited and its directory is gone.
func (r *room) leave(s ssh.Session) {
	r.mu.Lock()
	delete(r.live, s)
	r.notify()
	r.mu.Unlock()
	r.running.Done()
}

// notify wakes the instructors' views; r.mu is held.
func (r *room) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Changed is closed at the next change of the sessions.
func (r *room) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

// report records what a session's cvmscope reported.
func (r *room) report(a *Attendee, st ui.RoomState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a.Lang, a.Steps = st.Lang, st.Steps
	r.notify()
}

// Sessions lists the attendees' sessions for the instructor's view.
func (r *room) Sessions() []ui.RoomSession {
	var out []ui.RoomSession
	for _, a := range r.Attendees() {
		out = append(out, ui.RoomSession{ID: a.ID, User: a.User, Remote: a.Remote, Lang: a.Lang, TEE: a.TEE, Scenario: a.Scenario, Steps: a.Steps, Started: a.Started})
	}
	return out
}

// Push carries out an instructor's push on one session or every one.
func (r *room) Push(p ui.RoomPush) (int, error) {
	r.mu.Lock()
	var targets []*Attendee
	for _, a := range r.live {
		if p.To == 0 || a.ID == p.To {
			targets = append(targets, a)
		}
	}
	r.mu.Unlock()
	if len(targets) == 0 {
		if p.To != 0 {
			return 0, fault.Korean(fmt.Errorf("session #%d has ended", p.To), fmt.Sprintf("세션 #%d는 끝났습니다", p.To), "")
		}
		return 0, nil
	}
	slices.SortFunc(targets, func(a, b *Attendee) int { return a.ID - b.ID })
	var sc workshop.Scenario
	if p.Kind == ui.PushScenario {
		var err error
		if sc, err = workshop.LookupScenario(p.Value); err != nil {
			return 0, err
		}
	}
	// The instructor reads why a session was missed in the room view's language: each
	// reason is kept in English and Korean, a system error quoted as received.
	n := 0
	var missed, missedKO []string
	for _, a := range targets {
		var err error
		switch {
		case a.Save:
			err = fault.Korean(errors.New("a --save-to-stdout run, which has no screen to steer"),
				"--save-to-stdout 실행이라 조종할 화면이 없습니다", "")
		case p.Kind == ui.PushMessage:
			err = a.ctl.send(ui.RoomCommand{Message: p.Value})
		case p.Kind == ui.PushLang:
			err = a.ctl.send(ui.RoomCommand{Lang: p.Value})
		case p.Kind == ui.PushScenario:
			r.mu.Lock()
			tee := a.TEE
			r.mu.Unlock()
			if err = sc.Supports(tee); err == nil {
				r.restart(a, "--scenario", p.Value, ui.RoomCommand{Changed: "scenario", Scenario: p.Value})
			} else {
				err = fault.Korean(fmt.Errorf("%s has no hardware report to stage %s in", tee, p.Value),
					fmt.Sprintf("%s에는 시나리오 %s를 적용할 하드웨어 보고서가 없습니다", tee, p.Value), "")
			}
		case p.Kind == ui.PushReset:
			r.restart(a, "", "", ui.RoomCommand{Changed: "reset"})
		}
		if err != nil {
			ko, _ := fault.MessageIn(err, "ko")
			if ko == err.Error() {
				ko = fault.QuoteKO("오류 원문", ko) // the system's words (a write timeout, a closed link)
			}
			missed = append(missed, fmt.Sprintf("#%d: %v", a.ID, err))
			missedKO = append(missedKO, fmt.Sprintf("#%d: %s", a.ID, ko))
			continue
		}
		n++
	}
	if len(missed) > 0 {
		return n, fault.Korean(fmt.Errorf("not sent to %s", strings.Join(missed, "; ")),
			"보내지 못한 세션: "+strings.Join(missedKO, "; "), "")
	}
	return n, nil
}

// restart sets the session's option flag to value ("" drops it; flag "" changes nothing)
// and asks its loop to start its cvmscope again.
func (r *room) restart(a *Attendee, flag, value string, note ui.RoomCommand) {
	r.mu.Lock()
	if flag != "" {
		a.Args = slices.DeleteFunc(a.Args, func(s string) bool { return strings.HasPrefix(s, flag+"=") })
		if value != "" {
			a.Args = append(a.Args, flag+"="+value)
		}
		a.Scenario = value
	}
	a.Steps = nil
	r.notify()
	r.mu.Unlock()
	a.ctl.requestRestart(note)
}

// args is the session's options now.
func (r *room) args(a *Attendee) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(a.Args)
}

// attach makes link the session's way to its current cvmscope, and reads its reports
// until the link closes.
func (r *room) attach(a *Attendee, link *os.File) {
	a.ctl.mu.Lock()
	a.ctl.link = link
	a.ctl.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(link)
		sc.Buffer(nil, 64<<10)
		for sc.Scan() {
			var st ui.RoomState
			if json.Unmarshal(sc.Bytes(), &st) == nil {
				r.report(a, st)
			}
		}
	}()
}

// detach closes the link to a cvmscope that has exited.
func (r *room) detach(a *Attendee) {
	a.ctl.mu.Lock()
	defer a.ctl.mu.Unlock()
	if a.ctl.link != nil {
		a.ctl.link.Close()
		a.ctl.link = nil
	}
}

// optionOf is the value of flag in a session's options, or def.
func optionOf(args []string, flag, def string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			def = v
		}
	}
	return def
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
			if isInstructor(s, cfg.InstructorKeys) {
				r.instruct(serverCtx, s, extra)
				return
			}
			a := Attendee{User: s.User(), Remote: hostOf(s.RemoteAddr()), Auth: authOf(s, cfg.OpenRoom), Args: extra, Started: time.Now(),
				TEE: optionOf(extra, "--sim-tee", "sevsnp"), Scenario: optionOf(extra, "--scenario", ""), Save: save, conn: s.Context().SessionID()}
			att, pty, hasPty, err := r.enter(s, a)
			if err != nil {
				slog.Warn("ssh session refused", "user", a.User, "remote", a.Remote, "why", err)
				wish.Fatalln(s, "cvmscope:", err)
				return
			}
			// The place is given back before the attendee hears the session is over: one who
			// connects again at once must not find the room still full with their old session.
			var leave sync.Once
			defer leave.Do(func() { r.leave(s) })
			switch {
			case save && hasPty:
				leave.Do(func() { r.leave(s) })
				wish.Fatalf(s, "cvmscope: --save-to-stdout writes the bundle on stdout, which a terminal would mangle: run it without -t:\r\n  %s\r\n", takeHome(s, extra))
				return
			case !save && !hasPty:
				leave.Do(func() { r.leave(s) })
				// Nothing runs without a terminal (ssh -T, or a command without -t).
				wish.Fatalln(s, "cvmscope: needs a terminal: connect with ssh -t")
				return
			}
			slog.Info("ssh session", "user", a.User, "remote", a.Remote, "auth", a.Auth, "args", extra, "save", save)
			code := r.runSession(serverCtx, s, cfg, pty, att, save)
			slog.Info("ssh session ended", "user", a.User, "remote", a.Remote, "exit", code, "duration", time.Since(a.Started).Round(time.Second))
			leave.Do(func() { r.leave(s) })
			s.Exit(code)
		}
	}
}

// runSession runs one session's cvmscope in a directory of its own, removed afterwards,
// and returns its exit code. When the instructor pushes a scenario or resets the session,
// its cvmscope is stopped and started again in the same terminal and directory.
func (r *room) runSession(serverCtx context.Context, s ssh.Session, cfg Config, pty ssh.Pty, a *Attendee, save bool) int {
	// A directory of its own, removed afterwards: `s` saves a bundle into the working
	// directory, and an attendee must not fill the presenter's. It is also the child's
	// HOME and TMPDIR, so its logs (CVMSCOPE_LOG) go with it.
	dir, err := os.MkdirTemp("", "cvmscope-ssh-")
	if err != nil {
		wish.Errorln(s, "cvmscope: the server could not make the session's directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	bundle := filepath.Join(dir, "cvmscope-bundle.json")
	// The session ends with the attendee, at the session limit, or with the server.
	ctx, cancel := context.WithTimeout(s.Context(), cfg.SessionLimit)
	defer cancel()
	stop := context.AfterFunc(serverCtx, cancel)
	defer stop()
	command := func(ctx context.Context, extra []string, term string) *exec.Cmd {
		args := append(append(slices.Clone(cfg.Command[1:]), extra...), "--platform=sim", "--tpm=sim")
		if save {
			args = append(args, "--output=text", "--save="+bundle)
		}
		// exec directly rather than wish.Command: the child must get the PTY as its
		// controlling terminal (a session of its own), or it never receives SIGWINCH when
		// the server resizes the PTY, and the TUI would not follow the window.
		cmd := exec.CommandContext(ctx, cfg.Command[0], args...)
		// SIGTERM lets cvmscope restore the attendee's terminal; it is killed if it has not
		// exited after StopGrace.
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = cfg.StopGrace
		cmd.Dir = dir
		cmd.Env = sessionEnv(dir, term, s.Environ(), takeHome(s, extra), cfg.Env)
		return cmd
	}

	if save {
		cmd := command(ctx, r.args(a), "dumb")
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

	finish := copyPty(s, pty)
	code := 1
	var note *ui.RoomCommand
	for {
		child, stopChild := context.WithCancel(ctx)
		cmd := command(child, r.args(a), pty.Term)
		cmd.SysProcAttr = controllingTTY()
		// The room link: the child's end is its fd 3, the server's end reads its reports
		// and carries the instructor's commands. Without one (not Unix) the session runs
		// unsteered.
		link, childEnd, lerr := socketPair()
		if lerr == nil {
			cmd.ExtraFiles = []*os.File{childEnd}
			cmd.Env = append(cmd.Env, "CVMSCOPE_ROOM_FD=3")
		}
		err := pty.Start(cmd)
		if lerr == nil {
			childEnd.Close()
		}
		if err != nil {
			stopChild()
			if lerr == nil {
				link.Close()
			}
			wish.Errorln(s, "cvmscope:", err)
			break
		}
		if lerr == nil {
			r.attach(a, link)
			if note != nil {
				a.ctl.send(*note)
			}
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var restart bool
		select {
		case err = <-exited:
		case n := <-a.ctl.restart:
			stopChild()
			err = <-exited
			note, restart = &n, ctx.Err() == nil
		}
		stopChild()
		r.detach(a)
		if restart {
			slog.Info("ssh session restarted by the instructor", "user", a.User, "remote", a.Remote, "args", r.args(a))
			continue
		}
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) && serverCtx.Err() == nil {
			tell(s, pty, "cvmscope: "+err.Error())
		}
		code = exitCode(err)
		break
	}
	switch {
	case serverCtx.Err() != nil:
		tell(s, pty, "cvmscope: the server was stopped; the session is over")
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		tell(s, pty, fmt.Sprintf("cvmscope: this session reached its time limit (%v); connect again for a new one", cfg.SessionLimit))
	}
	finish(time.Second)
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

// envValue is what a locale or colour setting sent by a client may hold. Compiled when a
// session first asks: the bounded repetition makes 64 copies of the class, the costliest
// initialiser of every cvmscope start, and only serve needs it.
var envValue = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`) })

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
		if (k == "LANG" || strings.HasPrefix(k, "LC_") || k == "COLORTERM" || k == "NO_COLOR") && len(k) <= 32 && envValue().MatchString(v) {
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
		if !strings.HasPrefix(a, "--lang=") && envValue().MatchString(strings.NewReplacer("=", "", "-", "").Replace(a)) {
			cmd = append(cmd, a)
		}
	}
	return strings.Join(append(cmd, saveToStdout, ">", "bundle.json"), " ")
}
