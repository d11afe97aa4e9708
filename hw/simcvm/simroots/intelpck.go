package simroots

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
)

// Subject CNs of Intel's PCK chain. go-tdx-guest compares each CN with exactly these strings
// (verify.validateCertificate), so the SIMULATED label lives in a description RDN instead.
const (
	IntelRootCN         = "Intel SGX Root CA"
	IntelPlatformCACN   = "Intel SGX PCK Platform CA"
	IntelPCKCN          = "Intel SGX PCK Certificate"
	intelRootCRL        = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
	intelPlatformCACRL  = "https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=platform&encoding=der"
	intelPCKKeyUsage    = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	intelRootKeyPurpose = "intel/sgx-root-ca"
	intelCAKeyPurpose   = "intel/sgx-pck-platform-ca"
)

// SGX extension OIDs (Intel SGX PCK Certificate and CRL Profile, 1.2.840.113741.1.13.1.*).
var (
	oidSGXExtension  = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1}
	oidSGXPPID       = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 1}
	oidSGXTCB        = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 2}
	oidSGXPCEID      = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 3}
	oidSGXFMSPC      = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 4}
	oidSGXType       = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 5}
	oidSGXPlatInstID = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 6}
	oidSGXConfig     = asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 7}
)

// The simulated platform's SGX TCB is the one certified in the PCK certificate of a real
// Azure TDX host (trustee sample 6332533d): FMSPC 00806F050000 (Sapphire Rapids), PCE ID
// 0000, SGX components 6.6.2.2.3.1.0.3, PCESVN 11, SGX type "Scalable" (1). Copying it keeps
// TCB evaluation against Intel's real TCB info meaningful; the keys are still simulated.
var (
	// SGXFMSPC is the FMSPC in the simulated PCK certificate.
	SGXFMSPC         = [6]byte{0x00, 0x80, 0x6F, 0x05, 0x00, 0x00}
	sgxPCEID         = [2]byte{0x00, 0x00}
	sgxTCBComponents = [16]byte{6, 6, 2, 2, 3, 1, 0, 3}
	sgxPCESVN        = 11
	sgxTypeScalable  = asn1.Enumerated(1)
)

// Fixed serials for the seed-independent CAs; the PCK's serial follows its key.
var (
	intelRootSerial = big.NewInt(0x5347_0001) // "SG"
	intelCASerial   = big.NewInt(0x5347_0002)
)

// intelName is an Intel PCK subject in Intel's attribute order (CN, O, L, ST, C) plus a
// description RDN carrying the SIMULATED label, which no verifier reads.
func intelName(cn, label string) ([]byte, error) {
	rdns := pkix.RDNSequence{
		{{Type: oidCommonName, Value: cn}},
		{{Type: oidOrg, Value: "Intel Corporation"}},
		{{Type: oidLocality, Value: "Santa Clara"}},
		{{Type: oidProvince, Value: "CA"}},
		{{Type: oidCountry, Value: "US"}},
		{{Type: oidDescription, Value: label}},
	}
	b, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, fmt.Errorf("simroots: encoding subject CN=%s: %w", cn, err)
	}
	return b, nil
}

