package simcvm

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// TEE names accepted by Options.TEE (the --sim-tee flag).
const (
	TEESEVSNP        = "sevsnp"
	TEETDX           = "tdx"
	TEETrustedLaunch = "trustedlaunch"
)

// CVM is a provisioned simulated Azure CVM: the TPM behind its paravisor, the simulated
// roots that sign its evidence, and the report the paravisor currently serves.
type CVM struct {
	opts   Options
	vmID   string
	tr     transport.TPM
	amd    *simroots.AMD
	tdx    *simroots.TDX
	vtpmCA *simroots.VTPMCA

	akPub, ekPub *rsa.PublicKey
	akCert       []byte
	eventLog     []byte
	pcrs         map[int][]byte

	// measurement (SNP) and MRTD/RTMRs (TDX) stay fixed for the VM's lifetime; only
	// REPORT_DATA changes when the guest writes new user data.
	measurement [48]byte
	mrtd        [48]byte
	rtmr        [4][48]byte

	mu       sync.Mutex
	report   []byte
	userData [UserDataSize]byte
	hwReport []byte
}

// TEE is "sevsnp", "tdx" or "trustedlaunch".
func (c *CVM) TEE() string { return c.opts.TEE }

// VMID is the VM's upper-case GUID (vmUniqueId in the runtime claims).
func (c *CVM) VMID() string { return c.vmID }

// Seed is the seed every simulated value derives from.
func (c *CVM) Seed() []byte { return append([]byte(nil), c.opts.Seed...) }

// EventLog is the TCG2 crypto-agile event log whose SHA-256 replay equals the TPM's PCRs,
// as Linux exposes it in /sys/kernel/security/tpm0/binary_bios_measurements.
func (c *CVM) EventLog() []byte { return append([]byte(nil), c.eventLog...) }

// Transport is the TPM as the guest sees it: behind the paravisor. Every read of
// NV 0x01400001 must go through it.
func (c *CVM) Transport() transport.TPM { return c.tr }

// AKCert is the DER AK certificate written to NV 0x01C101D0.
func (c *CVM) AKCert() []byte { return append([]byte(nil), c.akCert...) }

// AKPublic and EKPublic are the keys published as HCLAkPub and HCLEkPub.
func (c *CVM) AKPublic() *rsa.PublicKey { return c.akPub }
func (c *CVM) EKPublic() *rsa.PublicKey { return c.ekPub }

// VTPMCA is the simulated CA that issued the AK certificate.
func (c *CVM) VTPMCA() *simroots.VTPMCA { return c.vtpmCA }

// VCEKChain returns the simulated VCEK and its ASK+ARK chain as PEM, in the form THIM
// serves them (vcekCert, certificateChain); nil for a non-SNP VM.
func (c *CVM) VCEKChain() (vcekPEM, chainPEM []byte) {
	if c.amd == nil {
		return nil, nil
	}
	return c.amd.ChainPEM()
}

// AMDRoots returns the simulated ARK and ASK that a verifier trusts for this VM's VCEK;
// nil for a non-SNP VM.
func (c *CVM) AMDRoots() (ark, ask *x509.Certificate) {
	if c.amd == nil {
		return nil, nil
	}
	return c.amd.ARK, c.amd.ASK
}

// AMD is the simulated AMD key hierarchy (ARK, ASK, VCEK) of an SEV-SNP VM, nil otherwise.
func (c *CVM) AMD() *simroots.AMD { return c.amd }

// TDX is the simulated TDX module of a TDX VM, nil otherwise.
func (c *CVM) TDX() *simroots.TDX { return c.tdx }

// MRTD is the simulated paravisor's TD measurement (TDX only; zero otherwise). It is what
// Azure endorses for its paravisor builds, so the IMDS emulator endorses this value.
func (c *CVM) MRTD() [48]byte { return c.mrtd }

// Report is the HCL report (2600 bytes) the paravisor serves now; nil for Trusted Launch.
func (c *CVM) Report() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.report...)
}

// TDReport is the 1024-byte TDREPORT inside the current report; nil unless TDX.
func (c *CVM) TDReport() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opts.TEE != TEETDX {
		return nil
	}
	return append([]byte(nil), c.hwReport[:hcl.TDReportSize]...)
}

// PCRs are the SHA-256 PCR values the generated event log replays to.
func (c *CVM) PCRs() map[int][]byte {
	out := make(map[int][]byte, len(c.pcrs))
	for i, v := range c.pcrs {
		out[i] = append([]byte(nil), v...)
	}
	return out
}

func (c *CVM) hasReport() bool { return c.opts.TEE != TEETrustedLaunch }

// refresh reads NV 0x01400002 from the TPM and regenerates the report when its content
// changed. Azure's behaviour here is not documented (protocol §1.4 [UNSURE]); OpenVMM's
// paravisor renews the report when the report index is read. Checking lazily on read also
// catches writes made by another process straight to the TPM (tpm2_nvwrite against swtpm).
func (c *CVM) refresh(tpm transport.TPM) error {
	ud, err := readUserData(tpm)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.report != nil && (ud == c.userData || c.opts.StaleReport) {
		return nil
	}
	return c.regenerate(ud)
}

