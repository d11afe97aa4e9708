package simroots

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Layout of an Intel DCAP TD quote v4 (Intel TDX DCAP Quoting Library API, A.3).
const (
	quoteVersion      = 4
	quoteAttKeyECDSA  = 2 // ECDSA-256-with-P-256
	quoteTEETDX       = 0x81
	quoteHeaderSize   = 48
	quoteBodySize     = 584
	qeReportSize      = 384
	certDataQEReport  = 6
	certDataPCKChain  = 5
	qeReportDataOff   = 320
	qeAuthDataSize    = 32
	quoteSigSize      = 64
	quoteAttKeySize   = 64
	tdMRSignerSeamOff = 328
	tdSeamAttrOff     = 376
	tdServTDHashOff   = 912 // TDINFO.servtd_hash, the v5 body's mr_servicetd

	// v5 (TDX 1.5) puts a body descriptor (type u16, size u32) after the header; body type 3
	// is the 584-byte v4 body followed by tee_tcb_svn2 and mr_servicetd (protocol §13.2).
	quoteVersion5    = 5
	quoteBodyTypeV15 = 3
	quoteBodySizeV15 = 648
)

// Values of Intel's TD quoting enclave as they appear in a real Azure TD quote (trustee
// sample 6332533d): vendor ID, the QE report's CPUSVN, ATTRIBUTES, MRENCLAVE, MRSIGNER,
// ISVPRODID 2 and ISVSVN 5. They are public measurements of Intel's enclave; only the keys
// that sign with them here are simulated.
var (
	intelQEVendorID = [16]byte{0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}
	qeCPUSVN        = [16]byte{0x06, 0x06, 0x13, 0x15, 0x03, 0xff, 0x00, 0x03}
	qeAttributes    = [16]byte{0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7}
	qeMREnclave     = [32]byte{0x86, 0xfc, 0x4e, 0x0e, 0xc2, 0xc5, 0xdd, 0xce, 0xba, 0xc9, 0x70, 0x62, 0xc0, 0xa0, 0x14, 0x2a, 0x97, 0xc1, 0x8a, 0x7a, 0x75, 0x51, 0x47, 0xbc, 0xbc, 0x3f, 0xe1, 0x7d, 0x65, 0x29, 0x78, 0x1d}
	qeMRSigner      = [32]byte{0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5}
	qeISVProdID     = uint16(2)
	qeISVSVN        = uint16(5)
)

// tdxQE is the simulated quoting side of one TDX platform: its PCK key and certificate and
// the quoting enclave's attestation key.
type tdxQE struct {
	cas       intelCAs
	pckKey    *ecdsa.PrivateKey
	pck       *x509.Certificate
	attestKey *ecdsa.PrivateKey
	qeID      [16]byte
}

// qeCache keys the derived quoting material by the platform's report key, which NewTDX
// derives from the seed: TDX has no field for it, and rebuilding a PCK certificate per quote
// would be wasted work. Distinct seeds are few, so the cache stays small.
var qeCache sync.Map // string(macKey) -> *tdxQE

func (t *TDX) qe() (*tdxQE, error) {
	if t == nil || len(t.macKey) == 0 {
		return nil, fault.Errorf(fault.Internal, "simroots: TDX platform not initialised; build it with simroots.NewTDX")
	}
	if v, ok := qeCache.Load(string(t.macKey)); ok {
		return v.(*tdxQE), nil
	}
	cas, err := intelRoots()
	if err != nil {
		return nil, err
	}
	q := &tdxQE{cas: cas}
	// The platform secrets derive from the report key, itself derived from the seed, so the
	// same seed gives the same PCK and attestation key.
	if q.pckKey, err = deriveP256(t.macKey, "tdx/pck-key"); err != nil {
		return nil, err
	}
	if q.attestKey, err = deriveP256(t.macKey, "tdx/qe-attestation-key"); err != nil {
		return nil, err
	}
	var ppid, inst [16]byte
	b, err := deriveBytes(t.macKey, "tdx/ppid", 16)
	if err != nil {
		return nil, err
	}
	copy(ppid[:], b)
	if b, err = deriveBytes(t.macKey, "tdx/platform-instance-id", 16); err != nil {
		return nil, err
	}
	copy(inst[:], b)
	if b, err = deriveBytes(t.macKey, "tdx/qe-id", 16); err != nil {
		return nil, err
	}
	copy(q.qeID[:], b)
	if q.pck, err = issuePCK(cas, &q.pckKey.PublicKey, ppid, inst); err != nil {
		return nil, err
	}
	v, _ := qeCache.LoadOrStore(string(t.macKey), q)
	return v.(*tdxQE), nil
}

