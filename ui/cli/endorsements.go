package cli

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/imds"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/imdsemu"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/cvmscope/cvmscope/ui"
	flag "github.com/spf13/pflag"
)

const endorsementsUsage = `cvmscope endorsements browses Microsoft's TDX paravisor endorsements on THIM.

Usage:
  cvmscope endorsements [flags]                 list the MRTDs THIM endorses in the region
  cvmscope endorsements --mrtd HEX [flags]      look one MRTD up and check its endorsement
  cvmscope endorsements --from FILE... [flags]  take the MRTD from a TD quote, an HCL report
                                                or a bundle (and, with --network or saved
                                                collateral, evaluate the quote's TCB)

Without --network it asks the simulated TDX CVM's IMDS emulator (seed --seed); with
--network, https://<region>.thim.azure.net (--region, else the VM's region from IMDS, else
westus). THIM's list is unsigned: a listing exits 0 only when each listed MRTD's signed
endorsement verifies on --endorsement-root (without --network: the simulated endorser's test
root, trusted only with --trust-simulated),
else 2, the list still printed. Exit 0 endorsed (or a verified listing), 2 not endorsed, not
verified or TCB not acceptable, 3 network, 1 misuse.
`

// endorsementsOptions are the command's flags.
type endorsementsOptions struct {
	region, thim, mrtd, output, lang, seed string
	collateral, baseline                   string
	network, trustSim                      bool
	from                                   []string
	roots                                  []string // --endorsement-root

	// simCollateral is the simulated platform's Intel collateral, in the simulated world.
	simCollateral *tdx.Collateral
	simRoot       *x509.Certificate
}

// endorsementsResult is what the command found, as -o json prints it.
type endorsementsResult struct {
	Host      string   `json:"host"`
	Simulated bool     `json:"simulated,omitempty"`
	MRTDs     []string `json:"mrtds,omitempty"`
	// Listing is set for a listing (no --mrtd, no --from): THIM's list is unsigned, so it
	// counts only when each MRTD's signed endorsement verifies on a root the caller chose.
	Listing *listingVerdict `json:"listing,omitempty"`
	MRTD    string          `json:"mrtd,omitempty"`
	Listed  *bool           `json:"listed,omitempty"`
	Check   *check.Check    `json:"check,omitempty"`
	Quote   *check.Check    `json:"quote,omitempty"`
	// Evidence fails when --from gave the MRTD in a TDREPORT without its TD quote: only the
	// CPU's MAC covers it, so the answer would be about a value nothing signed.
	Evidence  *check.Check  `json:"evidence,omitempty"`
	TCB       *tcbVerdict   `json:"tcb,omitempty"`
	ServiceTD *serviceTDOut `json:"serviceTd,omitempty"`
}

// listingVerdict says whether every listed MRTD has an endorsement that verifies on a
// caller-chosen root (or, in the simulated world, the simulated endorser's).
type listingVerdict struct {
	Verified bool `json:"verified"`
	// Unverified are the MRTDs whose endorsement did not pass, each with why.
	Unverified []string `json:"unverified,omitempty"`
	Why        string   `json:"why"`
	// unverifiedKO and whyKO are Unverified and Why in Korean, for --lang ko text.
	unverifiedKO []string
	whyKO        string
}

type tcbVerdict struct {
	Source     string `json:"collateralSource"`
	Intel      string `json:"intelStatus"`
	Status     string `json:"status"`
	TCBDate    string `json:"tcbDate"`
	Evaluation uint32 `json:"tcbEvaluationDataNumber"`
	Baseline   string `json:"baseline,omitempty"`
	Why        string `json:"why,omitempty"`
	whyKO      string
}

type serviceTDOut struct {
	ServTDExt bool   `json:"servtdExt"`
	Initial   string `json:"initialStatus"`
	Note      string `json:"note"`
	noteKO    string
}