// readUserData reads NV 0x01400002; an undefined or never-written index reads as zeros,
// as the paravisor treats it.
func readUserData(tpm transport.TPM) ([UserDataSize]byte, error) {
	var ud [UserDataSize]byte
	pub, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(UserDataIndex)}.Execute(tpm)
	if errors.Is(err, tpm2.TPMRCHandle) {
		return ud, nil
	}
	if err != nil {
		return ud, fmt.Errorf("simcvm paravisor: NV_ReadPublic 0x%08x: %w", UserDataIndex, err)
	}
	nvPub, err := pub.NVPublic.Contents()
	if err != nil {
		return ud, fmt.Errorf("simcvm paravisor: NV public of 0x%08x: %w", UserDataIndex, err)
	}
	n := min(int(nvPub.DataSize), UserDataSize)
	rsp, err := tpm2.NVRead{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(UserDataIndex), Name: pub.NVName},
		Size:       uint16(n),
	}.Execute(tpm)
	if errors.Is(err, tpm2.TPMRCNVUninitialized) {
		return ud, nil
	}
	if err != nil {
		return ud, fmt.Errorf("simcvm paravisor: NV_Read 0x%08x (owner auth): %w", UserDataIndex, err)
	}
	copy(ud[:], rsp.Data.Buffer)
	return ud, nil
}

// Launch values as Azure's paravisor reports them, so the simulated reports read like real
// ones: the IGVM family and image ids of the Azure SNP paravisor (01…, 02…), and a TDX
// module 1.5 (TEE_TCB_SVN 02.01.06, XFAM x87, SSE, AVX, AVX-512, CET and AMX as on Azure TDX
// hosts). MRSEAM is the hash of a name, not of Intel's module: the module is simulated.
var (
	azureSNPFamilyID = [16]byte{0x01}
	azureSNPImageID  = [16]byte{0x02}
	azureTEETCBSVN   = [16]byte{0x02, 0x01, 0x06}
	azureXFAM        = uint64(0x618e7)
	simTDXModule     = sha512.Sum384([]byte("cvmscope simulated Intel TDX module 1.5.06"))
)

// regenerate builds new runtime claims carrying ud, binds them into a new hardware report
// (REPORT_DATA = SHA-256(claims) ‖ 32 zero bytes) and assembles the HCL report. c.mu held.
func (c *CVM) regenerate(ud [UserDataSize]byte) error {
	claims, err := c.runtimeClaims(ud)
	if err != nil {
		return err
	}
	var rd [64]byte
	h := sha256.Sum256(claims)
	copy(rd[:], h[:])
	var hw []byte
	var typ hcl.ReportType
	switch c.opts.TEE {
	case TEESEVSNP:
		typ = hcl.ReportSNP
		hw, err = c.amd.NewReport(simroots.SNPParams{ReportData: rd, Measurement: c.measurement, Debug: c.opts.Debug,
			FamilyID: azureSNPFamilyID, ImageID: azureSNPImageID})
	case TEETDX:
		typ = hcl.ReportTDX
		hw, err = c.tdx.NewTDReport(simroots.TDXParams{ReportData: rd, MRTD: c.mrtd, RTMR: c.rtmr, Debug: c.opts.Debug,
			MRSeam: simTDXModule, TEETCBSVN: azureTEETCBSVN, XFAM: azureXFAM})
	default:
		return fmt.Errorf("simcvm: a %q VM has no hardware report", c.opts.TEE)
	}
	if err != nil {
		return fmt.Errorf("simcvm: signing the simulated %s report: %w", c.opts.TEE, err)
	}
	report, err := hcl.Build(typ, hw, hcl.HashSHA256, claims, hcl.NVSize)
	if err != nil {
		return fmt.Errorf("simcvm: %w", err)
	}
	c.report, c.userData, c.hwReport = report, ud, hw
	return nil
}

// vmConfiguration mirrors the key order of Azure's "vm-configuration" object (§2.6).
type vmConfiguration struct {
	ConsoleEnabled     bool   `json:"console-enabled"`
	RootCertThumbprint string `json:"root-cert-thumbprint"`
	SecureBoot         bool   `json:"secure-boot"`
	TPMEnabled         bool   `json:"tpm-enabled"`
	TPMPersisted       bool   `json:"tpm-persisted"`
	VMUniqueID         string `json:"vmUniqueId"`
}

type runtimeClaims struct {
	Keys     []hcl.JWK       `json:"keys"`
	VMConfig vmConfiguration `json:"vm-configuration"`
	UserData string          `json:"user-data"`
}

// runtimeClaims serialises the claims compactly, as the paravisor does.
func (c *CVM) runtimeClaims(ud [UserDataSize]byte) ([]byte, error) {
	rc := runtimeClaims{
		Keys: []hcl.JWK{
			hcl.NewJWK("HCLAkPub", []string{"sign"}, c.akPub),
			hcl.NewJWK("HCLEkPub", []string{"encrypt"}, c.ekPub),
		},
		VMConfig: vmConfiguration{
			ConsoleEnabled:     true,
			RootCertThumbprint: c.rootCertThumbprint(),
			SecureBoot:         c.opts.SecureBoot,
			TPMEnabled:         true,
			TPMPersisted:       true,
			VMUniqueID:         c.vmID,
		},
		UserData: hcl.UserDataHex(ud[:]),
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rc); err != nil {
		return nil, fmt.Errorf("simcvm: encoding runtime claims: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// rootCertThumbprint is the base64url SHA-256 of the simulated vTPM root certificate.
// What Azure hashes here is not documented; it is a stable identifier of the root that
// vouches for this VM's AK.
func (c *CVM) rootCertThumbprint() string {
	sum := sha256.Sum256(c.vtpmCA.Root.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
