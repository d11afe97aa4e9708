package workshop

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/imds"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/tpm"
)

// Check ids of the MAA steps (the evidence and token checks have their own packages).
const (
	IDIMDS     = "imds.reachable"
	IDTHIM     = "imds.thim"
	IDTDQuote  = "imds.tdquote"
	IDEndpoint = "maa.endpoint"
	IDRequest  = "maa.request"
	IDCall     = "maa.call"
	IDDecrypt  = "maa.decrypt"
)

// slowCall is the latency above which Call MAA warns: MAA normally answers in well under a
// second, so several seconds mean throttling, a slow proxy or an overloaded region.
const slowCall = 2 * time.Second

// attestState is what the MAA steps gather; each step fills its part.
type attestState struct {
	// request
	flow   string
	path   string
	body   []byte
	info   []byte
	guest  *maa.GuestRequest
	encKey *tpm.EphemeralKey
	// call: the token, once MAA answered and it was opened
	compact string
}

// osInfo is what the request says about the guest OS. The simulated CVM is a simulated
// Ubuntu 22.04 guest, not the machine cvmscope runs on, so its request does not leak the
// host's distribution and golden output stays the same everywhere.
func (l *Live) osInfo(p *platform.Platform) maa.OSInfo {
	if p.Source == evidence.SourceSim {
		return maa.OSInfo{Type: "Linux", Distro: "Ubuntu", VersionMajor: 22, VersionMinor: 4, Build: "NotApplication"}
	}
	return maa.HostOSInfo()
}

// hasReport, hasRequest and hasToken say how far the chain reaches.
func hasReport(r *report, _ *attestState) bool   { return r != nil }
func hasRequest(r *report, st *attestState) bool { return r != nil && st != nil && st.body != nil }
func hasToken(r *report, st *attestState) bool   { return hasRequest(r, st) && st.compact != "" }

