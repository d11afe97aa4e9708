package workshop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/token"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// Files runs the workshop's checks on evidence loaded from files (cvmscope inspect).
type Files struct {
	set   *evidence.Set
	opts  verify.Options
	tok   TokenOptions
	pager Pager
	// tokenOnly: cvmscope verify.
	tokenOnly bool
	result    *verify.Result
}

// TokenOptions say how a saved token is verified offline (cvmscope verify, inspect). Every
// anchor here is the caller's choice; nothing in the files adds one.
type TokenOptions struct {
	// Keys is the --jwks key set.
	Keys *token.KeySet
	// AttestationURL is -a: it pins the issuer, and keys are fetched from it when Fetch
	// allows.
	AttestationURL string
	// Fetch allows fetching keys from the pinned provider (always for verify; inspect
	// needs --network).
	Fetch bool
	// AnyAzureProvider accepts an unpinned issuer that is an Azure attestation provider
	// (*.attest.azure.net, *.attest.azure.us) and fetches its keys (--any-azure-provider).
	AnyAzureProvider bool
	// Simulated, when set, trusts the simulated CVM (--trust-simulated): tokens signed with
	// the simulated MAA key by an emulator on loopback.
	Simulated *SimulatedTrust
	// TrustBundleKeys accepts the key set saved in a bundle (--trust-bundle-keys); the
	// verdict then says that trust rests on whoever wrote that file.
	TrustBundleKeys bool
	// EmulatorCA (--emulator-ca) verifies TLS to the -a provider instead of the system
	// roots, for a room emulator elsewhere; the keys it serves are trusted as -a's are.
	EmulatorCA *x509.CertPool
	Expect     []token.Expect
	NoBaseline bool
	Leeway     time.Duration
}

// OnlyToken makes the runner verify the token alone (cvmscope verify), even when evidence
// came with it; the comparison with that evidence still runs.
func (f *Files) OnlyToken() *Files { f.tokenOnly = true; return f }

// WithToken sets how a token among the files is verified.
func (f *Files) WithToken(o TokenOptions) *Files { f.tok = o; return f }

// NewFiles returns a runner over a loaded set.
func NewFiles(s *evidence.Set, opts verify.Options, pager Pager) *Files {
	return &Files{set: s, opts: opts, pager: pager}
}

// Steps: the report when there is evidence, the token when there is one.
func (f *Files) Steps() []StepID {
	var steps []StepID
	if !f.tokenOnly && (f.hasEvidence() || f.set.Token == "") {
		steps = append(steps, ReadReport)
	}
	if !f.tokenOnly && f.savedRequest() {
		steps = append(steps, BuildRequest)
	}
	if !f.tokenOnly && f.savedAnswer() {
		steps = append(steps, CallMAA)
	}
	if f.set.Token != "" {
		steps = append(steps, VerifyJWT)
	}
	return steps
}

func (f *Files) hasEvidence() bool {
	s := f.set
	return len(s.HCLReport) > 0 || len(s.SNPReport) > 0 || len(s.TDReport) > 0 || len(s.TDQuote) > 0 ||
		s.Quote != nil || len(s.EventLog) > 0 || len(s.AKCert) > 0 || len(s.Certs) > 0 || len(s.RuntimeClaims) > 0
}

// Banner names the files.
func (f *Files) Banner() Banner {
	var names []string
	for _, fi := range f.set.Files {
		names = append(names, fi.Path)
	}
	src, srcKO := "files", "파일"
	if f.set.Source != evidence.SourceFiles && f.set.Source != "" {
		src, srcKO = "a saved bundle from "+string(f.set.Source), string(f.set.Source)+"에서 저장한 번들"
	}
	return Banner{Source: evidence.SourceFiles, TEE: f.set.TEE,
		Text:   present.T("Offline inspection of "+src+" — nothing is read from a TPM", srcKO+" 오프라인 검사 — TPM에서 아무것도 읽지 않습니다"),
		Detail: strings.Join(names, " ")}
}

// Run verifies the files; it does no I/O beyond what was loaded. Its error reads in Korean
// too (inKorean).
func (f *Files) Run(ctx context.Context, step StepID) (present.Page, error) {
	p, err := f.run(ctx, step)
	if err == nil && f.isLast(step) {
		if err = f.fetchErr(); err != nil {
			// The page's header follows the step, which stopped: its checks keep their own
			// verdicts (none failed), but "PASS" over a run that ended in error read as a pass.
			p.Verdict = check.Fail
		}
	}
	return p, inKorean(step, err)
}

