package maa

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// TPMInfo is the vTPM evidence of an AzureGuest request (protocol §4.2, TpmInfo).
type TPMInfo struct {
	AikCert      []byte         // AK certificate, DER
	AikPub       []byte         // TPM2B_PUBLIC of the AK
	PcrQuote     []byte         // TPMS_ATTEST of TPM2_Quote, no size prefix
	PcrSignature []byte         // raw RSA signature of the quote
	PcrSet       []int          // quoted PCR indices
	PCRs         map[int][]byte // SHA-256 value of each PCR in PcrSet
	// The ephemeral key MAA encrypts its answer to, certified by the AK (§4.4).
	EncKeyPub                  []byte
	EncKeyCertifyInfo          []byte
	EncKeyCertifyInfoSignature []byte
}

// Isolation is the hardware part of an AzureGuest request: TrustedLaunch, SevSnp or Tdx.
type Isolation interface {
	isolationInfo() (isolationInfo, error)
}

// TrustedLaunch is a VM with a vTPM and no hardware TEE evidence.
type TrustedLaunch struct{}

// SevSnp carries the SNP report from the HCL report, THIM's VCEK chain and the runtime
// claims whose hash the report binds.
type SevSnp struct {
	SnpReport     []byte
	VcekCertChain string
	RuntimeData   []byte
}

// Tdx carries the TD quote from IMDS and the runtime claims it binds.
type Tdx struct {
	Quote       []byte
	RuntimeData []byte
}

// GuestRequest is everything an AzureGuest attestation sends.
type GuestRequest struct {
	TPM       TPMInfo
	Isolation Isolation
	OS        OSInfo
	TcgLogs   []byte
	// ClientPayload values are sent b64 and come back unchanged in x-ms-runtime.client-payload.
	ClientPayload map[string]string
}

var (
	b64    = base64.StdEncoding
	b64url = base64.RawURLEncoding
)

type isolationEvidence struct {
	Proof       string `json:"Proof"`
	RunTimeData string `json:"RunTimeData"`
}

type isolationInfo struct {
	Type     string             `json:"Type"`
	Evidence *isolationEvidence `json:"Evidence,omitempty"`
}

func (TrustedLaunch) isolationInfo() (isolationInfo, error) {
	return isolationInfo{Type: "TrustedLaunch"}, nil
}

// snpProof is the JSON inside Proof; SnpReport is b64url in every reference client.
type snpProof struct {
	SnpReport     string `json:"SnpReport"`
	VcekCertChain string `json:"VcekCertChain"`
}

// SNPReportSize is the size of an AMD SEV-SNP ATTESTATION_REPORT.
const SNPReportSize = 1184

func (s SevSnp) isolationInfo() (isolationInfo, error) {
	if err := checkSNP(s.SnpReport, s.VcekCertChain, s.RuntimeData); err != nil {
		return isolationInfo{}, err
	}
	// AZ-RS form: every layer b64url without padding (protocol §4.2 recommendation).
	proof, _ := json.Marshal(snpProof{SnpReport: b64url.EncodeToString(s.SnpReport), VcekCertChain: b64url.EncodeToString([]byte(s.VcekCertChain))})
	return isolationInfo{Type: "SevSnp", Evidence: &isolationEvidence{
		Proof: b64url.EncodeToString(proof), RunTimeData: b64url.EncodeToString(s.RuntimeData)}}, nil
}

func (t Tdx) isolationInfo() (isolationInfo, error) {
	if len(t.Quote) == 0 {
		return isolationInfo{}, fmt.Errorf("IsolationInfo.Evidence.Proof: the TD quote is empty; get it from IMDS /acc/tdquote first")
	}
	if len(t.RuntimeData) == 0 {
		return isolationInfo{}, fmt.Errorf("IsolationInfo.Evidence.RunTimeData: the runtime claims are empty; take them from the HCL report")
	}
	return isolationInfo{Type: "Tdx", Evidence: &isolationEvidence{
		Proof: b64.EncodeToString(t.Quote), RunTimeData: b64.EncodeToString(t.RuntimeData)}}, nil
}

func checkSNP(report []byte, chain string, runtime []byte) error {
	switch {
	case len(report) != SNPReportSize:
		return fmt.Errorf("SnpReport is %d bytes, want %d (HCL report bytes 32..1216)", len(report), SNPReportSize)
	case chain == "":
		return fmt.Errorf("VcekCertChain is empty; get the VCEK and its chain from THIM (IMDS) or AMD KDS first")
	case len(runtime) == 0:
		return fmt.Errorf("RunTimeData is empty; take the runtime claims from the HCL report")
	}
	return nil
}

type pcrEntry struct {
	Index  int    `json:"Index"`
	Digest []byte `json:"Digest"` // encoding/json writes []byte as standard b64, the wire form
}

