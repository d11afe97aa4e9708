package simroots

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// AKCertValidity is how long an issued AK certificate is valid. Azure renews AK certificates
// (protocol §1.6), so they are short-lived compared with the roots.
const AKCertValidity = 365 * 24 * time.Hour

// AKCertCNSuffix follows the vm id in an AK certificate's CN, in place of Azure's
// ".TrustedVM.Azure.windows.net".
const AKCertCNSuffix = ".TrustedVM.Azure.simulated"

// oidTCGKpAIKCertificate is the TCG extended key usage for attestation-key certificates.
var oidTCGKpAIKCertificate = asn1.ObjectIdentifier{2, 23, 133, 8, 3}

// VTPMCA is the simulated vTPM certificate authority that issues the AK certificate stored in
// NV 0x01C101D0.
type VTPMCA struct {
	Root, Intermediate *x509.Certificate

	key *rsa.PrivateKey
}

// NewVTPMCA returns the simulated vTPM CA. Its keys and certificates are fixed test material,
// the same for every seed, so a verifier can pin one simulated root; seed must still be
// non-empty, as for every simulated root.
func NewVTPMCA(seed []byte) (*VTPMCA, error) {
	if err := checkSeed(seed); err != nil {
		return nil, err
	}
	v, err := vtpmCA()
	if err != nil {
		return nil, err
	}
	c := *v
	return &c, nil
}

// vtpmCA reads the CA once per process: its certificates are embedded, not built, since
// the two RSA signatures cost more than the rest of a simulated CVM's roots;
// TestEmbeddedVTPMCA proves that buildVTPMCA reproduces them byte for byte.
var vtpmCA = sync.OnceValues(func() (*VTPMCA, error) {
	root, err := embeddedCert(certVTPMRoot)
	if err != nil {
		return nil, err
	}
	inter, err := embeddedCert(certVTPMInterCA)
	if err != nil {
		return nil, err
	}
	key, err := testKey(keyVTPMInterCA)
	if err != nil {
		return nil, err
	}
	return &VTPMCA{Root: root, Intermediate: inter, key: key}, nil
})

func buildVTPMCA() (*VTPMCA, error) {
	rootKey, err := testKey(keyVTPMRoot)
	if err != nil {
		return nil, err
	}
	interKey, err := testKey(keyVTPMInterCA)
	if err != nil {
		return nil, err
	}
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x5654_0001),
		Subject:               simName("cvmscope SIMULATED Virtual TPM Root CA", RootLabel),
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSA,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	// PKCS #1 v1.5 signatures are deterministic; the reader only keeps every signing path alike.
	root, err := createCert(newDetReader(nil, "vtpm/root"), rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated vTPM root CA: %w", err)
	}
	interTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x5654_0002),
		Subject:               simName("cvmscope SIMULATED Virtual TPM CA - 01", RootLabel),
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSA,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	inter, err := createCert(newDetReader(nil, "vtpm/intermediate"), interTmpl, root, &interKey.PublicKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated vTPM intermediate CA: %w", err)
	}
	return &VTPMCA{Root: root, Intermediate: inter, key: interKey}, nil
}

// IssueAKCert issues the DER AK certificate for a vTPM attestation key: CN=<vmID>.TrustedVM.Azure.simulated,
// issued by the intermediate, valid from notBefore (truncated to seconds) for AKCertValidity.
// The same inputs give the same bytes. Verify it with ExtKeyUsageAny: it carries the TCG AIK
// extended key usage (2.23.133.8.3), not a TLS one.
func (c *VTPMCA) IssueAKCert(ak *rsa.PublicKey, vmID string, notBefore time.Time) ([]byte, error) {
	if ak == nil || ak.N == nil {
		return nil, fmt.Errorf("simroots: IssueAKCert: no AK public key")
	}
	if ak.N.BitLen() < 2048 {
		return nil, fmt.Errorf("simroots: IssueAKCert: AK is RSA-%d; Azure AKs are RSA-2048", ak.N.BitLen())
	}
	if err := checkVMID(vmID); err != nil {
		return nil, err
	}
	notBefore = notBefore.UTC().Truncate(time.Second)
	if notBefore.Before(c.Intermediate.NotBefore) || !notBefore.Before(c.Intermediate.NotAfter) {
		return nil, fmt.Errorf("simroots: IssueAKCert: notBefore %s is outside the simulated CA's validity %s to %s",
			notBefore.Format(time.RFC3339), c.Intermediate.NotBefore.Format(time.RFC3339), c.Intermediate.NotAfter.Format(time.RFC3339))
	}
	notAfter := notBefore.Add(AKCertValidity)
	if notAfter.After(c.Intermediate.NotAfter) {
		notAfter = c.Intermediate.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          akSerial(ak, vmID, notBefore),
		Subject:               simName(vmID+AKCertCNSuffix, LeafLabel),
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidTCGKpAIKCertificate},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(newDetReader(nil, "vtpm/ak"), tmpl, c.Intermediate, ak, c.key)
	if err != nil {
		return nil, fmt.Errorf("simroots: issuing the AK certificate for vm %s: %w", vmID, err)
	}
	return der, nil
}

// ChainPEM returns the intermediate then the root, the order a verifier fetches them in.
func (c *VTPMCA) ChainPEM() []byte {
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Intermediate.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Root.Raw})...)
}

// akSerial is fixed by the certificate's content so reissuing gives the same certificate,
// and positive with exactly 127 bits, as RFC 5280 asks. Bit 126 is set so the serial never
// loses a leading zero byte: with the hash's first byte left as it came, one notBefore second
// in 256 gave a 15-byte serial and a certificate one byte shorter, so the AK certificate's
// size (shown in the request's AikCert) depended on the second the simulated CVM started.
func akSerial(ak *rsa.PublicKey, vmID string, notBefore time.Time) *big.Int {
	h := sha256.New()
	h.Write(ak.N.Bytes())
	fmt.Fprintf(h, "|%d|%s|%d", ak.E, vmID, notBefore.Unix())
	sum := h.Sum(nil)[:16]
	sum[0] = sum[0]&0x7F | 0x40
	return new(big.Int).SetBytes(sum)
}

func checkVMID(vmID string) error {
	if vmID == "" || len(vmID) > 64 {
		return fmt.Errorf("simroots: IssueAKCert: vm id %q must be 1 to 64 characters (Azure uses a GUID)", vmID)
	}
	for i, r := range vmID {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return fmt.Errorf("simroots: IssueAKCert: vm id %q has %q at position %d; use letters, digits and '-' (a GUID)", vmID, r, i)
		}
	}
	return nil
}
