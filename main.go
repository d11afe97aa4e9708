// Command cvmscope walks a person, live, through Azure Confidential VM guest attestation
// (AMD SEV-SNP, Intel TDX, Trusted Launch) and explains every piece of evidence. Off Azure it
// runs the same steps against an embedded simulated CVM with clearly labelled test roots.
package main

import (
	"os"

	"github.com/cvmscope/cvmscope/ui/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
