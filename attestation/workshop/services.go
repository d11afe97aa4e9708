package workshop

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/imds"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/maaemu"
	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/hw/imdsemu"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/tpm"
)

// services are the network services a run talks to: on Azure, IMDS and the regional MAA
// provider; with the simulated CVM, cvmscope's IMDS and MAA emulators on loopback. The
// client code is the same either way; only addresses and trust anchors differ.
type services struct {
	imds *imds.Client
	// endorsements serves Azure's paravisor MRTD endorsements (THIM).
	endorsements       *imds.Client
	endorsementOptions tdx.EndorsementOptions
	// maaURL and maaPool are set for the in-process MAA emulator: its URL and the root of
	// its self-signed loopback certificate.
	maaURL  string
	maaPool *x509.CertPool
	// location is the region the emulated IMDS reports.
	imdsEmu *imdsemu.Server
	maaEmu  *maaemu.Server
	// dead holds the ports of the scenarios' unreachable services until the run closes.
	dead []func() error

	// inst caches the instance document: Preflight and the endpoint choice both need it,
	// and it does not change while the VM runs.
	instMu  sync.Mutex
	inst    *imds.Instance
	instErr error
}

// instance fetches the instance document once per run; a failure is remembered too, so a
// VM without IMDS does not wait out the retries twice.
func (s *services) instance(ctx context.Context) (*imds.Instance, error) {
	s.instMu.Lock()
	defer s.instMu.Unlock()
	if s.inst == nil && s.instErr == nil {
		s.inst, s.instErr = s.imds.Instance(ctx)
		if ctx.Err() != nil {
			// A cancelled step says nothing about IMDS: ask again next time.
			inst, err := s.inst, s.instErr
			s.inst, s.instErr = nil, nil
			return inst, err
		}
	}
	return s.inst, s.instErr
}

func startServices(p *platform.Platform, o LiveOptions) (*services, error) {
	if p.Source != evidence.SourceSim {
		c := imds.New()
		return &services{imds: c, endorsements: c}, nil
	}
	sc := o.Scenario
	svc := &services{}
	var imdsURL string
	if sc.IMDSDown {
		imdsURL = svc.deadURL("http")
	} else {
		cfg, err := imdsemu.FromCVM(p.CVM)
		if err != nil {
			return nil, err
		}
		if cfg.Endorser != nil {
			// The simulated endorsement is checked against the simulated signer's root
			// only, never against a root the document carries.
			svc.endorsementOptions = tdx.EndorsementOptions{Roots: cfg.Endorser.Roots()}
		}
		srv, err := imdsemu.Start(cfg)
		if err != nil {
			return nil, fault.Korean(fmt.Errorf("starting the IMDS emulator: %w", err), "IMDS 에뮬레이터를 시작하지 못했습니다: "+koErr(err), "")
		}
		svc.imdsEmu, imdsURL = srv, srv.URL()
	}
	c := imds.New()
	c.BaseURL = imdsURL
	// The emulator answers at once; a dead one should fail fast, not after a minute.
	c.MaxAttempts, c.Backoff = 2, 50*time.Millisecond
	svc.imds = c
	ec := *c
	ec.THIMBase = imdsURL
	svc.endorsements = &ec

	if sc.MAADown {
		svc.maaURL = svc.deadURL("https")
		return svc, nil
	}
	cfg, err := EmulatorConfig(sc)
	if err != nil {
		svc.close()
		return nil, err
	}
	cfg.Policy = o.Policy
	if cfg.Policy == nil && sc.SamplePolicy {
		if cfg.Policy, err = samplePolicy(o.Flow, p.CVM.TEE()); err != nil {
			svc.close()
			return nil, err
		}
	}
	m, err := maaemu.Start(cfg)
	if err != nil {
		svc.close()
		return nil, fault.Korean(fmt.Errorf("starting the MAA emulator: %w", err), "MAA 에뮬레이터를 시작하지 못했습니다: "+koErr(err), "")
	}
	svc.maaEmu, svc.maaURL, svc.maaPool = m, m.URL(), m.CertPool()
	return svc, nil
}

