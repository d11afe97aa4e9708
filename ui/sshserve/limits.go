package sshserve

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
)

// SessionRSS is the resident memory of one session's cvmscope (its own TPM simulator and
// Bubble Tea program): 29-32 MiB measured on linux/amd64 with a verified token on screen,
// at 10, 30 and 60 sessions alike (BENCHMARKS.md), rounded up.
const SessionRSS = 32 << 20

// MaxSessionsCap bounds the default of --max-sessions on a large machine: a room is an
// instructor's, not a hosting service.
const MaxSessionsCap = 100

// DefaultMaxSessions sizes --max-sessions to the machine: half of the memory available now
// over SessionRSS, between 1 and MaxSessionsCap. Where the available memory cannot be read
// (not Linux), 30.
func DefaultMaxSessions() int {
	avail, ok := memAvailable()
	if !ok {
		return 30
	}
	return min(MaxSessionsCap, max(1, int(avail/2/SessionRSS)))
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemAvailable:" && f[2] == "kB" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// rateLimit is a token bucket per remote address, kept as the time each bucket is full
// again (GCRA), in whole durations so that no rounding loses a token: burst connections
// at once, then one every interval. Full buckets are forgotten, so the map stays as small
// as the set of addresses seen in the last minute or so.
type rateLimit struct {
	interval time.Duration
	burst    int
	now      func() time.Time

	mu   sync.Mutex
	full map[string]time.Time // when the address's bucket is full again
}

// newRateLimit allows perMin connections a minute per address, as many at once; none
// when perMin <= 0.
func newRateLimit(perMin int, now func() time.Time) *rateLimit {
	r := &rateLimit{burst: perMin, now: now, full: map[string]time.Time{}}
	if perMin > 0 {
		r.interval = time.Minute / time.Duration(perMin)
	}
	return r
}

// allow takes a token from host's bucket, or says there is none left.
func (r *rateLimit) allow(host string) bool {
	if r.burst <= 0 {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if len(r.full) > 1024 {
		for h, t := range r.full {
			if !t.After(now) {
				delete(r.full, h)
			}
		}
	}
	full := r.full[host]
	if full.Before(now) {
		full = now
	}
	// Each connection moves the time the bucket is full again by one interval; a bucket
	// more than burst-1 intervals from full has no token left.
	if full.Sub(now) > time.Duration(r.burst-1)*r.interval {
		return false
	}
	r.full[host] = full.Add(r.interval)
	return true
}

// gate is the server's first look at every TCP connection: over its address's rate it is
// closed at once; otherwise it has authTimeout to authenticate, or it is closed. The
// library's idle timeout does not do this: every byte a client sends renews it.
func gate(limit *rateLimit, authTimeout time.Duration, afterFunc func(time.Duration, func()) func() bool) ssh.ConnCallback {
	return func(ctx ssh.Context, c net.Conn) net.Conn {
		host := hostOf(c.RemoteAddr())
		if !limit.allow(host) {
			slog.Warn("ssh connection refused: over the connection rate of its address (--conn-rate)", "remote", host)
			return nil
		}
		stop := afterFunc(authTimeout, func() {
			// The library stores the connection in the context once it has authenticated.
			if ctx.Value(ssh.ContextKeyConn) == nil {
				slog.Info("ssh connection closed: not authenticated in time (--auth-timeout)", "remote", host, "timeout", authTimeout)
				c.Close()
			}
		})
		// The context ends when the connection closes.
		context.AfterFunc(ctx, func() { stop() })
		return c
	}
}

func hostOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