func (l *Live) buildRequest(ctx context.Context) (present.Page, error) {
	p, err := l.open(ctx)
	if err != nil {
		return present.Page{}, err
	}
	rep, _, gen, err := l.need(ctx, BuildRequest, hasReport, l.readReport)
	if err != nil {
		return present.Page{}, err
	}
	// The request is built on a copy of the report's evidence, bound to the report's
	// nonce: the nonce sent is always the one the report's user data commits to.
	s, res, nonce := cloneSet(rep.set), rep.result, rep.nonce
	svc := l.svc
	ep := l.endpoint(ctx)
	flow := l.opts.Flow
	if flow == "" {
		flow = "guest"
	}
	view := pages.RequestView{Flow: flow, Endpoint: ep.URL, EndpointReason: ep.Reason, EndpointReasonKO: ep.ReasonKO, TEE: s.TEE,
		Knobs: l.opts.Knobs.view(s, nonce)}
	var checks check.List
	checks = append(checks, ep.check())
	fail := func(err error) (present.Page, error) {
		view.Checks = checks
		return l.opts.Pager.BuildRequest(view), err
	}

	// Isolation evidence from IMDS: the VCEK chain for SEV-SNP, the TD quote for TDX.
	var vcekChain string
	var tdQuote []byte
	switch s.TEE {
	case evidence.TEESEVSNP:
		certs, err := svc.imds.THIMCertification(ctx)
		if err != nil {
			checks = append(checks, ioFail(err, IDTHIM, "VCEK chain from THIM: %v", err).KO("THIM에서 VCEK 인증서 체인을 받지 못했습니다: %s", koErr(err)))
			return fail(err)
		}
		vcekChain = certs.VcekCertChain()
		s.Certs = mergeCerts(s.Certs, []byte(vcekChain))
		checks = append(checks, check.Passf(IDTHIM, "VCEK chain from THIM (%s/metadata/THIM/amd/certification), TCB %s", svc.imds.BaseURL, certs.TCBM).
			KO("THIM(%s/metadata/THIM/amd/certification)에서 VCEK 인증서 체인을 받았습니다. TCB %s", svc.imds.BaseURL, certs.TCBM))
		// With the chain in hand the report can be checked against AMD's root now (on
		// Azure, Read report had no VCEK yet).
		// Against the certificates res was verified with, not those of the set before the
		// merge: a Build request run again holds THIM's chain already, and res is still Read
		// report's, without it.
		checks = append(checks, snpVerdicts(res, len(s.Certs) > rep.verifiedCerts, func() check.List {
			return verify.Hardware(s, l.verifyOptions(ctx)).Checks
		})...)
		checks = append(checks, akCertificateAgain(s, res, l.verifyOptions(ctx))...)
	case evidence.TEETDX:
		if res == nil || res.HCL == nil {
			err := fault.Korean(fault.Errorf(fault.Verification, "no TDREPORT: the HCL report did not parse, so there is nothing to quote"),
				"TDREPORT가 없습니다. HCL 보고서를 구문 분석하지 못해 쿼트로 바꿀 것이 없습니다", "")
			return fail(err)
		}
		// The hardware area is the 1024-byte TDREPORT followed by 160 zero bytes.
		tdreport := res.HCL.HardwareReport[:min(len(res.HCL.HardwareReport), 1024)]
		q, err := svc.imds.TDQuote(ctx, tdreport)
		if err != nil {
			checks = append(checks, ioFail(err, IDTDQuote, "TD quote from IMDS: %v", err).KO("IMDS에서 TD 쿼트를 받지 못했습니다: %s", koErr(err)))
			return fail(err)
		}
		tdQuote = q
		s.TDQuote = q
		checks = append(checks, check.Passf(IDTDQuote, "TD quote (%d bytes) from IMDS /acc/tdquote for the %d-byte TDREPORT", len(q), len(tdreport)).
			KO("%d바이트 TDREPORT에 대한 TD 쿼트(%d바이트)를 IMDS /acc/tdquote에서 받았습니다", len(tdreport), len(q)))
		again := verify.Hardware(s, l.verifyOptions(ctx))
		for _, c := range again.Checks {
			if strings.HasPrefix(c.ID, "tdx.") {
				checks = append(checks, c)
			}
		}
		if again.TDQuote != nil {
			checks = append(checks, l.mrtdEndorsed(ctx, again.TDQuote))
		}
		checks = append(checks, akCertificateAgain(s, res, l.verifyOptions(ctx))...)
	}

	st := &attestState{flow: flow}
	var body []byte
	if flow == "platform" {
		runtime := runtimeClaims(res)
		switch s.TEE {
		case evidence.TEESEVSNP:
			st.path = maa.PathSevSnpVm
			body, err = maa.BuildSevSnpVm(res.HCL.HardwareReport, vcekChain, runtime, nonce)
		case evidence.TEETDX:
			st.path = maa.PathTdxVm
			body, err = maa.BuildTdxVm(tdQuote, runtime, nonce)
		default:
			err = fault.Korean(fault.Errorf(fault.Internal, "--flow platform needs SEV-SNP or TDX evidence; this is a %s VM: use --flow guest", s.TEE.Label()),
				fmt.Sprintf("`--flow platform`에는 SEV-SNP나 TDX 증거가 필요한데 이 VM은 %s입니다. `--flow guest`를 씁니다", s.TEE.LabelKO()), "")
		}
		if err == nil && l.opts.DraftPolicy != "" {
			var c check.Check
			if body, c, err = l.draftBody(flow, flowName(flow, s.TEE), body); err == nil {
				checks = append(checks, c)
			}
		}
		if err != nil {
			checks = append(checks, ioFail(err, IDRequest, "%v", err).KO("요청을 만들지 못했습니다: %s", koErr(err)))
			return fail(err)
		}
	} else if l.opts.DraftPolicy != "" {
		_, _, err := l.draftBody(flow, "AzureGuest", nil)
		checks = append(checks, ioFail(err, IDRequest, "%v", err).KO("요청을 만들지 못했습니다: %s", koErr(err)))
		return fail(err)
	} else {
		st.path = maa.PathAzureGuest
		gr, enc, encChecks, err := l.guestRequest(ctx, p, s, res, nonce, vcekChain, tdQuote)
		checks = append(checks, encChecks...)
		if err != nil {
			checks = append(checks, ioFail(err, IDRequest, "%v", err).KO("요청을 만들지 못했습니다: %s", koErr(err)))
			return fail(err)
		}
		st.guest, st.encKey = gr, enc
		body, st.info, err = maa.BuildGuest(*gr)
		if err != nil {
			checks = append(checks, ioFail(err, IDRequest, "%v", err).KO("요청을 만들지 못했습니다: %s", koErr(err)))
			return fail(err)
		}
		s.EncKey = &evidence.EncKey{Pub: enc.Public, CertifyInfo: enc.CertifyInfo, CertifySig: enc.CertifySig}
	}
	st.body = body
	checks = append(checks, check.Passf(IDRequest, "%s request of %d bytes for %s%s", flowName(flow, s.TEE), len(body), ep.URL, st.path).
		KO("%s%s로 보낼 %s 요청(%d바이트)을 만들었습니다", ep.URL, st.path, flowName(flow, s.TEE), len(body)))
	s.MAA = &evidence.Exchange{Endpoint: ep.URL, Path: st.path, Flow: flow, Emulated: ep.Emulated, Request: body}

	view.Path, view.Body, view.Info, view.Guest = st.path, body, st.info, st.guest
	view.VCEKChain, view.TDQuote, view.Checks = vcekChain, tdQuote, checks
	page := l.opts.Pager.BuildRequest(view)
	if err := l.publish(BuildRequest, gen, &report{nonce: nonce, set: s, result: res, verifiedCerts: rep.verifiedCerts}, st); err != nil {
		return present.Page{}, err
	}
	return page, nil
}

