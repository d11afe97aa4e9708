// Package verify runs every check that an evidence set allows, in the order a person would
// follow the chain of trust: vendor root → VCEK or PCK → hardware report → REPORT_DATA →
// runtime claims → HCLAkPub → TPM quote → PCRs → event log.
//
// It only composes the per-format packages (hcl, snp, tdx, tpmquote, akcert, eventlog);
// each of those owns its checks. A piece of evidence that is missing makes its checks skip
// with a reason that says which file or step supplies it; a piece that cannot be parsed
// makes a "<kind>.parse" check fail with the parser's error, which names field and offset.
package verify

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"github.com/cvmscope/cvmscope/attestation/internal/netcache"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
)

// Options tune verification.
type Options struct {
	// Now is when certificates and collateral are judged (--now); zero means time.Now().
	Now time.Time
	// AllowNetwork lets checks fetch what is missing (AMD KDS, Intel PCS). Off by default:
	// offline verification is the rule.
	AllowNetwork bool
	// Trust holds the anchors the caller chose beyond AMD's and Intel's own roots. Nothing
	// in the evidence adds to it.
	Trust Trust
	// Context cancels what AllowNetwork fetches (Ctrl-C, Esc); nil leaves only the
	// fetches' own time limits.
	Context context.Context
	// PCS fetches Intel collateral when AllowNetwork is set and none was supplied; nil
	// means Intel's public PCS (tdx.PCSFetcher{}); --collateral azure gives Azure's mirror
	// (tdx.FetcherFor).
	PCS tdx.Fetcher
	// TCBBaseline is the TDX TCB baseline date (--tcb-baseline) tdx.tcb's verdict is judged
	// against (tdx.ApplyBaseline); zero keeps Intel's status.
	TCBBaseline time.Time
	// KDSBaseURL replaces https://kdsintf.amd.com for what AllowNetwork fetches from AMD
	// KDS (a caching service, a test server); "" means AMD's.
	KDSBaseURL string
}

// kdsClient sends AMD KDS requests through the cache (keeping only answers that parse), to
// KDSBaseURL when set.
func (o Options) kdsClient() *http.Client {
	t := &netcache.Transport{Valid: snp.KDSAnswerParses}
	if u, err := url.Parse(o.KDSBaseURL); o.KDSBaseURL != "" && err == nil {
		t.Rewrite = map[string]*url.URL{"kdsintf.amd.com": u}
	}
	return &http.Client{Transport: t}
}

// FetchOnce returns ctx under which what --network fetches (AMD KDS, Intel PCS, an MAA
// provider's keys) is asked once per URL for as long as ctx is used, failures included:
// inspect --each runs every set under one, so that a fleet costs one fetch, or one timeout,
// not one per set.
func FetchOnce(ctx context.Context) context.Context {
	return netcache.NewContext(ctx, &netcache.Cache{FailTTL: netcache.DefaultTTL})
}

// IDCollateralFetch is the check that says --network could not fetch Intel collateral.
const IDCollateralFetch = "tdx.collateral.fetch"

func (o Options) pcs() tdx.Fetcher {
	if o.PCS != nil {
		return o.PCS
	}
	return tdx.PCSFetcher{}
}

func (o Options) context() context.Context {
	if o.Context != nil {
		return o.Context
	}
	return context.Background()
}

// Trust is a set of extra trust anchors, as go-sev-guest's verify.Options.TrustedRoots:
// filled by whoever started the run (the simulated CVM's test roots for a run that started
// the simulated CVM itself, or when the user passed --trust-simulated), never by the data.
// The zero value trusts only the vendors' roots.
type Trust struct {
	// AMD roots trusted in addition to AMD's own (embedded in go-sev-guest).
	AMD []snp.Roots
	// Intel roots trusted in addition to Intel's SGX Root CA.
	Intel []*x509.Certificate
	// VTPM are vTPM CA certificates (a root and the CA that issues AK certificates) an AK
	// certificate's chain must reach; none means the chain cannot be verified.
	VTPM []*x509.Certificate
}