// fetchErr is the fetch --network asked for that got no answer and left a signature of the
// evidence unchecked (verify.Result.FetchErr). The run ends with it (a network failure, exit
// 3) rather than with evidence.unverified naming that item (exit 2): the network decided,
// not the evidence. It still never passes.
func (f *Files) fetchErr() error {
	if f.tokenOnly || f.result == nil {
		return nil
	}
	return f.result.FetchErr
}

func (f *Files) run(ctx context.Context, step StepID) (present.Page, error) {
	switch step {
	case ReadReport:
		f.result = verify.Evidence(f.set, f.verifyOptions(ctx))
		f.result.Checks = append(f.result.Checks, aloneChecks(f.set, f.opts)...)
		if f.set.Token == "" {
			// With a token, its claims carry the baseline (policyChecks in Verify JWT).
			f.result.Checks = append(f.result.Checks, hardwareBaseline(f.result, f.tok.NoBaseline)...)
		}
		if f.isLast(ReadReport) {
			f.result.Checks = append(f.result.Checks, f.finalChecks(ctx, f.result.Checks, false)...)
		}
		return f.pager.ReadReport(f.set, f.result), ctx.Err()
	case BuildRequest:
		if !f.tokenOnly && f.savedRequest() {
			return f.savedRequestPage(), ctx.Err()
		}
	case CallMAA:
		if !f.tokenOnly && f.savedAnswer() {
			return f.savedAnswerPage(), ctx.Err()
		}
	case VerifyJWT:
		if f.set.Token != "" {
			// A token that did not parse is reported once, by jwt.parse among the input checks.
			p, err := f.pager.VerifyJWT(pages.JWTView{}), error(nil)
			if !f.tokenDamaged() {
				p, err = f.verifyToken(ctx)
			}
			done := p.Checks
			if f.result != nil && !f.tokenOnly {
				done = append(append(check.List{}, f.result.Checks...), done...)
			}
			return withChecks(p, f.finalChecks(ctx, done, !f.tokenDamaged()), pages.Lookup), err
		}
	}
	return present.Page{}, fault.Korean(fmt.Errorf("step %s needs a live VM; inspect shows the evidence only", step),
		fmt.Sprintf("%s 단계에는 실행 중인 VM이 필요합니다. `cvmscope inspect`는 증거만 보여 줍니다", step.Title().KO), "")
}

// finalChecks are the checks on the run as a whole, added to its last step: input.unused for
// files no check read, and evidence.unverified for a signed item whose signature check was
// skipped (withToken: the token was verified in this run). An interrupted run gets no
// evidence.unverified: what it skipped says nothing about the evidence, and its exit code is 130.
func (f *Files) finalChecks(ctx context.Context, done check.List, withToken bool) check.List {
	l := inputChecks(f.set.Supplied(), done)
	if ctx.Err() != nil {
		return l
	}
	r := f.result
	if f.tokenOnly {
		r = nil
	}
	if f.fetchErr() != nil {
		// What the failed fetch left unchecked is the run error's to say (fetchErr), as a
		// check that never ran is left to its step's error.
		done = slices.DeleteFunc(slices.Clone(done), func(c check.Check) bool { return c.ID == snp.IDSignature || c.ID == snp.IDChain })
	}
	return append(l, unverifiedChecks(f.set, r, withToken, done)...)
}

// isLast reports whether step is the last of the run: the input checks need every other
// check to have run.
func (f *Files) isLast(step StepID) bool {
	steps := f.Steps()
	return len(steps) > 0 && steps[len(steps)-1] == step
}

func (f *Files) tokenDamaged() bool {
	for _, fi := range f.set.Supplied() {
		if fi.Kind == evidence.KindJWT && fi.Err != "" {
			return true
		}
	}
	return false
}

