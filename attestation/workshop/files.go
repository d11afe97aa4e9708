package workshop

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
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

// TokenOptions say how a saved token is verified offline (cvmscope verify, inspect).
type TokenOptions struct {
	// Keys is the --jwks key set; without it the bundle's saved keys are used, and failing
	// that, the issuer's keys are fetched when Fetch allows it.
	Keys *token.KeySet
	// AttestationURL is -a: it pins the issuer and may be fetched from.
	AttestationURL string
	// Fetch allows fetching keys from the token's issuer, but only when it is an Azure
	// attestation provider (*.attest.azure.net, *.attest.azure.us) or the -a provider.
	Fetch      bool
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
	src := "files"
	if f.set.Source != evidence.SourceFiles && f.set.Source != "" {
		src = "a saved bundle from " + string(f.set.Source)
	}
	return Banner{Source: evidence.SourceFiles, TEE: f.set.TEE,
		Text:   present.T("Offline inspection of "+src+" — nothing is read from a TPM", "파일 오프라인 검사 — TPM에서 읽지 않습니다"),
		Detail: strings.Join(names, " ")}
}

// Run verifies the files; it does no I/O beyond what was loaded.
func (f *Files) Run(ctx context.Context, step StepID) (present.Page, error) {
	switch step {
	case ReadReport:
		f.result = verify.Evidence(f.set, f.opts)
		return f.pager.ReadReport(f.set, f.result), ctx.Err()
	case VerifyJWT:
		if f.set.Token != "" {
			return f.verifyToken(ctx)
		}
	}
	return present.Page{}, fmt.Errorf("step %s needs a live VM; inspect shows the evidence only", step)
}

// verifyToken verifies a saved token: keys from --jwks, the bundle, or (when allowed) the
// issuer; the issuer pinned by -a or by the provider the bundle records calling.
func (f *Files) verifyToken(ctx context.Context) (present.Page, error) {
	tok, err := token.Parse(f.set.Token)
	if err != nil {
		c := check.Failf(token.IDSignature, "%v", err)
		return f.pager.VerifyJWT(pages.JWTView{Checks: check.List{c}}), fault.New(fault.Verification, err)
	}
	issuer := ""
	if f.tok.AttestationURL != "" {
		if issuer, err = token.NormalizeBase(f.tok.AttestationURL); err != nil {
			return present.Page{}, fault.Errorf(fault.Internal, "-a: %v", err)
		}
	} else if f.set.MAA != nil && f.set.MAA.Endpoint != "" {
		issuer = f.set.MAA.Endpoint
	}
	keys, why, err := f.keysFor(tok, issuer)
	if err != nil {
		return present.Page{}, err
	}
	tee := f.set.TEE
	opts := token.Options{Keys: keys, NoKeysReason: why, Issuer: issuer, Now: f.opts.Now, Leeway: f.tok.Leeway,
		ExpectCVM: tee == evidence.TEESEVSNP || tee == evidence.TEETDX, Context: ctx}
	if len(f.set.UserData) > 0 {
		opts.UserData = f.set.UserData
	}
	checks := token.Verify(tok, opts)
	view := pages.JWTView{Token: tok, KeySource: "(none)", Now: f.opts.Now}
	if keys != nil {
		view.KeySource = keys.Source()
	}
	if f.hasEvidence() {
		if f.result == nil {
			f.result = verify.Evidence(f.set, f.opts)
		}
		c, items := compare.TokenVsEvidence(tok.Claims, f.set, f.result)
		checks = append(checks, c)
		view.Compare = items
	}
	exps := f.tok.Expect
	if !f.tok.NoBaseline {
		exps = append(token.AzureCVMBaseline(tok.Claims), exps...)
	}
	if len(exps) > 0 {
		checks = append(checks, token.CheckExpectations(tok.Claims, exps)...)
	}
	view.Checks = checks
	return f.pager.VerifyJWT(view), ctx.Err()
}

// keysFor picks the key source, or says why there is none.
func (f *Files) keysFor(tok *token.Token, issuer string) (*token.Keys, string, error) {
	switch {
	case f.tok.Keys != nil:
		return token.StaticKeys(f.tok.Keys), "", nil
	case len(f.set.JWKS) > 0:
		src := "saved key set"
		for _, fi := range f.set.Files {
			src = fi.Path
		}
		ks, err := token.ParseJWKS(f.set.JWKS, src)
		if err != nil {
			return nil, "", fault.New(fault.Verification, err)
		}
		return token.StaticKeys(ks), "", nil
	case !f.tok.Fetch:
		return nil, "offline: no --jwks and no key set saved with the token (use --network to fetch from an Azure issuer)", nil
	}
	iss, _ := tok.Claims.String("iss")
	base, err := token.NormalizeBase(iss)
	if err != nil {
		return nil, fmt.Sprintf("the token's issuer %q is not a provider URL", iss), nil
	}
	if base != issuer && !maa.IsAzureProvider(base) {
		// Never fetch keys from wherever a token says: a forged token names its own server.
		return nil, fmt.Sprintf("the token's issuer %s is not an Azure attestation provider (*.attest.azure.net, *.attest.azure.us), so its keys are not fetched; pass -a %s if you trust it, or --jwks FILE", base, base), nil
	}
	prov, err := token.NewProvider(base, nil)
	if err != nil {
		return nil, err.Error(), nil
	}
	return token.ProviderKeys(prov), "", nil
}

// Result returns the verification result of the last run.
func (f *Files) Result() *verify.Result { return f.result }

// SetNonce has no effect offline: files cannot be re-read with new user data.
func (f *Files) SetNonce(string) {}

// Evidence returns the loaded set.
func (f *Files) Evidence() *evidence.Set { c := *f.set; return &c }

// Close does nothing.
func (f *Files) Close() error { return nil }
