// Package evidence holds everything one attestation run gathers, in one value that the
// checks, the TUI, the JSON output and the saved bundle all share.
//
// A Set is filled either live (from a vTPM, real or simulated, and IMDS) or from files
// (`cvmscope inspect`), and Verify runs every check that its contents allow. Pieces that are
// absent make their checks skip with a reason; they never pass.
package evidence

import (
	"sort"

	"github.com/cvmscope/cvmscope/attestation/tpm2tools"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/google/go-tpm/tpm2"
)

// Source says where the evidence came from. The UI banner always shows it.
type Source string

const (
	SourceAzure Source = "azure" // a real Azure CVM or Trusted Launch VM
	SourceSim   Source = "sim"   // the embedded simulated CVM (test roots)
	SourceFiles Source = "files" // files opened with inspect
)

// TEE is the isolation technology the evidence describes.
type TEE string

const (
	TEEUnknown       TEE = ""
	TEESEVSNP        TEE = "sevsnp"
	TEETDX           TEE = "tdx"
	TEETrustedLaunch TEE = "trustedlaunch"
)

// Label is the human name of the TEE.
func (t TEE) Label() string {
	switch t {
	case TEESEVSNP:
		return "AMD SEV-SNP"
	case TEETDX:
		return "Intel TDX"
	case TEETrustedLaunch:
		return "Trusted Launch (no hardware TEE)"
	}
	return "unknown"
}

// LabelKO is Label in Korean; product names stay Latin.
func (t TEE) LabelKO() string {
	switch t {
	case TEESEVSNP, TEETDX:
		return t.Label()
	case TEETrustedLaunch:
		return "Trusted Launch (하드웨어 TEE 없음)"
	}
	return "알 수 없음"
}

// Quote is a TPM2_Quote: the TPMS_ATTEST it signed, the raw RSA signature, and the nonce
// the caller passed as qualifying data.
type Quote struct {
	Msg   []byte `json:"msg"`
	Sig   []byte `json:"sig"`
	Nonce []byte `json:"nonce,omitempty"`
}

// EncKey is the ephemeral TPM key MAA encrypts its AzureGuest answer to (protocol §4.4).
type EncKey struct {
	// Pub is the key's TPM2B_PUBLIC; CertifyInfo the TPMS_ATTEST of TPM2_Certify by the AK and
	// CertifySig its raw RSA signature.
	Pub         []byte `json:"pub"`
	CertifyInfo []byte `json:"certifyInfo"`
	CertifySig  []byte `json:"certifySig"`
}

// Exchange records one call to MAA.
type Exchange struct {
	// Endpoint is the provider (scheme and host), Path the attest path with api-version.
	Endpoint string `json:"endpoint"`
	Path     string `json:"path"`
	// Flow is "guest" (AzureGuest) or "platform" (SevSnpVm, TdxVm).
	Flow string `json:"flow"`
	// Emulated is true when the provider was cvmscope's local MAA emulator.
	Emulated bool   `json:"emulated,omitempty"`
	Status   int    `json:"status,omitempty"`
	Request  []byte `json:"request,omitempty"`
	Response []byte `json:"response,omitempty"`
}

// Collateral is Intel's signed TDX collateral, supplied as files or fetched on request.
type Collateral struct {
	TCBInfo      []byte `json:"tcbInfo,omitempty"`
	QEIdentity   []byte `json:"qeIdentity,omitempty"`
	SigningChain []byte `json:"signingChain,omitempty"`
	PCKCRL       []byte `json:"pckCrl,omitempty"`
	RootCRL      []byte `json:"rootCrl,omitempty"`
}

// Empty reports whether no collateral was supplied.
func (c Collateral) Empty() bool {
	return len(c.TCBInfo) == 0 && len(c.QEIdentity) == 0
}

