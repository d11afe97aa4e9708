package tpm

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// The simulator is process-global, so a second Open waits for the first to close. Ending
// that wait by Ctrl-C says interrupted; only a deadline points at the simulator still open
// (the hint was given for Ctrl-C too, naming a cause that was not there).
func TestOpenSimWaitEnds(t *testing.T) {
	openSimT(t) // held until the test ends

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Open(ctx, "sim:1")
	if fault.KindOf(err) != fault.Interrupted || !strings.Contains(err.Error(), "interrupted while opening") || strings.Contains(fault.HintOf(err), "still open") {
		t.Errorf("cancelled: kind %v, %v, hint %q", fault.KindOf(err), err, fault.HintOf(err))
	}

	ctx, stop := context.WithDeadline(t.Context(), time.Now()) // already past: no waiting
	defer stop()
	_, err = Open(ctx, "sim:1")
	if fault.KindOf(err) != fault.Device || !strings.Contains(fault.HintOf(err), "still open in this process") {
		t.Errorf("deadline: kind %v, %v, hint %q", fault.KindOf(err), err, fault.HintOf(err))
	}
}
