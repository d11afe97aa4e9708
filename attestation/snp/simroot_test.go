package snp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// These tests pin down what a simulated AMD root may look like for go-sev-guest to accept the
// chain under it (the simulated CVM needs this): they build a chain with real keys, sign a
// report with it, and verify.

func amdName(cn string) pkix.Name {
	return pkix.Name{Country: []string{"US"}, Locality: []string{"Santa Clara"}, Province: []string{"CA"},
		Organization: []string{"Advanced Micro Devices"}, OrganizationalUnit: []string{"Engineering"}, CommonName: cn}
}

// described adds a description attribute (2.5.4.13) with the SIMULATED label.
func described(n pkix.Name) pkix.Name {
	n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 13}, Value: "SIMULATED cvmscope test root"})
	return n
}

type simNames struct{ ark, ask, vcek pkix.Name }

// simKeys are generated once: RSA-4096 generation would dominate the test time otherwise.
var simKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, *ecdsa.PrivateKey) {
	ark, _ := rsa.GenerateKey(rand.Reader, 2048)
	ask, _ := rsa.GenerateKey(rand.Reader, 2048)
	vcek, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	return [2]*rsa.PrivateKey{ark, ask}, vcek
})

// simChain issues ARK → ASK → VCEK for the report's chip and TCB, and re-signs the report.
func simChain(t *testing.T, r *Report, n simNames) (*Report, *x509.Certificate, *x509.Certificate, *x509.Certificate) {
	t.Helper()
	rsaKeys, vcekKey := simKeys()
	notBefore, notAfter := when.Add(-24*time.Hour), when.Add(365*24*time.Hour)
	ca := func(serial int64, subj pkix.Name) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: subj, NotBefore: notBefore, NotAfter: notAfter,
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			SignatureAlgorithm: x509.SHA384WithRSAPSS}
	}
	mk := func(tmpl, parent *x509.Certificate, pub any, priv any) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	arkT := ca(1, n.ark)
	ark := mk(arkT, arkT, &rsaKeys[0].PublicKey, rsaKeys[0])
	ask := mk(ca(2, n.ask), ark, &rsaKeys[1].PublicKey, rsaKeys[0])

	// A VCEK may carry only AMD's KDS extensions (plus authority key id): go-sev-guest
	// rejects any other extension, so no key usage, basic constraints or SAN.
	tcb := kds.DecomposeTCBVersion(kds.TCBVersion(r.Proto.GetReportedTcb()))
	u8 := func(v uint8) []byte { b, _ := asn1.Marshal(int(v)); return b }
	name, _ := asn1.MarshalWithParams("Milan-B0", "ia5")
	hwid, _ := asn1.Marshal(r.ChipID())
	exts := []pkix.Extension{
		{Id: kds.OidStructVersion, Value: u8(1)}, {Id: kds.OidProductName1, Value: name},
		{Id: kds.OidBlSpl, Value: u8(tcb.BlSpl)}, {Id: kds.OidTeeSpl, Value: u8(tcb.TeeSpl)},
		{Id: kds.OidSnpSpl, Value: u8(tcb.SnpSpl)}, {Id: kds.OidSpl4, Value: u8(tcb.Spl4)},
		{Id: kds.OidSpl5, Value: u8(tcb.Spl5)}, {Id: kds.OidSpl6, Value: u8(tcb.Spl6)},
		{Id: kds.OidSpl7, Value: u8(tcb.Spl7)}, {Id: kds.OidUcodeSpl, Value: u8(tcb.UcodeSpl)},
		{Id: kds.OidHwid, Value: hwid},
	}
	vcek := mk(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: n.vcek, NotBefore: notBefore, NotAfter: notAfter,
		SignatureAlgorithm: x509.SHA384WithRSAPSS, ExtraExtensions: exts}, ask, &vcekKey.PublicKey, rsaKeys[1])

	raw := bytes.Clone(r.Raw)
	digest := sha512.Sum384(raw[:0x2A0])
	R, S, err := ecdsa.Sign(rand.Reader, vcekKey, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := abi.SetSignature(R, S, raw); err != nil {
		t.Fatal(err)
	}
	signed, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return signed, vcek, ask, ark
}

func TestSimulatedRoots(t *testing.T) {
	_, real := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	withSerial := func(n pkix.Name, s string) pkix.Name { n.SerialNumber = s; return n }
	withOU := func(n pkix.Name, ou string) pkix.Name { n.OrganizationalUnit = []string{ou}; return n }
	for _, tc := range []struct {
		name  string
		names simNames
		chain check.Verdict
		why   string // expected in the failure details
	}{
		{"SIMULATED in a description attribute of AMD-named certificates", simNames{
			ark:  described(amdName("ARK-Milan")),
			ask:  described(amdName("SEV-Milan")),
			vcek: described(amdName("SEV-VCEK")),
		}, check.Pass, ""},
		{"SIMULATED in ARK CN, ASK serialNumber and VCEK serialNumber", simNames{
			ark:  pkix.Name{CommonName: "ARK-Milan SIMULATED", Organization: []string{"cvmscope simulated CVM"}},
			ask:  withSerial(amdName("SEV-Milan"), "SIMULATED"),
			vcek: withSerial(amdName("SEV-VCEK"), "SIMULATED"),
		}, check.Pass, ""},
		{"SIMULATED in the ASK CN", simNames{
			ark:  amdName("ARK-Milan SIMULATED"),
			ask:  amdName("SEV-Milan SIMULATED"),
			vcek: amdName("SEV-VCEK"),
		}, check.Fail, "issuer common name SEV-Milan SIMULATED not expected"},
		{"SIMULATED in the ASK OU", simNames{
			ark:  amdName("ARK-Milan SIMULATED"),
			ask:  withOU(amdName("SEV-Milan"), "SIMULATED"),
			vcek: amdName("SEV-VCEK"),
		}, check.Fail, "organizational unit 'SIMULATED' not expected"},
		{"SIMULATED in the VCEK CN", simNames{
			ark:  amdName("ARK-Milan SIMULATED"),
			ask:  amdName("SEV-Milan"),
			vcek: amdName("SEV-VCEK SIMULATED"),
		}, check.Fail, "subject common name SEV-VCEK SIMULATED not expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, vcek, ask, ark := simChain(t, real, tc.names)
			certs := []*x509.Certificate{vcek, ask, ark}
			l := Verify(r, certs, Options{Now: when, ExtraRoots: []Roots{{Product: "Milan", ARK: ark, ASK: ask}}})
			wantVerdicts(t, l, check.Pass, tc.chain)
			c := l.Find(IDChain)[0]
			if tc.chain == check.Pass && !strings.Contains(c.Summary, "simulated test root") {
				t.Errorf("summary must say it is a simulated test root: %q", c.Summary)
			}
			if tc.why != "" && !strings.Contains(strings.Join(c.Details, "\n"), tc.why) {
				t.Errorf("details must contain %q: %v", tc.why, c.Details)
			}
			// Without the extra root nothing vouches for the simulated chain.
			wantVerdicts(t, Verify(r, certs, Options{Now: when}), check.Pass, check.Fail)
		})
	}
}