// runEndorsements is `cvmscope endorsements`.
func runEndorsements(args []string, stdout, stderr io.Writer) int {
	var o endorsementsOptions
	fs := flag.NewFlagSet("cvmscope endorsements", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.region, "region", "", "THIM region, e.g. koreacentral (default: the VM's region from IMDS, else westus)")
	fs.StringVar(&o.thim, "thim", "", "THIM base URL instead (https://…, or http:// to a loopback emulator)")
	fs.StringVar(&o.mrtd, "mrtd", "", "look up this MRTD (96 hex digits)")
	fs.StringArrayVar(&o.from, "from", nil, "take the MRTD from this evidence FILE (TD quote, HCL report, bundle; repeatable)")
	fs.BoolVar(&o.network, "network", false, "ask the real THIM (and fetch Intel collateral for --from) instead of the simulated CVM's emulator")
	addTCBFlags(fs, &o.collateral, &o.baseline)
	fs.StringArrayVar(&o.roots, "endorsement-root", nil, "trust this endorsement root FILE (PEM CA, repeatable) for THIM's signed endorsements; without it a real lookup's signature rests on the document's own chain and the command exits 2")
	fs.BoolVar(&o.trustSim, "trust-simulated", false, "trust the simulated CVM's test roots: its endorser's (without --network) and its Intel root for --from")
	fs.StringVar(&o.seed, "seed", "", "seed of the simulated TDX CVM (without --network)")
	fs.StringVarP(&o.output, "output", "o", "text", "text or json")
	fs.StringVar(&o.lang, "lang", "", "language: en or ko (default from LANG)")
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" }) {
		fmt.Fprintf(stdout, "%s\nFlags:\n%s", endorsementsUsage, fs.FlagUsages())
		return 0
	}
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "%s\nFlags:\n%s\ncvmscope endorsements: %v%s\n", endorsementsUsage, fs.FlagUsages(), err, suggestFlag(fs, err))
		return 1
	}
	lang := present.Lang(o.lang)
	if lang == "" {
		lang = ui.DefaultLang()
	}
	baseline, err := o.check(fs.Args())
	if err != nil {
		printMisuse(stderr, "cvmscope endorsements", err, lang)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := o.run(ctx, baseline)
	if err != nil {
		msg, hint := fault.MessageIn(err, string(lang))
		eprintf(stderr, "cvmscope endorsements: %s\n", msg)
		if hint != "" {
			eprintf(stderr, "  %s: %s\n", present.T("what to do", "조치 방법").In(lang), hint)
		}
		return fault.ExitCode(err)
	}
	// THIM's answers are data from a host the user may not control (--thim): what it says
	// is shown escaped, never obeyed by the terminal.
	var buf bytes.Buffer
	if o.output == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return 1
		}
		stdout.Write(present.SafeJSON(buf.Bytes()))
	} else {
		res.print(&buf, lang)
		io.WriteString(stdout, present.SafeLines(buf.String()))
	}
	if res.Check != nil && res.Check.Verdict == check.Warn {
		hint, hintKO := o.rootHint()
		eprintf(stderr, "cvmscope endorsements: %s\n", present.T("the endorsement is not authenticated on a root you chose: "+hint,
			"보증서가 사용자가 고른 루트로 인증되지 않았습니다: "+hintKO).In(lang))
	}
	if l := res.Listing; l != nil && !l.Verified {
		eprintf(stderr, "cvmscope endorsements: %s\n", present.T("the listing is not verified: "+l.Why, "목록을 검증하지 못했습니다: "+l.whyKO).In(lang))
	}
	return res.exitCode()
}

