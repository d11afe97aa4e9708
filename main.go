// Command cvmscope walks a person, live, through Azure Confidential VM guest attestation
// (AMD SEV-SNP, Intel TDX, Trusted Launch) and explains every piece of evidence. Off Azure it
// runs the same steps against an embedded simulated CVM with clearly labelled test roots.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/cvmscope/cvmscope/ui/cli"
)

func main() {
	// cvmscope never writes a memory profile, but Go samples allocations for one by default
	// and keeps a record per sampled call stack and size for the life of the process: a booth
	// demo grew about 3 MiB a day that way (BENCHMARKS.md), and a room server runs as long.
	// GODEBUG=memprofilerate=N, set by someone who wants a profile, still wins.
	if !strings.Contains(os.Getenv("GODEBUG"), "memprofilerate=") {
		runtime.MemProfileRate = 0
	}
	// Go exits 2 on an unrecovered panic, which a script would read as "verification
	// failed". A bug must say internal error (1) instead.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "cvmscope: internal error (a bug; please report it with this trace): %v\n%s", r, debug.Stack())
			os.Exit(1)
		}
	}()
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
