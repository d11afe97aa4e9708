package simroots

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Layout of TDREPORT_STRUCT (protocol §2.5). Offsets are from the start of the TDREPORT.
const (
	TDReportSize       = 1024
	TDReportTypeTDX    = 0x81
	tdCPUSVNOff        = 16
	tdTCBInfoHashOff   = 32
	tdInfoHashOff      = 80
	tdReportDataOff    = 128
	tdMACOff           = 224
	tdTCBInfoOff       = 256
	tdTCBInfoSize      = 239 // the hash covers exactly these bytes (checked on a real Azure report)
	tdInfoOff          = 512
	tdInfoSize         = 512
	tdAttributesOff    = 512
	tdXFAMOff          = 520
	tdMRTDOff          = 528
	tdRTMROff          = 720
	tdAttributesDebug  = uint64(1) // TD_ATTRIBUTES bit 0: the TD is debuggable
	teeTCBInfoValidOff = tdTCBInfoOff
	teeTCBSVNOff       = tdTCBInfoOff + 8
	teeMRSeamOff       = tdTCBInfoOff + 24
	teeTCBSVN2Off      = tdTCBInfoOff + 128
)

// TDX is a simulated Intel TDX platform. Real TDREPORTs are MAC'd with a CPU-internal report
// key and only the quoting enclave can check them; here the key is derived from the seed and
// the MAC is HMAC-SHA-256 over REPORTMACSTRUCT bytes 0–223, checked by VerifyTDReport.
type TDX struct {
	// CPUSVN goes into REPORTMACSTRUCT; the default is the value seen on Azure TDX hosts.
	CPUSVN [16]byte
	// TEETCBInfoValid is TEE_TCB_INFO.VALID, which flags the fields that are filled in.
	TEETCBInfoValid [8]byte
	// QuoteVersion 5 makes Quote produce TD quotes v5 with a TDX 1.5 body (type 3), as
	// TDX 1.5 hosts' quoting libraries do; 0 or 4 gives v4, what Azure serves today.
	QuoteVersion int

	macKey []byte
}

// NewTDX derives a simulated TDX platform (its report MAC key) from seed.
func NewTDX(seed []byte) (*TDX, error) {
	if err := checkSeed(seed); err != nil {
		return nil, err
	}
	key, err := deriveBytes(seed, "tdx/report-mac-key", 32)
	if err != nil {
		return nil, err
	}
	// CPUSVN and VALID as observed in the Azure TDX HCL report from confidential-containers/trustee.
	return &TDX{
		CPUSVN:          [16]byte{0x06, 0x06, 0x13, 0x15, 0x03, 0xff, 0x00, 0x03},
		TEETCBInfoValid: [8]byte{0xff, 0x01, 0x03},
		macKey:          key,
	}, nil
}

// TDXParams are the TD's measurements and configuration for one TDREPORT.
type TDXParams struct {
	ReportData   [64]byte
	MRTD         [48]byte
	RTMR         [4][48]byte
	MRSeam       [48]byte
	TDAttributes uint64
	XFAM         uint64
	TEETCBSVN    [16]byte
	Debug        bool // sets TD_ATTRIBUTES bit 0
}

// NewTDReport builds a 1024-byte TDREPORT_STRUCT of type 0x81 with both hashes and the MAC
// filled in. MRCONFIGID, MROWNER, MROWNERCONFIG and SERVTD_HASH are zero, as on Azure.
func (t *TDX) NewTDReport(p TDXParams) ([]byte, error) {
	r := make([]byte, TDReportSize)
	r[0] = TDReportTypeTDX // subtype 0, version 0, as observed on Azure
	copy(r[tdCPUSVNOff:], t.CPUSVN[:])
	copy(r[tdReportDataOff:tdReportDataOff+64], p.ReportData[:])

	copy(r[teeTCBInfoValidOff:], t.TEETCBInfoValid[:])
	copy(r[teeTCBSVNOff:teeTCBSVNOff+16], p.TEETCBSVN[:])
	copy(r[teeMRSeamOff:teeMRSeamOff+48], p.MRSeam[:])
	copy(r[teeTCBSVN2Off:teeTCBSVN2Off+16], p.TEETCBSVN[:])

	attrs := p.TDAttributes
	if p.Debug {
		attrs |= tdAttributesDebug
	}
	binary.LittleEndian.PutUint64(r[tdAttributesOff:], attrs)
	binary.LittleEndian.PutUint64(r[tdXFAMOff:], p.XFAM)
	copy(r[tdMRTDOff:tdMRTDOff+48], p.MRTD[:])
	for i, m := range p.RTMR {
		copy(r[tdRTMROff+48*i:tdRTMROff+48*(i+1)], m[:])
	}

	tcbHash, infoHash := tdReportHashes(r)
	copy(r[tdTCBInfoHashOff:], tcbHash[:])
	copy(r[tdInfoHashOff:], infoHash[:])
	copy(r[tdMACOff:tdMACOff+32], t.mac(r))
	return r, nil
}

// VerifyTDReport checks a TDREPORT made by this platform: its type, both hashes and the MAC.
// It is what the simulated TD quote service runs before it issues a quote.
func (t *TDX) VerifyTDReport(r []byte) error {
	if len(r) != TDReportSize {
		return fault.Errorf(fault.Verification, "TDREPORT is %d bytes, want %d", len(r), TDReportSize)
	}
	if r[0] != TDReportTypeTDX {
		return fault.Errorf(fault.Verification, "TDREPORT type at offset 0 is %#x, want %#x (TDX)", r[0], TDReportTypeTDX)
	}
	tcbHash, infoHash := tdReportHashes(r)
	if !hmac.Equal(tcbHash[:], r[tdTCBInfoHashOff:tdTCBInfoHashOff+48]) {
		return fault.Errorf(fault.Verification, "TDREPORT tee_tcb_info_hash at offset %d does not match SHA-384 of TEE_TCB_INFO (offsets %d–%d)", tdTCBInfoHashOff, tdTCBInfoOff, tdTCBInfoOff+tdTCBInfoSize-1)
	}
	if !hmac.Equal(infoHash[:], r[tdInfoHashOff:tdInfoHashOff+48]) {
		return fault.Errorf(fault.Verification, "TDREPORT tee_info_hash at offset %d does not match SHA-384 of TDINFO (offsets %d–%d)", tdInfoHashOff, tdInfoOff, tdInfoOff+tdInfoSize-1)
	}
	if !hmac.Equal(t.mac(r), r[tdMACOff:tdMACOff+32]) {
		return fault.WithHint(fault.Verification,
			fmt.Errorf("TDREPORT MAC at offset %d does not match: the report was changed or made by another (simulated) platform", tdMACOff),
			"ask the same simulated CVM (same seed) for a fresh TDREPORT")
	}
	return nil
}

func (t *TDX) mac(r []byte) []byte {
	m := hmac.New(sha256.New, t.macKey)
	m.Write(r[:tdMACOff])
	return m.Sum(nil)
}

// tdReportHashes computes tee_tcb_info_hash and tee_info_hash as the TDX module does.
func tdReportHashes(r []byte) (tcb, info [48]byte) {
	return sha512.Sum384(r[tdTCBInfoOff : tdTCBInfoOff+tdTCBInfoSize]), sha512.Sum384(r[tdInfoOff : tdInfoOff+tdInfoSize])
}