// PCKRoot is the simulated "Intel SGX Root CA" every simulated TDX platform chains to (the
// same for every seed). Trust it in place of Intel's root, e.g. tdx.Options.TrustedRoots or
// go-tdx-guest's verify.Options.TrustedRoots. Nil only if the simulated PKI cannot be built.
func (t *TDX) PCKRoot() *x509.Certificate {
	cas, err := intelRoots()
	if err != nil {
		return nil
	}
	return cas.root
}

// PCKChain is this platform's PCK certificate, the simulated PCK Platform CA and the root,
// in the order a TD quote carries them. Nil only if the simulated PKI cannot be built.
func (t *TDX) PCKChain() []*x509.Certificate {
	q, err := t.qe()
	if err != nil {
		return nil
	}
	return []*x509.Certificate{q.pck, q.cas.ca, q.cas.root}
}

// Quote does what Azure's TD quote service (IMDS POST /acc/tdquote) does with a TDREPORT:
// it refuses a report this platform did not MAC, then returns a DCAP TD quote v4 (v5 with a
// TDX 1.5 body when t.QuoteVersion is 5) whose body
// holds the report's TD fields, signed by the quoting enclave's attestation key, with
// certification data type 6: the QE report (REPORT_DATA = SHA-256(attestation key ‖ QE auth
// data) ‖ zeros) signed by the PCK key, the QE auth data, and the PEM PCK chain (type 5).
// ECDSA signs per RFC 6979, so one TDREPORT always gives the same quote.
func (t *TDX) Quote(tdreport []byte) ([]byte, error) {
	if err := t.VerifyTDReport(tdreport); err != nil {
		return nil, fmt.Errorf("simulated TD quote service refused the TDREPORT: %w", err)
	}
	q, err := t.qe()
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian

	header := make([]byte, quoteHeaderSize)
	version := quoteVersion
	if t.QuoteVersion == quoteVersion5 {
		version = quoteVersion5
	}
	le.PutUint16(header[0:], uint16(version))
	le.PutUint16(header[2:], quoteAttKeyECDSA)
	le.PutUint32(header[4:], quoteTEETDX)
	// QE SVN and PCE SVN at 8 and 10 stay 0, as in the real Azure quote.
	copy(header[12:], intelQEVendorID[:])
	copy(header[28:], q.qeID[:]) // user data: the QE's platform ID, then 4 zero bytes

	body := tdQuoteBody(tdreport)
	if version == quoteVersion5 {
		// The descriptor is part of the signed bytes (QVL signs header ‖ descriptor ‖ body).
		v15 := le.AppendUint16(nil, quoteBodyTypeV15)
		v15 = le.AppendUint32(v15, quoteBodySizeV15)
		v15 = append(v15, body...)
		v15 = append(v15, tdreport[teeTCBSVN2Off:teeTCBSVN2Off+16]...)
		body = append(v15, tdreport[tdServTDHashOff:tdServTDHashOff+48]...)
	}

	attestPub, err := rawP256(&q.attestKey.PublicKey)
	if err != nil {
		return nil, err
	}
	sig, err := signRaw(q.attestKey, append(append([]byte(nil), header...), body...))
	if err != nil {
		return nil, fmt.Errorf("simroots: signing the TD quote: %w", err)
	}

	authData := make([]byte, qeAuthDataSize)
	for i := range authData {
		authData[i] = byte(i) // Intel's QE writes 00 01 … 1f here
	}
	qeReport := make([]byte, qeReportSize)
	copy(qeReport[0:], qeCPUSVN[:])
	copy(qeReport[48:], qeAttributes[:])
	copy(qeReport[64:], qeMREnclave[:])
	copy(qeReport[128:], qeMRSigner[:])
	le.PutUint16(qeReport[256:], qeISVProdID)
	le.PutUint16(qeReport[258:], qeISVSVN)
	bind := sha256.Sum256(append(append([]byte(nil), attestPub...), authData...))
	copy(qeReport[qeReportDataOff:], bind[:]) // the remaining 32 bytes stay zero
	qeSig, err := signRaw(q.pckKey, qeReport)
	if err != nil {
		return nil, fmt.Errorf("simroots: signing the QE report with the PCK key: %w", err)
	}

	chain := pckChainPEM([]*x509.Certificate{q.pck, q.cas.ca, q.cas.root})
	var cert6 []byte
	cert6 = append(cert6, qeReport...)
	cert6 = append(cert6, qeSig...)
	cert6 = le.AppendUint16(cert6, uint16(len(authData)))
	cert6 = append(cert6, authData...)
	cert6 = le.AppendUint16(cert6, certDataPCKChain)
	cert6 = le.AppendUint32(cert6, uint32(len(chain)))
	cert6 = append(cert6, chain...)

	var signed []byte
	signed = append(signed, sig...)
	signed = append(signed, attestPub...)
	signed = le.AppendUint16(signed, certDataQEReport)
	signed = le.AppendUint32(signed, uint32(len(cert6)))
	signed = append(signed, cert6...)

	out := make([]byte, 0, quoteHeaderSize+quoteBodySize+4+len(signed))
	out = append(out, header...)
	out = append(out, body...)
	out = le.AppendUint32(out, uint32(len(signed)))
	return append(out, signed...), nil
}

