package simroots

import (
	"bytes"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"testing"
)

var updateRoots = flag.Bool("update-roots", false, "rewrite the embedded simulated ARK/ASK and vTPM CA certificates from the embedded keys")

// TestEmbeddedAMDRoots proves that the embedded ARK/ASK are exactly what the embedded keys
// and buildAMDRoots give, so nothing embedded is unexplained.
func TestEmbeddedAMDRoots(t *testing.T) {
	built, err := buildAMDRoots()
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		for name, der := range map[string][]byte{certARK: built.ark.Raw, certASK: built.ask.Raw} {
			out := append([]byte(certFileHeader), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
			if err := os.WriteFile(fmt.Sprintf(testCertFilePath, name), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Log("rewrote the embedded ARK/ASK; rebuild and run the tests again")
		return
	}
	embedded, err := amdProductRoots()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built.ark.Raw, embedded.ark.Raw) || !bytes.Equal(built.ask.Raw, embedded.ask.Raw) {
		t.Fatal("embedded ARK/ASK differ from buildAMDRoots; run with -update-roots")
	}
	arkKey, _ := testKey(keyARK)
	askKey, _ := testKey(keyASK)
	if !arkKey.PublicKey.Equal(embedded.ark.PublicKey) || !askKey.PublicKey.Equal(embedded.ask.PublicKey) {
		t.Fatal("embedded ARK/ASK do not certify the embedded keys")
	}
	if err := embedded.ask.CheckSignatureFrom(embedded.ark); err != nil {
		t.Fatalf("embedded ASK is not signed by the embedded ARK: %v", err)
	}
}

// TestEmbeddedVTPMCA proves that the embedded vTPM root and intermediate are exactly what
// the embedded keys and buildVTPMCA give, and that the CA in use holds them.
func TestEmbeddedVTPMCA(t *testing.T) {
	built, err := buildVTPMCA()
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		for name, der := range map[string][]byte{certVTPMRoot: built.Root.Raw, certVTPMInterCA: built.Intermediate.Raw} {
			out := append([]byte(certFileHeader), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
			if err := os.WriteFile(fmt.Sprintf(testCertFilePath, name), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Log("rewrote the embedded vTPM CA certificates; rebuild and run the tests again")
		return
	}
	used, err := vtpmCA()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built.Root.Raw, used.Root.Raw) || !bytes.Equal(built.Intermediate.Raw, used.Intermediate.Raw) {
		t.Fatal("embedded vTPM CA certificates differ from buildVTPMCA; run with -update-roots")
	}
	if !built.key.PublicKey.Equal(used.Intermediate.PublicKey) {
		t.Fatal("the vTPM CA signs with a key its embedded intermediate does not certify")
	}
}
