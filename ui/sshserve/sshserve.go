// Package sshserve serves the workshop over SSH with wish: every session gets its own
// cvmscope process on the simulated CVM, drawn in the session's terminal. A presenter runs
// `cvmscope serve` once; each attendee types `ssh -p 2222 host` and walks through the
// steps on a VM of their own, with nothing installed.
//
// Each session is a separate process rather than a Bubble Tea program inside this one
// because the embedded TPM simulator exists once per process: separate processes give
// every attendee their own TPM, PCRs and keys.
//
// A room is opened to strangers on a conference network, so the server lets in only a
// listed key or the room code (unless the instructor opens the room on purpose), closes
// connections that do not authenticate in time, limits connections per address and
// sessions in all, and gives each session a minimal environment and a directory of its
// own that is removed when it ends.
package sshserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"
)

// Defaults of the limits, documented in README.md ("Run a workshop room").
const (
	DefaultIdleTimeout  = 30 * time.Minute
	DefaultSessionLimit = 3 * time.Hour
	DefaultAuthTimeout  = 10 * time.Second
	DefaultConnRate     = 10 // connections a minute per remote address
	// maxAuthTries bounds the keys and codes one connection may try; with the
	// connection rate it bounds guesses at the room code to 60 a minute per address.
	maxAuthTries = 6
)

// Config says where to listen, who may come in and what each session runs.
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
	// Env is added to each session's (otherwise minimal) environment.
	Env []string

	// AuthorizedKeys may log in with their key (LoadAuthorizedKeys).
	AuthorizedKeys []gossh.PublicKey
	// RoomCode, when not empty, lets in whoever types it (keyboard-interactive, or as a
	// password); compared ignoring case, spaces and hyphens.
	RoomCode string
	// InstructorKeys get the room view instead of a workshop session: every session in a
	// live table, and pushes of a scenario, a language, a reset or a message.
	InstructorKeys []gossh.PublicKey
	// OpenRoom lets in anyone, without a key or code. Without it, AuthorizedKeys or
	// RoomCode must be set.
	OpenRoom bool

	// MaxSessions is how many sessions run at once; the next is refused with a message.
	// Zero means DefaultMaxSessions().
	MaxSessions int
	// IdleTimeout ends a connection with no traffic; zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// SessionLimit ends a session after this long, however busy; zero means
	// DefaultSessionLimit.
	SessionLimit time.Duration
	// AuthTimeout closes a connection that has not authenticated by then; zero means
	// DefaultAuthTimeout.
	AuthTimeout time.Duration
	// ConnRate is the connections a minute one remote address may open (as many at
	// once); zero means DefaultConnRate, negative means no limit.
	ConnRate int
	// Now is the rate limit's clock; nil means time.Now.
	Now func() time.Time
	// AfterFunc runs f after d and returns what stops it: the pre-auth timeout's timer.
	// nil means time.AfterFunc; tests fire it themselves.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)

	// StopGrace is how long a session's cvmscope has, once the server stops, to exit on
	// SIGTERM (restoring the attendee's terminal) before it is killed; zero means 3 s.
	StopGrace time.Duration
}

