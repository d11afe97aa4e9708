package workshop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// Pager builds the pages; package pages implements it. It is a parameter so that this
// package does not depend on how pages look.
type Pager interface {
	Preflight(checks check.List) present.Page
	ReadReport(s *evidence.Set, r *verify.Result) present.Page
	BuildRequest(v pages.RequestView) present.Page
	CallMAA(v pages.CallView) present.Page
	VerifyJWT(v pages.JWTView) present.Page
}

// LiveOptions configure a live run.
type LiveOptions struct {
	Platform platform.Options
	Verify   verify.Options
	Nonce    string
	Pager    Pager

	// AttestationURL is -a: the MAA provider to call. Empty picks the region's shared
	// provider from IMDS (Azure) or the local emulator (simulated CVM).
	AttestationURL string
	// Flow is "guest" (AzureGuest, the default) or "platform" (SevSnpVm/TdxVm).
	Flow string
	// Scenario is the staged fault (simulated CVM only).
	Scenario Scenario
	// Expect are the user's expectations (--expect); the Azure CVM baseline is added
	// unless NoBaseline.
	Expect     []token.Expect
	NoBaseline bool
	// Leeway for the token's lifetime checks; zero means token.DefaultLeeway.
	Leeway time.Duration
}

// Live runs the workshop against a real Azure vTPM or the simulated CVM.
type Live struct {
	opts LiveOptions

	mu       sync.Mutex
	plat     *platform.Platform
	svc      *services
	ep       *endpoint
	set      *evidence.Set
	result   *verify.Result
	nonce    string
	attest   *attestState
	keyCache *token.Keys
}

// NewLive returns a runner; nothing is opened until the first step runs.
func NewLive(o LiveOptions) *Live { return &Live{opts: o, nonce: o.Nonce} }

// Steps are the steps this build runs live.
func (l *Live) Steps() []StepID { return AllSteps }

// Banner says where the evidence comes from. Before the platform is opened it names what
// was asked for.
func (l *Live) Banner() Banner {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.plat == nil {
		return Banner{Text: present.T("Platform not opened yet ("+l.opts.Platform.Platform+") — run Preflight", "플랫폼을 아직 열지 않았습니다 — 사전 점검을 실행하세요")}
	}
	return bannerFor(l.plat, l.set)
}

func bannerFor(p *platform.Platform, s *evidence.Set) Banner {
	tee := evidence.TEEUnknown
	if s != nil {
		tee = s.TEE
	}
	b := Banner{Source: p.Source, TEE: tee, Detail: p.TPM.Desc()}
	label := tee.Label()
	switch p.Source {
	case evidence.SourceSim:
		if p.CVM != nil && tee == evidence.TEEUnknown {
			label = evidence.TEE(p.CVM.TEE()).Label()
		}
		b.Text = present.T("SIMULATED CVM ("+label+") — test roots, not Azure, not AMD or Intel",
			"시뮬레이션 CVM ("+label+") — 테스트 루트 인증서 사용, Azure·AMD·Intel 아님")
	default:
		b.Text = present.T("Azure VM ("+label+") — real vTPM", "Azure VM ("+label+") — 실제 vTPM")
	}
	return b
}

// SetNonce sets the nonce for the next Read report.
func (l *Live) SetNonce(n string) {
	l.mu.Lock()
	l.nonce = n
	// A new nonce makes what was built on the old one stale.
	l.attest = nil
	l.mu.Unlock()
}

// Evidence returns a copy of the gathered set.
func (l *Live) Evidence() *evidence.Set {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.set == nil {
		return nil
	}
	c := *l.set
	return &c
}

// Result returns the last verification result.
func (l *Live) Result() *verify.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.result
}

// Close releases the platform.
func (l *Live) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	if l.svc != nil {
		errs = append(errs, l.svc.close())
		l.svc = nil
	}
	if l.plat != nil {
		errs = append(errs, l.plat.Close())
		l.plat = nil
	}
	return errors.Join(errs...)
}

// Run performs one step.
func (l *Live) Run(ctx context.Context, step StepID) (present.Page, error) {
	switch step {
	case Preflight:
		return l.preflight(ctx)
	case ReadReport:
		return l.readReport(ctx)
	case BuildRequest:
		return l.buildRequest(ctx)
	case CallMAA:
		return l.callMAA(ctx)
	case VerifyJWT:
		return l.verifyJWT(ctx)
	}
	return present.Page{}, fmt.Errorf("step %s is not available in this build", step)
}

