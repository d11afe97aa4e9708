package simcvm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// Options describe the simulated CVM. Start from DefaultOptions: a zero Options has Secure
// Boot off.
type Options struct {
	// TEE is "sevsnp", "tdx" or "trustedlaunch" (the --sim-tee flag).
	TEE string
	// Seed determines every simulated value: keys of the simulated roots, the VM id, the
	// measurements, the event log and the AK template. Empty means simroots.DefaultSeed().
	Seed []byte
	// VMID is the vmUniqueId, a GUID (upper-cased, as Azure writes it); empty means
	// derived from Seed.
	VMID string
	// SecureBoot is the VM's Secure Boot state, reflected in PCR7 and "secure-boot".
	SecureBoot bool
	// Debug marks the hardware report as from a debuggable guest (SNP policy bit 19, TDX
	// ATTRIBUTES.DEBUG), which a verifier must refuse.
	Debug bool
	// StaleReport makes the paravisor ignore user data written after provisioning: the
	// report keeps binding the user data it was made with (the stale-report scenario, what
	// a client sees when it reads the report before the paravisor renewed it).
	StaleReport bool
	// TDQuoteV5 makes the TD quote service answer with TD quotes v5 (TDX 1.5 body), as a
	// TDX 1.5 host's quoting library does; Azure's IMDS serves v4 today.
	TDQuoteV5 bool
	// Now is the AK certificate's notBefore; zero means the current time. It is not part
	// of the HCL report, so it does not affect report golden tests.
	Now time.Time
}

// DefaultOptions is an SEV-SNP VM with Secure Boot on and the default seed.
func DefaultOptions() Options {
	return Options{TEE: TEESEVSNP, Seed: simroots.DefaultSeed(), SecureBoot: true}
}

// SimulatorSeed derives the seed for go-tpm-tools' simulator.GetWithFixedSeedInsecure from
// a simulation seed, so the TPM's hierarchy seeds (and hence EK and AK) follow it too.
func SimulatorSeed(seed []byte) int64 {
	if len(seed) == 0 {
		seed = simroots.DefaultSeed()
	}
	return int64(binary.BigEndian.Uint64(derive(seed, "tpm-simulator-seed", 8)) >> 1)
}

// bootPCRs are the PCRs the generated event log extends.
var bootPCRs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}