// withDefaults fills in the zero values and checks that the room has a way in.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Command) == 0 {
		return cfg, errors.New("sshserve: no command to run for sessions")
	}
	if cfg.HostKeyPath == "" {
		return cfg, errors.New("sshserve: HostKeyPath is empty")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:2222"
	}
	if err := checkListen(cfg.Listen, cfg.AllowRemote); err != nil {
		return cfg, err
	}
	if !cfg.OpenRoom && len(cfg.AuthorizedKeys) == 0 && cfg.RoomCode == "" {
		return cfg, errors.New("no way in: give --authorized-keys FILE or a room code (--room-code), or open the room to anyone with --open-room")
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = DefaultMaxSessions()
	}
	if cfg.MaxSessions < 0 {
		return cfg, fmt.Errorf("--max-sessions %d: give at least 1", cfg.MaxSessions)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.IdleTimeout, DefaultIdleTimeout)
	def(&cfg.SessionLimit, DefaultSessionLimit)
	def(&cfg.AuthTimeout, DefaultAuthTimeout)
	def(&cfg.StopGrace, 3*time.Second)
	for name, d := range map[string]time.Duration{"--idle-timeout": cfg.IdleTimeout, "--session-limit": cfg.SessionLimit, "--auth-timeout": cfg.AuthTimeout} {
		if d < 0 {
			return cfg, fmt.Errorf("%s %v: give a positive duration, e.g. 30m", name, d)
		}
	}
	if cfg.ConnRate == 0 {
		cfg.ConnRate = DefaultConnRate
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AfterFunc == nil {
		cfg.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	return cfg, nil
}

// Serve listens and serves sessions until ctx ends. ready, when not nil, is called with the
// address once the server listens. When ctx ends, every session's cvmscope is asked to exit
// (SIGTERM, then SIGKILL after StopGrace) and Serve returns only once every session has
// ended and removed its directory.
func Serve(ctx context.Context, cfg Config, ready func(addr string)) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	hostKey, err := hostKeyPEM(cfg.HostKeyPath)
	if err != nil {
		return err
	}
	room := newRoom(cfg.MaxSessions)
	opts := []ssh.Option{
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPEM(hostKey),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		// A backstop for connections that hold no session; sessions end at
		// SessionLimit with a word to the attendee.
		wish.WithMaxTimeout(cfg.SessionLimit + time.Minute),
		ssh.WrapConn(gate(newRateLimit(cfg.ConnRate, cfg.Now), cfg.AuthTimeout, cfg.AfterFunc)),
		func(s *ssh.Server) error {
			s.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
				// NoClientAuth only for an open room without keys: the library sets it by
				// itself only when no way in is configured at all. An open room with keys
				// must refuse "none", the method every client tries first, or an instructor
				// (or a listed attendee) would be let in before offering a key and never be
				// known (authOptions lets everyone else in by keyboard-interactive).
				return &gossh.ServerConfig{MaxAuthTries: maxAuthTries, NoClientAuth: cfg.OpenRoom && !hasKeys(cfg)}
			}
			return nil
		},
		wish.WithBanner(banner(cfg)),
		wish.WithMiddleware(room.handler(ctx, cfg)),
	}
	// A real PTY per session, so the child is a normal terminal program that gets SIGWINCH
	// when the attendee resizes.
	opts = append(opts, room.ptyOptions()...)
	opts = append(opts, authOptions(cfg)...)
	srv, err := wish.NewServer(opts...)
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
	go func() { room.wait(); close(ended) }()
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

// banner is shown by ssh clients before they authenticate: what the server is and how to
// get in.
func banner(cfg Config) string {
	// In both languages: it is shown before the session's --lang is known.
	var ways, waysKO []string
	if len(cfg.AuthorizedKeys) > 0 {
		ways, waysKO = append(ways, "your registered SSH key"), append(waysKO, "등록한 SSH 키")
	}
	if cfg.RoomCode != "" {
		ways, waysKO = append(ways, "the room code on the instructor's slide"), append(waysKO, "강사 슬라이드의 룸 코드")
	}
	const en, ko = "cvmscope workshop: every session runs its own SIMULATED CVM.", "cvmscope 워크숍: 세션마다 자체 시뮬레이션 CVM을 실행합니다."
	if cfg.OpenRoom {
		return en + "\n" + ko + "\n"
	}
	return en + " Come in with " + strings.Join(ways, " or ") + ".\n" +
		ko + " " + strings.Join(waysKO, " 또는 ") + "로 들어옵니다.\n"
}

func checkListen(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v (write it as HOST:PORT, e.g. 127.0.0.1:2222)", addr, err)
	}
	if allow {
		return nil
	}
	if IsLoopback(host) {
		return nil
	}
	return fmt.Errorf("--listen %q is not loopback: pass --allow-remote to open the room to a workshop network", addr)
}

// IsLoopback says whether host (a name or an address) stays on this machine.
func IsLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}