// Result holds the checks and everything parsed on the way, for the pages to show.
type Result struct {
	Checks check.List

	TEE      evidence.TEE
	HCL      *hcl.Report
	Claims   *hcl.RuntimeClaims
	SNP      *snp.Report
	TDReport *tdx.TDReport
	TDQuote  *tdx.Quote
	Certs    []*x509.Certificate
	// AK is the AK public key used for the quote: from the TPM when available (AKFromTPM),
	// else HCLAkPub from the runtime claims.
	AK        *rsa.PublicKey
	AKFromTPM bool
	AKCert    *x509.Certificate
	Attest    *tpmquote.Attest
	Log       *eventlog.Log
	// FetchErr is why a fetch AllowNetwork asked for got no answer (AMD KDS) and left a
	// signature unchecked: the run's error (network, exit 3), not a verdict on the evidence.
	FetchErr error
}

// Evidence verifies a set.
func Evidence(s *evidence.Set, opts Options) *Result {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	r := Hardware(s, opts)
	add := func(c ...check.Check) { r.Checks = append(r.Checks, c...) }
	r.tpm(s, opts, add)
	r.eventLog(s, add)
	return r
}

// Hardware runs only the TEE checks (report signature and chain, TD quote, REPORT_DATA
// binding): for when something arrives after Read report, the VCEK chain from THIM or the TD
// quote from IMDS, and the TPM and event-log checks need not run again.
func Hardware(s *evidence.Set, opts Options) *Result {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	r := &Result{TEE: s.TEE}
	add := func(c ...check.Check) { r.Checks = append(r.Checks, c...) }
	r.parseReports(s, add)
	r.parseCerts(s, add)
	r.hardware(s, opts, add)
	return r
}

func (r *Result) parseReports(s *evidence.Set, add func(...check.Check)) {
	// from names the file a piece came from, so that a parse failure says which to fix.
	from := func(k evidence.Kind) string { return fileOr(s.FileOf(k)) }
	hwFrom := from(evidence.KindHCLReport)
	if len(s.HCLReport) > 0 {
		rep, err := hcl.Parse(s.HCLReport)
		if err != nil {
			add(parseFail("hcl.parse", hwFrom, "", "", err))
		} else {
			r.HCL = rep
			r.Claims = rep.RuntimeClaims
			if rep.ClaimsErr != nil {
				add(parseFail("hcl.parse", hwFrom, "", "", rep.ClaimsErr))
			}
			switch rep.IGVM.ReportType {
			case hcl.ReportSNP:
				r.TEE = evidence.TEESEVSNP
			case hcl.ReportTDX:
				r.TEE = evidence.TEETDX
			}
		}
	}
	if r.Claims == nil && len(s.RuntimeClaims) > 0 {
		rc, err := hcl.ParseRuntimeClaims(s.RuntimeClaims)
		if err != nil {
			add(parseFail("hcl.parse", from(evidence.KindRuntimeClaims), "runtime claims file: ", "런타임 클레임 파일: ", err))
		}
		r.Claims = rc
	}
	snpRaw, snpFrom := s.SNPReport, from(evidence.KindSNPReport)
	if r.HCL != nil && r.HCL.SNPReport() != nil {
		snpRaw, snpFrom = r.HCL.SNPReport(), hwFrom
	}
	if len(snpRaw) > 0 {
		rep, err := snp.Parse(snpRaw)
		if err != nil {
			add(parseFail("snp.parse", snpFrom, "", "", err))
		} else {
			r.SNP = rep
			if r.TEE == "" {
				r.TEE = evidence.TEESEVSNP
			}
		}
	}
	tdRaw, tdFrom := s.TDReport, from(evidence.KindTDReport)
	if r.HCL != nil && r.HCL.TDReport() != nil {
		tdRaw, tdFrom = r.HCL.TDReport(), hwFrom
	}
	if len(tdRaw) > 0 {
		rep, err := tdx.ParseTDReport(tdRaw)
		if err != nil {
			add(parseFail("tdx.parse", tdFrom, "TDREPORT: ", "TDREPORT: ", err))
		} else {
			r.TDReport = rep
		}
	}
	if len(s.TDQuote) > 0 {
		q, err := tdx.ParseQuote(s.TDQuote)
		if err != nil {
			add(parseFail("tdx.parse", from(evidence.KindTDQuote), "TD quote: ", "TD 쿼트: ", err))
		} else {
			r.TDQuote = q
			if r.TEE == "" {
				r.TEE = evidence.TEETDX
			}
		}
	}
	if r.TEE == "" && s.TEE != "" {
		r.TEE = s.TEE
	}
	// A quote file was parsed when it was loaded; one inside a bundle is parsed here, so
	// that a damaged message is named even when no AK is there to check its signature.
	if s.Quote != nil && len(s.Quote.Msg) > 0 {
		if _, err := tpmquote.ParseAttest(s.Quote.Msg); err != nil {
			add(parseFail("tpm.quote.parse", from(evidence.KindTPMAttest), "", "", err))
		}
	}
}

