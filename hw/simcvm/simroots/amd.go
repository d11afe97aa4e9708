package simroots

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	"github.com/google/go-sev-guest/verify/trust"
)

// Simulated Milan platform, shaped like the Azure Milan hosts seen in real evidence
// (trustee evidence-v0: TCB bl 4 / tee 0 / snp 24 / µcode 219, firmware 1.55.29,
// CPUID family 19h model 01h stepping 1, VCEK productName "Milan-B0").
const (
	productLine        = "Milan"
	vcekProductName    = "Milan-B0"
	defaultReportedTCB = uint64(0xDB18000000000004)
	cpuidFamily        = 0x19
	cpuidModel         = 0x01
	cpuidStepping      = 0x01
	fwBuild            = 0x1D
	fwMinor            = 0x37
	fwMajor            = 0x01
	// PLATFORM_INFO as observed on Azure Milan: SMT enabled, ECC, alias check complete.
	defaultPlatformInfo = uint64(0x25)
)

// Serial numbers copy AMD's (ARK 0x10000, ASK 0x10001, VCEK 0): fixed, so certificates are
// reproducible.
var (
	arkSerial  = big.NewInt(0x10000)
	askSerial  = big.NewInt(0x10001)
	vcekSerial = big.NewInt(0)
)

// AMD is a simulated AMD SEV-SNP platform: an ARK → ASK → VCEK chain shaped like AMD's Milan
// chain and the VCEK key that signs attestation reports.
type AMD struct {
	// ARK and ASK are the same for every seed (fixed embedded keys); VCEK is per seed.
	ARK, ASK, VCEK *x509.Certificate
	// ChipID is derived from the seed and is also the VCEK's hwID extension.
	ChipID [64]byte
	// ReportedTCB is the TCB_VERSION in reports and in the VCEK's SPL extensions. Changing it
	// after NewAMD makes reports disagree with the VCEK (a way to build a TCB-mismatch case).
	ReportedTCB uint64
	// PlatformInfo is the PLATFORM_INFO field of reports.
	PlatformInfo uint64

	vcekKey *ecdsa.PrivateKey
}

// NewAMD derives a simulated SEV-SNP platform from seed; the same seed gives byte-identical
// certificates and reports. Each call returns its own AMD (ReportedTCB and PlatformInfo may
// be changed), but the VCEK, an RSA-4096 signature, is made once per seed and process (and
// for DefaultSeed not at all: it is embedded).
func NewAMD(seed []byte) (*AMD, error) {
	if err := checkSeed(seed); err != nil {
		return nil, err
	}
	if a, ok := amdBySeed.Load(string(seed)); ok {
		c := *a.(*AMD)
		return &c, nil
	}
	a, err := newAMD(seed)
	if err != nil {
		return nil, err
	}
	amdBySeed.Store(string(seed), a)
	c := *a
	return &c, nil
}

// amdBySeed holds each seed's platform as first built, never handed out itself.
var amdBySeed sync.Map // string(seed) -> *AMD

func newAMD(seed []byte) (*AMD, error) {
	a, err := unsignedAMD(seed)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(seed, DefaultSeed()) {
		// The default seed's VCEK is embedded: checking the RSA-4096 ASK key and signing
		// with it cost about 10 ms at every start of the simulated SEV-SNP flow.
		// TestEmbeddedDefaultVCEK proves that signVCEK makes it byte for byte.
		if a.VCEK, err = embeddedCert(certDefaultVCEK); err != nil {
			return nil, err
		}
		if !a.vcekKey.PublicKey.Equal(a.VCEK.PublicKey) {
			return nil, fmt.Errorf("simroots: the embedded %s does not certify the default seed's VCEK key; regenerate it (see its header)", fmt.Sprintf(testCertFilePath, certDefaultVCEK))
		}
		return a, nil
	}
	if a.VCEK, err = signVCEK(seed, a); err != nil {
		return nil, err
	}
	return a, nil
}

