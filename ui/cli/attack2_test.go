//go:build unix

package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	attestpb "github.com/google/go-tpm-tools/proto/attest"
	"google.golang.org/protobuf/proto"
)

// attackRow is evidence an attacker forged or tampered with, in one of the formats cvmscope
// reads: inspect must not exit 0, and the check that catches it must say so.
type attackRow struct {
	name  string
	files map[string][]byte
	flags []string
	code  int
	id    string // the failing check (code 2), or the passing one a control row relies on
	say   string // when set, what that check's summary must say (the reason, not another flaw)
}

// issue makes a certificate for pub, signed by signer (self-signed when parent is nil).
func issue(t *testing.T, cn, issuerCN string, pub any, signer any, parent *x509.Certificate, ca bool) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		Issuer: pkix.Name{CommonName: issuerCN}, NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true, IsCA: ca, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func attackRows(t *testing.T) []attackRow {
	var rows []attackRow
	add := func(r ...attackRow) { rows = append(rows, r...) }
	trust := []string{"--trust-simulated"}
	for _, tee := range []string{"sevsnp", "tdx"} {
		s := simEvidence(t, t.TempDir(), tee)
		hw := "snp.chain"
		if tee == "tdx" {
			hw = "tdx.quote.signature"
		}
		// Simulated hardware evidence in another tool's format rests on public test roots:
		// without --trust-simulated those are the data's own anchors.
		for v := 0; v <= 2; v++ {
			add(attackRow{name: tee + ": trustee v" + string(rune('0'+v)) + " on test roots", files: map[string][]byte{"evidence.json": trusteeJSON(t, s, v)}, code: 2, id: hw})
		}
		if tee == "sevsnp" {
			add(attackRow{name: tee + ": Constellation document on test roots", files: map[string][]byte{"attdoc.json": constellationDoc(t, s, s.HCLReport[32:1216])}, code: 2, id: hw})
		} else {
			add(attackRow{name: tee + ": TD quote on the test PCK chain", files: map[string][]byte{"td.quote": s.TDQuote}, code: 2, id: hw})
		}

		// go-tpm-tools attestation: the AK certificate is the quote's only link to a CA.
		ak, err := tpmquote.ParsePublic(s.AKPub)
		if err != nil {
			t.Fatal(err)
		}
		forger, _ := rsa.GenerateKey(rand.Reader, 2048)
		selfIssued := issue(t, "Azure Virtual TPM AK", "Azure Virtual TPM AK", ak, forger, nil, false)
		forgedCA := issue(t, "Azure Virtual TPM Root Certificate Authority 2023", "Azure Virtual TPM Root Certificate Authority 2023", &forger.PublicKey, forger, nil, true)
		byForgedCA := issue(t, "Azure Virtual TPM AK", forgedCA.Subject.CommonName, ak, forger, forgedCA, false)
		with := func(cert []byte) []byte {
			f := *s
			f.AKCert = cert
			return goTPMAttestation(t, &f)
		}
		add(attackRow{name: tee + ": go-tpm attestation, self-issued AK certificate", files: map[string][]byte{"attestation.pb": with(selfIssued.Raw)}, code: 2, id: "ak.certificate", say: "self-signed"},
			attackRow{name: tee + ": go-tpm attestation, AK certificate from a forged Azure-named CA, test roots trusted", files: map[string][]byte{"attestation.pb": with(byForgedCA.Raw)}, flags: trust, code: 2, id: "ak.certificate", say: "not issued by a vTPM CA you trust"},
			attackRow{name: tee + ": go-tpm attestation, forged CA given beside it, test roots trusted", files: map[string][]byte{"attestation.pb": with(byForgedCA.Raw), "ca.pem": certsPEM([][]byte{forgedCA.Raw})}, flags: trust, code: 2, id: "ak.certificate"},
			// Control: the simulated vTPM CA's certificate passes when its root is trusted.
			attackRow{name: tee + ": control: go-tpm attestation on trusted test roots", files: map[string][]byte{"attestation.pb": goTPMAttestation(t, s)}, flags: trust, code: 0, id: "ak.certificate"},
			// Nothing binds a go-tpm attestation's AK to hardware: with no vTPM root chosen its
			// certificate is an unchecked claim, whoever issued it.
			attackRow{name: tee + ": go-tpm attestation, simulated vTPM CA, no root chosen", files: map[string][]byte{"attestation.pb": goTPMAttestation(t, s)}, code: 2, id: "ak.certificate", say: "not checked against a root you chose"},
			attackRow{name: tee + ": go-tpm attestation, forged Azure-named CA, no root chosen", files: map[string][]byte{"attestation.pb": with(byForgedCA.Raw)}, code: 2, id: "ak.certificate", say: "not checked against a root you chose"})

		// A two-level chain under a root named as Azure's: it passes only when that very root
		// (and its issuing CA) is what --vtpm-root gives.
		rootKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		azRoot := issue(t, "Azure Virtual TPM Root Certificate Authority 2023", "Azure Virtual TPM Root Certificate Authority 2023", &rootKey.PublicKey, rootKey, nil, true)
		caKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		azCA := issue(t, "Azure Virtual TPM CA - 01", azRoot.Subject.CommonName, &caKey.PublicKey, rootKey, azRoot, true)
		akCert := issue(t, "Azure Virtual TPM AK", azCA.Subject.CommonName, ak, caKey, azCA, false)
		sameName := issue(t, azRoot.Subject.CommonName, azRoot.Subject.CommonName, &forger.PublicKey, forger, nil, true)
		roots := t.TempDir()
		chosen := write(t, roots, "azure-vtpm.pem", certsPEM([][]byte{azCA.Raw, azRoot.Raw}))
		impostor := write(t, roots, "impostor.pem", certsPEM([][]byte{sameName.Raw}))
		rootOnly := write(t, roots, "root-only.pem", certsPEM([][]byte{azRoot.Raw}))
		leaf := write(t, roots, "ak.pem", certsPEM([][]byte{akCert.Raw}))
		pb := with(akCert.Raw)
		// carrying is the attestation with intermediates, as go-tpm-tools' IntermediateCerts.
		carrying := func(cert []byte, inters ...[]byte) []byte {
			f := *s
			f.AKCert = cert
			a := goTPM(t, &f, nil).(*attestpb.Attestation)
			a.IntermediateCerts = inters
			out, err := proto.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		add(attackRow{name: tee + ": control: go-tpm attestation, its root and CA given with --vtpm-root", files: map[string][]byte{"attestation.pb": pb}, flags: []string{"--vtpm-root", chosen}, code: 0, id: "ak.certificate"},
			attackRow{name: tee + ": go-tpm attestation, another root of the same name given with --vtpm-root", files: map[string][]byte{"attestation.pb": pb}, flags: []string{"--vtpm-root", impostor}, code: 2, id: "ak.certificate", say: "not issued by a vTPM CA you trust"},
			attackRow{name: tee + ": go-tpm attestation, the root given without the CA between", files: map[string][]byte{"attestation.pb": pb}, flags: []string{"--vtpm-root", rootOnly}, code: 2, id: "ak.certificate", say: "not issued by a vTPM CA you trust"},
			attackRow{name: tee + ": control: go-tpm attestation carrying its CA, the root given with --vtpm-root", files: map[string][]byte{"attestation.pb": carrying(akCert.Raw, azCA.Raw)}, flags: []string{"--vtpm-root", rootOnly}, code: 0, id: "ak.certificate"},
			attackRow{name: tee + ": go-tpm attestation carrying its CA and root, no root chosen", files: map[string][]byte{"attestation.pb": carrying(akCert.Raw, azCA.Raw, azRoot.Raw)}, code: 2, id: "ak.certificate", say: "not checked against a root you chose"},
			attackRow{name: tee + ": go-tpm attestation, the simulated roots trusted but not this one", files: map[string][]byte{"attestation.pb": pb}, flags: trust, code: 2, id: "ak.certificate", say: "not issued by a vTPM CA you trust"},
			attackRow{name: tee + ": --vtpm-root given an AK certificate (not a CA)", files: map[string][]byte{"attestation.pb": pb}, flags: []string{"--vtpm-root", leaf}, code: 1},
			attackRow{name: tee + ": --vtpm-root given no file", files: map[string][]byte{"attestation.pb": pb}, flags: []string{"--vtpm-root", filepath.Join(roots, "missing.pem")}, code: 1})
	}

	// A chain that ends at a root the data carries.
	rootKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	root := issue(t, "AMD-Milan ARK", "AMD-Milan ARK", &rootKey.PublicKey, rootKey, nil, true)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	leaf := issue(t, "SEV-Milan VCEK", root.Subject.CommonName, &leafKey.PublicKey, rootKey, root, false)
	add(attackRow{name: "chain ending at a root inside the data", files: map[string][]byte{"chain.pem": certsPEM([][]byte{leaf.Raw, root.Raw})}, code: 2, id: "certs.chain", say: "unknown authority"},
		attackRow{name: "self-signed root alone", files: map[string][]byte{"root.pem": certsPEM([][]byte{root.Raw})}, code: 2, id: "certs.chain"})

	// A CRL with an empty issuer, signed by a key in the data.
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour)},
		&x509.Certificate{Subject: pkix.Name{}, KeyUsage: x509.KeyUsageCRLSign, SubjectKeyId: []byte{1}}, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	add(attackRow{name: "CRL with no issuer", files: map[string][]byte{"crl.der": crl}, code: 2, id: "crl.signature", say: "neither given nor built in"},
		attackRow{name: "CRL with no issuer beside a self-made root", files: map[string][]byte{"crl.der": crl, "root.pem": certsPEM([][]byte{root.Raw})}, code: 2, id: "crl.signature"})

	// Intel collateral signed by a key the data carries: a TCB signing chain of its own up to a
	// root named as Intel's.
	raw, err := os.ReadFile(filepath.Join(realDir(t), "intel-tdx-tcbinfo-00806f050000.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TCBInfo json.RawMessage `json:"tcbInfo"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	intelRoot := issue(t, "Intel SGX Root CA", "Intel SGX Root CA", &p256.PublicKey, p256, nil, true)
	signer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signCert := issue(t, "Intel SGX TCB Signing", intelRoot.Subject.CommonName, &signer.PublicKey, p256, intelRoot, false)
	h := sha256.Sum256(doc.TCBInfo)
	r, sv, err := ecdsa.Sign(rand.Reader, signer, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := append(r.FillBytes(make([]byte, 32)), sv.FillBytes(make([]byte, 32))...)
	forged := []byte(`{"tcbInfo":` + string(doc.TCBInfo) + `,"signature":"` + hex.EncodeToString(sig) + `"}`)
	add(attackRow{name: "TCB info signed by a chain in the data", files: map[string][]byte{"tcbinfo.json": forged, "signing.pem": certsPEM([][]byte{signCert.Raw, intelRoot.Raw})}, code: 2, id: "tdx.collateral.signature", say: "unknown authority"},
		attackRow{name: "TCB info signed by a key in the data, its leaf alone", files: map[string][]byte{"tcbinfo.json": forged, "signing.pem": certsPEM([][]byte{signCert.Raw})}, code: 2, id: "tdx.collateral.signature", say: "unknown authority"})

	// An unsigned token (alg none), such as MAA's answer to a draft policy.
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(`{"iss":"https://sharedeus.eus.attest.azure.net","x-ms-attestation-type":"sevsnpvm","exp":4102444800,"iat":1700000000}`)) + "."
	add(attackRow{name: "unsigned token (alg none)", files: map[string][]byte{"token.jwt": []byte(none)}, flags: []string{"-a", "https://sharedeus.eus.attest.azure.net"}, code: 2, id: "jwt.signature", say: `alg "none"`})
	return rows
}

func TestAttackForgedEvidence(t *testing.T) {
	for _, row := range attackRows(t) {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"inspect", "-o", "json"}, row.flags...)
			for _, name := range sortedNames(row.files) {
				args = append(args, write(t, dir, name, row.files[name]))
			}
			r := runCLI(t, args...)
			if r.code != row.code {
				t.Fatalf("exit %d, want %d; failing: %s\n%s", r.code, row.code, attackFailing(r), r.stderr)
			}
			want := check.Fail
			if row.code == 0 {
				want = check.Pass
			}
			if row.id != "" && r.verdict(row.id) != want {
				t.Fatalf("%s is %s, want %s; failing: %s", row.id, r.verdict(row.id), want, attackFailing(r))
			}
			for _, c := range r.report.Checks {
				if c.ID == row.id && c.Verdict == check.Fail && row.say != "" && !strings.Contains(c.Summary, row.say) {
					t.Errorf("%s says %q, want it to say %q", row.id, c.Summary, row.say)
				}
			}
			if row.code == 0 {
				return
			}
			// -o bool must not say true for any of it.
			b := runCLI(t, append([]string{"inspect", "-o", "bool"}, args[3:]...)...)
			if strings.TrimSpace(b.stdout) == "true" {
				t.Errorf("-o bool printed true (exit %d)", b.code)
			}
		})
	}
}

