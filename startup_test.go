package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// initBudget is the most a cvmscope package's initialisation may allocate, in bytes.
// Every process pays for every package's init (cvmscope --version included), so tables,
// catalogs, regexps and parsed keys are built on first use (sync.OnceValue) instead. After
// that work the largest package allocates under 2 KiB at init; before it, explain allocated
// 44 KiB and ui 31 KiB. Allocated bytes, unlike times, are the same from run to run.
const initBudget = 4096

// TestInitIsCheap runs this test binary, which links every package the command links, with
// GODEBUG=inittrace=1 and fails for a package of this module whose initialisation allocates
// more than initBudget.
func TestInitIsCheap(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$") // initialise, run no test
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(stderr.Bytes()))
	for sc.Scan() {
		// init github.com/cvmscope/cvmscope/ui @3.1 ms, 0.002 ms clock, 1208 bytes, 14 allocs
		f := strings.Fields(sc.Text())
		if len(f) < 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		pkg := f[1]
		if pkg != module && !strings.HasPrefix(pkg, module+"/") {
			continue
		}
		seen++
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", sc.Text(), err)
		}
		if n > initBudget {
			t.Errorf("%s allocates %d bytes at init (budget %d): build its tables, regexps or keys on first use (sync.OnceValue), not in package variables or init functions", pkg, n, initBudget)
		}
	}
	if seen == 0 {
		t.Fatalf("no init line of a %s package in the child's output:\n%s", module, stderr.String())
	}
}