// unsignedAMD is seed's platform without its VCEK certificate.
func unsignedAMD(seed []byte) (*AMD, error) {
	roots, err := amdProductRoots()
	if err != nil {
		return nil, err
	}
	a := &AMD{ARK: roots.ark, ASK: roots.ask, ReportedTCB: defaultReportedTCB, PlatformInfo: defaultPlatformInfo}
	chip, err := deriveBytes(seed, "amd/chip-id", len(a.ChipID))
	if err != nil {
		return nil, err
	}
	copy(a.ChipID[:], chip)
	if a.vcekKey, err = deriveP384(seed, "amd/vcek"); err != nil {
		return nil, err
	}
	return a, nil
}

// signVCEK issues a's VCEK certificate (for its chip id, reported TCB and VCEK key) from
// the simulated ASK; the PSS salt comes from the seed, so the certificate is reproducible.
func signVCEK(seed []byte, a *AMD) (*x509.Certificate, error) {
	askKey, err := testKey(keyASK)
	if err != nil {
		return nil, err
	}
	exts, err := vcekExtensions(a.ChipID, a.ReportedTCB)
	if err != nil {
		return nil, err
	}
	subject, err := amdName("SEV-VCEK", LeafLabel)
	if err != nil {
		return nil, err
	}
	// No key usage or basic constraints: go-sev-guest rejects any VCEK extension other than
	// AMD's and the authority key identifier.
	tmpl := &x509.Certificate{
		SerialNumber:       vcekSerial,
		RawSubject:         subject,
		NotBefore:          NotBefore,
		NotAfter:           NotAfter,
		SignatureAlgorithm: x509.SHA384WithRSAPSS,
		ExtraExtensions:    exts,
	}
	der, err := x509.CreateCertificate(newDetReader(seed, "amd/vcek-cert"), tmpl, a.ASK, &a.vcekKey.PublicKey, askKey)
	if err != nil {
		return nil, fmt.Errorf("simroots: signing the simulated VCEK certificate: %w", err)
	}
	vcek, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("simroots: parsing the simulated VCEK certificate: %w", err)
	}
	return vcek, nil
}

// Product is the AMD product line of the simulated platform, as THIM and KDS name it.
func (a *AMD) Product() string { return productLine }

// ChainPEM returns the certificates as Azure's THIM endpoint returns them: vcekCert, and
// certificateChain holding the ASK then the ARK.
func (a *AMD) ChainPEM() (vcekPEM, chainPEM []byte) {
	vcekPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.VCEK.Raw})
	chainPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.ASK.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.ARK.Raw})...)
	return vcekPEM, chainPEM
}

// RootCerts returns the simulated ARK and ASK in the form go-sev-guest's verify.Options
// TrustedRoots expects, under the key Product().
func (a *AMD) RootCerts() *trust.AMDRootCerts {
	r := trust.AMDRootCertsProduct(productLine)
	r.ProductCerts = &trust.ProductCerts{Ark: a.ARK, Ask: a.ASK}
	return r
}

// TrustedRoots is RootCerts as the map verify.Options.TrustedRoots takes.
func (a *AMD) TrustedRoots() map[string][]*trust.AMDRootCerts {
	return map[string][]*trust.AMDRootCerts{productLine: {a.RootCerts()}}
}

// VCEKPublicKey is the public half of the key that signs this platform's reports.
func (a *AMD) VCEKPublicKey() *ecdsa.PublicKey { return &a.vcekKey.PublicKey }