func flowName(flow string, tee evidence.TEE) string {
	if flow != "platform" {
		return "AzureGuest"
	}
	if tee == evidence.TEETDX {
		return "TdxVm"
	}
	return "SevSnpVm"
}

// guestRequest gathers the TPM part of an AzureGuest request and creates the ephemeral key.
func (l *Live) guestRequest(ctx context.Context, p *platform.Platform, s *evidence.Set, res *verify.Result, nonce string, vcekChain string, tdQuote []byte) (*maa.GuestRequest, *tpm.EphemeralKey, check.List, error) {
	var checks check.List
	if s.Quote == nil || len(s.AKPub) == 0 {
		return nil, nil, nil, fault.Korean(fault.Errorf(fault.Device, "no TPM quote or AK public key was read; run Read report first"),
			"TPM 쿼트나 AK 공개 키를 읽지 않았습니다. 증명 보고서 읽기 단계를 먼저 실행합니다", "")
	}
	if len(s.AKCert) == 0 {
		return nil, nil, nil, fault.Korean(fault.WithHint(fault.Device, errors.New("the AK certificate (NV 0x01C101D0) is empty"),
			"Azure provisions the AK certificate shortly after boot; wait a few minutes and retry (AZ-CPP: ERROR_AK_CERT_PROVISIONING_FAILED)"),
			"AK 인증서(NV 0x01C101D0)가 비어 있습니다",
			"Azure는 부팅 직후 AK 인증서를 프로비저닝합니다. 몇 분 기다린 뒤 다시 시도합니다 (AZ-CPP: ERROR_AK_CERT_PROVISIONING_FAILED)")
	}
	pcrs := map[int][]byte{}
	for _, i := range s.QuotePCRs {
		pcrs[i] = s.PCRs[i]
	}
	enc, err := p.TPM.CreateEphemeralKey(ctx, tpm.HandleAK, s.QuotePCRs)
	if err != nil {
		return nil, nil, nil, err
	}
	if res != nil && res.AK != nil {
		checks = append(checks, tpmquote.VerifyCertify(enc.CertifyInfo, enc.CertifySig, res.AK, enc.Public)...)
	}
	checks = append(checks, tpmquote.EncKeyPolicyMatches(enc.Public, enc.PCRs, enc.Selection))

	if l.opts.Knobs.PCRs != nil {
		checks = append(checks, selectionCheck(s.Quote.Msg, l.opts.Knobs.PCRs))
	}
	gr := &maa.GuestRequest{
		TPM: maa.TPMInfo{
			AikCert: s.AKCert, AikPub: s.AKPub,
			PcrQuote: s.Quote.Msg, PcrSignature: s.Quote.Sig,
			PcrSet: append([]int(nil), s.QuotePCRs...), PCRs: pcrs,
			EncKeyPub: enc.Public, EncKeyCertifyInfo: enc.CertifyInfo, EncKeyCertifyInfoSignature: enc.CertifySig,
		},
		OS:            l.osInfo(p),
		TcgLogs:       s.EventLog,
		ClientPayload: l.opts.Knobs.payloadFor(nonce),
	}
	runtime := runtimeClaims(res)
	switch s.TEE {
	case evidence.TEESEVSNP:
		gr.Isolation = maa.SevSnp{SnpReport: res.HCL.HardwareReport, VcekCertChain: vcekChain, RuntimeData: runtime}
	case evidence.TEETDX:
		gr.Isolation = maa.Tdx{Quote: tdQuote, RuntimeData: runtime}
	default:
		gr.Isolation = maa.TrustedLaunch{}
	}
	return gr, enc, checks, nil
}

