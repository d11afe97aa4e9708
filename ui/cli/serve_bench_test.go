package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestServeRoomMeasure measures a room for BENCHMARKS.md; it runs only when asked:
//
//	go build -o /tmp/cvmscope . && CVMSCOPE_BENCH_BIN=/tmp/cvmscope CVMSCOPE_BENCH_SESSIONS=10,30,60 \
//	  go test -run TestServeRoomMeasure -v -timeout 20m ./ui/cli/
//
// For each N it starts `cvmscope serve --max-sessions N`, opens N sessions at once (one SSH
// connection each, as attendees), presses `a` in each and waits for every one to show a
// verified token; then it reads the resident memory and CPU time of the sessions'
// processes and the server (an instructor's room view watching all along), checks that
// session N+1 is refused with a message, and times the instructor's reset of everyone
// until every attendee's screen says so. Last, 200 connections
// that never authenticate (half silent, half sending only their version line) are opened
// and timed until the server has closed them all. It logs figures and asserts no timing.
func TestServeRoomMeasure(t *testing.T) {
	spec := os.Getenv("CVMSCOPE_BENCH_SESSIONS")
	if spec == "" {
		t.Skip("set CVMSCOPE_BENCH_SESSIONS=10,30 (and CVMSCOPE_BENCH_BIN) to measure")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	for f := range strings.SplitSeq(spec, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			t.Fatalf("CVMSCOPE_BENCH_SESSIONS %q: want numbers, e.g. 10,30", spec)
		}
		t.Run(fmt.Sprintf("sessions=%d", n), func(t *testing.T) { measureRoom(t, n) })
	}
	t.Run("preauth=200", measurePreauth)
}

// benchServe starts serve as its own process (the real binary when CVMSCOPE_BENCH_BIN is
// set, this test binary otherwise) and returns its pid and address.
func benchServe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	bin := os.Getenv("CVMSCOPE_BENCH_BIN")
	env := []string{"TMPDIR=" + t.TempDir()}
	base := append([]string{"serve", "--room-code", testRoomCode, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "k")}, args...)
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			t.Fatal(err)
		}
	}
	cmd, out, _ := startCmd(t, bin, env, base...)
	out.wait(t, "attendees:")
	m := regexp.MustCompile(`over SSH at (\S+):`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no address in the output of serve:\n%s", out.String())
	}
	return cmd.Process.Pid, m[1]
}

func measureRoom(t *testing.T, n int) {
	// An instructor watches the whole time, as in a workshop: the server's CPU includes
	// reading every session's reports and drawing the room view.
	teacher := newKey(t)
	keys := filepath.Join(t.TempDir(), "instructors")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(teacher.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	pid, addr := benchServe(t, "--max-sessions", strconv.Itoa(n), "--conn-rate", "0", "--instructor-keys", keys)
	view, typeIn := instructor(t, addr, teacher)
	view.wait(t, "0 sessions")
	screens := make([]*screen, n)
	type result struct {
		ready, verified time.Duration
		err             error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			client := dial(t, addr)
			_, out, in := attend(t, client, 40, 120, "--lang en")
			screens[i] = out
			if err := waitFor(out, 10*time.Minute, "Ready."); err != nil {
				results[i].err = err
				return
			}
			results[i].ready = time.Since(start)
			send(t, in, "a")
			if err := waitFor(out, 10*time.Minute, "5 steps: 5 passed"); err != nil {
				results[i].err = err
				return
			}
			results[i].verified = time.Since(start)
		})
	}
	wg.Wait()
	all := time.Since(start)
	var verified []time.Duration
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("session %d: %v", i, r.err)
		}
		verified = append(verified, r.verified)
	}
	slices.Sort(verified)
	kids := children(pid)
	var rss, cpu []int64
	for _, k := range kids {
		rss = append(rss, procRSS(k))
		cpu = append(cpu, procCPU(k))
	}
	slices.Sort(rss)
	// The view has caught up: every row shows five passed steps.
	if err := waitFor(view, time.Minute, fmt.Sprintf("%d sessions", n)); err != nil {
		t.Fatal(err)
	}
	serverRSS, serverCPU := procRSS(pid), procCPU(pid)

	// The instructor resets everyone: the time until every attendee's screen says so.
	pushed := time.Now()
	send(t, typeIn, "R")
	send(t, typeIn, "y")
	for i, s := range screens {
		if err := waitFor(s, 5*time.Minute, "The instructor reset your session"); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}
	resetAll := time.Since(pushed)
	resetCPU := procCPU(pid) - serverCPU

	// Session n+1 is refused, with a message.
	client := dial(t, addr)
	out, err := runPty(t, client, "--lang en")
	if err == nil || !out.has("the room is full") {
		t.Errorf("session %d of --max-sessions %d: %v %q", n+1, n, err, out.String())
	}
	t.Logf("%d sessions: all verified in %v; time to a verified token: median %v, p90 %v, max %v", n, all.Round(100*time.Millisecond),
		verified[n/2].Round(100*time.Millisecond), verified[n*9/10].Round(100*time.Millisecond), verified[n-1].Round(100*time.Millisecond))
	t.Logf("%d session processes: RSS median %d MiB, max %d MiB, total %d MiB; CPU %v in all; server RSS %d MiB, CPU %v",
		len(kids), rss[len(rss)/2]>>20, rss[len(rss)-1]>>20, sum(rss)>>20, time.Duration(sum(cpu)), serverRSS>>20, time.Duration(serverCPU))
	t.Logf("the instructor's reset reached all %d sessions in %v (server CPU %v for it)", n, resetAll.Round(100*time.Millisecond), time.Duration(resetCPU))
}

func measurePreauth(t *testing.T) {
	pid, addr := benchServe(t, "--conn-rate", "0")
	fdsBefore := countFDs(pid)
	var conns []net.Conn
	for i := range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if _, err := c.Write([]byte("SSH-2.0-idle\r\n")); err != nil {
				t.Fatal(err)
			}
		}
		conns = append(conns, c)
	}
	start := time.Now()
	fdsHeld := countFDs(pid)
	var wg sync.WaitGroup
	closed := make([]time.Duration, len(conns))
	for i, c := range conns {
		wg.Go(func() {
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(2 * time.Minute))
			buf := make([]byte, 512)
			for {
				if _, err := c.Read(buf); err != nil {
					closed[i] = time.Since(start)
					return
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(closed)
	t.Logf("200 unauthenticated connections (100 silent, 100 version line only): closed by the server %v to %v after the last was opened; server fds %d before, %d while held, %d after",
		closed[0].Round(10*time.Millisecond), closed[len(closed)-1].Round(10*time.Millisecond), fdsBefore, fdsHeld, countFDs(pid))
}

// waitFor is screen.wait returning an error, for goroutines.
func waitFor(s *screen, d time.Duration, text string) error {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for !s.has(text) {
		select {
		case <-s.changed:
		case <-deadline.C:
			return fmt.Errorf("%q did not appear in %v", text, d)
		}
	}
	return nil
}

func children(pid int) []int {
	var out []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			p, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
			out = append(out, p)
		}
	}
	return out
}

func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// procCPU is the user and system time of pid, in nanoseconds (USER_HZ 100).
func procCPU(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return (ut + st) * int64(10*time.Millisecond)
}

func countFDs(pid int) int {
	e, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(e)
}

func sum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}
