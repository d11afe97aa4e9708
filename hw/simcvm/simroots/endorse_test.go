package simroots

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/veraison/go-cose"
)

// The endorsement is a tagged COSE_Sign1 that go-cose verifies with the key of the first
// x5chain certificate, and whose chain verifies to Roots().
func TestEndorserSignsVerifiableCOSE(t *testing.T) {
	e, err := NewEndorser(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	mrtd := bytes.Repeat([]byte{0x5A}, 48)
	doc, err := e.Sign(mrtd, 3)
	if err != nil {
		t.Fatal(err)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(doc); err != nil {
		t.Fatalf("not a tagged COSE_Sign1: %v", err)
	}
	if alg, _ := msg.Headers.Protected.Algorithm(); alg != cose.AlgorithmPS384 {
		t.Errorf("alg %v, want PS384", alg)
	}
	chain, ok := msg.Headers.Protected[cose.HeaderLabelX5Chain].([]any)
	if !ok || len(chain) != 3 {
		t.Fatalf("x5chain %T", msg.Headers.Protected[cose.HeaderLabelX5Chain])
	}
	leaf, err := x509.ParseCertificate(chain[0].([]byte))
	if err != nil || !leaf.Equal(e.Certificate()) || !IsSimulated(leaf) {
		t.Fatalf("x5chain[0] is not the simulated signer: %v", err)
	}
	v, _ := cose.NewVerifier(cose.AlgorithmPS384, leaf.PublicKey)
	if err := msg.Verify(nil, v); err != nil {
		t.Fatalf("signature: %v", err)
	}
	inter := x509.NewCertPool()
	inter.AddCert(e.Intermediate)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: e.Roots(), Intermediates: inter, CurrentTime: NotBefore.AddDate(1, 0, 0),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("signer does not chain to Roots(): %v", err)
	}
	var payload map[string]any
	if err := json.Unmarshal(msg.Payload, &payload); err != nil || payload[EndorsementMRTDKey] != hex.EncodeToString(mrtd) || payload[EndorsementSVNKey] != "3" {
		t.Errorf("payload %s", msg.Payload)
	}
	// Same for every seed, as the other simulated roots.
	other, _ := NewEndorser([]byte("another seed"))
	if !other.Root.Equal(e.Root) {
		t.Error("the endorser differs between seeds")
	}
	for _, bad := range []struct {
		m   []byte
		svn int
	}{{mrtd[:47], 1}, {mrtd, -1}} {
		if _, err := e.Sign(bad.m, bad.svn); err == nil {
			t.Errorf("Sign(%d bytes, %d) succeeded", len(bad.m), bad.svn)
		}
	}
	if _, err := NewEndorser(nil); err == nil {
		t.Error("NewEndorser(nil) succeeded")
	}
}

// TestEmbeddedDefaultEndorsement proves that the embedded default-seed endorsement is
// exactly what signing its own payload makes with the endorser in use (chain and key), so
// Sign returns the same bytes whichever path it takes. -update-roots signs that payload
// again (after the chain changed); hw/simcvm's TestDefaultEndorsementServed makes it anew
// when the default seed's MRTD changed.
func TestEmbeddedDefaultEndorsement(t *testing.T) {
	payload := DefaultEndorsementPayload()
	if payload == nil {
		t.Fatal("the embedded default-seed endorsement does not decode; run go test ./hw/simcvm -run TestDefaultEndorsementServed -update-default-seed")
	}
	e, err := NewEndorser(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := e.sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		if err := os.WriteFile("simulated_test_keys/SIMULATED-TEST-ENDORSEMENT-default-seed.cose", signed, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("signed the embedded default-seed endorsement again; rebuild and run the tests again")
		return
	}
	if !bytes.Equal(signed, defaultEndorsementDoc) {
		t.Fatal("the embedded default-seed endorsement differs from what signing its payload makes; run with -update-roots")
	}
	var p map[string]any
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	m, _ := hex.DecodeString(p[EndorsementMRTDKey].(string))
	svn := int(p[EndorsementSVNIntKey].(float64))
	got, err := e.Sign(m, svn)
	if err != nil || !bytes.Equal(got, defaultEndorsementDoc) {
		t.Fatalf("Sign of the embedded payload's MRTD and SVN did not give the embedded document (err %v)", err)
	}
	// Any other MRTD is still signed, and verifies.
	m[0] ^= 1
	other, err := e.Sign(m, svn)
	if err != nil || bytes.Equal(other, defaultEndorsementDoc) {
		t.Fatalf("another MRTD got the embedded document (err %v)", err)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(other); err != nil {
		t.Fatal(err)
	}
	v, _ := cose.NewVerifier(cose.AlgorithmPS384, e.Leaf.PublicKey)
	if err := msg.Verify(nil, v); err != nil {
		t.Fatalf("another MRTD's endorsement does not verify: %v", err)
	}
}
