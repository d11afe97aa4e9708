package workshop

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/policy"
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
	// EmulatorCA (--emulator-ca) is a room emulator's test CA: TLS to the -a provider is
	// verified against it instead of the system roots. It lets the transport connect and
	// adds no trust in tokens.
	EmulatorCA *x509.CertPool
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
	// Knobs are the user data, client payload and PCR selection the user chose (--user-data,
	// --client-payload, --pcr); the zero value is the default request.
	Knobs Knobs
	// Policy, when set, is the policy the simulated CVM's MAA emulator enforces
	// (cvmscope --policy FILE) instead of its built-in one.
	Policy *policy.Policy
	// DraftPolicy, when set, is sent as draftPolicyForAttestation (--draft-policy
	// DraftPolicyFile): a policy test whose unsigned answer is never a verified token (draft.go).
	DraftPolicy, DraftPolicyFile string
	// TuneMAA, when set, adjusts the MAA client before each call: tests replace its Sleep
	// and Now so that retries and latency are judged without waiting.
	TuneMAA func(*maa.Client)
}

// Live runs the workshop against a real Azure vTPM or the simulated CVM.
//
// Its state is a chain: the report is bound to one nonce, the request is built from that
// report, the token answers that request. Anything that replaces a link (SetNonce, or a
// step that runs again) drops the links after it, so a later step never combines a new
// nonce with an old report. Run may be called from one goroutine while Evidence, Result,
// Banner and SetNonce are called from others.
type Live struct {
	opts LiveOptions

	mu   sync.Mutex
	plat *platform.Platform
	svc  *services
	ep   *endpoint
	// nonce is the nonce the next Read report binds.
	nonce string
	// gen changes whenever the chain does (SetNonce, a step publishing). A step notes it
	// once its inputs are in hand and publishes only if it has not moved: a result built
	// on a link that was replaced meanwhile is discarded, never kept.
	gen uint64
	// rep is the report and what the steps after it added to the evidence. Its set is
	// never changed once published: a step copies it, adds its part and publishes the
	// copy, so Evidence hands out a consistent snapshot even while a step runs.
	rep      *report
	attest   *attestState
	keyCache *token.Keys

	// conn is the HTTP client of the provider last called (maaClient), under connMu alone:
	// keys takes it while holding mu.
	connMu sync.Mutex
	conn   *providerConn
}

// report is what Read report gathered, bound to nonce.
type report struct {
	nonce  string
	set    *evidence.Set
	result *verify.Result
	// verifiedCerts is how many of set.Certs result was verified with: Build request adds
	// THIM's chain to set but keeps Read report's result (snpVerdicts).
	verifiedCerts int
}

// ErrStale is the error of a step whose inputs were replaced while it ran: SetNonce was
// called, or an earlier step ran again. Its result was built on the old inputs and is
// discarded; running the step again builds it on the current ones.
var ErrStale = errors.New("the nonce changed or an earlier step ran again while this step ran; its result, built on the old report, was discarded")

func staleErr(step StepID) error {
	return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s: %w", step.Title().EN, ErrStale),
		"run "+step.Title().EN+" again: it reads a report bound to the current nonce first"),
		step.Title().KO+": 이 단계가 실행되는 동안 논스(nonce)가 바뀌었거나 앞 단계가 다시 실행되었습니다. 이전 보고서로 만든 결과는 버렸습니다",
		step.Title().KO+" 단계를 다시 실행합니다. 먼저 현재 논스에 묶인 보고서를 읽습니다")
}

// inKorean gives a step's error a Korean message when nothing below gave it one: the
// step's name in Korean and the English text, so that a Korean reader at least knows
// which step failed. Korean written where the error was made is kept as it is.
func inKorean(step StepID, err error) error {
	if err == nil {
		return nil
	}
	if msg, _ := fault.MessageIn(err, "ko"); msg != err.Error() {
		return err
	}
	return fault.Korean(err, step.Title().KO+" 단계가 실패했습니다: "+err.Error(), "")
}