// Provision makes tr look like an Azure vTPM and returns the simulated CVM whose
// Transport() answers NV 0x01400001. It is idempotent against persistent TPM state (swtpm):
// keys present at 0x81010001 and 0x81000003 are reused, the AK certificate is rewritten,
// and PCRs that already hold this seed's boot measurements are left alone.
func Provision(tr transport.TPM, opts Options) (*CVM, error) {
	if len(opts.Seed) == 0 {
		opts.Seed = simroots.DefaultSeed()
	}
	switch opts.TEE {
	case TEESEVSNP, TEETDX, TEETrustedLaunch:
	default:
		return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("simcvm: unknown TEE %q", opts.TEE),
			"use --sim-tee sevsnp, tdx or trustedlaunch"),
			fmt.Sprintf("simcvm: 알 수 없는 TEE %q입니다", opts.TEE), "--sim-tee sevsnp, tdx, trustedlaunch 중 하나를 씁니다")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c := &CVM{opts: opts, vmID: strings.ToUpper(opts.VMID)}
	if c.vmID == "" {
		c.vmID = strings.ToUpper(guidString(derive(opts.Seed, "vm-id", 16)))
	}
	if err := c.makeRoots(); err != nil {
		return nil, err
	}
	if err := startup(tr); err != nil {
		return nil, err
	}
	var err error
	if c.ekPub, err = persistedKey(tr, EKHandle, tpm2.RSAEKTemplate, "EK", checkEK); err != nil {
		return nil, err
	}
	if c.akPub, err = persistedKey(tr, AKHandle, akTemplate(derive(opts.Seed, "ak-unique", 256)), "AK", checkAK); err != nil {
		return nil, err
	}
	chunk, err := tpmProperty(tr, tpm2.TPMPTNVBufferMax)
	if err != nil {
		return nil, err
	}
	if err := c.writeAKCert(tr, opts.Now, int(chunk)); err != nil {
		return nil, err
	}
	if err := defineUserData(tr); err != nil {
		return nil, err
	}
	if err := c.measureBoot(tr); err != nil {
		return nil, err
	}
	c.tr = NewParavisor(tr, c)
	if c.hasReport() {
		if err := c.refresh(tr); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// makeRoots creates the simulated vTPM CA and the TEE's roots, and fixes the launch
// measurements, all from the seed.
func (c *CVM) makeRoots() error {
	seed := c.opts.Seed
	var err error
	if c.vtpmCA, err = simroots.NewVTPMCA(seed); err != nil {
		return fmt.Errorf("simcvm: simulated vTPM CA: %w", err)
	}
	switch c.opts.TEE {
	case TEESEVSNP:
		if c.amd, err = simroots.NewAMD(seed); err != nil {
			return fmt.Errorf("simcvm: simulated AMD roots: %w", err)
		}
		copy(c.measurement[:], derive(seed, "snp-measurement", 48))
	case TEETDX:
		if c.tdx, err = simroots.NewTDX(seed); err != nil {
			return fmt.Errorf("simcvm: simulated TDX module: %w", err)
		}
		if c.opts.TDQuoteV5 {
			c.tdx.QuoteVersion = 5
		}
		copy(c.mrtd[:], derive(seed, "tdx-mrtd", 48))
		for i := range c.rtmr {
			copy(c.rtmr[i][:], derive(seed, fmt.Sprintf("tdx-rtmr%d", i), 48))
		}
	}
	return nil
}

// writeAKCert issues the AK certificate and writes it to NV 0x01C101D0, sized to the DER
// as Azure's AK-cert renewal does (protocol §1.6), replacing any previous index.
func (c *CVM) writeAKCert(tr transport.TPM, now time.Time, chunk int) error {
	der, err := c.vtpmCA.IssueAKCert(c.akPub, c.vmID, now)
	if err != nil {
		return fmt.Errorf("simcvm: issuing the AK certificate: %w", err)
	}
	c.akCert = der
	defined, err := nvDefined(tr, AKCertIndex)
	if err != nil {
		return err
	}
	if defined {
		if err := nvUndefine(tr, AKCertIndex); err != nil {
			return err
		}
	}
	attrs := tpm2.TPMANV{OwnerWrite: true, AuthWrite: true, OwnerRead: true, AuthRead: true, NoDA: true}
	if err := nvDefine(tr, AKCertIndex, len(der), attrs); err != nil {
		return err
	}
	return nvWrite(tr, AKCertIndex, der, chunk)
}

// defineUserData defines NV 0x01400002 as Azure clients do when it is missing (§1.4).
func defineUserData(tr transport.TPM) error {
	defined, err := nvDefined(tr, UserDataIndex)
	if err != nil || defined {
		return err
	}
	// OWNERWRITE|AUTHWRITE|OWNERREAD|AUTHREAD = 0x00060006
	attrs := tpm2.TPMANV{OwnerWrite: true, AuthWrite: true, OwnerRead: true, AuthRead: true}
	return nvDefine(tr, UserDataIndex, UserDataSize, attrs)
}

// measureBoot generates the event log and extends the TPM's SHA-256 PCRs with it. PCRs still
// at their reset value are extended; PCRs that already hold exactly this log's values (the
// same swtpm state provisioned again) are left alone; anything else is an error, because
// the log would no longer replay.
func (c *CVM) measureBoot(tr transport.TPM) error {
	l, err := bootLog(c.opts.Seed, c.opts.SecureBoot)
	if err != nil {
		return err
	}
	c.eventLog = l.buf.Bytes()
	c.pcrs = l.pcrs
	current, err := readPCRs(tr, bootPCRs)
	if err != nil {
		return err
	}
	zero := make([]byte, 32)
	reset, replayed := true, true
	var differ []string
	for _, i := range bootPCRs {
		if !bytes.Equal(current[i], zero) {
			reset = false
		}
		if !bytes.Equal(current[i], l.pcrs[i]) {
			replayed = false
			differ = append(differ, fmt.Sprintf("PCR%d", i))
		}
	}
	switch {
	case replayed:
		return nil
	case !reset:
		sort.Strings(differ)
		return fault.Korean(fault.WithHint(fault.Device,
			fmt.Errorf("simcvm: SHA-256 %s are neither at their reset value nor at this seed's boot measurements; the generated event log would not replay", strings.Join(differ, ", ")),
			"reset the TPM state (restart swtpm with a fresh --tpmstate directory, or restart it so startup-clear resets the PCRs), or provision with the seed used before"),
			fmt.Sprintf("simcvm: SHA-256 %s이(가) 초기값도 아니고 이 시드의 부팅 측정값도 아닙니다. 만들어질 이벤트 로그가 재생(replay)되지 않습니다", strings.Join(differ, ", ")),
			"TPM 상태를 초기화하거나(새 --tpmstate 디렉터리로 swtpm을 다시 시작하거나, startup-clear가 PCR을 리셋하도록 다시 시작합니다) 이전에 쓴 시드로 프로비저닝합니다")
	}
	for _, e := range l.events {
		if err := extendPCR(tr, e.pcr, e.digest[:], e.sha1[:], e.sha384[:]); err != nil {
			return err
		}
	}
	return nil
}