// deriveP256 turns secret into a P-256 key bound to purpose, retrying the (negligible) case
// of a scalar outside [1, N-1] as deriveP384 does.
func deriveP256(secret []byte, purpose string) (*ecdsa.PrivateKey, error) {
	for ctr := 0; ctr < 8; ctr++ {
		d, err := deriveBytes(secret, fmt.Sprintf("%s/%d", purpose, ctr), 32)
		if err != nil {
			return nil, err
		}
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("simroots: could not derive a P-256 key for %s", purpose)
}

// intelCAs holds the seed-independent simulated Intel root and PCK Platform CA.
type intelCAs struct {
	root, ca *x509.Certificate
	caKey    *ecdsa.PrivateKey
}

// intelRoots builds the simulated Intel SGX Root CA and PCK Platform CA once per process.
// Their keys come from fixed labels, not from a seed, following the AMD ARK/ASK and vTPM CA
// convention: one simulated root that every simulated TDX platform chains to. ECDSA with a
// nil random source signs per RFC 6979, so the certificates are byte-identical every run.
var intelRoots = sync.OnceValues(buildIntelRoots)

func buildIntelRoots() (intelCAs, error) {
	fixed := []byte("cvmscope simulated Intel SGX PKI, the same for every seed")
	rootKey, err := deriveP256(fixed, intelRootKeyPurpose)
	if err != nil {
		return intelCAs{}, err
	}
	caKey, err := deriveP256(fixed, intelCAKeyPurpose)
	if err != nil {
		return intelCAs{}, err
	}
	rootName, err := intelName(IntelRootCN, RootLabel)
	if err != nil {
		return intelCAs{}, err
	}
	caName, err := intelName(IntelPlatformCACN, RootLabel)
	if err != nil {
		return intelCAs{}, err
	}
	rootTmpl := &x509.Certificate{
		SerialNumber:          intelRootSerial,
		RawSubject:            rootName,
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
		SubjectKeyId:          keyID(&rootKey.PublicKey),
		CRLDistributionPoints: []string{intelRootCRL},
	}
	root, err := createECCert(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return intelCAs{}, fmt.Errorf("simroots: simulated Intel SGX Root CA: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          intelCASerial,
		RawSubject:            caName,
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(&caKey.PublicKey),
		CRLDistributionPoints: []string{intelRootCRL},
	}
	ca, err := createECCert(caTmpl, root, &caKey.PublicKey, rootKey)
	if err != nil {
		return intelCAs{}, fmt.Errorf("simroots: simulated Intel SGX PCK Platform CA: %w", err)
	}
	return intelCAs{root: root, ca: ca, caKey: caKey}, nil
}

// createECCert signs with a nil random source: ECDSA then follows RFC 6979 and the
// certificate is reproducible.
func createECCert(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(nil, tmpl, parent, pub, priv)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// keyID is the RFC 5280 method-1 key identifier (SHA-1 of the public key bits) truncated
// from SHA-256, which is all a key identifier needs to be: stable and distinct.
func keyID(pub *ecdsa.PublicKey) []byte {
	b, _ := pub.Bytes()
	sum := sha256.Sum256(b)
	return sum[:20]
}

// sgxExtension encodes the SGX extension (1.2.840.113741.1.13.1) in the element order Intel's
// PCK certificates use: PPID, TCB (16 components, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX Type,
// Platform Instance ID, Configuration. go-tdx-guest reads PPID, TCB, PCE-ID and FMSPC and
// requires the TCB sequence to have exactly 18 entries.
func sgxExtension(ppid, platformInstance [16]byte) (pkix.Extension, error) {
	type octetItem struct {
		ID    asn1.ObjectIdentifier
		Value []byte
	}
	type intItem struct {
		ID    asn1.ObjectIdentifier
		Value int
	}
	type tcbItem struct {
		ID    asn1.ObjectIdentifier
		Value []asn1.RawValue
	}
	type enumItem struct {
		ID    asn1.ObjectIdentifier
		Value asn1.Enumerated
	}
	type boolItem struct {
		ID    asn1.ObjectIdentifier
		Value bool
	}
	type configItem struct {
		ID    asn1.ObjectIdentifier
		Value []boolItem
	}
	raw := func(v any) (asn1.RawValue, error) {
		b, err := asn1.Marshal(v)
		return asn1.RawValue{FullBytes: b}, err
	}
	var tcb []asn1.RawValue
	for i, svn := range sgxTCBComponents {
		id := append(append(asn1.ObjectIdentifier{}, oidSGXTCB...), i+1)
		r, err := raw(intItem{id, int(svn)})
		if err != nil {
			return pkix.Extension{}, err
		}
		tcb = append(tcb, r)
	}
	pcesvn, err := raw(intItem{append(append(asn1.ObjectIdentifier{}, oidSGXTCB...), 17), sgxPCESVN})
	if err != nil {
		return pkix.Extension{}, err
	}
	var cpusvn [16]byte
	copy(cpusvn[:], sgxTCBComponents[:])
	cpu, err := raw(octetItem{append(append(asn1.ObjectIdentifier{}, oidSGXTCB...), 18), cpusvn[:]})
	if err != nil {
		return pkix.Extension{}, err
	}
	tcb = append(tcb, pcesvn, cpu)

	cfgID := func(n int) asn1.ObjectIdentifier { return append(append(asn1.ObjectIdentifier{}, oidSGXConfig...), n) }
	items := []any{
		octetItem{oidSGXPPID, ppid[:]},
		tcbItem{oidSGXTCB, tcb},
		octetItem{oidSGXPCEID, sgxPCEID[:]},
		octetItem{oidSGXFMSPC, SGXFMSPC[:]},
		enumItem{oidSGXType, sgxTypeScalable},
		octetItem{oidSGXPlatInstID, platformInstance[:]},
		// dynamicPlatform, cachedKeys, SMTEnabled as on the real Azure host.
		configItem{oidSGXConfig, []boolItem{{cfgID(1), true}, {cfgID(2), false}, {cfgID(3), true}}},
	}
	var seq []asn1.RawValue
	for _, it := range items {
		r, err := raw(it)
		if err != nil {
			return pkix.Extension{}, fmt.Errorf("simroots: encoding the SGX extension: %w", err)
		}
		seq = append(seq, r)
	}
	v, err := asn1.Marshal(seq)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("simroots: encoding the SGX extension: %w", err)
	}
	return pkix.Extension{Id: oidSGXExtension, Value: v}, nil
}

// issuePCK makes this platform's PCK certificate: the six extensions Intel's PCK
// certificates carry (authority and subject key IDs, CRL distribution point, key usage,
// basic constraints, SGX), which go-tdx-guest counts.
func issuePCK(cas intelCAs, pck *ecdsa.PublicKey, ppid, platformInstance [16]byte) (*x509.Certificate, error) {
	subject, err := intelName(IntelPCKCN, LeafLabel)
	if err != nil {
		return nil, err
	}
	ext, err := sgxExtension(ppid, platformInstance)
	if err != nil {
		return nil, err
	}
	id := keyID(pck)
	serial := new(big.Int).SetBytes(append([]byte{0x4F}, id[:19]...)) // positive, 20 bytes like Intel's
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		RawSubject:            subject,
		NotBefore:             NotBefore,
		NotAfter:              NotAfter,
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
		KeyUsage:              intelPCKKeyUsage,
		BasicConstraintsValid: true,
		SubjectKeyId:          id,
		CRLDistributionPoints: []string{intelPlatformCACRL},
		ExtraExtensions:       []pkix.Extension{ext},
	}
	cert, err := createECCert(tmpl, cas.ca, pck, cas.caKey)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated PCK certificate: %w", err)
	}
	return cert, nil
}

// pckChainPEM is the certification data type 5 payload: PEM leaf, PCK CA, root, then the NUL
// Intel's quoting library writes after the chain.
func pckChainPEM(certs []*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return append(out, 0)
}