// Set is one run's evidence. Byte fields are raw, exactly as read: never re-encoded.
type Set struct {
	Source Source `json:"source"`
	TEE    TEE    `json:"tee,omitempty"`
	// Device names where the TPM evidence came from ("/dev/tpmrm0", "embedded simulator").
	Device string `json:"device,omitempty"`

	// HCLReport is NV 0x01400001 as read. SNPReport and TDReport are set only when they were
	// supplied on their own (a raw report file); otherwise they come from HCLReport.
	HCLReport []byte `json:"hclReport,omitempty"`
	SNPReport []byte `json:"snpReport,omitempty"`
	TDReport  []byte `json:"tdReport,omitempty"`
	// RuntimeClaims is a standalone runtime-claims JSON (a file), when no HCL report carries it.
	RuntimeClaims []byte `json:"runtimeClaims,omitempty"`
	// UserData is what was written to NV 0x01400002 before the report was read.
	UserData []byte `json:"userData,omitempty"`
	// Nonce is the nonce the run used: UserData is its SHA-512 and MAA got it as the client
	// payload, so a saved token can be re-verified against it (jwt.nonce).
	Nonce string `json:"nonce,omitempty"`

	// Certs holds every certificate gathered, DER: the VCEK chain from THIM, a PCK chain,
	// the AK certificate (also in AKCert), user-supplied roots are not here (see Roots).
	Certs [][]byte `json:"certs,omitempty"`
	// TDQuote is the TD quote IMDS made from the TDREPORT (or a file).
	TDQuote []byte `json:"tdQuote,omitempty"`
	// Collateral is Intel TCB info and QE identity for tdx.tcb.
	Collateral Collateral `json:"collateral,omitempty"`

	// AKPub is the AK public area (TPM2B_PUBLIC from ReadPublic 0x81000003) or a PEM/DER
	// SubjectPublicKeyInfo from a file.
	AKPub  []byte `json:"akPub,omitempty"`
	AKCert []byte `json:"akCert,omitempty"`
	EKPub  []byte `json:"ekPub,omitempty"`

	Quote *Quote `json:"quote,omitempty"`
	// PCRs are SHA-256 bank values by index.
	PCRs map[int][]byte `json:"pcrs,omitempty"`
	// PCRBanks are the values of the other banks, by bank name ("sha1", "sha384", "sha512")
	// and index: a quote may cover several banks (tpm2_quote -l sha1:0-7+sha256:0-7), and
	// its digest can be checked only with every bank's values. SHA-256 stays in PCRs.
	PCRBanks map[string]map[int][]byte `json:"pcrBanks,omitempty"`
	// QuotePCRs is the PCR set the quote covers (Linux: 0-7).
	QuotePCRs []int `json:"quotePcrs,omitempty"`

	EventLog []byte `json:"eventLog,omitempty"`

	// Token is an MAA JWT (compact form) and JWKS the signing keys it is checked against.
	Token string `json:"token,omitempty"`
	JWKS  []byte `json:"jwks,omitempty"`

	// EncKey is the AzureGuest request's ephemeral key and the AK's certification of it.
	EncKey *EncKey `json:"encKey,omitempty"`
	// MAA is the attestation call: what was sent, to whom, and what came back. With it a
	// saved token can be re-verified against the issuer that was actually called.
	MAA *Exchange `json:"maa,omitempty"`

	// Files records which file gave which piece (inspect), for messages.
	Files []FileInfo `json:"files,omitempty"`

	// pending are files only the whole set can decide (see settle).
	pending []pending
}

// FileInfo says what one input file was recognised as.
type FileInfo struct {
	Path string `json:"path"`
	Kind Kind   `json:"kind"`
	Size int    `json:"size"`
	Note string `json:"note,omitempty"`
	// Err is why a file recognised as Kind did not parse; its data is not in the set
	// (except a token's, so that the token step can say so).
	Err string `json:"error,omitempty"`
	// ErrKO is Err in Korean, when the parser wrote Korean; empty falls back to Err.
	ErrKO string `json:"errorKo,omitempty"`
}

// PCRIndices returns the PCR indices present, ascending.
func (s *Set) PCRIndices() []int {
	idx := make([]int, 0, len(s.PCRs))
	for i := range s.PCRs {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return idx
}

// Banks is every bank's PCR values by hash algorithm: SHA-256 from PCRs, the others from
// PCRBanks; nil when there are none.
func (s *Set) Banks() tpmquote.Banks {
	var out tpmquote.Banks
	add := func(alg uint16, vals map[int][]byte) {
		if len(vals) == 0 || alg == 0 {
			return
		}
		if out == nil {
			out = tpmquote.Banks{}
		}
		out[tpm2.TPMAlgID(alg)] = vals
	}
	add(tpm2tools.AlgSHA256, s.PCRs)
	for name, vals := range s.PCRBanks {
		add(tpm2tools.HashAlg(name), vals)
	}
	return out
}

// addBank puts one bank's values into the set: SHA-256 into PCRs, the others into PCRBanks.
func (s *Set) addBank(alg uint16, vals map[int][]byte) {
	if len(vals) == 0 {
		return
	}
	if alg == tpm2tools.AlgSHA256 {
		s.addPCRs(vals)
		return
	}
	name := tpm2tools.HashName(alg)
	if s.PCRBanks == nil {
		s.PCRBanks = map[string]map[int][]byte{}
	}
	if s.PCRBanks[name] == nil {
		s.PCRBanks[name] = map[int][]byte{}
	}
	for i, v := range vals {
		s.PCRBanks[name][i] = v
	}
}