func (r *Result) parseCerts(s *evidence.Set, add func(...check.Check)) {
	for i, der := range s.Certs {
		c, err := x509.ParseCertificate(der)
		if err == nil {
			err = certs.Oversized(c)
		}
		if err != nil {
			add(parseFail("certs.parse", fileOr(s.FileOf(evidence.KindCertificates)), fmt.Sprintf("certificate %d: ", i+1), fmt.Sprintf("인증서 %d: ", i+1), err))
			continue
		}
		r.Certs = append(r.Certs, c)
	}
}

// parseFail is the failing "<kind>.parse" check for err: file names the file, what the
// piece (in English and Korean). The parser's message is kept as the parser wrote it, in
// Korean when it wrote Korean: it names the field and offset.
func parseFail(id, file, what, whatKO string, err error) check.Check {
	msg, _ := fault.MessageIn(err, "ko")
	return check.Failf(id, "%s%s%v", file, what, err).
		KO("%s%s구문 분석에 실패했습니다: %s", file, whatKO, msg)
}

func fileOr(name string) string {
	if name == "" {
		return ""
	}
	return name + ": "
}

// hardware runs the TEE checks: the report's signature and chain, and the binding of the
// runtime claims into REPORT_DATA.
func (r *Result) hardware(s *evidence.Set, opts Options, add func(...check.Check)) {
	if r.HCL != nil {
		add(r.HCL.BindingCheck())
	} else if r.Claims != nil && (r.SNP != nil || r.TDReport != nil) {
		add(standaloneBinding(s.RuntimeClaims, r))
	}
	switch {
	case r.SNP != nil:
		l := snp.Verify(r.SNP, r.Certs, snp.Options{Now: opts.Now, ExtraRoots: opts.Trust.AMD, AllowNetwork: opts.AllowNetwork, Context: opts.Context,
			KDSClient: opts.kdsClient(), KDSFailed: func(err error) { r.FetchErr = err }})
		add(l...)
		if opts.AllowNetwork && l.Verdict(snp.IDChain) == check.Pass {
			add(amdRevocation(r, opts))
		}
	case r.TDQuote != nil || r.TDReport != nil:
		if r.TDQuote == nil {
			add(check.Skipf("tdx.quote.signature", "no TD quote: the TDREPORT is only MAC'd by the CPU; on Azure, IMDS POST /acc/tdquote turns it into a signed quote (the Build request step fetches it; with inspect, supply it as a file)").
				KO("TD 쿼트가 없습니다. TDREPORT에는 CPU의 MAC만 있습니다. Azure에서는 IMDS POST /acc/tdquote가 이를 서명된 쿼트로 바꿉니다(요청 만들기 단계가 받아 옵니다. `cvmscope inspect`에는 파일로 넘깁니다)"),
				check.Skipf("tdx.quote.matches-report", "no TD quote to compare with the TDREPORT").KO("TDREPORT와 비교할 TD 쿼트가 없습니다"),
				check.Skipf("tdx.tcb", "no TD quote, so no TCB to evaluate").KO("TD 쿼트가 없어 평가할 TCB가 없습니다"))
			break
		}
		var coll *tdx.Collateral
		var fetchErr error
		if !s.Collateral.Empty() {
			c := tdx.Collateral(s.Collateral)
			coll = &c
		} else if opts.AllowNetwork {
			coll, fetchErr = opts.pcs().FetchCollateral(opts.context(), r.TDQuote)
		}
		add(tdx.Verify(r.TDQuote, r.TDReport, tdx.Options{Now: opts.Now, Collateral: coll, ExtraRoots: opts.Trust.Intel, Baseline: opts.TCBBaseline})...)
		if f := httpx.FailureOf(fetchErr); f == httpx.Timeout || f == httpx.Unreachable || f == httpx.Dropped || f == httpx.Interrupted || tdx.Unavailable(fetchErr) {
			// No answer at all (as for AMD KDS): the TCB evaluation --network asked for was not
			// done, so the run ends with the network failure (exit 3), never 0; so does a
			// service saying it cannot answer now (429, 5xx), as AMD KDS's does. An answer that
			// came but was refused (a mirror without a document) stays the warning below.
			r.FetchErr = fetchErr
		}
		if fetchErr != nil {
			msg, hint := fault.MessageIn(fetchErr, "ko")
			add(check.Warnf(IDCollateralFetch, "--network: Intel collateral (TCB info, QE identity, PCK CRL) could not be fetched, so tdx.tcb has none: %v", fetchErr).
				KO("--network: Intel collateral(TCB info, QE identity, PCK CRL)을 가져오지 못해 tdx.tcb에 쓸 것이 없습니다: %s", strings.TrimSpace(msg+" "+hint)))
		}
	case r.HCL != nil && r.HCL.IGVM.ReportType == hcl.ReportSNP:
		add(check.Skipf("snp.signature", "not checked: the HCL report's SEV-SNP report did not parse (see snp.parse)").
			KO("검증하지 않았습니다. HCL 보고서 안의 SEV-SNP 보고서를 구문 분석하지 못했습니다(snp.parse 참고)"))
	case r.HCL != nil && r.HCL.IGVM.ReportType == hcl.ReportTDX:
		add(check.Skipf("tdx.quote.signature", "not checked: the HCL report's TDREPORT did not parse (see tdx.parse)").
			KO("검증하지 않았습니다. HCL 보고서 안의 TDREPORT를 구문 분석하지 못했습니다(tdx.parse 참고)"))
	case r.HCL != nil:
		add(check.Skipf("snp.signature", "the HCL report carries a %s report, which no vendor signs", r.HCL.IGVM.ReportType).
			KO("HCL 보고서에 %s 보고서가 들어 있습니다. 이 보고서는 어떤 제조사도 서명하지 않습니다", r.HCL.IGVM.ReportType))
	}
}