// tdQuoteBody copies the TD fields of a TDREPORT into the 584-byte TD quote body, in the
// body's order: TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAMATTRIBUTES (from TEE_TCB_INFO),
// TDATTRIBUTES, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0–3 (from TDINFO) and
// REPORTDATA (from REPORTMACSTRUCT).
func tdQuoteBody(r []byte) []byte {
	b := make([]byte, 0, quoteBodySize)
	b = append(b, r[teeTCBSVNOff:teeTCBSVNOff+16]...)
	b = append(b, r[teeMRSeamOff:teeMRSeamOff+48]...)
	b = append(b, r[tdMRSignerSeamOff:tdMRSignerSeamOff+48]...)
	b = append(b, r[tdSeamAttrOff:tdSeamAttrOff+8]...)
	// TDATTRIBUTES, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG and RTMR0–3 are
	// contiguous in TDINFO (offsets 512 to 912).
	b = append(b, r[tdAttributesOff:tdRTMROff+4*48]...)
	b = append(b, r[tdReportDataOff:tdReportDataOff+64]...)
	return b
}

// rawP256 is the 64-byte X ‖ Y form a quote carries for the attestation key.
func rawP256(pub *ecdsa.PublicKey) ([]byte, error) {
	b, err := pub.Bytes() // 0x04 ‖ X ‖ Y
	if err != nil || len(b) != 65 {
		return nil, fmt.Errorf("simroots: attestation key is not an uncompressed P-256 point")
	}
	return b[1:], nil
}

// signRaw signs SHA-256(msg) and returns r ‖ s, 32 bytes each, as DCAP quotes carry ECDSA
// signatures. A nil random source selects RFC 6979 nonces.
func signRaw(k *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	h := sha256.Sum256(msg)
	der, err := k.Sign(nil, h[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	rs.R.FillBytes(out[:32])
	rs.S.FillBytes(out[32:])
	return out, nil
}