// koErr is err's message in Korean, or its English when nobody wrote Korean for it.
func koErr(err error) string {
	msg, _ := fault.MessageIn(err, "ko")
	return msg
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
		return Banner{Text: present.T("Platform not opened yet ("+l.opts.Platform.Platform+") — run Preflight", "플랫폼을 아직 열지 않았습니다 ("+l.opts.Platform.Platform+") — 사전 점검을 실행하면 열립니다")}
	}
	var s *evidence.Set
	if l.rep != nil {
		s = l.rep.set
	}
	return bannerFor(l.plat, s)
}

func bannerFor(p *platform.Platform, s *evidence.Set) Banner {
	tee := evidence.TEEUnknown
	if s != nil {
		tee = s.TEE
	}
	b := Banner{Source: p.Source, TEE: tee, Detail: p.TPM.Desc(), DetailKO: p.TPM.DescKO()}
	if p.Source == evidence.SourceSim && p.CVM != nil && tee == evidence.TEEUnknown {
		tee = evidence.TEE(p.CVM.TEE())
	}
	label, labelKO := tee.Label(), tee.LabelKO()
	switch p.Source {
	case evidence.SourceSim:
		b.Text = present.T("SIMULATED CVM ("+label+") — test roots, not Azure, not AMD or Intel",
			"시뮬레이션 CVM ("+labelKO+") — 테스트 루트 인증서를 사용하며 Azure, AMD, Intel이 아닙니다")
	default:
		b.Text = present.T("Azure VM ("+label+") — real vTPM", "Azure VM ("+labelKO+") — 실제 vTPM")
	}
	return b
}

// CanSetNonce is true: a live run reads a fresh report bound to the new nonce.
func (l *Live) CanSetNonce() bool { return true }

// SetNonce sets the nonce for the next Read report and drops the report and everything
// built on it: the next step that needs them reads a new report bound to this nonce (the
// TPM writes SHA-512 of it to NV 0x01400002 first), so the nonce sent to MAA is always
// the one the report binds. A step running while SetNonce is called finishes its I/O
// against the old nonce, but its result is discarded and it returns an error wrapping
// ErrStale; the nonce applies from the next run.
func (l *Live) SetNonce(n string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nonce = n
	l.gen++
	l.rep, l.attest = nil, nil
}

// Evidence returns a snapshot of the gathered set, nil before a report was read. The copy
// is the caller's: changing it does not change the runner, and steps that run later do
// not change it.
func (l *Live) Evidence() *evidence.Set {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rep == nil {
		return nil
	}
	return cloneSet(l.rep.set)
}

// cloneSet copies s deeply enough to be changed independently: every container (slice of
// certificates, PCR map, quote, key, exchange) is new. Byte contents are shared: evidence
// bytes are raw as read and are replaced, never written in place.
func cloneSet(s *evidence.Set) *evidence.Set {
	c := *s
	c.Certs = slices.Clone(s.Certs)
	c.PCRs = maps.Clone(s.PCRs)
	c.QuotePCRs = slices.Clone(s.QuotePCRs)
	c.Files = slices.Clone(s.Files)
	if s.Quote != nil {
		q := *s.Quote
		c.Quote = &q
	}
	if s.EncKey != nil {
		k := *s.EncKey
		c.EncKey = &k
	}
	if s.MAA != nil {
		m := *s.MAA
		c.MAA = &m
	}
	return &c
}

// Result returns the last verification result.
func (l *Live) Result() *verify.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rep == nil {
		return nil
	}
	return l.rep.result
}

// publish makes what a step built current, unless the chain moved since the step noted
// gen: then the result is stale and dropped.
func (l *Live) publish(step StepID, gen uint64, rep *report, st *attestState) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gen != gen {
		return staleErr(step)
	}
	l.gen++
	l.rep, l.attest = rep, st
	return nil
}