// runtimeClaims are the runtime-claims bytes exactly as the HCL report carries them: MAA
// hashes them and compares with REPORT_DATA, so they must not be re-encoded.
func runtimeClaims(res *verify.Result) []byte {
	if res == nil || res.HCL == nil {
		return nil
	}
	return res.HCL.Claims
}

func (l *Live) mrtdEndorsed(ctx context.Context, q *tdx.Quote) check.Check {
	mrtd := q.Proto.GetTdQuoteBody().GetMrTd()
	opts := l.svc.endorsementOptions
	opts.Now = l.opts.Verify.Now
	doc, err := l.svc.endorsements.TDXEndorsement(ctx, mrtd)
	switch {
	case errors.Is(err, imds.ErrNoEndorsement):
		opts.NotListed = true
		return tdx.CheckMRTDEndorsed(mrtd, nil, opts)
	case err != nil:
		opts.FetchErr = err
		return tdx.CheckMRTDEndorsed(mrtd, nil, opts)
	}
	return tdx.CheckMRTDEndorsed(mrtd, [][]byte{doc}, opts)
}

func mergeCerts(have [][]byte, pemChain []byte) [][]byte {
	certs, err := evidence.ParseCertificates(pemChain)
	if err != nil {
		return have
	}
	seen := map[string]bool{}
	for _, c := range have {
		seen[string(c)] = true
	}
	for _, c := range certs {
		if !seen[string(c.Raw)] {
			have = append(have, c.Raw)
		}
	}
	return have
}

