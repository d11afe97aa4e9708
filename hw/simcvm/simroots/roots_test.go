package simroots

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"testing"
)

var updateRoots = flag.Bool("update-roots", false, "rewrite the embedded simulated certificates (ARK/ASK, vTPM CA, endorsement chain, MAA signer, default-seed VCEK) from the embedded keys")

// TestEmbeddedAMDRoots proves that the embedded ARK/ASK are exactly what the embedded keys
// and buildAMDRoots give, so nothing embedded is unexplained.
func TestEmbeddedAMDRoots(t *testing.T) {
	built, err := buildAMDRoots()
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		rewriteEmbedded(t, "the embedded ARK/ASK", map[string][]byte{certARK: built.ark.Raw, certASK: built.ask.Raw})
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
		rewriteEmbedded(t, "the embedded vTPM CA certificates", map[string][]byte{certVTPMRoot: built.Root.Raw, certVTPMInterCA: built.Intermediate.Raw})
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

// TestEmbeddedEndorser proves that the embedded endorsement chain is exactly what the
// embedded keys and buildEndorser give, and that the endorser in use signs with its leaf's key.
func TestEmbeddedEndorser(t *testing.T) {
	built, err := buildEndorser()
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		rewriteEmbedded(t, "the embedded endorsement chain", map[string][]byte{certEndorseRoot: built.Root.Raw, certEndorseCA: built.Intermediate.Raw, certEndorseLeaf: built.Leaf.Raw})
		return
	}
	used, err := endorser()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]*x509.Certificate{{built.Root, used.Root}, {built.Intermediate, used.Intermediate}, {built.Leaf, used.Leaf}} {
		if !bytes.Equal(c[0].Raw, c[1].Raw) {
			t.Fatalf("embedded %q differs from buildEndorser's; run with -update-roots", c[1].Subject.CommonName)
		}
	}
	usedKey, err := used.signingKey()
	if err != nil {
		t.Fatal(err)
	}
	if !built.key.PublicKey.Equal(&usedKey.PublicKey) {
		t.Fatal("the endorser signs with a key its embedded leaf does not certify")
	}
	inter := x509.NewCertPool()
	inter.AddCert(used.Intermediate)
	if _, err := used.Leaf.Verify(x509.VerifyOptions{Roots: used.Roots(), Intermediates: inter}); err != nil {
		t.Fatalf("embedded endorsement chain does not verify: %v", err)
	}
}

// TestEmbeddedDefaultVCEK proves that the embedded VCEK of DefaultSeed is exactly what
// signVCEK makes for that seed, so NewAMD gives the same platform whichever path it takes.
func TestEmbeddedDefaultVCEK(t *testing.T) {
	u, err := unsignedAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signVCEK(DefaultSeed(), u)
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		rewriteEmbedded(t, "the embedded default-seed VCEK", map[string][]byte{certDefaultVCEK: signed.Raw})
		return
	}
	a, err := newAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.VCEK.Raw, signed.Raw) {
		t.Fatal("the embedded default-seed VCEK differs from signVCEK's; run with -update-roots")
	}
	if err := a.VCEK.CheckSignatureFrom(a.ASK); err != nil {
		t.Fatalf("embedded default-seed VCEK is not signed by the ASK: %v", err)
	}
	// Another seed still gets its own, freshly signed VCEK.
	other, err := newAMD([]byte("not the default seed"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.VCEK.Raw, a.VCEK.Raw) || !other.vcekKey.PublicKey.Equal(other.VCEK.PublicKey) {
		t.Fatal("a non-default seed got the default seed's VCEK")
	}
}

// TestEmbeddedMAACert proves that the embedded MAA signing certificate is exactly what the
// embedded key and buildMAACert give, and that NewMAASigner hands out that certificate.
func TestEmbeddedMAACert(t *testing.T) {
	built, err := buildMAACert()
	if err != nil {
		t.Fatal(err)
	}
	if *updateRoots {
		rewriteEmbedded(t, "the embedded MAA signing certificate", map[string][]byte{certMAASigner: built.Raw})
		return
	}
	key, used, err := NewMAASigner(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built.Raw, used.Raw) {
		t.Fatal("the embedded MAA signing certificate differs from buildMAACert's; run with -update-roots")
	}
	if !key.PublicKey.Equal(used.PublicKey) {
		t.Fatal("the MAA signer signs with a key its embedded certificate does not certify")
	}
}

// rewriteEmbedded writes each certificate (name to DER) as the file the package embeds, for
// -update-roots, and says what was rewritten.
func rewriteEmbedded(t *testing.T, what string, certs map[string][]byte) {
	t.Helper()
	for name, der := range certs {
		out := append([]byte(certFileHeader), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
		if err := os.WriteFile(fmt.Sprintf(testCertFilePath, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("rewrote %s; rebuild and run the tests again", what)
}