// need returns the chain once ok says it holds what step builds on, running the earlier
// step first when it does not (as for a step never run, or dropped by SetNonce).
func (l *Live) need(ctx context.Context, step StepID, ok func(*report, *attestState) bool, earlier func(context.Context) (present.Page, error)) (*report, *attestState, uint64, error) {
	l.mu.Lock()
	rep, st, gen := l.rep, l.attest, l.gen
	l.mu.Unlock()
	if ok(rep, st) {
		return rep, st, gen, nil
	}
	if _, err := earlier(ctx); err != nil {
		return nil, nil, 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !ok(l.rep, l.attest) {
		return nil, nil, 0, staleErr(step)
	}
	return l.rep, l.attest, l.gen, nil
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
	l.connMu.Lock()
	if l.conn != nil {
		l.conn.http.CloseIdleConnections()
		l.conn = nil
	}
	l.connMu.Unlock()
	return errors.Join(errs...)
}

// Run performs one step. Its error reads in Korean too (inKorean).
func (l *Live) Run(ctx context.Context, step StepID) (present.Page, error) {
	p, err := l.run(ctx, step)
	return p, inKorean(step, err)
}

func (l *Live) run(ctx context.Context, step StepID) (present.Page, error) {
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
	return present.Page{}, fault.Korean(fmt.Errorf("step %s is not available in this build", step),
		fmt.Sprintf("%s 단계는 이 빌드에서 쓸 수 없습니다", step), "")
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
		return nil, err
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
		return nil, fault.Korean(fault.Errorf(fault.Internal, "--scenario %s stages a fault in the simulated CVM and its emulators; it cannot run on a real Azure VM (use --platform sim)", l.opts.Scenario.Name),
			fmt.Sprintf("--scenario %s는 시뮬레이션 CVM과 에뮬레이터에서 장애를 연출하므로 실제 Azure VM에서는 실행할 수 없습니다 (--platform sim을 씁니다)", l.opts.Scenario.Name), "")
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
		checks = append(checks, check.Failf("preflight.tpm", "%v", err).KO("%s", koErr(err)))
		return l.opts.Pager.Preflight(checks), err
	}
	src, srcKO := "real Azure vTPM", "실제 Azure vTPM"
	if p.Source == evidence.SourceSim {
		src, srcKO = "simulated CVM", "시뮬레이션 CVM"
	}
	checks = append(checks, check.Passf("preflight.platform", "%s (%s)", src, p.Reason).KO("%s (%s)", srcKO, p.ReasonKO))
	checks = append(checks, check.Passf("preflight.tpm", "TPM opened: %s", p.TPM.Desc()).KO("TPM을 열었습니다: %s", p.TPM.DescKO()))
	checks = append(checks, proxyCheck())
	checks = append(checks, clockCheck(time.Now()))
	if p.Source == evidence.SourceAzure && eventlog.SystemSource != eventlog.SystemPath {
		// Windows: the log is TBS's answer, not a file; asking is the only way to know.
		if _, err := eventlog.ReadSystem(); err != nil {
			en, hint := fault.MessageIn(err, "en")
			ko, hintKO := fault.MessageIn(err, "ko")
			checks = append(checks, check.Warnf("preflight.eventlog", "event log not readable (%s): the replay check will be skipped; %s", en, hint).
				KO("이벤트 로그를 읽을 수 없습니다(%s). 재생 검사는 건너뜁니다. %s", ko, hintKO))
		} else {
			checks = append(checks, check.Passf("preflight.eventlog", "event log readable through %s", eventlog.SystemSource).
				KO("%s를 통해 이벤트 로그를 읽을 수 있습니다", eventlog.SystemSource))
		}
	} else if p.Source == evidence.SourceAzure {
		// Opened, not stat'ed: the log is mode 0440 root, so a user can stat it but not read it.
		const logPath = "/sys/kernel/security/tpm0/binary_bios_measurements"
		if f, err := os.Open(logPath); err != nil {
			fix := "the kernel published no log there (securityfs not mounted, or no TPM log); --event-log FILE reads a saved one"
			fixKO := "커널이 그 경로에 로그를 두지 않았습니다(securityfs가 마운트되지 않았거나 TPM 로그가 없습니다). 저장된 로그는 --event-log FILE로 읽습니다"
			if errors.Is(err, os.ErrPermission) {
				fix, fixKO = fault.RootHint(logPath), rootHintKO(logPath)
			}
			checks = append(checks, check.Warnf("preflight.eventlog", "event log not readable (%v): the replay check will be skipped; %s", errors.Unwrap(err), fix).
				KO("이벤트 로그를 읽을 수 없습니다(%v). 재생 검사는 건너뜁니다. %s", errors.Unwrap(err), fixKO))
		} else {
			f.Close()
			checks = append(checks, check.Passf("preflight.eventlog", "event log readable at /sys/kernel/security/tpm0/binary_bios_measurements").
				KO("이벤트 로그를 /sys/kernel/security/tpm0/binary_bios_measurements에서 읽을 수 있습니다"))
		}
	} else {
		checks = append(checks, check.Passf("preflight.eventlog", "simulated boot event log generated (%d bytes)", len(p.CVM.EventLog())).
			KO("시뮬레이션 부팅 이벤트 로그를 만들었습니다 (%d바이트)", len(p.CVM.EventLog())))
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
		return check.Passf("preflight.proxy", "no HTTP proxy configured; IMDS is always reached directly").
			KO("HTTP 프록시가 설정되지 않았습니다. IMDS에는 언제나 직접 연결합니다")
	}
	return check.Passf("preflight.proxy", "proxy settings %s apply to MAA; IMDS (169.254.169.254) bypasses them", strings.Join(set, " ")).
		KO("프록시 설정 %s은(는) MAA 호출에 적용됩니다. IMDS(169.254.169.254)는 프록시를 거치지 않습니다", strings.Join(set, " "))
}