type tpmInfoJSON struct {
	AikCert                    []byte     `json:"AikCert"`
	AikPub                     []byte     `json:"AikPub"`
	PcrQuote                   []byte     `json:"PcrQuote"`
	PcrSignature               []byte     `json:"PcrSignature"`
	PcrSet                     []int      `json:"PcrSet"`
	PCRs                       []pcrEntry `json:"PCRs"`
	EncKeyPub                  []byte     `json:"EncKeyPub"`
	EncKeyCertifyInfo          []byte     `json:"EncKeyCertifyInfo"`
	EncKeyCertifyInfoSignature []byte     `json:"EncKeyCertifyInfoSignature"`
}

type attestationInfo struct {
	AttestationProtocolVersion string            `json:"AttestationProtocolVersion"`
	OSType                     string            `json:"OSType"`
	OSDistro                   string            `json:"OSDistro"`
	OSVersionMajor             int               `json:"OSVersionMajor"`
	OSVersionMinor             int               `json:"OSVersionMinor"`
	OSBuild                    string            `json:"OSBuild"`
	TcgLogs                    []byte            `json:"TcgLogs"`
	ClientPayload              map[string]string `json:"ClientPayload"`
	TpmInfo                    tpmInfoJSON       `json:"TpmInfo"`
	IsolationInfo              isolationInfo     `json:"IsolationInfo"`
}

// BuildGuest encodes an AzureGuest request. It returns the HTTP body and the AttestationInfo
// JSON before its b64url wrapping, which is what a person wants to read. Empty TPM fields
// and a major OS version of 0 are refused, as AZ-CPP refuses them before calling MAA.
func BuildGuest(r GuestRequest) (body []byte, info []byte, err error) {
	t := r.TPM
	for _, f := range []struct {
		name string
		v    []byte
	}{{"AikCert", t.AikCert}, {"AikPub", t.AikPub}, {"PcrQuote", t.PcrQuote}, {"PcrSignature", t.PcrSignature},
		{"EncKeyPub", t.EncKeyPub}, {"EncKeyCertifyInfo", t.EncKeyCertifyInfo}, {"EncKeyCertifyInfoSignature", t.EncKeyCertifyInfoSignature}} {
		if len(f.v) == 0 {
			return nil, nil, fmt.Errorf("AzureGuest request: TpmInfo.%s is empty; MAA needs every TPM field", f.name)
		}
	}
	if len(t.PcrSet) == 0 {
		return nil, nil, fmt.Errorf("AzureGuest request: TpmInfo.PcrSet is empty; quote PCRs 0-7")
	}
	set := slices.Clone(t.PcrSet)
	sort.Ints(set)
	pcrs := make([]pcrEntry, 0, len(set))
	for i, idx := range set {
		if i > 0 && set[i-1] == idx {
			return nil, nil, fmt.Errorf("AzureGuest request: TpmInfo.PcrSet lists PCR %d twice", idx)
		}
		d, ok := t.PCRs[idx]
		if !ok || len(d) != 32 {
			return nil, nil, fmt.Errorf("AzureGuest request: TpmInfo.PCRs[%d] is %d bytes, want the 32-byte SHA-256 value", idx, len(d))
		}
		pcrs = append(pcrs, pcrEntry{Index: idx, Digest: d})
	}
	if r.Isolation == nil {
		return nil, nil, fmt.Errorf("AzureGuest request: IsolationInfo is missing; use maa.TrustedLaunch{} for a VM without a hardware TEE")
	}
	iso, err := r.Isolation.isolationInfo()
	if err != nil {
		return nil, nil, fmt.Errorf("AzureGuest request: %w", err)
	}
	if r.OS.VersionMajor <= 0 {
		return nil, nil, fmt.Errorf("AzureGuest request: OSVersionMajor is %d; MAA's reference client refuses 0 (use OSInfoFromOSRelease, which defaults to 1)", r.OS.VersionMajor)
	}
	payload := map[string]string{}
	for k, v := range r.ClientPayload {
		payload[k] = b64.EncodeToString([]byte(v))
	}
	logs := r.TcgLogs
	if logs == nil {
		logs = []byte{} // "" rather than null: an absent log is still a field
	}
	ai := attestationInfo{
		AttestationProtocolVersion: "2.0",
		OSType:                     b64.EncodeToString([]byte(r.OS.Type)),
		OSDistro:                   b64.EncodeToString([]byte(r.OS.Distro)),
		OSVersionMajor:             r.OS.VersionMajor,
		OSVersionMinor:             r.OS.VersionMinor,
		OSBuild:                    b64.EncodeToString([]byte(r.OS.Build)),
		TcgLogs:                    logs,
		ClientPayload:              payload,
		TpmInfo: tpmInfoJSON{AikCert: t.AikCert, AikPub: t.AikPub, PcrQuote: t.PcrQuote, PcrSignature: t.PcrSignature,
			PcrSet: set, PCRs: pcrs, EncKeyPub: t.EncKeyPub, EncKeyCertifyInfo: t.EncKeyCertifyInfo,
			EncKeyCertifyInfoSignature: t.EncKeyCertifyInfoSignature},
		IsolationInfo: iso,
	}
	info, err = json.Marshal(ai)
	if err != nil {
		return nil, nil, fmt.Errorf("AzureGuest request: %v", err)
	}
	body, err = json.Marshal(map[string]string{"AttestationInfo": b64url.EncodeToString(info)})
	return body, info, err
}
