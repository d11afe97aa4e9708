//go:build !cgo

package tpm

import (
	"context"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// The pure-Go build refuses the embedded simulator up front, as a device fault that says
// how to get a TPM (swtpm), in both languages, instead of failing on its first command.
func TestPureGoBuildRefusesSimulator(t *testing.T) {
	_, err := Open(context.Background(), "sim")
	if err == nil || fault.KindOf(err) != fault.Device || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Fatalf("Open(sim) = %v (kind %v), want a device fault naming the pure-Go build", err, fault.KindOf(err))
	}
	if _, hint := fault.MessageIn(err, "en"); !strings.Contains(hint, "swtpm socket --tpm2") {
		t.Errorf("hint %q does not say how to run swtpm", hint)
	}
	if msg, hint := fault.MessageIn(err, "ko"); !strings.Contains(msg, "순수 Go 빌드") || !strings.Contains(hint, "swtpm") {
		t.Errorf("Korean: %q / %q", msg, hint)
	}
}
