// Package platform decides where evidence comes from — a real Azure vTPM or the simulated
// CVM — and gathers the "Read report" evidence from it into an evidence.Set.
//
// The gathering code is the same for both: the simulated CVM is a TPM (embedded simulator
// or swtpm) with a simulated paravisor in front of it, so every NV read, PCR read and quote
// below is a real TPM command either way.
package platform

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/cvmscope/cvmscope/hw/tpm"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// Options choose and configure the platform.
type Options struct {
	// Platform is "auto", "azure" or "sim".
	Platform string
	// TPM is the --tpm target: "auto", a device path, "tcp://HOST:PORT" or "sim".
	TPM string
	// SimTEE is "sevsnp", "tdx" or "trustedlaunch" for the simulated CVM.
	SimTEE string
	// Seed makes the simulated CVM deterministic; empty means the default seed.
	Seed []byte
	// SecureBoot and Debug shape the simulated CVM (fault scenarios).
	SecureBoot bool
	Debug      bool
	// StaleReport makes the simulated paravisor ignore new user data (fault scenario).
	StaleReport bool
	// EventLogPath overrides the system event log location on a real VM.
	EventLogPath string
}

// QuotePCRs is the PCR set Linux guests quote (azure-protocol.md §1.5).
var QuotePCRs = []int{0, 1, 2, 3, 4, 5, 6, 7}

// Platform is an opened source of evidence.
type Platform struct {
	Source evidence.Source
	// Reason says why auto chose this platform, for the banner and preflight; ReasonKO
	// says it in Korean.
	Reason, ReasonKO string
	TPM              *tpm.TPM
	// CVM is the simulated CVM; nil on a real VM.
	CVM          *simcvm.CVM
	eventLogPath string
}

// why is a reason in English and Korean.
type why struct{ en, ko string }

// Open chooses the platform and opens its TPM. For "sim" it provisions the simulated CVM.
func Open(ctx context.Context, o Options) (*Platform, error) {
	switch o.Platform {
	case "", "auto":
		dev, reason := detectAzure()
		if dev == "" {
			return openSim(ctx, o, why{"auto: " + reason.en + "; using the simulated CVM", "자동 감지: " + reason.ko + ". 시뮬레이션 CVM을 사용합니다"})
		}
		o.TPM = pick(o.TPM, dev)
		return openAzure(ctx, o, why{"auto: " + reason.en, "자동 감지: " + reason.ko})
	case "azure":
		return openAzure(ctx, o, why{"--platform azure", "--platform=azure로 지정"})
	case "sim":
		return openSim(ctx, o, why{"--platform sim", "--platform=sim으로 지정"})
	}
	return nil, fault.Korean(fault.Errorf(fault.Internal, "--platform %q: use auto, azure or sim", o.Platform),
		fmt.Sprintf("--platform %q: auto, azure, sim 중 하나를 씁니다", o.Platform), "")
}

func pick(flag, dflt string) string {
	if flag == "" || flag == "auto" {
		return dflt
	}
	return flag
}

// detectAzure looks for a TPM device. A TPM alone does not make an Azure VM; the report
// index decides, which openAzure reads. Without a device there is nothing to ask.
func detectAzure() (dev string, reason why) {
	// tpm.Detect knows each OS's way in: device files on Linux, TBS on Windows.
	if target, found, foundKO, ok := tpm.Detect(); ok {
		return target, why{"found " + found, foundKO + " 찾았습니다"}
	}
	list := strings.Join(tpm.DefaultDevices, ", ")
	return "", why{"no TPM device (" + list + ")", "TPM 장치(" + list + ")가 없습니다"}
}

func openAzure(ctx context.Context, o Options, reason why) (*Platform, error) {
	t, err := tpm.Open(ctx, pick(o.TPM, "auto"))
	if err != nil {
		return nil, err
	}
	p := &Platform{Source: evidence.SourceAzure, Reason: reason.en, ReasonKO: reason.ko, TPM: t, eventLogPath: o.EventLogPath}
	if o.Platform == "" || o.Platform == "auto" {
		// A TPM that has neither Azure's report index nor its AK is not an Azure vTPM
		// (a laptop, a plain VM): fall back to the simulated CVM rather than fail.
		_, errReport := t.NVReadPublic(ctx, tpm.NVHCLReport)
		_, _, errAK := t.ReadPublic(ctx, tpm.HandleAK)
		if errReport != nil && errAK != nil {
			t.Close()
			return openSim(ctx, o, why{"auto: " + t.Desc() + " is not an Azure vTPM (no NV 0x01400001, no AK 0x81000003); using the simulated CVM",
				"auto: " + t.DescKO() + "은(는) Azure vTPM이 아닙니다(NV 0x01400001도, AK 0x81000003도 없습니다). 시뮬레이션 CVM을 사용합니다"})
		}
	}
	return p, nil
}

