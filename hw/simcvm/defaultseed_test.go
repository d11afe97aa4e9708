package simcvm

import (
	"bytes"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/veraison/go-cose"
)

var updateDefaultSeed = flag.Bool("update-default-seed", false, "make what is embedded for the default seed again (hw/simcvm/defaultseed's UEFI certificates, simroots' TDX endorsement)")

// TestEmbeddedUEFICerts proves that the default seed's embedded Secure Boot certificates
// are byte for byte what makeUEFICert makes for that seed, so the event log and PCR7 are
// the same whichever path uefiCert takes, and that other seeds still get their own.
func TestEmbeddedUEFICerts(t *testing.T) {
	names := []string{uefiPK, uefiKEK, uefiDB, uefiVendor}
	if *updateDefaultSeed {
		var out []byte
		for _, cn := range names {
			der, err := makeUEFICert(simroots.DefaultSeed(), cn)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Name": cn}, Bytes: der})...)
		}
		if err := os.WriteFile(filepath.Join("defaultseed", "uefi-certs.pem"), out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("made the default seed's UEFI certificates again in defaultseed/; rebuild and run the tests again")
		return
	}
	if n := len(defaultUEFICerts()); n != len(names) {
		t.Fatalf("%d embedded UEFI certificates, want %d; run with -update-default-seed", n, len(names))
	}
	for _, cn := range names {
		made, err := makeUEFICert(simroots.DefaultSeed(), cn)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(defaultUEFICerts()[cn], made) {
			t.Errorf("the embedded %q differs from makeUEFICert's; run with -update-default-seed", cn)
		}
		used, err := uefiCert(simroots.DefaultSeed(), cn)
		if err != nil || !bytes.Equal(used, made) {
			t.Errorf("uefiCert(default seed, %q) is not the embedded certificate (err %v)", cn, err)
		}
		other, err := uefiCert([]byte("another seed"), cn)
		if err != nil || bytes.Equal(other, made) {
			t.Errorf("another seed got the default seed's %q (err %v)", cn, err)
		}
	}
}

// TestDefaultEndorsementServed: the embedded endorsement (simroots) is the one the default
// seed's TDX CVM needs, its paravisor MRTD at SVN 1 (hw/imdsemu's EndorsementSVN), so the
// simulated TDX flow serves it without signing. -update-default-seed signs it anew when the
// MRTD changed.
func TestDefaultEndorsementServed(t *testing.T) {
	c, _ := provision(t, TEETDX, nil)
	en, err := simroots.NewEndorser(c.Seed())
	if err != nil {
		t.Fatal(err)
	}
	mrtd := c.MRTD()
	doc, err := en.Sign(mrtd[:], 1)
	if err != nil {
		t.Fatal(err)
	}
	if *updateDefaultSeed {
		if err := os.WriteFile(filepath.Join("simroots", "simulated_test_keys", "SIMULATED-TEST-ENDORSEMENT-default-seed.cose"), doc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote the default seed's endorsement; rebuild and run the tests again")
		return
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(doc); err != nil {
		t.Fatal(err)
	}
	if p := simroots.DefaultEndorsementPayload(); !bytes.Equal(msg.Payload, p) {
		t.Fatalf("the default seed's endorsement payload %s is not the embedded one %s; run with -update-default-seed", msg.Payload, p)
	}
}