// standaloneBinding binds a runtime-claims file to a raw report's REPORT_DATA with SHA-256,
// the only hash type seen on Azure.
func standaloneBinding(claims []byte, r *Result) check.Check {
	var rd []byte
	if r.SNP != nil {
		rd = r.SNP.ReportData()
	} else {
		rd = r.TDReport.ReportData()
	}
	b, err := hcl.Build(hcl.ReportSNP, nil, hcl.HashSHA256, claims, hcl.ClaimsOff+len(claims))
	if err != nil {
		return check.Failf("hcl.binding", "runtime claims: %v", err).KO("런타임 클레임: %s", koMsg(err))
	}
	rep, err := hcl.Parse(b)
	if err != nil {
		return check.Failf("hcl.binding", "runtime claims: %v", err).KO("런타임 클레임: %s", koMsg(err))
	}
	copy(rep.HardwareReport[hcl.SNPReportDataOff:], rd)
	c := rep.BindingCheck()
	ko, _ := c.In("ko")
	c.Summary = "runtime claims file against the report's REPORT_DATA (SHA-256 assumed): " + c.Summary
	c.SummaryKO = "런타임 클레임 파일과 보고서의 REPORT_DATA 비교(SHA-256으로 가정): " + ko
	return c
}

// tpm runs the vTPM checks: AK binding, AK certificate, quote signature and PCR digest.
func (r *Result) tpm(s *evidence.Set, opts Options, add func(...check.Check)) {
	var hclAK *rsa.PublicKey
	if r.Claims != nil {
		if k := r.Claims.Key("HCLAkPub"); k != nil {
			if pub, err := k.RSA(); err == nil {
				hclAK = pub
			} else {
				add(check.Failf("ak.binding", "HCLAkPub in the runtime claims: %v", err).KO("런타임 클레임의 HCLAkPub: %s", koMsg(err)))
			}
		}
	}
	if len(s.AKPub) > 0 {
		pub, err := tpmquote.ParsePublic(s.AKPub)
		if err != nil {
			add(check.Failf("ak.parse", "AK public: %v", err).KO("AK 공개 키를 구문 분석하지 못했습니다: %s", koMsg(err)))
		} else {
			r.AK, r.AKFromTPM = pub, true
		}
	}
	switch {
	case r.AK != nil && r.Claims != nil:
		add(tpmquote.AKBinding(r.Claims, r.AK))
	case r.AK == nil && hclAK != nil:
		add(check.Skipf("ak.binding", "no AK public area from the TPM (ReadPublic 0x81000003) to compare with HCLAkPub; the quote is checked with HCLAkPub").
			KO("HCLAkPub과 비교할, TPM에서 읽은 AK 공개 영역(ReadPublic 0x81000003)이 없습니다. 쿼트는 HCLAkPub으로 검증합니다"))
		r.AK = hclAK
	case r.AK != nil:
		add(check.Skipf("ak.binding", "no runtime claims carrying HCLAkPub to compare the AK with").
			KO("AK와 비교할 HCLAkPub이 담긴 런타임 클레임이 없습니다"))
	}

	if len(s.AKCert) > 0 {
		// The certificate must be for the key the quote is checked with, from the TPM or
		// HCLAkPub alike: a certificate for another key, chained to a trusted root, anchored
		// a quote signed with keys from claims no hardware report bound.
		add(akcert.CheckChain(s.AKCert, r.AK, opts.Now, opts.Trust.VTPM, r.Certs, r.akHardwareBinding(hclAK)))
		if c, err := akcert.Parse(s.AKCert); err == nil {
			r.AKCert = c
		}
	}

	if s.Quote == nil || len(s.Quote.Msg) == 0 {
		if len(s.PCRs) > 0 || r.AK != nil {
			add(check.Skipf("tpm.quote.signature", "no TPM quote (TPMS_ATTEST and its signature) in the evidence").
				KO("증거에 TPM 쿼트(TPMS_ATTEST와 그 서명)가 없습니다"))
		}
		return
	}
	if a, err := tpmquote.ParseAttest(s.Quote.Msg); err == nil {
		r.Attest = a
	}
	if r.AK == nil {
		add(check.Skipf("tpm.quote.signature", "no AK public key: supply the AK public (tpm2_readpublic -c 0x81000003) or an HCL report whose runtime claims carry HCLAkPub").
			KO("AK 공개 키가 없습니다. AK 공개 키(tpm2_readpublic -c 0x81000003)나 런타임 클레임에 HCLAkPub이 있는 HCL 보고서를 줍니다"))
		return
	}
	add(tpmquote.VerifyQuoteBanks(s.Quote.Msg, s.Quote.Sig, r.AK, s.Banks(), s.Quote.Nonce)...)
}