func openSim(ctx context.Context, o Options, reason why) (*Platform, error) {
	if o.EventLogPath != "" {
		// The simulated CVM measures its own boot: a log from elsewhere would be dropped.
		return nil, fault.Korean(fault.Errorf(fault.Internal, "--event-log %s cannot be used: %s, which writes its own event log; --event-log is for an Azure VM (--platform azure)", o.EventLogPath, reason.en),
			fmt.Sprintf("--event-log %s은(는) 쓸 수 없습니다: %s. 시뮬레이션 CVM은 자체 이벤트 로그를 만듭니다. --event-log는 Azure VM(--platform azure)용입니다", o.EventLogPath, reason.ko), "")
	}
	target := pick(o.TPM, "sim")
	if target == "sim" {
		// A fixed simulator seed makes the EK and AK, and so every report, reproducible.
		seed := o.Seed
		if len(seed) == 0 {
			seed = simroots.DefaultSeed()
		}
		target = fmt.Sprintf("sim:%d", simcvm.SimulatorSeed(seed))
	}
	t, err := tpm.Open(ctx, target)
	if err != nil {
		return nil, err
	}
	tee := o.SimTEE
	if tee == "" {
		tee = simcvm.TEESEVSNP
	}
	cvm, err := simcvm.Provision(t.Transport(), simcvm.Options{TEE: tee, Seed: o.Seed, SecureBoot: o.SecureBoot, Debug: o.Debug, StaleReport: o.StaleReport})
	if err != nil {
		t.Close()
		return nil, err
	}
	front := t.Interpose(func(transport.TPM) transport.TPM { return cvm.Transport() }, t.Desc()+" behind the simulated paravisor").
		SetDescKO("시뮬레이션 패러바이저 뒤의 " + t.DescKO())
	return &Platform{Source: evidence.SourceSim, Reason: reason.en, ReasonKO: reason.ko, TPM: front, CVM: cvm}, nil
}

// Close releases the TPM.
func (p *Platform) Close() error { return p.TPM.Close() }

// UserData is what cvmscope writes to NV 0x01400002 for a nonce: SHA-512 of it, exactly the
// 64 bytes the index holds.
func UserData(nonce string) []byte {
	h := sha512.Sum512([]byte(nonce))
	return h[:]
}

// QuoteNonce is the TPM quote's qualifying data for a nonce (SHA-256 of it), nil without one.
func QuoteNonce(nonce string) []byte {
	if nonce == "" {
		return nil
	}
	h := sha256.Sum256([]byte(nonce))
	return h[:]
}

// ReadReport gathers the "Read report" evidence. With a nonce, it first writes the user data
// so that the paravisor regenerates the report over it (a fresh report; without it, the
// report stored at boot binds 64 zero bytes).
func (p *Platform) ReadReport(ctx context.Context, nonce string) (*evidence.Set, error) {
	return p.ReadReportWith(ctx, ReadOptions{Nonce: nonce})
}

// ReadOptions are what a relying party chooses for Read report (azure-protocol.md §16).
type ReadOptions struct {
	Nonce string
	// UserData, when non-nil, is written to NV 0x01400002 instead of SHA-512 of the nonce.
	UserData []byte
	// PCRs is the quote's SHA-256 selection; nil means QuotePCRs (WindowsQuotePCRs on a
	// Windows guest).
	PCRs []int
}