// clockCheck flags a clock that cannot be right: token lifetimes and certificate validity
// are judged against it.
func clockCheck(now time.Time) check.Check {
	if now.Year() < 2024 {
		return check.Warnf("preflight.clock", "system clock says %s, before any current certificate was issued: fix the clock (NTP) or pass --now", now.UTC().Format(time.RFC3339)).
			KO("시스템 시계가 %s로, 지금 쓰이는 어떤 인증서가 발급되기보다도 이전입니다. 시계를 맞추거나(NTP) --now를 지정합니다", now.UTC().Format(time.RFC3339))
	}
	return check.Passf("preflight.clock", "system clock %s; tokens and certificates are judged at this time unless --now is given", now.UTC().Format(time.RFC3339)).
		KO("시스템 시계 %s. --now를 주지 않으면 토큰과 인증서를 이 시각 기준으로 판단합니다", now.UTC().Format(time.RFC3339))
}

func (l *Live) readReport(ctx context.Context) (present.Page, error) {
	p, err := l.open(ctx)
	if err != nil {
		return present.Page{}, err
	}
	l.mu.Lock()
	nonce, gen := l.nonce, l.gen
	l.mu.Unlock()
	k := l.opts.Knobs
	s, err := p.ReadReportWith(ctx, platform.ReadOptions{Nonce: nonce, UserData: k.UserData, PCRs: k.PCRs})
	if err != nil {
		return present.Page{}, err
	}
	s.Nonce = nonce // saved in a bundle, so inspect re-verifies jwt.nonce
	if err := ctx.Err(); err != nil {
		return present.Page{}, err
	}
	res := verify.Evidence(s, l.verifyOptions(ctx))
	page := l.opts.Pager.ReadReport(s, res)
	// A new report starts a new chain: the request and token built on the last one go.
	if err := l.publish(ReadReport, gen, &report{nonce: nonce, set: s, result: res, verifiedCerts: len(s.Certs)}, nil); err != nil {
		return present.Page{}, err
	}
	return page, nil
}

// rootHintKO is fault.RootHint in Korean, for the event log (only root may read it).
func rootHintKO(path string) string {
	if fault.AsRoot() {
		return "cvmscope가 이미 root로 실행 중이므로 다른 것이 " + path + " 접근을 막고 있습니다. 보안 모듈(SELinux, AppArmor)이나 장치가 없는 컨테이너일 수 있으니 `ls -l " + path + "`와 감사 로그를 확인합니다"
	}
	return "root만 " + path + "을(를) 읽을 수 있습니다. cvmscope를 sudo로 실행합니다"
}