// check validates the flags; it returns the baseline date.
func (o *endorsementsOptions) check(rest []string) (time.Time, error) {
	var zero time.Time
	ko := func(en, ko string) error { return fault.Korean(errors.New(en), ko, "") }
	switch {
	case len(rest) > 0:
		return zero, ko(fmt.Sprintf("unexpected argument %q: evidence files go after --from", rest[0]),
			fmt.Sprintf("예상하지 못한 인수 %q: 증거 파일은 --from 뒤에 씁니다", rest[0]))
	case o.output != "text" && o.output != "json":
		return zero, ko(fmt.Sprintf("-o %q: use text or json", o.output), fmt.Sprintf("-o %q: text 또는 json을 씁니다", o.output))
	case o.lang != "" && o.lang != "en" && o.lang != "ko":
		return zero, ko(fmt.Sprintf("--lang %q: use en or ko", o.lang), fmt.Sprintf("--lang %q: en 또는 ko를 씁니다", o.lang))
	case o.mrtd != "" && len(o.from) > 0:
		return zero, ko("--mrtd and --from both name the MRTD; give one", "--mrtd와 --from이 둘 다 MRTD를 지정합니다. 하나만 씁니다")
	case o.thim != "" && o.region != "":
		return zero, ko("--thim names the host; --region would be ignored: give one", "--thim이 호스트를 지정하므로 --region은 무시됩니다. 하나만 씁니다")
	case !o.network && o.region != "":
		return zero, ko("--region picks a real THIM host: add --network (without it the simulated CVM's emulator answers)",
			"--region은 실제 THIM 호스트를 고릅니다. --network를 붙입니다(없으면 시뮬레이션 CVM의 에뮬레이터가 응답합니다)")
	}
	if o.mrtd != "" {
		if b, err := hex.DecodeString(o.mrtd); err != nil || len(b) != 48 {
			return zero, ko(fmt.Sprintf("--mrtd %q: want 96 hex digits (the 48-byte SHA-384 MRTD)", o.mrtd),
				fmt.Sprintf("--mrtd %q: 16진수 96자리(48바이트 SHA-384 MRTD)를 씁니다", o.mrtd))
		}
	}
	if _, err := tdx.FetcherFor(o.collateral); err != nil {
		return zero, err
	}
	return parseTCBBaseline(o.baseline)
}