func (l *Live) callMAA(ctx context.Context) (present.Page, error) {
	rep, st, gen, err := l.need(ctx, CallMAA, hasRequest, l.buildRequest)
	if err != nil {
		return present.Page{}, err
	}
	p, _ := l.open(ctx)
	ep := l.endpoint(ctx)
	view := pages.CallView{Endpoint: ep.URL, Path: st.path, Emulated: ep.Emulated}
	client, err := l.maaClient(ep)
	if err == nil && l.opts.TuneMAA != nil {
		l.opts.TuneMAA(client)
	}
	if err != nil {
		view.Err = err
		view.Checks = check.List{ioFail(err, IDCall, "%v", err).KO("MAA 클라이언트를 만들지 못했습니다: %s", koErr(err))}
		return l.opts.Pager.CallMAA(view), err
	}
	ex, err := client.Attest(ctx, st.path, st.body)
	view.Exchange = ex
	if ctx.Err() != nil {
		// A cancelled call leaves the chain as it was.
		view.Err = err
		return l.opts.Pager.CallMAA(view), err
	}
	// The answer, good or bad, is recorded with the request; the token is this call's
	// only: a failed call leaves none, not the previous call's.
	s := cloneSet(rep.set)
	if s.MAA != nil && ex != nil {
		s.MAA.Status, s.MAA.Response = ex.Status, ex.ResponseBody
	}
	next := *st
	next.compact, s.Token = "", ""
	done := func(page present.Page, err error) (present.Page, error) {
		if l.opts.DraftPolicy != "" {
			page = draftPage(page)
		}
		if perr := l.publish(CallMAA, gen, &report{nonce: rep.nonce, set: s, result: rep.result, verifiedCerts: rep.verifiedCerts}, &next); perr != nil {
			return present.Page{}, perr
		}
		return page, err
	}
	if err != nil {
		view.Err = err
		view.Checks = check.List{ioFail(err, IDCall, "%v", err).KO("MAA 호출이 실패했습니다: %s", koErr(err))}
		return done(l.opts.Pager.CallMAA(view), err)
	}
	checks := check.List{callCheck(ex)}
	var compact string
	if st.flow == "platform" {
		compact, err = maa.ParsePlatformResponse(ex.ResponseBody)
		if err != nil {
			checks = append(checks, ioFail(err, IDDecrypt, "reading the token from the answer: %v", err).KO("응답에서 토큰을 읽지 못했습니다: %s", koErr(err)))
		} else if l.opts.DraftPolicy != "" {
			checks = append(checks, draftAnswer(compact))
		}
	} else {
		compact, err = openGuestAnswer(ctx, p.TPM, st.encKey, ex.ResponseBody)
		if err != nil {
			checks = append(checks, ioFail(err, IDDecrypt, "%v", err).KO("토큰을 복호화하지 못했습니다: %s", koErr(err)))
		} else {
			checks = append(checks, check.Passf(IDDecrypt, "token decrypted: the AES key was unwrapped by the TPM's ephemeral key under its PCR policy (TPM2_RSA_Decrypt), the JWT opened with AES-GCM (AAD \"Transport Key\")").
				KO("토큰을 복호화했습니다. TPM의 임시 키가 PCR 정책 아래에서 AES 키를 풀었고(TPM2_RSA_Decrypt), JWT는 AES-GCM(AAD \"Transport Key\")으로 열었습니다"))
		}
	}
	view.Decrypted = err == nil && st.flow != "platform"
	view.Checks = checks
	next.compact, s.Token = compact, compact
	// A TPM failing while decrypting stays a device error (exit 4); an answer that does
	// not decrypt or parse is a verification failure.
	return done(l.opts.Pager.CallMAA(view), decryptErr(fault.Default(fault.Verification, err)))
}

// callCheck judges the exchange: retries and slowness are worth a warning even when a token
// came back, because on a fleet they become failures.
func callCheck(ex *maa.Exchange) check.Check {
	n := len(ex.Attempts)
	switch {
	case n > 1:
		var why, whyKO []string
		for _, a := range ex.Attempts[:n-1] {
			if a.Status != 0 {
				w := fmt.Sprintf("HTTP %d", a.Status)
				if a.RetryAfter > 0 {
					w += fmt.Sprintf(" (Retry-After %s)", a.RetryAfter)
				}
				why, whyKO = append(why, w), append(whyKO, w)
			} else {
				why = append(why, a.Err)
				// ErrKO is not saved; a bundle read back has the English, quoted as received.
				ko := a.ErrKO
				if ko == "" {
					ko = fault.QuoteKO("", a.Err)
				}
				whyKO = append(whyKO, ko)
			}
		}
		d := ex.Duration.Round(time.Millisecond)
		return check.Warnf(IDCall, "token received after %d attempts in %s; earlier attempts: %s", n, d, strings.Join(why, ", ")).
			KO("%d번 시도 끝에 %s 만에 토큰을 받았습니다. 앞선 시도: %s", n, d, strings.Join(whyKO, ", "))
	case ex.Duration > slowCall:
		d := ex.Duration.Round(time.Millisecond)
		return check.Warnf(IDCall, "token received, but MAA took %s (usually well under 1 s): throttling, a slow proxy or an overloaded region", d).
			KO("토큰을 받았지만 MAA가 %s 걸렸습니다(보통 1초에 훨씬 못 미칩니다). 호출 수 제한, 느린 프록시, 과부하된 리전 중 하나입니다", d)
	}
	d := ex.Duration.Round(time.Millisecond)
	return check.Passf(IDCall, "HTTP %d in %s", ex.Status, d).KO("HTTP %d, %s 걸렸습니다", ex.Status, d)
}

