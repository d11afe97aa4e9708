package cli

import (
	"io"
	"testing"
)

// BenchmarkSimulatedFlowToken is `cvmscope --platform sim -o token` from start to the
// printed token: simulator start and provisioning, the emulators, every step and the token's
// verification. Target: under 1.5 s.
func BenchmarkSimulatedFlowToken(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if code := Main([]string{"--platform", "sim", "-o", "token"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkSimulatedFlowTokenTDX is the same for the simulated TDX CVM (TD quote from the
// IMDS emulator, endorsement check).
func BenchmarkSimulatedFlowTokenTDX(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if code := Main([]string{"--platform", "sim", "--sim-tee", "tdx", "-o", "token"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