// run asks THIM (or the emulator) and, for --from, evaluates the quote's TCB.
func (o *endorsementsOptions) run(ctx context.Context, baseline time.Time) (*endorsementsResult, error) {
	c := imds.New()
	var eopts tdx.EndorsementOptions
	res := &endorsementsResult{}
	switch {
	case o.thim != "":
		c.THIMBase = o.thim
	case o.network:
		c.Region = o.region
	}
	if len(o.roots) > 0 {
		certs, err := loadCAFiles("--endorsement-root", o.roots, endorsementRootHint, endorsementRootHintKO)
		if err != nil {
			return nil, err
		}
		eopts.Roots = x509.NewCertPool()
		for _, c := range certs {
			eopts.Roots.AddCert(c)
		}
	}
	switch {
	case o.thim != "" || o.network:
	default:
		srv, simRoot, err := o.emulator(ctx)
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		// The simulated endorser's root is a test root anyone holding cvmscope can sign
		// under: it anchors an answer only when the caller says so, as everywhere else.
		c.THIMBase, res.Simulated = srv.URL(), true
		if o.trustSim {
			// Added to any --endorsement-root, not in place of it.
			if eopts.Roots == nil {
				eopts.Roots = x509.NewCertPool()
			}
			eopts.Roots.AddCert(simRoot)
		}
	}
	base, err := c.EndorsementBase(ctx)
	if err != nil {
		return nil, err
	}
	res.Host, eopts.Source = base, base
	var mrtd []byte
	var set *evidence.Set
	switch {
	case o.mrtd != "":
		mrtd, _ = hex.DecodeString(o.mrtd)
	case len(o.from) > 0:
		if set, err = evidence.LoadFiles(o.from); err != nil {
			return nil, err
		}
		if mrtd, err = mrtdOf(set); err != nil {
			return nil, err
		}
	}
	list, err := c.TDXEndorsedMRTDs(ctx)
	if err != nil {
		return nil, err
	}
	res.MRTDs = list
	if mrtd == nil {
		return res, o.verifyListing(ctx, c, eopts, res)
	}
	res.MRTD = strings.ToUpper(hex.EncodeToString(mrtd))
	listed := slices.Contains(list, res.MRTD)
	res.Listed = &listed
	doc, err := c.TDXEndorsement(ctx, mrtd)
	var ck check.Check
	switch {
	case errors.Is(err, imds.ErrNoEndorsement):
		eopts.NotListed = true
		ck = tdx.CheckMRTDEndorsed(mrtd, nil, eopts)
	case err != nil:
		return nil, err
	default:
		ck = tdx.CheckMRTDEndorsed(mrtd, [][]byte{doc}, eopts)
	}
	res.Check = &ck
	if set != nil && len(set.TDQuote) == 0 {
		names := strings.Join(fromNames(set), " ")
		u := check.Failf(workshop.IDEvidenceUnverified, "%s: the MRTD comes from a TDREPORT, which only the CPU's MAC covers, so nothing signed says a TD has it: add the TD quote that certifies it with --from (on Azure, IMDS POST /acc/tdquote)", names).
			KO("%s: MRTD를 CPU의 MAC만 있는 TDREPORT에서 가져왔으므로 TD에 그 값이 있다고 서명으로 보증하는 것이 없습니다. 이를 인증하는 TD 쿼트를 --from으로 함께 줍니다(Azure에서는 IMDS POST /acc/tdquote)", names)
		res.Evidence = &u
	}
	if set != nil && len(set.TDQuote) > 0 {
		if err := o.tcb(ctx, res, set, baseline); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// maxListingChecks bounds the endorsements a listing fetches, one request per MRTD.
const maxListingChecks = 100

// verifyListing checks the endorsement THIM signs for each listed MRTD, since the list
// itself is unsigned. Without a root to check them on (a real THIM and no
// --endorsement-root) nothing is fetched: the listing is shown and the command exits 2.
func (o *endorsementsOptions) verifyListing(ctx context.Context, c *imds.Client, eopts tdx.EndorsementOptions, res *endorsementsResult) error {
	switch {
	case eopts.Roots == nil:
		hint, hintKO := o.rootHint()
		res.Listing = &listingVerdict{Why: "THIM's list of MRTDs is not signed, and no root was given to check each MRTD's signed endorsement on: " + hint,
			whyKO: "THIM의 MRTD 목록에는 서명이 없고, 각 MRTD의 서명된 보증서를 확인할 루트가 주어지지 않았습니다: " + hintKO}
		return nil
	case len(res.MRTDs) == 0:
		res.Listing = &listingVerdict{Why: "THIM lists no MRTD, so no signed endorsement was verified",
			whyKO: "THIM 목록에 MRTD가 없어 검증한 서명된 보증서가 없습니다"}
		return nil
	case len(res.MRTDs) > maxListingChecks:
		// One request per listed MRTD: a hostile --thim listing thousands (its 1 MiB answer
		// holds about 10,000) must not make cvmscope send thousands of requests.
		res.Listing = &listingVerdict{
			Why: fmt.Sprintf("THIM lists %d MRTDs, more than the %d a listing checks one request each (Azure's THIM lists a few paravisor releases); nothing was fetched; look MRTDs up one at a time with --mrtd",
				len(res.MRTDs), maxListingChecks),
			whyKO: fmt.Sprintf("THIM 목록의 MRTD가 %d개로, 목록에서 하나씩 요청해 확인하는 최대 %d개를 넘습니다(Azure THIM은 패러바이저 릴리스 몇 개만 나열합니다). 아무것도 가져오지 않았습니다. MRTD는 --mrtd로 하나씩 찾습니다",
				len(res.MRTDs), maxListingChecks)}
		return nil
	}
	v := &listingVerdict{}
	for _, m := range res.MRTDs {
		b, err := hex.DecodeString(m)
		if err != nil || len(b) != 48 {
			v.Unverified = append(v.Unverified, m+": not a 48-byte MRTD in hex")
			v.unverifiedKO = append(v.unverifiedKO, m+": 48바이트 MRTD의 hex가 아닙니다")
			continue
		}
		doc, err := c.TDXEndorsement(ctx, b)
		var ck check.Check
		switch {
		case errors.Is(err, imds.ErrNoEndorsement):
			no := eopts
			no.NotListed = true
			ck = tdx.CheckMRTDEndorsed(b, nil, no)
		case err != nil:
			return err
		default:
			ck = tdx.CheckMRTDEndorsed(b, [][]byte{doc}, eopts)
		}
		if ck.Verdict != check.Pass {
			v.Unverified = append(v.Unverified, m+": "+ck.Summary)
			sumKO, _ := ck.In(string(present.KO))
			v.unverifiedKO = append(v.unverifiedKO, m+": "+sumKO)
		}
	}
	v.Verified = len(v.Unverified) == 0
	if v.Verified {
		v.Why = fmt.Sprintf("%s has a signed endorsement that verifies on the root you chose", eachListed(len(res.MRTDs)))
		v.whyKO = fmt.Sprintf("목록의 MRTD %d개 모두 사용자가 고른 루트로 검증되는 서명된 보증서가 있습니다", len(res.MRTDs))
		if res.Simulated {
			v.Why = fmt.Sprintf("%s has a signed endorsement that verifies on the simulated endorser's test root", eachListed(len(res.MRTDs)))
			v.whyKO = fmt.Sprintf("목록의 MRTD %d개 모두 시뮬레이션 보증 기관의 테스트 루트로 검증되는 서명된 보증서가 있습니다", len(res.MRTDs))
		}
	} else {
		v.Why = fmt.Sprintf("%d of the %d listed MRTDs have no endorsement that verifies on the root you chose", len(v.Unverified), len(res.MRTDs))
		v.whyKO = fmt.Sprintf("목록의 MRTD %d개 가운데 %d개는 사용자가 고른 루트로 검증되는 보증서가 없습니다", len(res.MRTDs), len(v.Unverified))
	}
	res.Listing = v
	return nil
}

// emulator starts the simulated TDX CVM's IMDS emulator, which stands in for THIM, and
// returns it with the simulated endorser's root.
func (o *endorsementsOptions) emulator(ctx context.Context) (*imdsemu.Server, *x509.Certificate, error) {
	po := platform.Options{Platform: "sim", TPM: "sim", SimTEE: "tdx", SecureBoot: true}
	if o.seed != "" {
		po.Seed = []byte(o.seed)
	}
	p, err := platform.Open(ctx, po)
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	cfg, err := imdsemu.FromCVM(p.CVM)
	if err != nil {
		return nil, nil, err
	}
	// The simulated platform's own Intel collateral stands in for PCS, as the emulator
	// stands in for THIM.
	if sc, err := cfg.TDX.Collateral(time.Now()); err == nil {
		o.simCollateral = &tdx.Collateral{TCBInfo: sc.TCBInfo, QEIdentity: sc.QEIdentity, SigningChain: sc.SigningChain, PCKCRL: sc.PCKCRL}
		o.simRoot = cfg.TDX.PCKRoot()
	}
	srv, err := imdsemu.Start(cfg)
	if err != nil {
		return nil, nil, err
	}
	return srv, cfg.Endorser.Root, nil
}

// mrtdOf is the MRTD of the evidence: the TD quote's body, else the TDREPORT's.
func mrtdOf(set *evidence.Set) ([]byte, error) {
	if len(set.TDQuote) > 0 {
		q, err := tdx.ParseQuote(set.TDQuote)
		if err != nil {
			return nil, err
		}
		return q.Proto.GetTdQuoteBody().GetMrTd(), nil
	}
	raw := set.TDReport
	if len(raw) == 0 && len(set.HCLReport) > 0 {
		r, err := hcl.Parse(set.HCLReport)
		if err != nil {
			return nil, err
		}
		raw = r.HardwareReport
	}
	if len(raw) > 0 {
		r, err := tdx.ParseTDReport(raw)
		if err == nil {
			return r.MRTD(), nil
		}
	}
	names := fromNames(set)
	return nil, fault.Korean(fault.Errorf(fault.Internal, "--from %s: no TD quote or TDX report in it (an SEV-SNP or Trusted Launch VM has no MRTD)", strings.Join(names, " ")),
		fmt.Sprintf("--from %s: TD 쿼트나 TDX 보고서가 없습니다(SEV-SNP나 Trusted Launch VM에는 MRTD가 없습니다)", strings.Join(names, " ")), "")
}

// fromNames names the --from files.
func fromNames(set *evidence.Set) []string {
	var names []string
	for _, f := range set.Files {
		names = append(names, f.Path)
	}
	return names
}

// tcb evaluates the quote's TCB with collateral fetched (--network) or saved, and states
// what the service-TD initial status is.
func (o *endorsementsOptions) tcb(ctx context.Context, res *endorsementsResult, set *evidence.Set, baseline time.Time) error {
	q, err := tdx.ParseQuote(set.TDQuote)
	if err != nil {
		return err
	}
	col := collateralOf(set)
	source := "saved"
	if o.network {
		f, _ := tdx.FetcherFor(o.collateral)
		if col, err = f.FetchCollateral(ctx, q); err != nil {
			return err
		}
		source = o.collateral
	}
	opts := tdx.Options{Collateral: col}
	if o.trustSim && col == nil && o.simCollateral != nil && q.Root != nil && q.Root.Equal(o.simRoot) {
		// The simulated world: its collateral, trusted as its THIM endorsements are, for
		// its own quotes only (a real quote judged by it reads as a bad CRL signature).
		source, opts.Collateral, opts.ExtraRoots = "simulated", o.simCollateral, []*x509.Certificate{o.simRoot}
	}
	if o.trustSim {
		a, err := simroots.Anchors()
		if err != nil {
			return err
		}
		opts.ExtraRoots = append(opts.ExtraRoots, a.PCKRoot)
	}
	// The service TD's initial status as Microsoft's evaluator would give it; judging it
	// needs the collateral only when SERVTD_EXT is set.
	if st, err := tdx.ServiceTDStatus(q, opts); err == nil {
		res.ServiceTD = &serviceTDOut{ServTDExt: st.ServTDExt, Initial: st.Initial, Note: st.Why, noteKO: st.WhyKO}
	}
	// The MRTD and the TCB are what the quote claims; they mean something only if the quote
	// is genuine, which needs no collateral.
	qc := tdx.VerifyQuote(q, opts)
	res.Quote = &qc
	if opts.Collateral == nil {
		return nil
	}
	v, err := tdx.TCBStatusAt(q, opts, baseline)
	if err != nil {
		return fault.Korean(fault.WithHint(fault.Verification, fmt.Errorf("TDX TCB: %w", err), "give the collateral's signing chain, or --trust-simulated for the simulated CVM's"),
			"TDX TCB: "+koOrEN(err, present.KO), "collateral의 서명 체인을 넘기거나, 시뮬레이션 CVM이면 --trust-simulated를 씁니다")
	}
	res.TCB = &tcbVerdict{Source: source, Intel: v.Intel, Status: v.Status, TCBDate: v.TCBDate.UTC().Format(time.DateOnly),
		Evaluation: v.Evaluation, Why: v.Why, whyKO: v.WhyKO}
	if !baseline.IsZero() {
		res.TCB.Baseline = baseline.UTC().Format(time.DateOnly)
	}
	return nil
}

func collateralOf(set *evidence.Set) *tdx.Collateral {
	c := set.Collateral
	if len(c.TCBInfo) == 0 {
		return nil
	}
	return &tdx.Collateral{TCBInfo: c.TCBInfo, QEIdentity: c.QEIdentity, SigningChain: c.SigningChain, PCKCRL: c.PCKCRL, RootCRL: c.RootCRL}
}

// rootHint says how to anchor the answer: --endorsement-root for a real THIM,
// --trust-simulated for the simulated CVM's emulator.
func (o *endorsementsOptions) rootHint() (string, string) {
	if o.thim == "" && !o.network {
		return "this is the simulated CVM's emulator, not Microsoft's THIM: add --trust-simulated to trust its test endorser's root (or ask the real THIM with --network and --endorsement-root)",
			"이것은 Microsoft THIM이 아니라 시뮬레이션 CVM의 에뮬레이터입니다: 테스트 보증 기관의 루트를 신뢰하려면 --trust-simulated를 붙입니다(실제 THIM은 --network와 --endorsement-root로 묻습니다)"
	}
	return endorsementRootHint, endorsementRootHintKO
}

// endorsementRootHint says how to anchor a real lookup.
const (
	endorsementRootHint   = "give the root that signs THIM's paravisor endorsements as a PEM file with --endorsement-root (the root the check names, obtained from Microsoft, not from the document)"
	endorsementRootHintKO = "THIM 패러바이저 보증서에 서명하는 루트를 PEM 파일로 --endorsement-root에 줍니다(검사가 이름을 밝힌 루트를 문서가 아니라 Microsoft에서 받습니다)"
)

// exitCode: 2 for a listing that is not verified (THIM's list is unsigned), when the MRTD
// is not endorsed, when the endorsement's signature does not rest
// on a root the caller chose (a warning in the check, but this command's whole answer is
// that endorsement: exit 0 must not rest on the document's own chain), when the quote whose
// TCB is judged does not verify, or when the TCB is not acceptable; else 0.
func (r *endorsementsResult) exitCode() int {
	if r.Listing != nil && !r.Listing.Verified {
		return 2
	}
	for _, c := range []*check.Check{r.Check, r.Quote, r.Evidence} {
		if c != nil && c.Verdict != check.Pass {
			return 2
		}
	}
	if r.TCB != nil && r.TCB.Status != "UpToDate" && r.TCB.Status != "SWHardeningNeeded" {
		return 2
	}
	return 0
}

func (r *endorsementsResult) print(w io.Writer, lang present.Lang) {
	t := func(en, ko string) string { return present.T(en, ko).In(lang) }
	host := r.Host
	if r.Simulated {
		host += t(" (the simulated TDX CVM's IMDS emulator: test keys, not Microsoft)", " (시뮬레이션 TDX CVM의 IMDS 에뮬레이터: 테스트 키이며 Microsoft가 아닙니다)")
	}
	fmt.Fprintf(w, "THIM %s\n", host)
	// "listed", not "endorsed": the list is THIM's unsigned claim; the verdict line says
	// whether each listed MRTD's signed endorsement was verified.
	if lang == present.KO {
		fmt.Fprintf(w, "목록의 MRTD %d개:\n", len(r.MRTDs))
	} else {
		fmt.Fprintf(w, "%d %s listed:\n", len(r.MRTDs), plural(len(r.MRTDs), "MRTD", "MRTDs"))
	}
	for _, m := range r.MRTDs {
		mark := "  "
		if m == r.MRTD {
			mark = "▸ "
		}
		fmt.Fprintf(w, "%s%s\n", mark, m)
	}
	if l := r.Listing; l != nil {
		state := t("listing verified", "목록 검증됨")
		if !l.Verified {
			state = t("listing NOT verified (exit 2)", "목록 검증 안 됨(종료 코드 2)")
		}
		why, unverified := l.Why, l.Unverified
		if lang == present.KO {
			why, unverified = l.whyKO, l.unverifiedKO
		}
		fmt.Fprintf(w, "%s: %s\n", state, why)
		for _, u := range unverified {
			fmt.Fprintf(w, "    %s\n", u)
		}
	}
	if r.MRTD == "" {
		return
	}
	fmt.Fprintf(w, "\nMRTD %s\n", r.MRTD)
	if r.Listed != nil && !*r.Listed {
		fmt.Fprintln(w, t("  not in the region's list", "  이 리전의 목록에 없습니다"))
	}
	verdicts := map[check.Verdict]present.Text{check.Pass: present.T("PASS", "통과"), check.Fail: present.T("FAIL", "실패"),
		check.Warn: present.T("WARN", "경고"), check.Skip: present.T("SKIP", "건너뜀")}
	for _, c := range []*check.Check{r.Check, r.Quote, r.Evidence} {
		if c == nil {
			continue
		}
		sum, details := c.In(string(lang))
		fmt.Fprintf(w, "%s %s: %s\n", verdicts[c.Verdict].In(lang), c.ID, sum)
		for _, d := range details {
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
	if r.TCB != nil {
		fmt.Fprintf(w, t("\nTDX TCB (collateral: %s, tcbEvaluationDataNumber %d): Intel %s, tcbDate %s\n", "\nTDX TCB(collateral: %s, tcbEvaluationDataNumber %d): Intel 판정 %s, tcbDate %s\n"),
			r.TCB.Source, r.TCB.Evaluation, r.TCB.Intel, r.TCB.TCBDate)
		if r.TCB.Baseline != "" {
			why := r.TCB.Why
			if lang == present.KO {
				why = r.TCB.whyKO
			}
			if why == "" {
				why = t("the baseline changes nothing", "기준일이 바꾸는 것이 없습니다")
			}
			fmt.Fprintf(w, t("  with baseline %s: %s (%s)\n", "  기준일 %s 적용: %s (%s)\n"), r.TCB.Baseline, r.TCB.Status, why)
		}
	}
	if r.ServiceTD != nil {
		note := r.ServiceTD.Note
		if lang == present.KO {
			note = r.ServiceTD.noteKO
		}
		fmt.Fprintf(w, t("service-TD initial status: %s — %s\n", "서비스 TD 초기 상태: %s — %s\n"), r.ServiceTD.Initial, note)
	}
}

// plural is one or many by n: a simulated listing has one MRTD ("1 MRTD listed").
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// eachListed is the subject of a verified listing's sentence, by how many MRTDs it lists.
func eachListed(n int) string {
	if n == 1 {
		return "the one listed MRTD"
	}
	return fmt.Sprintf("each of the %d listed MRTDs", n)
}