// open opens the platform once. The TPM is held for the runner's lifetime: the simulated
// CVM lives in it, and reopening a real TPM for every step buys nothing.
func (l *Live) open(ctx context.Context) (*platform.Platform, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.plat != nil {
		return l.plat, nil
	}
	po := l.opts.Platform
	if err := l.opts.Scenario.Supports(po.SimTEE); err != nil {
		return nil, fault.New(fault.Internal, err)
	}
	if sc := l.opts.Scenario; sc.Name != "" {
		po.SecureBoot = po.SecureBoot && !sc.SecureBootOff
		po.Debug = po.Debug || sc.Debug
		po.StaleReport = po.StaleReport || sc.StaleReport
	}
	p, err := platform.Open(ctx, po)
	if err != nil {
		return nil, err
	}
	if l.opts.Scenario.Name != "" && p.Source != evidence.SourceSim {
		p.Close()
		return nil, fault.Errorf(fault.Internal, "--scenario %s stages a fault in the simulated CVM and its emulators; it cannot run on a real Azure VM (use --platform sim)", l.opts.Scenario.Name)
	}
	svc, err := startServices(p, l.opts)
	if err != nil {
		p.Close()
		return nil, err
	}
	l.plat, l.svc = p, svc
	return p, nil
}

func (l *Live) preflight(ctx context.Context) (present.Page, error) {
	var checks check.List
	p, err := l.open(ctx)
	if err != nil {
		checks = append(checks, check.Failf("preflight.tpm", "%v", err))
		return l.opts.Pager.Preflight(checks), err
	}
	src := "real Azure vTPM"
	if p.Source == evidence.SourceSim {
		src = "simulated CVM"
	}
	checks = append(checks, check.Passf("preflight.platform", "%s (%s)", src, p.Reason))
	checks = append(checks, check.Passf("preflight.tpm", "TPM opened: %s", p.TPM.Desc()))
	checks = append(checks, proxyCheck())
	checks = append(checks, clockCheck(time.Now()))
	if p.Source == evidence.SourceAzure {
		if _, err := os.Stat("/sys/kernel/security/tpm0/binary_bios_measurements"); err != nil {
			checks = append(checks, check.Warnf("preflight.eventlog", "event log not readable (%v): the replay check will be skipped; run as root", errors.Unwrap(err)))
		} else {
			checks = append(checks, check.Passf("preflight.eventlog", "event log readable at /sys/kernel/security/tpm0/binary_bios_measurements"))
		}
	} else {
		checks = append(checks, check.Passf("preflight.eventlog", "simulated boot event log generated (%d bytes)", len(p.CVM.EventLog())))
	}
	checks = append(checks, l.imdsCheck(ctx))
	checks = append(checks, l.endpoint(ctx).check())
	checks = append(checks, secureBootCheck(ctx, p))
	return l.opts.Pager.Preflight(checks), nil
}

// proxyCheck reports the proxy settings: MAA goes through a proxy when one is set, IMDS
// (169.254.169.254) never does.
func proxyCheck() check.Check {
	var set []string
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		if v := os.Getenv(k); v != "" {
			set = append(set, k+"="+v)
		}
	}
	if len(set) == 0 {
		return check.Passf("preflight.proxy", "no HTTP proxy configured; IMDS is always reached directly")
	}
	return check.Passf("preflight.proxy", "proxy settings %s apply to MAA; IMDS (169.254.169.254) bypasses them", strings.Join(set, " "))
}

// clockCheck flags a clock that cannot be right: token lifetimes and certificate validity
// are judged against it.
func clockCheck(now time.Time) check.Check {
	if now.Year() < 2024 {
		return check.Warnf("preflight.clock", "system clock says %s, before any current certificate was issued: fix the clock (NTP) or pass --now", now.UTC().Format(time.RFC3339))
	}
	return check.Passf("preflight.clock", "system clock %s; tokens and certificates are judged at this time unless --now is given", now.UTC().Format(time.RFC3339))
}

func (l *Live) readReport(ctx context.Context) (present.Page, error) {
	p, err := l.open(ctx)
	if err != nil {
		return present.Page{}, err
	}
	l.mu.Lock()
	nonce := l.nonce
	l.mu.Unlock()
	s, err := p.ReadReport(ctx, nonce)
	if err != nil {
		return present.Page{}, err
	}
	if err := ctx.Err(); err != nil {
		return present.Page{}, err
	}
	res := verify.Evidence(s, l.opts.Verify)
	l.mu.Lock()
	l.set, l.result = s, res
	l.mu.Unlock()
	return l.opts.Pager.ReadReport(s, res), nil
}
