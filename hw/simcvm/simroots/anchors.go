package simroots

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sync"
)

// AnchorSet is every simulated root a verifier of simulated evidence has to trust, and the
// simulated MAA signing key. All of it is the same for every seed. It is handed only to a
// verifier whose caller chose to trust the simulated CVM: a run that started the simulated
// CVM itself, or a user who passed --trust-simulated. Evidence never selects it.
type AnchorSet struct {
	// ARK and ASK are the simulated AMD roots (Milan-shaped).
	ARK, ASK *x509.Certificate
	// PCKRoot is the simulated "Intel SGX Root CA" of TD quotes.
	PCKRoot *x509.Certificate
	// VTPMRoot and VTPMIntermediate issue the simulated AK certificates.
	VTPMRoot, VTPMIntermediate *x509.Certificate
	// MAAKey and MAACert sign the MAA emulator's tokens. The key is public test material.
	MAAKey  *rsa.PrivateKey
	MAACert *x509.Certificate
}

// Anchors returns the simulated anchors, built once per process.
var Anchors = sync.OnceValues(func() (*AnchorSet, error) {
	seed := DefaultSeed()
	amd, err := amdProductRoots() // the roots alone: a VCEK would be signed for nothing
	if err != nil {
		return nil, err
	}
	td, err := NewTDX(seed)
	if err != nil {
		return nil, err
	}
	pck := td.PCKRoot()
	if pck == nil {
		return nil, fmt.Errorf("simroots: the simulated Intel PCK root could not be built")
	}
	v, err := NewVTPMCA(seed)
	if err != nil {
		return nil, err
	}
	key, cert, err := NewMAASigner(seed)
	if err != nil {
		return nil, err
	}
	return &AnchorSet{ARK: amd.ark, ASK: amd.ask, PCKRoot: pck, VTPMRoot: v.Root, VTPMIntermediate: v.Intermediate,
		MAAKey: key, MAACert: cert}, nil
})
