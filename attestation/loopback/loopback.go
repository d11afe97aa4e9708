// Package loopback runs the emulators' HTTP servers: bound to loopback unless the caller
// explicitly allows more (the emulators hand out simulated evidence and sign with public
// test keys), stopped without leaving a goroutine behind, with a bounded log of what they
// answered.
package loopback

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// CheckListen refuses a listen address outside loopback unless allow is set. who names the
// server in the message ("MAA emulator").
func CheckListen(who, addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fault.WithHint(fault.Internal, fmt.Errorf("%s: listen address %q: %v", who, addr, err),
			"write it as HOST:PORT, e.g. 127.0.0.1:0")
	}
	if allow || IsLoopbackHost(host) {
		return nil
	}
	return fault.WithHint(fault.Internal,
		fmt.Errorf("%s: listen address %q is not loopback; it serves SIMULATED evidence and test keys and stays local", who, addr),
		"listen on 127.0.0.1 or [::1]")
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Server is a running HTTP server.
type Server struct {
	srv     *http.Server
	done    chan struct{} // closed when Serve returned
	closing chan struct{} // closed when Close starts
	once    sync.Once

	// fresh holds connections that have not sent a request yet (http.StateNew). Shutdown
	// waits up to five seconds for those, as if a request might still come: a client
	// cancelled while it dialled (Esc on Call MAA) made Close wait 5 s and then fail.
	mu    sync.Mutex
	fresh map[net.Conn]struct{}
}

// Serve serves h on ln (wrapped in TLS when tlsConf is set) until Close.
func Serve(ln net.Listener, h http.Handler, tlsConf *tls.Config) *Server {
	s := &Server{
		srv: &http.Server{
			Handler:           bodyDeadline(h),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       idleTimeout,
			TLSConfig:         tlsConf,
			// Quiet: clients that hang up, or refuse the test certificate, are expected and
			// must not clutter the terminal the TUI draws on.
			ErrorLog: log.New(io.Discard, "", 0),
		},
		done:    make(chan struct{}),
		closing: make(chan struct{}),
		fresh:   map[net.Conn]struct{}{},
	}
	s.srv.ConnState = func(c net.Conn, st http.ConnState) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if st == http.StateNew {
			s.fresh[c] = struct{}{}
		} else {
			delete(s.fresh, c)
		}
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s
}

// Closing is closed when Close starts: handlers that delay an answer (fault scenarios)
// select on it so that they end at once.
func (s *Server) Closing() <-chan struct{} { return s.closing }

// Close stops the server and waits until its goroutines are gone. It may be called more
// than once.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closing)
		s.mu.Lock()
		for c := range s.fresh {
			c.Close() // no request on it yet: nothing is cut short
		}
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			err = errors.Join(err, s.srv.Close())
		}
		<-s.done
	})
	return err
}

// MaxLog bounds a log: a standalone emulator may run through a whole workshop day.
const MaxLog = 1000

// Log is a bounded, concurrency-safe record of answered requests, oldest first.
type Log[T any] struct {
	mu    sync.Mutex
	items []T
}

// Add appends v, dropping the oldest entry when the log is full.
func (l *Log[T]) Add(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) >= MaxLog {
		l.items = append(l.items[:0], l.items[len(l.items)-MaxLog+1:]...)
	}
	l.items = append(l.items, v)
}

// All returns a copy of the entries.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.items...)
}

// StatusWriter remembers the status a handler answered with, for the request log.
type StatusWriter struct {
	http.ResponseWriter
	Status int
	// Bytes counts the body written, for the request log.
	Bytes int64
}

// WriteHeader records the first status written.
func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.Bytes += int64(n)
	return n, err
}

// Deadlines for a client's side of a connection. A request's body must arrive within
// bodyTimeout of its headers (the largest, an attest request, is a few KiB), and a kept-alive
// connection with no request for idleTimeout is closed: with --allow-remote any client may
// connect, and one that trickles a body or never leaves must not hold a goroutine and a
// descriptor for ever. Variables so that a test can shorten them.
var (
	bodyTimeout = 30 * time.Second
	idleTimeout = 2 * time.Minute
)

// bodyDeadline gives a request's body bodyTimeout to arrive. The deadline is lifted once the
// body is read: http.Server.ReadTimeout would stay on the connection, and net/http's watch
// for a client hanging up would then cancel the request of a handler that answers late on
// purpose (the emulators' delay knobs).
func bodyDeadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(bodyTimeout)) == nil {
				r.Body = &liftOnEnd{ReadCloser: r.Body, lift: func() { rc.SetReadDeadline(time.Time{}) }}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// liftOnEnd calls lift once, when the body has been read to its end. A body that failed
// (its deadline passed) keeps the deadline: net/http would otherwise wait for the rest of it
// to keep the connection alive.
type liftOnEnd struct {
	io.ReadCloser
	lift func()
	once sync.Once
}

func (b *liftOnEnd) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(b.lift)
	}
	return n, err
}