func attackFailing(r result) string {
	var ids []string
	for _, c := range r.report.Checks {
		if c.Verdict == check.Fail {
			ids = append(ids, c.ID+": "+c.Summary)
		}
	}
	return strings.Join(ids, "; ")
}

// --emulator-ca must never vouch for an Azure provider, however its name is spelled.
func TestAttackEmulatorCAForAzureName(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := write(t, dir, "ca.pem", certsPEM([][]byte{issue(t, "evil", "evil", &key.PublicKey, key, nil, true).Raw}))
	tok := write(t, dir, "token.jwt", []byte("e30.e30."))
	for _, a := range []string{"https://sharedeus.eus.attest.azure.net", "https://X.EUS.ATTEST.AZURE.NET.", "x.eus.attest.azure.net..",
		"https://x.eus.attest.azure.net.:443", "https://x.attest.azure.us.", "https://x.eus.attest.azure.net:443/"} {
		flags := []string{"--emulator-ca", ca, "-a", a}
		for _, args := range [][]string{append([]string{"verify", tok}, flags...), append([]string{"inspect", tok}, flags...), append([]string{"--platform", "sim", "-o", "json"}, flags...)} {
			r := runCLI(t, args...)
			if r.code != 1 || !strings.Contains(r.stderr+r.stdout, "never") {
				t.Errorf("-a %s %s: exit %d, want 1 refusing the test CA\n%s", a, args[0], r.code, r.stderr)
			}
		}
	}
}
