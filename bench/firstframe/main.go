// Command firstframe times a terminal program from its start to its first frame: it runs
// the program in a pseudo-terminal of the given size, answers the terminal queries a
// terminal would (background colour, device attributes, cursor position), and notes when
// the text -want first appears on screen. Each run is a fresh process; it prints every
// run's time and the median.
//
//	firstframe -runs 30 -size 160x48 -want 'Welcome to cvmscope' -- ./cvmscope --platform sim
//
// With -phases it also prints the median time to each landmark the terminal sees: the
// program's first output (its first query, or its first frame), the last query answered
// before the frame, and the alt screen entered. What comes before the first output is
// the process's start-up (loading, runtime, package initialisers); the landmarks after
// it split the rest into waiting for the terminal and drawing.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/creack/pty"
)

func main() {
	runs := flag.Int("runs", 20, "processes to start")
	size := flag.String("size", "160x48", "terminal COLSxROWS")
	want := flag.String("want", "Welcome to cvmscope", "text that shows the first frame is drawn")
	quit := flag.String("quit", "q", "keys that end the program once the frame is seen")
	phases := flag.Bool("phases", false, "also print the median time to each landmark before the frame")
	flag.Parse()
	var cols, rows uint16
	if _, err := fmt.Sscanf(*size, "%dx%d", &cols, &rows); err != nil || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: firstframe [-runs N] [-size COLSxROWS] [-want TEXT] -- COMMAND [ARGS...]")
		os.Exit(1)
	}
	var times []time.Duration
	var marks [nLandmarks][]time.Duration
	for range *runs {
		d, at, err := once(flag.Args(), &pty.Winsize{Cols: cols, Rows: rows}, *want, *quit)
		if err != nil {
			fmt.Fprintln(os.Stderr, "firstframe:", err)
			os.Exit(1)
		}
		times = append(times, d)
		for i, t := range at {
			if t > 0 {
				marks[i] = append(marks[i], t)
			}
		}
	}
	slices.Sort(times)
	fmt.Printf("first frame: median %.1f ms, min %.1f ms, max %.1f ms over %d runs\n",
		ms(times[len(times)/2]), ms(times[0]), ms(times[len(times)-1]), len(times))
	if *phases {
		for i, name := range landmarkNames {
			if len(marks[i]) == 0 {
				fmt.Printf("  %-28s never seen\n", name)
				continue
			}
			slices.Sort(marks[i])
			fmt.Printf("  %-28s median %.1f ms (%d runs)\n", name, ms(marks[i][len(marks[i])/2]), len(marks[i]))
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// The landmarks -phases reports, each the time from start until the terminal saw it.
const (
	firstOutput = iota
	lastAnswer
	altScreen
	nLandmarks
)

var landmarkNames = [nLandmarks]string{"first output", "last query answered", "alt screen entered"}

// replies answers what terminal libraries ask at start; a real terminal answers at once.
var replies = []struct{ query, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
	{"\x1b]10;?", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\"},
	{"\x1b[c", "\x1b[?62;22c"},
	{"\x1b[6n", "\x1b[1;1R"},
}

func once(argv []string, ws *pty.Winsize, want, quit string) (time.Duration, [nLandmarks]time.Duration, error) {
	var at [nLandmarks]time.Duration
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "COLORTERM=truecolor")
	start := time.Now()
	f, err := pty.StartWithSize(cmd, ws)
	if err != nil {
		return 0, at, err
	}
	defer f.Close()
	var seen bytes.Buffer
	answered := make([]int, len(replies))
	buf := make([]byte, 64<<10)
	deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if seen.Len() == 0 {
				at[firstOutput] = time.Since(start)
			}
			seen.Write(buf[:n])
			for i, r := range replies {
				if c := strings.Count(seen.String(), r.query); c > answered[i] {
					for range c - answered[i] {
						f.WriteString(r.answer)
					}
					answered[i] = c
					if at[altScreen] == 0 {
						at[lastAnswer] = time.Since(start)
					}
				}
			}
			if at[altScreen] == 0 && bytes.Contains(seen.Bytes(), []byte("\x1b[?1049h")) {
				at[altScreen] = time.Since(start)
			}
			if bytes.Contains(seen.Bytes(), []byte(want)) {
				d := time.Since(start)
				f.WriteString(quit)
				done := make(chan struct{})
				go func() { cmd.Wait(); close(done) }()
				go func() { // drain, so the program is never blocked writing its last frame
					for {
						if _, err := f.Read(buf); err != nil {
							return
						}
					}
				}()
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					cmd.Process.Kill()
					<-done
				}
				return d, at, nil
			}
		}
		if err != nil {
			cmd.Wait()
			return 0, at, fmt.Errorf("%s ended before %q appeared (%d bytes of output)", argv[0], want, seen.Len())
		}
	}
}
