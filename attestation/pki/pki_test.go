package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

var t0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCert(t *testing.T, cn string, parent *ca, isCA bool, serial int64, from, to time.Time) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to,
		IsCA: isCA, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &ca{c, key}
}

func crlOf(t *testing.T, issuer *ca, this, next time.Time, revoked ...*big.Int) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, s := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: this})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next, RevokedCertificateEntries: entries}, issuer.cert, issuer.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func only(t *testing.T, l check.List, id string) check.Check {
	t.Helper()
	var found []check.Check
	for _, c := range l {
		if c.ID == id {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s checks in %v", len(found), id, l)
	}
	return found[0]
}

func TestChainVerdicts(t *testing.T) {
	year := 365 * 24 * time.Hour
	root := newCert(t, "Test Root", nil, true, 1, t0.Add(-year), t0.Add(10*year))
	inter := newCert(t, "Test CA", root, true, 2, t0.Add(-year), t0.Add(5*year))
	leaf := newCert(t, "Test Leaf", inter, false, 3, t0.Add(-year), t0.Add(year))
	given := []*x509.Certificate{leaf.cert, inter.cert, root.cert}

	// A root the files bring is never trusted on its own.
	if c := only(t, Checks(Input{Certs: given, Now: t0}), IDChain); c.Verdict != check.Fail || !strings.Contains(c.Summary, "does not chain") {
		t.Errorf("untrusted root: %s %s", c.Verdict, c.Summary)
	}
	trusted := Input{Certs: given, Now: t0, Extra: []*x509.Certificate{root.cert}}
	if c := only(t, Checks(trusted), IDChain); c.Verdict != check.Pass || !strings.Contains(c.Summary, "Test Leaf → Test CA → Test Root") || c.SummaryKO == "" {
		t.Errorf("trusted root: %s %s", c.Verdict, c.Summary)
	}
	late := trusted
	late.Now = t0.Add(2 * year)
	if c := only(t, Checks(late), IDChain); c.Verdict != check.Fail || !strings.Contains(c.Summary, "the chain verifies, but \"Test Leaf\" is valid") {
		t.Errorf("expired leaf: %s %s", c.Verdict, c.Summary)
	}

	// Revocation: the intermediate's CRL lists the leaf.
	revoked := trusted
	revoked.CRLs = [][]byte{crlOf(t, inter, t0.Add(-time.Hour), t0.Add(30*24*time.Hour), leaf.cert.SerialNumber)}
	l := Checks(revoked)
	if c := only(t, l, IDChain); c.Verdict != check.Fail || !strings.Contains(c.Summary, "revoked") {
		t.Errorf("revoked leaf: %s %s", c.Verdict, c.Summary)
	}
	if only(t, l, IDCRLSignature).Verdict != check.Pass || only(t, l, IDCRLFresh).Verdict != check.Pass {
		t.Errorf("good CRL: %v", l)
	}
	clean := trusted
	clean.CRLs = [][]byte{crlOf(t, inter, t0.Add(-time.Hour), t0.Add(30*24*time.Hour), big.NewInt(99))}
	if c := only(t, Checks(clean), IDChain); c.Verdict != check.Pass || !strings.Contains(strings.Join(c.Details, "\n"), "not revoked") {
		t.Errorf("CRL without the leaf: %s %v", c.Verdict, c.Details)
	}

	// A CRL signed by another key than its named issuer's, and a stale one.
	forger := newCert(t, "Test CA", nil, true, 7, t0.Add(-year), t0.Add(year))
	forged := Input{Certs: given, Now: t0, CRLs: [][]byte{crlOf(t, forger, t0.Add(-time.Hour), t0.Add(time.Hour))}}
	if c := only(t, Checks(forged), IDCRLSignature); c.Verdict != check.Fail {
		t.Errorf("forged CRL: %s %s", c.Verdict, c.Summary)
	}
	stale := Input{Certs: given, Now: t0.Add(48 * time.Hour), CRLs: [][]byte{crlOf(t, inter, t0.Add(-time.Hour), t0.Add(time.Hour))}}
	if c := only(t, Checks(stale), IDCRLFresh); c.Verdict != check.Fail || !strings.Contains(c.Summary, "stale") {
		t.Errorf("stale CRL: %s %s", c.Verdict, c.Summary)
	}
}

// A CRL's signature passes only with its issuer's certificate, found among the files or built
// in, and only when that certificate chains to a root the caller trusts; otherwise it fails
// and says which certificate to give.
func TestCRLSignatureNeedsItsIssuer(t *testing.T) {
	year := 365 * 24 * time.Hour
	root := newCert(t, "Test Root", nil, true, 1, t0.Add(-year), t0.Add(10*year))
	inter := newCert(t, "Test PCK Platform CA", root, true, 2, t0.Add(-year), t0.Add(5*year))
	crl := [][]byte{crlOf(t, inter, t0.Add(-time.Hour), t0.Add(30*24*time.Hour))}
	trusted := []*x509.Certificate{root.cert}
	expired := newCert(t, "Test PCK Platform CA", root, true, 3, t0.Add(-year), t0.Add(-2*time.Hour))
	for _, c := range []struct {
		name  string
		in    Input
		want  check.Verdict
		words string
	}{
		{"issuer given", Input{Certs: []*x509.Certificate{inter.cert}, Extra: trusted}, check.Pass, "Test PCK Platform CA → Test Root (trusted by your choice"},
		{"issuer known from the evidence", Input{Known: []*x509.Certificate{inter.cert}, Extra: trusted}, check.Pass, "signed by its issuer"},
		{"issuer missing", Input{Extra: trusted}, check.Fail, "SGX-PCK-CRL-Issuer-Chain"},
		{"issuer given, its root not trusted", Input{Certs: []*x509.Certificate{inter.cert, root.cert}}, check.Fail, "does not chain"},
		{"another key under the issuer's name", Input{Certs: []*x509.Certificate{newCert(t, "Test PCK Platform CA", root, true, 9, t0.Add(-year), t0.Add(year)).cert}, Extra: trusted}, check.Fail, "does not verify"},
		{"issuer expired before the CRL was signed", Input{Certs: []*x509.Certificate{expired.cert}, CRLs: [][]byte{crlOf(t, expired, t0.Add(-time.Hour), t0.Add(time.Hour))}, Extra: trusted}, check.Fail, "as of the CRL's date"},
	} {
		c.in.Now = t0
		if c.in.CRLs == nil {
			c.in.CRLs = crl
		}
		got := only(t, Checks(c.in), IDCRLSignature)
		if got.Verdict != c.want || !strings.Contains(got.Summary, c.words) || got.SummaryKO == "" {
			t.Errorf("%s: %s %s; want %s saying %q", c.name, got.Verdict, got.Summary, c.want, c.words)
		}
	}
	// The same issuer's certificate under another key (a forger's) beside the real one: the
	// real one is found.
	forger := newCert(t, "Test PCK Platform CA", nil, true, 7, t0.Add(-year), t0.Add(year))
	in := Input{Now: t0, CRLs: crl, Certs: []*x509.Certificate{forger.cert, inter.cert}, Extra: trusted}
	if c := only(t, Checks(in), IDCRLSignature); c.Verdict != check.Pass {
		t.Errorf("issuer beside a forger of its name: %s %s", c.Verdict, c.Summary)
	}
}

// collateral signs a TCB info document as Intel PCS does: ECDSA r||s in hex over the body.
func collateral(t *testing.T, signer *ca, issue, next time.Time) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": "TDX", "version": 3, "issueDate": issue, "nextUpdate": next, "fmspc": "00806f050000"})
	h := sha256.Sum256(body)
	r, s, err := ecdsa.Sign(rand.Reader, signer.key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	return []byte(`{"tcbInfo":` + string(body) + `,"signature":"` + hex.EncodeToString(sig) + `"}`)
}

func TestCollateralVerdicts(t *testing.T) {
	year := 365 * 24 * time.Hour
	root := newCert(t, "Test Root", nil, true, 1, t0.Add(-year), t0.Add(10*year))
	signer := newCert(t, "Test TCB Signing", root, false, 2, t0.Add(-year), t0.Add(year))
	doc := collateral(t, signer, t0.Add(-24*time.Hour), t0.Add(30*24*time.Hour))
	in := Input{Certs: []*x509.Certificate{signer.cert, root.cert}, Extra: []*x509.Certificate{root.cert}, Now: t0, TCBInfo: doc}
	l := Checks(in)
	if only(t, l, IDCollateralSig).Verdict != check.Pass || only(t, l, IDCollateralFresh).Verdict != check.Pass || only(t, l, IDChain).Verdict != check.Pass {
		t.Errorf("good collateral: %v", l)
	}
	tampered := in
	tampered.TCBInfo = []byte(strings.Replace(string(doc), "00806f050000", "00806f050001", 1))
	if c := only(t, Checks(tampered), IDCollateralSig); c.Verdict != check.Fail {
		t.Errorf("tampered collateral: %s %s", c.Verdict, c.Summary)
	}
	old := in
	old.Now = t0.Add(60 * 24 * time.Hour)
	if c := only(t, Checks(old), IDCollateralFresh); c.Verdict != check.Fail || !strings.Contains(c.Summary, "stale") {
		t.Errorf("stale collateral: %s %s", c.Verdict, c.Summary)
	}
	for _, c := range []struct {
		name  string
		in    Input
		words string
	}{
		{"no certificate", Input{TCBInfo: doc, Extra: []*x509.Certificate{root.cert}}, "give Intel's TCB signing chain as a PEM file alongside (Intel PCS's TCB-Info-Issuer-Chain header"},
		{"another signer's chain", Input{TCBInfo: doc, Certs: []*x509.Certificate{newCert(t, "Other TCB Signing", root, false, 3, t0.Add(-year), t0.Add(year)).cert}, Extra: []*x509.Certificate{root.cert}}, "verifies with none"},
		{"signer not trusted", Input{TCBInfo: doc, Certs: []*x509.Certificate{signer.cert, root.cert}}, "does not chain to Intel's root"},
		{"QE identity, no certificate", Input{QEIdentity: []byte(strings.Replace(string(doc), "tcbInfo", "enclaveIdentity", 1))}, "SGX-Enclave-Identity-Issuer-Chain"},
	} {
		c.in.Now = t0
		if got := only(t, Checks(c.in), IDCollateralSig); got.Verdict != check.Fail || !strings.Contains(got.Summary, c.words) || got.SummaryKO == "" {
			t.Errorf("%s: %s %s; want fail saying %q", c.name, got.Verdict, got.Summary, c.words)
		}
	}
}

// The built-in Intel root is the one the TD quote checks pin, and it signs Intel's root CA CRL.
func TestIntelRootIsPinned(t *testing.T) {
	r := intelRoot()
	if r == nil {
		t.Fatal("the embedded Intel SGX Root CA does not parse")
	}
	if sum := sha256.Sum256(r.Raw); hex.EncodeToString(sum[:]) != tdx.IntelSGXRootSHA256 {
		t.Errorf("embedded Intel root's SHA-256 %x, pinned %s", sum, tdx.IntelSGXRootSHA256)
	}
}

func readCerts(t *testing.T, name string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realdata.Dir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := certs.FromPEM(b)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// AMD's bundles for every product line and key type verify to the built-in ARKs; Intel's
// chains to its pinned root, until they expire.
func TestRealChains(t *testing.T) {
	for _, name := range []string{"amd-ask_ark_milan.pem", "amd-ask_ark_genoa.pem", "amd-ask_ark_turin_vcek.pem", "amd-ask_ark_milan_vlek.pem",
		"amd-ask_ark_genoa_vlek.pem", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem", "intel-pck-chain-from-aztdx-trustee-6332533d.pem", "intel-tcb-signing-chain.pem"} {
		c := only(t, Checks(Input{Certs: readCerts(t, name), Now: t0}), IDChain)
		if c.Verdict != check.Pass {
			t.Errorf("%s: %s %s", name, c.Verdict, c.Summary)
		}
	}
	late := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	if c := only(t, Checks(Input{Certs: readCerts(t, "intel-tcb-signing-chain.pem"), Now: late}), IDChain); c.Verdict != check.Fail || !strings.Contains(c.Summary, "2025-05-21") {
		t.Errorf("expired TCB signing chain: %s %s", c.Verdict, c.Summary)
	}
	crl, err := os.ReadFile(filepath.Join(realdata.Dir(t), "intel-pck-platform-crl.der"))
	if err != nil {
		t.Fatal(err)
	}
	l := Checks(Input{Certs: readCerts(t, "intel-pck-chain-from-aztdx-trustee-6332533d.pem"), CRLs: [][]byte{crl}, Now: t0})
	if only(t, l, IDCRLSignature).Verdict != check.Pass || only(t, l, IDCRLFresh).Verdict != check.Pass || only(t, l, IDChain).Verdict != check.Pass {
		t.Errorf("PCK chain with its CRL: %v", l)
	}
	if c := only(t, Checks(Input{CRLs: [][]byte{crl}, Now: t0}), IDCRLSignature); c.Verdict != check.Fail || !strings.Contains(c.Summary, "SGX-PCK-CRL-Issuer-Chain") {
		t.Errorf("PCK CRL alone: %s %s", c.Verdict, c.Summary)
	}
	// Intel's root CA CRL is signed by the built-in root; AMD's would be by a built-in ARK.
	rootCRL, err := os.ReadFile(filepath.Join(realdata.Dir(t), "intel-root-ca-crl.der"))
	if err != nil {
		t.Fatal(err)
	}
	if c := only(t, Checks(Input{CRLs: [][]byte{rootCRL}, Now: t0}), IDCRLSignature); c.Verdict != check.Pass || !strings.Contains(c.Summary, "built in") {
		t.Errorf("root CA CRL alone: %s %s", c.Verdict, c.Summary)
	}
	// Intel's TCB info and QE identity with the TCB signing chain (signed 2025-02-13, before
	// the signing certificate expired); alone, they fail.
	for _, f := range []string{"intel-tdx-tcbinfo-00806f050000.json", "intel-tdx-qeidentity.json"} {
		doc, err := os.ReadFile(filepath.Join(realdata.Dir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		in := Input{Certs: readCerts(t, "intel-tcb-signing-chain.pem"), Now: t0}
		alone := Input{Now: t0}
		if strings.Contains(f, "tcbinfo") {
			in.TCBInfo, alone.TCBInfo = doc, doc
		} else {
			in.QEIdentity, alone.QEIdentity = doc, doc
		}
		if c := only(t, Checks(in), IDCollateralSig); c.Verdict != check.Pass || !strings.Contains(c.Summary, "Intel SGX TCB Signing → Intel's SGX Root CA (built in") {
			t.Errorf("%s with its signing chain: %s %s", f, c.Verdict, c.Summary)
		}
		if c := only(t, Checks(alone), IDCollateralSig); c.Verdict != check.Fail {
			t.Errorf("%s alone: %s %s", f, c.Verdict, c.Summary)
		}
		// The PCK chain is Intel's too, but its certificates did not sign the collateral.
		wrong := alone
		wrong.Certs = readCerts(t, "intel-pck-chain-from-aztdx-trustee-6332533d.pem")
		if c := only(t, Checks(wrong), IDCollateralSig); c.Verdict != check.Fail || !strings.Contains(c.Summary, "verifies with none") {
			t.Errorf("%s with the PCK chain: %s %s", f, c.Verdict, c.Summary)
		}
	}
}

// AMD's CRLs are signed by an ARK: the simulated ARK's verifies when the caller trusts it,
// and fails against AMD's own ARK of the same name otherwise.
func TestAMDCRL(t *testing.T) {
	amd, err := simroots.NewAMD([]byte("pki test seed"))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := amd.CRL(t0, amd.ASK.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Now: t0.Add(time.Hour), CRLs: [][]byte{crl}, Extra: []*x509.Certificate{amd.ARK, amd.ASK}}
	if c := only(t, Checks(in), IDCRLSignature); c.Verdict != check.Pass || !strings.Contains(c.Summary, "--trust-simulated") {
		t.Errorf("simulated ARK's CRL, trusted: %s %s", c.Verdict, c.Summary)
	}
	in.Certs = []*x509.Certificate{amd.VCEK}
	if c := only(t, Checks(in), IDChain); c.Verdict != check.Fail || !strings.Contains(c.Summary, "SEV-Milan is revoked") {
		t.Errorf("ASK listed in the trusted ARK's CRL: %s %s", c.Verdict, c.Summary)
	}
	if c := only(t, Checks(Input{Now: in.Now, CRLs: in.CRLs}), IDCRLSignature); c.Verdict != check.Fail || c.Subject != "ARK-Milan" {
		t.Errorf("simulated ARK's CRL against AMD's ARKs: %s %s", c.Verdict, c.Summary)
	}
}