// openGuestAnswer decrypts an AzureGuest answer with the TPM (protocol §4.5).
func openGuestAnswer(ctx context.Context, t *tpm.TPM, k *tpm.EphemeralKey, body []byte) (string, error) {
	et, err := maa.ParseGuestResponse(body)
	if err != nil {
		return "", err
	}
	if k == nil {
		return "", fault.Korean(errors.New("no ephemeral key: the request was not built in this run"),
			"임시 키가 없습니다. 이번 실행에서 요청을 만들지 않았습니다", "")
	}
	return maa.DecryptToken(et, func(wrapped []byte) ([]byte, error) {
		return t.DecryptWithEphemeral(ctx, k, wrapped)
	})
}

func (l *Live) verifyJWT(ctx context.Context) (present.Page, error) {
	rep, st, gen, err := l.need(ctx, VerifyJWT, hasToken, l.callMAA)
	if err != nil {
		return present.Page{}, err
	}
	ep := l.endpoint(ctx)
	s, res := cloneSet(rep.set), rep.result
	tok, err := token.Parse(st.compact)
	if err != nil {
		c := check.Failf(token.IDSignature, "the answer is not a JWT: %v", err).KO("응답이 JWT가 아닙니다: %s", koErr(err))
		return l.opts.Pager.VerifyJWT(pages.JWTView{Checks: check.List{c}}),
			fault.Korean(fault.New(fault.Verification, err), "응답이 JWT가 아닙니다: "+koErr(err), "")
	}
	keys, err := l.keys(ep)
	if err != nil {
		return present.Page{}, err
	}
	opts := token.Options{Keys: keys, Issuer: ep.URL, Now: l.opts.Verify.Now, Leeway: l.opts.Leeway,
		ExpectCVM: s.TEE == evidence.TEESEVSNP || s.TEE == evidence.TEETDX, Context: ctx}
	// The nonce expected is the one the report binds, which is the one that was sent.
	if rep.nonce != "" {
		opts.Nonce = []byte(rep.nonce)
	}
	if len(s.UserData) > 0 {
		opts.UserData = s.UserData
	}
	checks := token.Verify(tok, opts)
	if l.opts.DraftPolicy != "" && maa.IsDraftAnswer(st.compact) {
		checks = append(check.List{draftAnswer(st.compact)}, draftSignature(checks)...)
	}
	cmpCheck, items := compare.TokenVsEvidence(tok.Claims, s, res)
	checks = append(checks, cmpCheck)
	checks = append(checks, l.knobChecks(tok.Claims, st, rep.nonce)...)
	checks = append(checks, policyChecks(tok.Claims, checks, l.opts.Expect, l.opts.NoBaseline)...)
	s.JWKS = keys.JWKS()
	view := pages.JWTView{Token: tok, Checks: checks, KeySource: keys.Source(), Compare: items, Now: l.opts.Verify.Now}
	page := l.opts.Pager.VerifyJWT(view)
	if l.opts.DraftPolicy != "" {
		page = draftPage(page)
	}
	if err := l.publish(VerifyJWT, gen, &report{nonce: rep.nonce, set: s, result: res, verifiedCerts: rep.verifiedCerts}, st); err != nil {
		return present.Page{}, err
	}
	return page, nil
}

// keys returns the per-run key cache for the provider called: keys are fetched once and
// refetched only for an unknown kid.
func (l *Live) keys(ep endpoint) (*token.Keys, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keyCache != nil && l.keyCache.Provider() != nil && l.keyCache.Provider().Base == ep.URL {
		return l.keyCache, nil
	}
	client, err := l.maaClient(ep)
	if err != nil {
		return nil, err
	}
	prov, err := token.NewProvider(ep.URL, client.HTTP)
	if err != nil {
		return nil, fault.New(fault.Internal, err)
	}
	l.keyCache = token.ProviderKeys(prov)
	return l.keyCache, nil
}