// akHardwareBinding says what binds the quote's AK to vendor-signed hardware evidence: the AK
// is HCLAkPub (or ak.binding found the TPM's AK equal to it), the runtime claims carrying it
// are bound into REPORT_DATA (hcl.binding), and the report's signature and chain verified.
// With a link missing nothing does, and only the AK certificate could tie the quote to a CA.
// Pending: every link that ran passed, but the report's own checks could not run yet (no
// VCEK chain or TD quote: on Azure the live run fetches them after Read report, and
// AKCertificate decides again then).
func (r *Result) akHardwareBinding(hclAK *rsa.PublicKey) akcert.Hardware {
	if hclAK == nil || r.AK == nil {
		return akcert.Hardware{}
	}
	ids := []string{hcl.IDBinding}
	switch {
	case r.AKFromTPM:
		ids = append(ids, tpmquote.IDAKBinding)
	case !r.AK.Equal(hclAK):
		return akcert.Hardware{}
	}
	bound, pending := len(ids), false
	switch {
	case r.SNP != nil:
		ids = append(ids, snp.IDSignature, snp.IDChain)
	case r.TDReport != nil:
		ids = append(ids, tdx.CheckSignature, tdx.CheckMatchesReport)
	default:
		return akcert.Hardware{}
	}
	for i, id := range ids {
		switch v := r.Checks.Verdict(id); {
		case v == check.Pass:
		case v == check.Skip && i >= bound:
			pending = true
		default:
			return akcert.Hardware{}
		}
	}
	if pending {
		return akcert.Hardware{Pending: true}
	}
	return akcert.Hardware{Bound: strings.Join(ids, ", ")}
}