// EmulatorConfig is the MAA emulator's configuration for a scenario's faults. It trusts
// the simulated CVM's roots and signs with the simulated MAA key: the emulator exists to
// attest simulated CVMs.
func EmulatorConfig(sc Scenario) (maaemu.Config, error) {
	st, err := Simulated()
	if err != nil {
		return maaemu.Config{}, err
	}
	anchors := st.Emulator
	anchors.TDXCollateral = sync.OnceValue(simulatedCollateral)
	return maaemu.Config{Anchors: anchors,
		Delay: sc.MAA.Delay, Throttle: sc.MAA.Throttle, Fail5xx: sc.MAA.Fail5xx,
		UnknownKey: sc.MAA.UnknownKey, Expired: sc.MAA.Expired, WrongIssuer: sc.MAA.WrongIssuer,
		ClockSkew: sc.MAA.ClockSkew}, nil
}

// samplePolicy is cvmscope's sample policy for the attestation type a run calls: AzureGuest
// for the guest flow, SevSnpVm or TdxVm for the platform flow on that TEE.
func samplePolicy(flow, simTEE string) (*policy.Policy, error) {
	kind := flowName(flow, evidence.TEE(simTEE))
	text, ok := policy.Sample(kind)
	if !ok {
		return nil, fault.Errorf(fault.Internal, "no sample policy for %s in this build", kind)
	}
	return policy.Parse(text)
}

// deadURL is a loopback address where connections are refused while the run lasts (the
// imds-down and maa-down scenarios); close gives the port back.
func (s *services) deadURL(scheme string) string {
	addr, release, err := reserveDeadPort()
	if err != nil {
		// Port 9 (discard) is closed on any machine that runs no inetd.
		return scheme + "://127.0.0.1:9"
	}
	s.dead = append(s.dead, release)
	return scheme + "://" + addr
}

func (s *services) close() error {
	var errs []error
	for _, release := range s.dead {
		errs = append(errs, release())
	}
	s.dead = nil
	if s.maaEmu != nil {
		errs = append(errs, s.maaEmu.Close())
	}
	if s.imdsEmu != nil {
		errs = append(errs, s.imdsEmu.Close())
	}
	return errors.Join(errs...)
}

// endpoint is the MAA provider a run calls and why.
type endpoint struct {
	URL      string
	Reason   string
	Emulated bool
	// Fallback is true when neither -a nor the region chose it.
	Fallback bool
	// ReasonKO is Reason in Korean.
	ReasonKO string
	err      error
	loopPool *x509.CertPool
}

func (e endpoint) pool() *x509.CertPool { return e.loopPool }

func (e endpoint) check() check.Check {
	switch {
	case e.err != nil:
		return check.Failf(IDEndpoint, "%v", e.err).KO("MAA 엔드포인트를 정하지 못했습니다: %s", koErr(e.err))
	case e.Fallback:
		return check.Warnf(IDEndpoint, "%s (%s); pass -a to choose the provider", e.URL, e.Reason).
			KO("%s (%s). -a로 공급자를 지정합니다", e.URL, e.ReasonKO)
	}
	return check.Passf(IDEndpoint, "%s (%s)", e.URL, e.Reason).KO("%s (%s)", e.URL, e.ReasonKO)
}

// endpoint resolves the MAA provider once per run: -a wins; the simulated CVM uses its
// emulator; on Azure the region from IMDS picks the shared provider (§7), and when IMDS
// names no known region the sample's default is used and said so.
func (l *Live) endpoint(ctx context.Context) endpoint {
	l.mu.Lock()
	if l.ep != nil {
		e := *l.ep
		l.mu.Unlock()
		return e
	}
	svc := l.svc
	l.mu.Unlock()
	e := l.resolveEndpoint(ctx, svc)
	l.mu.Lock()
	l.ep = &e
	l.mu.Unlock()
	return e
}