// ReadReportWith is ReadReport with the user data and PCR selection chosen by the caller.
func (p *Platform) ReadReportWith(ctx context.Context, o ReadOptions) (*evidence.Set, error) {
	nonce := o.Nonce
	quotePCRs := p.defaultQuotePCRs()
	if o.PCRs != nil {
		quotePCRs = o.PCRs
	}
	s := &evidence.Set{Source: p.Source, Device: p.TPM.Desc()}
	// A Trusted Launch VM has no paravisor report, so nothing would bind the user data:
	// writing it would only make the token checks expect it.
	_, errPub := p.TPM.NVReadPublic(ctx, tpm.NVHCLReport)
	if (nonce != "" || o.UserData != nil) && !isHandleMissing(errPub) {
		ud := o.UserData
		if ud == nil {
			ud = UserData(nonce)
		}
		if err := p.TPM.NVWriteUserData(ctx, ud); err != nil {
			return nil, err
		}
		// The index holds 64 bytes: shorter data is read back zero-padded, and the report
		// (and so the token) carries all 64.
		s.UserData = make([]byte, tpm.UserDataSize)
		copy(s.UserData, ud)
	}
	report, err := p.TPM.NVRead(ctx, tpm.NVHCLReport)
	switch {
	case err == nil:
		s.HCLReport = report
		if r, perr := hcl.Parse(report); perr == nil {
			switch r.IGVM.ReportType {
			case hcl.ReportSNP:
				s.TEE = evidence.TEESEVSNP
			case hcl.ReportTDX:
				s.TEE = evidence.TEETDX
			}
		}
	case isHandleMissing(err):
		s.TEE = evidence.TEETrustedLaunch
	default:
		return nil, err
	}
	akRaw, _, err := p.TPM.ReadPublic(ctx, tpm.HandleAK)
	if err != nil {
		return nil, err
	}
	s.AKPub = akRaw
	if ekRaw, _, err := p.TPM.EKPub(ctx); err == nil {
		s.EKPub = ekRaw
	}
	if cert, err := p.TPM.AKCert(ctx); err == nil {
		s.AKCert = cert
	} else if !isUninitialized(err) && !isHandleMissing(err) {
		return nil, err
	}
	// Every bank is read for the event log's replay in each; only SHA-256 is quoted, and
	// it is taken from the same reads rather than read twice. A TPM that will not list or
	// read its banks still gives the SHA-256 evidence MAA needs, read on its own.
	banks, err := p.TPM.ReadBanks(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	s.PCRs = banks["sha256"]
	if s.PCRs == nil {
		if s.PCRs, err = p.TPM.ReadPCRs(ctx); err != nil {
			return nil, err
		}
	}
	delete(banks, "sha256")
	if len(banks) > 0 {
		s.PCRBanks = banks
	}
	q, err := p.TPM.Quote(ctx, tpm.HandleAK, QuoteNonce(nonce), quotePCRs)
	if err != nil {
		return nil, err
	}
	s.Quote = &evidence.Quote{Msg: q.Attest, Sig: q.Signature, Nonce: QuoteNonce(nonce)}
	s.QuotePCRs = append([]int(nil), quotePCRs...)
	// The quote's PCR values, read right before quoting, are the ones the digest covers.
	for i, v := range q.PCRs {
		s.PCRs[i] = v
	}
	s.EventLog, err = p.eventLog()
	if err != nil {
		return nil, err
	}
	if p.CVM != nil {
		p.addSim(s)
	}
	return s, nil
}

func (p *Platform) eventLog() ([]byte, error) {
	if p.CVM != nil {
		return p.CVM.EventLog(), nil
	}
	if p.eventLogPath != "" {
		// Capped, and only a regular file: a FIFO or /dev/zero must not hang the run.
		b, err := evidence.ReadFile(p.eventLogPath)
		if err != nil {
			return nil, fault.Korean(fault.New(fault.Device, fmt.Errorf("event log %s: %w", p.eventLogPath, err)),
				fmt.Sprintf("이벤트 로그 %s을(를) 읽을 수 없습니다: %v", p.eventLogPath, err), "")
		}
		return b, nil
	}
	b, err := eventlog.ReadSystem()
	if err != nil {
		// A missing log is worth a skipped check, not a failed run: the sample client
		// sends an empty log too.
		return nil, nil
	}
	return b, nil
}

// addSim adds what the simulated hardware vouches with: the VCEK chain (on Azure it comes
// from THIM in the next step) and the simulated roots, labelled as test roots.
func (p *Platform) addSim(s *evidence.Set) {
	if amd := p.CVM.AMD(); amd != nil && s.TEE == evidence.TEESEVSNP {
		vcek, chain := amd.ChainPEM()
		for _, b := range [][]byte{vcek, chain} {
			for rest := b; ; {
				var blk *pem.Block
				blk, rest = pem.Decode(rest)
				if blk == nil {
					break
				}
				s.Certs = append(s.Certs, blk.Bytes)
			}
		}
	}
}

func isHandleMissing(err error) bool { return errors.Is(err, tpm2.TPMRCHandle) }

func isUninitialized(err error) bool { return errors.Is(err, tpm2.TPMRCNVUninitialized) }