// verifyToken verifies a saved token: keys from --jwks, the bundle, or (when allowed) the
// issuer; the issuer pinned by -a or by the provider the bundle records calling.
func (f *Files) verifyToken(ctx context.Context) (present.Page, error) {
	tok, err := token.Parse(f.set.Token)
	if err != nil {
		c := check.Failf(token.IDSignature, "%v", err).KO("토큰이 JWT로 읽히지 않습니다: %s", koErr(err))
		return f.pager.VerifyJWT(pages.JWTView{Checks: check.List{c}}),
			fault.Korean(fault.New(fault.Verification, err), "토큰이 JWT로 읽히지 않습니다: "+koErr(err), "")
	}
	issuer := ""
	if f.tok.AttestationURL != "" {
		if issuer, err = token.NormalizeBase(f.tok.AttestationURL); err != nil {
			return present.Page{}, fault.Korean(fault.Errorf(fault.Internal, "-a: %v", err), "-a: "+koErr(err), "")
		}
	}
	keys, why, err := f.keysFor(tok, issuer)
	if err != nil {
		return present.Page{}, err
	}
	tee := f.set.TEE
	opts := token.Options{Keys: keys, NoKeysReason: why.en, NoKeysReasonKO: why.ko, Issuer: issuer, Now: f.opts.Now, Leeway: f.tok.Leeway,
		ExpectCVM: tee == evidence.TEESEVSNP || tee == evidence.TEETDX, Context: ctx,
		AcceptIssuer: f.acceptIssuer(keys, false), AcceptIssuerKO: f.acceptIssuer(keys, true)}
	if len(f.set.UserData) > 0 {
		opts.UserData = f.set.UserData
	}
	// The nonce the run sent, saved in its bundle: the token must carry it back.
	if f.set.Nonce != "" {
		opts.Nonce = []byte(f.set.Nonce)
	}
	checks := token.Verify(tok, opts)
	checks = append(checks, savedKnobChecks(tok.Claims, f.set)...)
	view := pages.JWTView{Token: tok, KeySource: "(none)", Now: f.opts.Now}
	if keys != nil {
		view.KeySource = keys.Source()
	}
	if f.hasEvidence() {
		if f.result == nil {
			f.result = verify.Evidence(f.set, f.verifyOptions(ctx))
		}
		c, items := compare.TokenVsEvidence(tok.Claims, f.set, f.result)
		checks = append(checks, c)
		view.Compare = items
	}
	checks = append(checks, policyChecks(tok.Claims, checks, f.tok.Expect, f.tok.NoBaseline)...)
	view.Checks = checks
	return f.pager.VerifyJWT(view), ctx.Err()
}

// keysFor picks the key source the caller chose, or says why there is none. Keys that
// arrive with the evidence (a bundle's saved set, a JWKS file among the inputs) are never
// a source on their own: a forger would bring his own.
func (f *Files) keysFor(tok *token.Token, issuer string) (*token.Keys, reason, error) {
	iss, _ := tok.Claims.String("iss")
	base, baseErr := token.NormalizeBase(iss)
	switch {
	case f.tok.Keys != nil:
		return token.StaticKeys(f.tok.Keys), reason{}, nil
	case f.tok.Simulated != nil && hasKid(f.tok.Simulated.MAAKeys, tok.Header.Kid) && !simKeyForAzure(iss, issuer):
		return token.StaticKeys(f.tok.Simulated.MAAKeys), reason{}, nil
	case issuer != "" && f.tok.Fetch:
		var hc *http.Client
		if f.tok.EmulatorCA != nil {
			hc = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment,
				TLSClientConfig: &tls.Config{RootCAs: f.tok.EmulatorCA, MinVersion: tls.VersionTLS12}}}
		}
		prov, err := token.NewProvider(issuer, hc)
		if err != nil {
			return nil, reason{err.Error(), koErr(err)}, nil
		}
		return token.ProviderKeys(prov), reason{}, nil
	case f.tok.AnyAzureProvider && f.tok.Fetch && baseErr == nil && maa.IsAzureProvider(base):
		prov, err := token.NewProvider(base, nil)
		if err != nil {
			return nil, reason{err.Error(), koErr(err)}, nil
		}
		return token.ProviderKeys(prov), reason{}, nil
	case f.tok.TrustBundleKeys && len(f.set.JWKS) > 0:
		ks, err := token.ParseJWKS(f.set.JWKS, "the key set saved in "+f.bundleName()+" (--trust-bundle-keys: trust rests on whoever wrote that file)")
		if err != nil {
			return nil, reason{}, fault.Korean(fault.New(fault.Verification, err), "번들에 저장된 키 집합을 읽을 수 없습니다: "+koErr(err), "")
		}
		return token.StaticKeys(ks), reason{}, nil
	}
	pin := "-a PROVIDER"
	if baseErr == nil {
		pin = "-a " + base
	}
	var why reason
	switch {
	case f.tok.Simulated != nil && hasKid(f.tok.Simulated.MAAKeys, tok.Header.Kid):
		why = reason{"the token is signed with the simulated MAA key, which is public, and names an Azure provider: --trust-simulated never trusts that key for one; ",
			"토큰이 공개된 시뮬레이션 MAA 키로 서명되었고 Azure 공급자를 내세웁니다. --trust-simulated는 Azure 공급자에 대해서는 이 키를 신뢰하지 않습니다. "}
	case len(f.set.JWKS) > 0:
		why = reason{"the evidence carries its own key set, which is never trusted (a forged token would bring one); ",
			"증거에 자체 키 집합이 들어 있지만 이 키 집합은 신뢰하지 않습니다(위조된 토큰은 자기 키를 함께 가져옵니다). "}
	case f.tok.Simulated != nil:
		why = reason{fmt.Sprintf("the token's key %q is not the simulated MAA key; ", tok.Header.Kid),
			fmt.Sprintf("토큰의 키 %q는 시뮬레이션 MAA 키가 아닙니다. ", tok.Header.Kid)}
	}
	if issuer != "" && !f.tok.Fetch {
		return nil, reason{why.en + "offline: add --network to fetch the keys of " + issuer + ", or give --jwks FILE",
			why.ko + "오프라인입니다. --network를 더해 " + issuer + "의 키를 받아 오거나 --jwks FILE을 줍니다"}, nil
	}
	return nil, reason{why.en + "keys come only from --jwks FILE, or from the provider you pin with " + pin + " (cvmscope verify fetches them; inspect needs --network); --trust-bundle-keys accepts a bundle's saved set, --trust-simulated the simulated CVM's",
		why.ko + "키는 --jwks FILE이나 " + pin + "로 고정한 공급자에게서만 받습니다(cvmscope verify는 받아 오고, inspect에는 --network가 필요합니다). --trust-bundle-keys는 번들에 저장된 키 집합을, --trust-simulated는 시뮬레이션 CVM의 키를 받아들입니다"}, nil
}