func (l *Live) resolveEndpoint(ctx context.Context, svc *services) endpoint {
	if l.opts.AttestationURL != "" {
		u, err := maa.Normalize(l.opts.AttestationURL)
		if err != nil {
			return endpoint{URL: l.opts.AttestationURL, err: fmt.Errorf("-a %q: %v", l.opts.AttestationURL, err)}
		}
		e := endpoint{URL: u, Reason: "-a", ReasonKO: "-a"}
		if svc != nil && svc.maaURL == u {
			e.Emulated, e.loopPool = true, svc.maaPool
		} else if l.opts.EmulatorCA != nil {
			e.loopPool = l.opts.EmulatorCA
		}
		return e
	}
	if svc == nil {
		return endpoint{err: fault.Korean(errors.New("the platform is not open"), "플랫폼을 아직 열지 않았습니다", "")}
	}
	if svc.maaURL != "" {
		stand, standKO := "", ""
		if inst, err := svc.instance(ctx); err == nil {
			if real, ok := maa.Endpoint(inst.Location); ok {
				stand = fmt.Sprintf(", standing in for %s (region %s)", real, inst.Location)
				standKO = fmt.Sprintf(", %s(리전 %s)를 대신합니다", real, inst.Location)
			}
		}
		return endpoint{URL: svc.maaURL, Emulated: true, loopPool: svc.maaPool,
			Reason:   "simulated CVM: cvmscope's MAA emulator on loopback, SIMULATED signing key" + stand,
			ReasonKO: "시뮬레이션 CVM: 루프백의 cvmscope MAA 에뮬레이터, 시뮬레이션 서명 키" + standKO}
	}
	inst, err := svc.instance(ctx)
	if err != nil {
		return endpoint{URL: maa.DefaultEndpoint, Fallback: true, Reason: fmt.Sprintf("IMDS gave no region (%v); the AZ-CPP sample's default", shortErr(err)),
			ReasonKO: fmt.Sprintf("IMDS가 리전을 알려 주지 않아(%v) AZ-CPP 샘플의 기본값을 씁니다", shortErr(err))}
	}
	if u, ok := maa.Endpoint(inst.Location); ok {
		return endpoint{URL: u, Reason: "shared provider of region " + inst.Location + " (from IMDS)",
			ReasonKO: "리전 " + inst.Location + "의 공유 공급자 (IMDS에서 확인)"}
	}
	return endpoint{URL: maa.DefaultEndpoint, Fallback: true, Reason: fmt.Sprintf("region %q from IMDS has no known shared provider; the AZ-CPP sample's default", inst.Location),
		ReasonKO: fmt.Sprintf("IMDS가 알려 준 리전 %q에는 알려진 공유 공급자가 없어 AZ-CPP 샘플의 기본값을 씁니다", inst.Location)}
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i > 0 && len(s) > 120 {
		return s[:i]
	}
	return s
}

// imdsCheck says whether IMDS answers and what it says about the VM.
func (l *Live) imdsCheck(ctx context.Context) check.Check {
	l.mu.Lock()
	svc := l.svc
	l.mu.Unlock()
	if svc == nil {
		return check.Skipf(IDIMDS, "platform not open").KO("플랫폼을 열지 않았습니다")
	}
	inst, err := svc.instance(ctx)
	if err != nil {
		return check.Warnf(IDIMDS, "%v", err).KO("IMDS가 응답하지 않습니다: %s", koErr(err))
	}
	where, whereKO := "IMDS", "IMDS"
	if svc.imdsEmu != nil {
		addr := strings.TrimPrefix(svc.imds.BaseURL, "http://")
		where, whereKO = "IMDS emulator "+addr, "IMDS 에뮬레이터 "+addr
	}
	return check.Passf(IDIMDS, "%s: VM %s, size %s, region %s", where, inst.VMID, inst.VMSize, inst.Location).
		KO("%s: VM %s, 크기 %s, 리전 %s", whereKO, inst.VMID, inst.VMSize, inst.Location)
}

// secureBootCheck reads Secure Boot from the runtime claims of the stored report, before
// anything is sent: MAA's default policy refuses a VM without it.
func secureBootCheck(ctx context.Context, p *platform.Platform) check.Check {
	report, err := p.TPM.NVRead(ctx, tpm.NVHCLReport)
	if err != nil {
		return check.Skipf("preflight.secureboot", "no HCL report (Trusted Launch VM?): Secure Boot is judged from the event log in Read report").
			KO("HCL 보고서가 없습니다(Trusted Launch VM일 수 있습니다). 보안 부팅(Secure Boot)은 증명 보고서 읽기 단계에서 이벤트 로그로 판단합니다")
	}
	on, ok := secureBootFromReport(report)
	switch {
	case !ok:
		return check.Skipf("preflight.secureboot", "the runtime claims carry no secure-boot setting").
			KO("런타임 클레임에 secure-boot 설정이 없습니다")
	case !on:
		return check.Warnf("preflight.secureboot", "runtime claims say secure-boot is false: MAA's default policy will refuse this VM (enable Secure Boot in the VM's security settings)").
			KO("런타임 클레임의 secure-boot가 false입니다. MAA 기본 정책이 이 VM을 거부합니다 (VM 보안 설정에서 보안 부팅(Secure Boot)을 켭니다)")
	}
	return check.Passf("preflight.secureboot", "runtime claims say secure-boot is true").KO("런타임 클레임의 secure-boot가 true입니다")
}
