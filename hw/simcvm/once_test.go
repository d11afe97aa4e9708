package simcvm

import (
	"testing"

	"github.com/cvmscope/cvmscope/hw/tpm/tpmtest"
	"github.com/google/go-tpm/tpm2"
)

// TestProvisionCreatesEachKeyOnce counts the expensive TPM commands of provisioning: the
// EK and the AK are each one RSA-2048 prime search in the simulator, so a fresh TPM must
// see exactly two TPM2_CreatePrimary, and provisioning the same TPM again none (the
// persisted keys are reused), whichever TEE is simulated.
func TestProvisionCreatesEachKeyOnce(t *testing.T) {
	for _, tee := range []string{TEESEVSNP, TEETDX} {
		count := tpmtest.NewCounter(newSim(t, nil))
		opts := DefaultOptions()
		opts.TEE, opts.Now = tee, testNow
		if _, err := Provision(count, opts); err != nil {
			t.Fatalf("%s: %v", tee, err)
		}
		if n := count.N[tpm2.TPMCCCreatePrimary]; n != 2 {
			t.Errorf("%s: a fresh TPM got %d TPM2_CreatePrimary, want 2 (EK and AK)", tee, n)
		}
		if n := count.N[tpm2.TPMCCEvictControl]; n != 2 {
			t.Errorf("%s: a fresh TPM got %d TPM2_EvictControl, want 2 (EK and AK persisted)", tee, n)
		}
		clear(count.N)
		if _, err := Provision(count, opts); err != nil {
			t.Fatalf("%s, provisioned again: %v", tee, err)
		}
		if n := count.N[tpm2.TPMCCCreatePrimary] + count.N[tpm2.TPMCCEvictControl]; n != 0 {
			t.Errorf("%s: provisioning again sent %d TPM2_CreatePrimary/EvictControl, want 0 (persisted keys reused)", tee, n)
		}
	}
}
