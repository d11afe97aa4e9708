package simroots

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"sync"

	"github.com/veraison/go-cose"
)

// Names of the embedded keys of the simulated paravisor-endorsement PKI.
const (
	keyEndorseRoot   = "paravisor-endorsement-root"
	keyEndorseCA     = "paravisor-endorsement-ca"
	keyEndorseSigner = "paravisor-endorsement-signer"
)

// Keys of the simulated endorsement payload. Azure's THIM serves its TDX paravisor
// endorsements (GET https://<region>.thim.azure.net/endorsement/tdx/<MRTD>) as a COSE_Sign1
// with a JSON payload (AZ-RS endorsement.rs reads it with serde_json), but no published
// sample shows the payload's keys. These follow the one Microsoft endorsement whose payload
// is public, the Confidential ACI/AKS utility-VM "reference info" ({"x-ms-sevsnpvm-guestsvn":
// "…", "x-ms-sevsnpvm-launchmeasurement": "<hex>"}, COSE_Sign1, PS384, x5chain), with the TDX
// measurement in place of the SNP one. attestation/tdx reads any key naming an MRTD.
const (
	EndorsementMRTDKey   = "x-ms-tdx-mrtd"
	EndorsementSVNKey    = "x-ms-tdx-svn"
	EndorsementSVNIntKey = "x-ms-tdx-svn-int"
	// EndorsementContentType is the COSE content type (header 3) of the payload.
	EndorsementContentType = "application/json"
)

// Endorser is the simulated Microsoft signer of Azure paravisor (HCL) MRTD endorsements:
// an RSA-3072 key signing COSE_Sign1 documents with PS384, certified by a simulated
// three-level chain shaped like the one behind Microsoft's utility-VM reference info
// (signer ← "SCD Systems RSA CA" ← "Supply Chain RSA Root CA 2022"). Every certificate
// says SIMULATED; nothing it signs is Microsoft's.
type Endorser struct {
	Root, Intermediate, Leaf *x509.Certificate

	key *rsa.PrivateKey // set by buildEndorser; the embedded endorser reads it when it signs
}

// NewEndorser returns the simulated endorser. Like the other simulated roots it is the same
// for every seed (one signer endorses every Azure paravisor release); seed must be non-empty.
func NewEndorser(seed []byte) (*Endorser, error) {
	if err := checkSeed(seed); err != nil {
		return nil, err
	}
	v, err := endorser()
	if err != nil {
		return nil, err
	}
	e := *v
	return &e, nil
}

// endorser reads the chain once per process. Its certificates are embedded, not built:
// three RSA-3072 keys checked and three signatures cost about 10 ms at every start of the
// simulated TDX flow. TestEmbeddedEndorser proves that buildEndorser makes them byte for byte.
var endorser = sync.OnceValues(func() (*Endorser, error) {
	var e Endorser
	var err error
	for _, c := range []struct {
		name string
		to   **x509.Certificate
	}{{certEndorseRoot, &e.Root}, {certEndorseCA, &e.Intermediate}, {certEndorseLeaf, &e.Leaf}} {
		if *c.to, err = embeddedCert(c.name); err != nil {
			return nil, err
		}
	}
	return &e, nil
})

// signingKey is the leaf's key. Parsing it checks an RSA-3072 key (about 1 ms), which a run
// that serves only the embedded default endorsement never needs.
func (e *Endorser) signingKey() (*rsa.PrivateKey, error) {
	if e.key != nil {
		return e.key, nil
	}
	k, err := testKey(keyEndorseSigner)
	if err != nil {
		return nil, err
	}
	if !k.PublicKey.Equal(e.Leaf.PublicKey) {
		return nil, fmt.Errorf("simroots: the embedded %s does not certify the endorsement signing key; regenerate it (see its header)", fmt.Sprintf(testCertFilePath, certEndorseLeaf))
	}
	return k, nil
}

// The default seed's endorsement: its paravisor MRTD at SVN 1, what the IMDS emulator serves
// in every simulated TDX flow. RSA-PSS signing with RSA-3072 cost about 3 ms at each start;
// the document is the same bytes every time (the salt comes from the payload), so it is
// embedded. TestEmbeddedDefaultEndorsement proves that signing its payload makes it byte for
// byte; hw/simcvm's TestDefaultEndorsementServed that the default seed's MRTD is its subject.
//
//go:embed simulated_test_keys/SIMULATED-TEST-ENDORSEMENT-default-seed.cose
var defaultEndorsementDoc []byte

// DefaultEndorsementPayload is the payload of the embedded default-seed endorsement (nil if
// it does not decode, and then every endorsement is signed).
var DefaultEndorsementPayload = sync.OnceValue(func() []byte {
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(defaultEndorsementDoc); err != nil {
		return nil
	}
	return msg.Payload
})