// AKCertificate is the ak.certificate check again, for when the hardware evidence that may
// anchor the AK arrived after Evidence ran (the VCEK chain from THIM, the TD quote from IMDS).
// The event log plays no part in it and is not replayed again.
func AKCertificate(s *evidence.Set, opts Options) check.List {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	r := Hardware(s, opts)
	r.tpm(s, opts, func(c ...check.Check) { r.Checks = append(r.Checks, c...) })
	return r.Checks.Find(akcert.ID)
}

func (r *Result) eventLog(s *evidence.Set, add func(...check.Check)) {
	if len(s.EventLog) == 0 {
		if len(s.PCRs) > 0 {
			add(check.Skipf("eventlog.replay", "no event log: on Linux it is /sys/kernel/security/tpm0/binary_bios_measurements (root only)").
				KO("이벤트 로그가 없습니다. Linux에서는 /sys/kernel/security/tpm0/binary_bios_measurements에 있습니다(root만 읽을 수 있습니다)"))
		}
		return
	}
	l, err := eventlog.Parse(s.EventLog)
	if err != nil {
		add(parseFail("eventlog.parse", "", "", "이벤트 로그 ", err))
		return
	}
	r.Log = l
	if len(s.PCRs) == 0 {
		// A Windows log alone (inspect of a MeasuredBoot file) still says what Windows
		// recorded, marked unvouched.
		if c, ok := eventlog.WindowsCheck(l, s.EventLog, nil); ok {
			add(c)
		}
		add(check.Skipf("eventlog.replay", "parsed %d events, but no PCR values to replay them against (supply the quoted PCRs)", l.Len()).
			KO("이벤트 %d개를 구문 분석했지만 재생 결과와 비교할 PCR 값이 없습니다(쿼트된 PCR 값을 줍니다)", l.Len()))
		return
	}
	// PCR values given without a quote (a PCR file beside a log) are not called quoted.
	replay := eventlog.CompareUnsigned(l, s.PCRs)
	var vouching check.List // replays of values a quote signs: only these vouch for Windows' records
	if s.Quote != nil && len(s.Quote.Msg) > 0 {
		replay = markUnquoted(eventlog.CompareQuoted(l, s.PCRs, s.QuotePCRs), s.QuotePCRs)
		vouching = quotedOnly(replay, s.QuotePCRs)
	}
	add(replay...)
	add(eventlog.CompareBanks(s.EventLog, s.PCRBanks)...)
	if c, ok := eventlog.WindowsCheck(l, s.EventLog, vouching); ok {
		add(c)
	}
}

// quotedOnly keeps the replay checks of the PCRs the quote selects (all of them when the
// selection is not known, as markUnquoted does).
func quotedOnly(l check.List, quoted []int) check.List {
	if len(quoted) == 0 {
		return l
	}
	in := map[string]bool{}
	for _, p := range quoted {
		in[fmt.Sprintf("PCR%d", p)] = true
	}
	var out check.List
	for _, c := range l {
		if in[c.Subject] {
			out = append(out, c)
		}
	}
	return out
}

// markUnquoted says so on replay checks of PCRs that were read from the TPM but that the
// signed quote does not cover (live runs quote 0-7 and read all 24): their values are only
// as trustworthy as the channel they were read over.
func markUnquoted(l check.List, quoted []int) check.List {
	if len(quoted) == 0 {
		return l
	}
	in := map[string]bool{}
	for _, p := range quoted {
		in[fmt.Sprintf("PCR%d", p)] = true
	}
	for i, c := range l {
		if !in[c.Subject] {
			l[i] = c.WithDetail("this PCR value was read from the TPM but is not covered by the signed quote",
				"이 PCR 값은 TPM에서 읽었지만 서명된 쿼트의 검증 범위 밖입니다")
		}
	}
	return l
}

func koMsg(err error) string {
	msg, _ := fault.MessageIn(err, "ko")
	return msg
}

// SummaryKO is Summary in Korean.
func SummaryKO(l check.List) string {
	c := l.Counts()
	return fmt.Sprintf("통과 %d, 실패 %d, 경고 %d, 건너뜀 %d", c[check.Pass], c[check.Fail], c[check.Warn], c[check.Skip])
}

// Summary is a one-line count of verdicts.
func Summary(l check.List) string {
	c := l.Counts()
	return fmt.Sprintf("%d passed, %d failed, %d warnings, %d skipped", c[check.Pass], c[check.Fail], c[check.Warn], c[check.Skip])
}
