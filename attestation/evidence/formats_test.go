package evidence

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectOtherToolsFormats(t *testing.T) {
	sig := append([]byte{0, 0x14, 0, 0x0b, 1, 0}, make([]byte, 256)...)
	pcrFile := make([]byte, 4+16*8+4+4+8*66)
	pcrFile[0], pcrFile[4], pcrFile[6], pcrFile[7], pcrFile[132] = 1, 0x0b, 3, 1, 1
	body := make([]byte, 1184+20)
	body[0], body[0x34] = 2, 1 // SEV-SNP report version 2, ECDSA P-384
	for i, v := range []uint32{20, 1, 2, 1, 0} {
		body[1184+4*i] = byte(v)
	}
	for name, c := range map[string]struct {
		b    []byte
		want Kind
	}{
		"trustee v1":          {[]byte(`{"version":1,"tpm_quote":{"signature":"00","message":"00","pcrs":[]},"hcl_report":"SENMQQ","vcek":"MII"}`), KindTrustee},
		"trustee v0 snp":      {[]byte(`{"quote":{"signature":[1],"message":[2]},"report":[72],"vcek":"-----BEGIN"}`), KindTrustee},
		"trustee quote":       {[]byte(`{"signature":"00","message":"ff544347","pcrs":["00"]}`), KindTrusteeQuote},
		"trustee cut short":   {[]byte(`{"version":1,"tpm_quote":{"signature":"00","message":"00"},"hcl_rep`), KindTrustee},
		"PCR JSON still PCRs": {[]byte(`{"pcrs":{"0":"00"}}`), KindPCRs},
		"Constellation":       {[]byte(`{"Attestation":{"ak_pub":"AAE="},"InstanceInfo":"e30=","UserData":null}`), KindConstellation},
		"Constellation cut":   {[]byte(`{"Attestation":{"ak_pub":"AAE="},"InstanceInfo":"e3`), KindConstellation},
		"tpm2_quote -s":       {sig, KindTPMTSig},
		"tpm2_quote -o":       {pcrFile, KindPCRFile},
		"HCL body":            {body, KindHCLBody},
		"SNP report alone":    {body[:1184], KindSNPReport},
	} {
		if got := Detect(c.b); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
}

// An unreadable file among readable ones is kept for its own failing check; alone it is a
// misuse (nothing to check).
func TestUnknownFileAmongOthers(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.bin")
	claims := filepath.Join(dir, "claims.json")
	os.WriteFile(junk, []byte("definitely not evidence"), 0o600)
	os.WriteFile(claims, []byte(`{"keys":[{"kid":"HCLAkPub","kty":"RSA","n":"AQAB","e":"AQAB"}],"vm-configuration":{}}`), 0o600)
	s, err := LoadFiles([]string{junk, claims})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 2 || s.Files[0].Kind != KindUnknown || !strings.Contains(s.Files[0].Err, "cannot tell") || s.Files[0].ErrKO == "" {
		t.Fatalf("files %+v", s.Files)
	}
	if KindUnknown.ParseCheck() != "input.unknown" {
		t.Errorf("check id %s", KindUnknown.ParseCheck())
	}
	if _, err := LoadFiles([]string{junk}); err == nil || !strings.Contains(err.Error(), "junk.bin") {
		t.Errorf("junk alone: %v", err)
	}
}

// A raw 256-byte file is the signature, unless the quote's digest says it is its eight
// SHA-256 PCR values (tpm2_pcrread -o); a second one that is neither is an error on its file.
func TestRawBlobsSettleByTheQuote(t *testing.T) {
	s := &Set{}
	a, b := make([]byte, 256), make([]byte, 256)
	a[0], b[0] = 1, 2
	if err := s.Add("a.sig", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("b.sig", b); err != nil {
		t.Fatal(err)
	}
	s.settle()
	if s.Quote == nil || s.Quote.Sig[0] != 1 || s.Files[1].Err == "" || !strings.Contains(s.Files[1].Err, "second quote signature") {
		t.Errorf("sig %v, files %+v", s.Quote, s.Files)
	}
}

// A chain saved straight from Intel PCS's TCB-Info-Issuer-Chain header is URL-encoded PEM;
// it is read as the collateral's signing chain, as the PEM file is.
func TestIssuerChainHeader(t *testing.T) {
	pemChain, err := os.ReadFile(filepath.Join(realDir(t), "intel-tcb-signing-chain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	header := strings.NewReplacer("\n", "%0A", " ", "%20", "+", "%2B", "/", "%2F", "=", "%3D").Replace(string(pemChain))
	var s Set
	if err := s.Add("tcb-info-issuer-chain.txt", []byte(header)); err != nil {
		t.Fatal(err)
	}
	want, err := ParseCertificates(pemChain)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseCertificates(s.Collateral.SigningChain)
	if s.Files[0].Kind != KindCertificates || s.Files[0].Err != "" || err != nil || len(got) != len(want) || !bytes.Equal(got[0].Raw, want[0].Raw) {
		t.Errorf("header chain read as %s (%s): %d certificates (%v), want the PEM file's %d", s.Files[0].Kind, s.Files[0].Err, len(got), err, len(want))
	}
}