func buildEndorser() (*Endorser, error) {
	var keys [3]*rsa.PrivateKey
	for i, n := range []string{keyEndorseRoot, keyEndorseCA, keyEndorseSigner} {
		k, err := parseTestKey(n)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x4D53_0001), // "MS"
		Subject:               simName("cvmscope SIMULATED Microsoft Supply Chain RSA Root CA 2022", RootLabel),
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSA,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	// PKCS #1 v1.5 certificate signatures are deterministic; the reader only keeps every
	// signing path alike.
	root, err := createCert(newDetReader(nil, "endorse/root"), rootTmpl, rootTmpl, &keys[0].PublicKey, keys[0])
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated endorsement root: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x4D53_0002),
		Subject:               simName("cvmscope SIMULATED Microsoft SCD Systems RSA CA", RootLabel),
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSA,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	ca, err := createCert(newDetReader(nil, "endorse/ca"), caTmpl, root, &keys[1].PublicKey, keys[0])
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated endorsement CA: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x4D53_0003),
		Subject:               simName("cvmscope SIMULATED Azure paravisor (HCL) TDX endorsement signer", LeafLabel),
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	leaf, err := createCert(newDetReader(nil, "endorse/leaf"), leafTmpl, ca, &keys[2].PublicKey, keys[1])
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated endorsement signer: %w", err)
	}
	return &Endorser{Root: root, Intermediate: ca, Leaf: leaf, key: keys[2]}, nil
}

// Certificate is the signing certificate, carried first in each endorsement's x5chain.
func (e *Endorser) Certificate() *x509.Certificate { return e.Leaf }

// Chain is the x5chain of every endorsement: signer, CA, root.
func (e *Endorser) Chain() []*x509.Certificate {
	return []*x509.Certificate{e.Leaf, e.Intermediate, e.Root}
}

// Roots is a pool holding only the simulated endorsement root: what a verifier of simulated
// endorsements trusts (tdx.EndorsementOptions.Roots).
func (e *Endorser) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(e.Root)
	return p
}

// Sign endorses one paravisor MRTD (48 bytes) at security version svn: a tagged COSE_Sign1
// with alg PS384, content type application/json and the x5chain in the protected header,
// over {"x-ms-tdx-mrtd": "<hex>", "x-ms-tdx-svn": "<svn>", "x-ms-tdx-svn-int": svn}. The
// RSA-PSS salt comes from a stream keyed by the payload, so the same input gives the same
// bytes.
func (e *Endorser) Sign(mrtd []byte, svn int) ([]byte, error) {
	if len(mrtd) != 48 {
		return nil, fmt.Errorf("simroots: Endorser.Sign: MRTD is %d bytes, want 48 (SHA-384)", len(mrtd))
	}
	if svn < 0 {
		return nil, fmt.Errorf("simroots: Endorser.Sign: SVN %d is negative", svn)
	}
	payload, err := json.Marshal(map[string]any{
		EndorsementMRTDKey:   hex.EncodeToString(mrtd),
		EndorsementSVNKey:    strconv.Itoa(svn),
		EndorsementSVNIntKey: svn,
	})
	if err != nil {
		return nil, fmt.Errorf("simroots: endorsement payload: %w", err)
	}
	if p := DefaultEndorsementPayload(); p != nil && bytes.Equal(p, payload) {
		return bytes.Clone(defaultEndorsementDoc), nil
	}
	return e.sign(payload)
}

// sign makes the COSE_Sign1 of Sign over payload.
func (e *Endorser) sign(payload []byte) ([]byte, error) {
	key, err := e.signingKey()
	if err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(cose.AlgorithmPS384, key)
	if err != nil {
		return nil, fmt.Errorf("simroots: endorsement signer: %w", err)
	}
	var chain []any
	for _, c := range e.Chain() {
		chain = append(chain, c.Raw)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected = cose.ProtectedHeader{
		cose.HeaderLabelAlgorithm:   cose.AlgorithmPS384,
		cose.HeaderLabelContentType: EndorsementContentType,
		cose.HeaderLabelX5Chain:     chain,
	}
	msg.Payload = payload
	if err := msg.Sign(newDetReader(payload, "endorse/pss-salt"), nil, signer); err != nil {
		return nil, fmt.Errorf("simroots: signing the endorsement: %w", err)
	}
	b, err := msg.MarshalCBOR()
	if err != nil {
		return nil, fmt.Errorf("simroots: encoding the endorsement: %w", err)
	}
	return b, nil
}