// reason is why something was decided, in English and Korean.
type reason struct{ en, ko string }

// acceptIssuer is the caller's rule for an issuer when none is pinned with -a; ko gives
// its reason in Korean.
func (f *Files) acceptIssuer(keys *token.Keys, ko bool) func(string) string {
	pick := func(r reason) string {
		if ko {
			return r.ko
		}
		return r.en
	}
	return func(iss string) string {
		base, err := token.NormalizeBase(iss)
		if err != nil {
			return ""
		}
		if f.tok.AnyAzureProvider && maa.IsAzureProvider(base) {
			return pick(reason{"it is an Azure attestation provider, and --any-azure-provider accepts any of them",
				"Azure 증명 공급자이며, --any-azure-provider는 모든 Azure 증명 공급자를 받아들입니다"})
		}
		if f.tok.Simulated != nil && keys != nil && keys.Source() == SimulatedKeySource && isLoopbackURL(base) {
			return pick(reason{"a MAA emulator on loopback signing with the simulated key, accepted because of --trust-simulated",
				"시뮬레이션 키로 서명하는 루프백의 MAA 에뮬레이터이며, --trust-simulated 때문에 받아들입니다"})
		}
		return ""
	}
}

// simKeyForAzure says whether the token's issuer or the pinned one is an Azure provider:
// the simulated MAA key is public test material, so anyone can sign a token naming Azure
// with it; --trust-simulated trusts it for the simulated CVM's emulators only, as
// --emulator-ca never vouches for an Azure name.
func simKeyForAzure(iss, pinned string) bool {
	return maa.IsAzureHost(iss) || pinned != "" && maa.IsAzureHost(pinned)
}

func hasKid(s *token.KeySet, kid string) bool {
	_, ok := s.Key(kid)
	return ok
}

func isLoopbackURL(base string) bool {
	u, err := url.Parse(base)
	return err == nil && httpx.IsLoopback(u.Hostname())
}

// bundleName names the file the saved key set came from.
func (f *Files) bundleName() string {
	for _, fi := range f.set.Files {
		if fi.Kind == evidence.KindBundle || fi.Kind == evidence.KindJWKS {
			return fi.Path
		}
	}
	return "the evidence"
}

// verifyOptions are the options with ctx, which cancels what --network fetches.
func (f *Files) verifyOptions(ctx context.Context) verify.Options {
	o := f.opts
	o.Context = ctx
	return o
}

// Result returns the verification result of the last run.
func (f *Files) Result() *verify.Result { return f.result }

// SetNonce has no effect offline: files cannot be re-read with new user data.
func (f *Files) SetNonce(string) {}

// CanSetNonce is false: the UI offers no nonce key for saved files.
func (f *Files) CanSetNonce() bool { return false }

// Evidence returns the loaded set.
func (f *Files) Evidence() *evidence.Set { c := *f.set; return &c }

// Close does nothing.
func (f *Files) Close() error { return nil }