// vcekExtensions are the KDS extensions in the order AMD's VCEKs carry them. The hwID is the
// raw 64 bytes without an OCTET STRING tag, as AMD encodes it.
func vcekExtensions(chipID [64]byte, tcb uint64) ([]pkix.Extension, error) {
	parts := kds.DecomposeTCBVersion(kds.TCBVersion(tcb))
	prefix := []int{1, 3, 6, 1, 4, 1, 3704, 1}
	oid := func(tail ...int) asn1.ObjectIdentifier {
		return append(append(asn1.ObjectIdentifier{}, prefix...), tail...)
	}
	var exts []pkix.Extension
	addInt := func(v int, tail ...int) error {
		b, err := asn1.Marshal(v)
		exts = append(exts, pkix.Extension{Id: oid(tail...), Value: b})
		return err
	}
	if err := addInt(1, 1); err != nil { // structVersion
		return nil, err
	}
	name, err := asn1.MarshalWithParams(vcekProductName, "ia5")
	if err != nil {
		return nil, err
	}
	exts = append(exts, pkix.Extension{Id: oid(2), Value: name})
	for _, spl := range []struct {
		minor int
		v     uint8
	}{{1, parts.BlSpl}, {2, parts.TeeSpl}, {4, parts.Spl4}, {5, parts.Spl5}, {6, parts.Spl6}, {7, parts.Spl7}, {3, parts.SnpSpl}, {8, parts.UcodeSpl}} {
		if err := addInt(int(spl.v), 3, spl.minor); err != nil {
			return nil, err
		}
	}
	exts = append(exts, pkix.Extension{Id: oid(4), Value: append([]byte(nil), chipID[:]...)})
	return exts, nil
}

// amdRoots holds the seed-independent ARK and ASK, built once per process.
type amdRoots struct{ ark, ask *x509.Certificate }

var (
	amdRootsOnce sync.Once
	amdRootsVal  amdRoots
	amdRootsErr  error
)

// amdProductRoots parses the embedded ARK and ASK. They are embedded, not built, because
// the two RSA-4096 signatures would triple NewAMD's first call; TestEmbeddedAMDRoots proves
// that buildAMDRoots reproduces them byte for byte from the embedded keys.
func amdProductRoots() (amdRoots, error) {
	amdRootsOnce.Do(func() {
		var r amdRoots
		if r.ark, amdRootsErr = embeddedCert(certARK); amdRootsErr != nil {
			return
		}
		if r.ask, amdRootsErr = embeddedCert(certASK); amdRootsErr != nil {
			return
		}
		amdRootsVal = r
	})
	return amdRootsVal, amdRootsErr
}

// buildAMDRoots makes the ARK and ASK from the embedded keys; the PSS salts come from a
// fixed deterministic stream, so the result never changes.
func buildAMDRoots() (amdRoots, error) {
	arkKey, err := testKey(keyARK)
	if err != nil {
		return amdRoots{}, err
	}
	askKey, err := testKey(keyASK)
	if err != nil {
		return amdRoots{}, err
	}
	arkName, err := amdName("ARK-"+productLine, RootLabel)
	if err != nil {
		return amdRoots{}, err
	}
	askName, err := amdName("SEV-"+productLine, RootLabel)
	if err != nil {
		return amdRoots{}, err
	}
	// The CRL link is AMD's real one because go-sev-guest checks it; revocation checking of
	// a simulated chain therefore fails, which is the honest outcome.
	crl := []string{kds.CrlLinkByKey(productLine, abi.VcekReportSigner)}
	arkTmpl := &x509.Certificate{
		SerialNumber:          arkSerial,
		RawSubject:            arkName,
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSAPSS,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		CRLDistributionPoints: crl,
	}
	ark, err := createCert(newDetReader(nil, "amd/ark-cert"), arkTmpl, arkTmpl, &arkKey.PublicKey, arkKey)
	if err != nil {
		return amdRoots{}, fmt.Errorf("simroots: simulated ARK: %w", err)
	}
	askTmpl := &x509.Certificate{
		SerialNumber:          askSerial,
		RawSubject:            askName,
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.SHA384WithRSAPSS,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		CRLDistributionPoints: crl,
	}
	ask, err := createCert(newDetReader(nil, "amd/ask-cert"), askTmpl, ark, &askKey.PublicKey, arkKey)
	if err != nil {
		return amdRoots{}, fmt.Errorf("simroots: simulated ASK: %w", err)
	}
	return amdRoots{ark: ark, ask: ask}, nil
}

func createCert(rand *detReader, tmpl, parent *x509.Certificate, pub *rsa.PublicKey, priv *rsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand, tmpl, parent, pub, priv)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
