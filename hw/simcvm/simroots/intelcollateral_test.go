package simroots

import (
	"crypto/ecdsa"
	"testing"
)

// Collateral derives the root's key itself: it must be the simulated root's.
func TestSimulatedCollateralSignerChainsToRoot(t *testing.T) {
	cas, err := intelRoots()
	if err != nil {
		t.Fatal(err)
	}
	k, err := deriveP256([]byte("cvmscope simulated Intel SGX PKI, the same for every seed"), intelRootKeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	if !k.PublicKey.Equal(cas.root.PublicKey.(*ecdsa.PublicKey)) {
		t.Fatal("the key Collateral signs the TCB signing certificate with is not the simulated root's")
	}
}
