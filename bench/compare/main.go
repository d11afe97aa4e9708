//go:build unix

// Command compare times whole processes side by side: each row is a cvmscope command and a
// peer's command on the same input, and every run of every row is interleaved (row after
// row, and within a row the two commands alternate which goes first), so that a busy
// machine slows both alike. It prints a Markdown table of medians, the ratio of the
// medians, and each command's largest peak resident memory.
//
// Rows are read from standard input, one a line: NAME, CVMSCOPE COMMAND and PEER COMMAND
// separated by tabs; commands are split on spaces (no shell, so nothing but the program
// itself is timed). A row without a peer command is timed alone. CPU time (user plus
// system) is reported beside wall time: on a machine shared with other work it is the
// steadier of the two.
//
//	printf 'event log\t./cvmscope inspect -o json log.bin\ttpm2_eventlog log.bin\n' | compare -runs 21
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type cmd struct {
	argv        []string
	times, cpus []time.Duration
	rss         int64 // KiB, the largest of any run
}

type row struct {
	name string
	a, b *cmd
}

func main() {
	runs := flag.Int("runs", 21, "runs of each command")
	warmup := flag.Int("warmup", 2, "untimed runs of each command first")
	flag.Parse()
	var rows []row
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 || strings.TrimSpace(f[0]) == "" || strings.HasPrefix(f[0], "#") {
			continue
		}
		r := row{name: f[0], a: &cmd{argv: strings.Fields(f[1])}}
		if len(f) > 2 && strings.TrimSpace(f[2]) != "" {
			r.b = &cmd{argv: strings.Fields(f[2])}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "compare: no rows on standard input (NAME<TAB>CVMSCOPE COMMAND<TAB>PEER COMMAND)")
		os.Exit(1)
	}
	for i := -*warmup; i < *runs; i++ {
		for _, r := range rows {
			pair := []*cmd{r.a, r.b}
			if i%2 == 1 {
				pair[0], pair[1] = pair[1], pair[0]
			}
			for _, c := range pair {
				if c == nil {
					continue
				}
				d, cpu, rss, err := runOnce(c.argv)
				if err != nil {
					fmt.Fprintf(os.Stderr, "compare: %s: %s: %v\n", r.name, strings.Join(c.argv, " "), err)
					os.Exit(1)
				}
				if i >= 0 {
					c.times = append(c.times, d)
					c.cpus = append(c.cpus, cpu)
					c.rss = max(c.rss, rss)
				}
			}
		}
	}
	fmt.Printf("| work | cvmscope wall | peer wall | wall ratio | cvmscope CPU | peer CPU | CPU ratio | cvmscope peak RSS | peer peak RSS |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		a, ac := median(r.a.times), median(r.a.cpus)
		if r.b == nil {
			fmt.Printf("| %s | %s | — | — | %s | — | — | %s | — |\n", r.name, ms(a), ms(ac), mib(r.a.rss))
			continue
		}
		b, bc := median(r.b.times), median(r.b.cpus)
		fmt.Printf("| %s | %s | %s | %.2f | %s | %s | %.2f | %s | %s |\n", r.name, ms(a), ms(b), float64(a)/float64(b),
			ms(ac), ms(bc), float64(ac)/float64(bc), mib(r.a.rss), mib(r.b.rss))
	}
}

// runOnce runs argv to its end with output discarded and returns its wall time, CPU time
// and peak resident memory. Exit statuses are not judged: a verifier that finds a failure still did
// its work. cvmscope's event-log rows exit 2 by design (a log alone is signed by nothing:
// evidence.unverified) after printing the whole report, as tpm2_eventlog prints its own.
func runOnce(argv []string) (time.Duration, time.Duration, int64, error) {
	c := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	if _, ok := err.(*exec.ExitError); ok {
		err = nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	var rss int64
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return d, c.ProcessState.UserTime() + c.ProcessState.SystemTime(), rss, nil
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }
