// Command readstep does what cvmscope's Read report step asks of the TPM, through
// cvmscope's own TPM layer (hw/tpm): read an NV index (the HCL report's is 2 KB or more),
// then read SHA-256 PCRs 0-7 and quote them with the AK (tpm.Quote does both). It exists to time that against
// tpm2-tools' three commands doing the same on the same TPM (bench/tpm2-read.sh).
//
//	readstep -tpm tcp://127.0.0.1:2321 -nv 0x01500016 -ak 0x81000003
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/cvmscope/cvmscope/hw/tpm"
)

func main() {
	target := flag.String("tpm", "tcp://127.0.0.1:2321", "TPM to use (as cvmscope --tpm)")
	nv := flag.Uint("nv", 0x01500016, "NV index to read")
	ak := flag.Uint("ak", 0x81000003, "persistent handle of the AK that quotes")
	flag.Parse()
	ctx := context.Background()
	t, err := tpm.Open(ctx, *target)
	if err != nil {
		fail(err)
	}
	defer t.Close()
	data, err := t.NVRead(ctx, uint32(*nv))
	if err != nil {
		fail(err)
	}
	sel := []int{0, 1, 2, 3, 4, 5, 6, 7}
	q, err := t.Quote(ctx, uint32(*ak), []byte("cvmscope bench nonce"), sel)
	if err != nil {
		fail(err)
	}
	fmt.Printf("NV 0x%08x: %d bytes; %d PCRs; quote %d bytes\n", *nv, len(data), len(q.PCRs), len(q.Attest))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "readstep:", err)
	os.Exit(1)
}
