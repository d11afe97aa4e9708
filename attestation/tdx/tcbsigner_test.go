package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// resign signs doc's body (under key) again with k: {"<key>": body, "signature": hex(r||s)}.
func resign(t *testing.T, doc []byte, key string, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(map[string]any{key: raw[key], "signature": hex.EncodeToString(rs(t, k, raw[key]))})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Under a root the caller chose, only Intel's TCB signer may sign TCB info and QE identity:
// the same documents signed by the PCK CA the root also issued are refused (as go-tdx-guest
// and Intel's QVL refuse them), and signed by a certificate of the TCB signer's profile they
// are read.
func TestTCBInfoSignedOnlyByTheTCBSigner(t *testing.T) {
	q0 := azureQuote(t)
	p := forgePKI(t, q0, nil)
	q, err := ParseQuote(p.quote(t, q0))
	if err != nil {
		t.Fatal(err)
	}
	real := realCollateral(t)
	with := func(cert *x509.Certificate, k *ecdsa.PrivateKey) *Collateral {
		return &Collateral{TCBInfo: resign(t, real.TCBInfo, "tcbInfo", k), QEIdentity: resign(t, real.QEIdentity, "enclaveIdentity", k),
			SigningChain: bytes.Join([][]byte{pemOf("CERTIFICATE", cert.Raw), pemOf("CERTIFICATE", p.root.Raw)}, nil)}
	}
	opts := func(c *Collateral) Options {
		return Options{Now: collateralDate, Collateral: c, ExtraRoots: []*x509.Certificate{p.root}}
	}

	c := EvaluateTCB(q, opts(with(p.inter, p.interKey)))
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, `the signing certificate is "Intel SGX PCK Platform CA"`) {
		t.Errorf("TCB info signed by the PCK CA: %s %s", c.Verdict, c.Summary)
	}

	signKey := newKey(t)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(9),
		Subject:   pkix.Name{CommonName: "Intel SGX TCB Signing", Organization: []string{"Intel Corporation"}},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature}, p.root, &signKey.PublicKey, p.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if c := EvaluateTCB(q, opts(with(signer, signKey))); strings.Contains(c.Summary, "TCB signing chain") || strings.Contains(c.Summary, "signature does not verify") {
		t.Errorf("TCB info signed by a TCB signer under the chosen root: %s %s", c.Verdict, c.Summary)
	}
}