// providerConn is the HTTP client kept for one provider: its URL and the private root its
// TLS trusts (nil for the system roots).
type providerConn struct {
	base string
	pool *x509.CertPool
	http *http.Client
}

// maaClient is a new client for the provider at ep that reuses the run's connections to it:
// Verify JWT fetches the keys over the connection Call MAA opened, not after a second TLS
// handshake with the same provider (about 1 ms of CPU on each side), and calling again
// does not leave another idle connection behind.
func (l *Live) maaClient(ep endpoint) (*maa.Client, error) {
	c, err := maa.NewClient(ep.URL, ep.pool())
	if err != nil {
		return nil, err
	}
	l.connMu.Lock()
	defer l.connMu.Unlock()
	if k := l.conn; k != nil && k.base == ep.URL && k.pool == ep.pool() {
		c.HTTP = k.http
		return c, nil
	}
	if l.conn != nil {
		l.conn.http.CloseIdleConnections()
	}
	l.conn = &providerConn{base: ep.URL, pool: ep.pool(), http: c.HTTP}
	return c, nil
}

// secureBootFromReport reads the Secure Boot setting the paravisor put in the runtime
// claims, for Preflight.
func secureBootFromReport(report []byte) (bool, bool) {
	r, err := hcl.Parse(report)
	if err != nil {
		return false, false
	}
	if r.RuntimeClaims == nil || r.RuntimeClaims.VMConfig.SecureBoot == nil {
		return false, false
	}
	return *r.RuntimeClaims.VMConfig.SecureBoot, true
}

// ioFail reports a step's I/O error as a failing check, or as a skip when the run was
// interrupted: a cancelled call says nothing about the evidence, the network or the TPM,
// and must not read as an integrity failure (exit 2). Its KO sets the Korean summary.
func ioFail(err error, id, format string, a ...any) ioCheck {
	c := check.Failf(id, format, a...)
	interrupted := errors.Is(err, context.Canceled)
	if interrupted {
		c.Verdict = check.Skip
		c.Summary = "interrupted before it finished (" + c.Summary + ")"
	}
	return ioCheck{c, interrupted}
}

// ioCheck is ioFail's check until its Korean summary is given.
type ioCheck struct {
	c           check.Check
	interrupted bool
}

// KO returns the check with its Korean summary, which says so when the run was interrupted.
func (i ioCheck) KO(format string, a ...any) check.Check {
	c := i.c.KO(format, a...)
	if i.interrupted {
		c.SummaryKO = "끝나기 전에 중단되었습니다 (" + c.SummaryKO + ")"
	}
	return c
}

// decryptErr gives the error of opening MAA's answer its Korean message.
func decryptErr(err error) error {
	if err == nil || koErr(err) != err.Error() {
		return err
	}
	return fault.Korean(err, "MAA 응답에서 토큰을 열지 못했습니다("+fault.QuoteKO("시스템 메시지", err.Error())+")", "")
}

// snpVerdicts are snp.signature and snp.chain once THIM's VCEK chain is in the set. When
// the chain added no certificate (the simulated CVM hands its chain over with the report),
// Read report already verified this very report with these very certificates, so its
// verdicts stand; verifying again would repeat the P-384 signature and the RSA-4096 chain.
func snpVerdicts(res *verify.Result, added bool, verifyAgain func() check.List) check.List {
	var l check.List
	if !added && res != nil && len(res.Checks.Find("snp.signature")) > 0 {
		l = res.Checks
	} else {
		l = verifyAgain()
	}
	var out check.List
	for _, id := range []string{"snp.signature", "snp.chain"} {
		out = append(out, l.Find(id)...)
	}
	return out
}

// akCertificateAgain decides ak.certificate once more when Read report left it pending (no
// vTPM root chosen, and the report that binds the AK could not be checked before THIM's VCEK
// chain or the TD quote came): verified now, that report anchors the AK, or nothing does.
func akCertificateAgain(s *evidence.Set, res *verify.Result, o verify.Options) check.List {
	if res == nil || len(s.AKCert) == 0 || res.Checks.Verdict(akcert.ID) != check.Skip {
		return nil
	}
	return verify.AKCertificate(s, o)
}
