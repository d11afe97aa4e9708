package tdx

import (
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-tdx-guest/pcs"
)

func TestApplyBaseline(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	level, base := day("2024-03-13"), day("2024-06-01")
	for _, c := range []struct {
		status   string
		tcbDate  time.Time
		baseline time.Time
		want     string
	}{
		{"OutOfDate", level, time.Time{}, "OutOfDate"},                       // no baseline
		{"OutOfDate", day("2024-08-14"), base, "UpToDate"},                   // dated after: Microsoft's relaxation
		{"OutOfDateConfigurationNeeded", base, base, "ConfigurationNeeded"},  // on the day counts as after
		{"SWHardeningNeeded", day("2024-08-14"), base, "SWHardeningNeeded"},  // nothing else relaxed
		{"UpToDate", level, base, "OutOfDate"},                               // dated before: out of date
		{"ConfigurationNeeded", level, base, "OutOfDateConfigurationNeeded"}, // keeps the configuration part
		{string(StatusRelaunchAdvised), level, base, "OutOfDate"},            // a relaunch onto a level before it does not help
		{"Revoked", day("2024-08-14"), base, "Revoked"},                      // never relaxed
		{"OutOfDate", level, base, "OutOfDate"},                              // before and already out of date
	} {
		got, why, whyKO := ApplyBaseline(c.status, c.tcbDate, c.baseline)
		if got != c.want {
			t.Errorf("%s dated %s, baseline %s: %s, want %s", c.status, c.tcbDate.Format(time.DateOnly), c.baseline.Format(time.DateOnly), got, c.want)
		}
		if (got != c.status) != (why != "" && whyKO != "") {
			t.Errorf("%s -> %s: the reason %q / %q should be given exactly when the status changes", c.status, got, why, whyKO)
		}
	}
}

// The simulated platform rates an older module OutOfDate by its second level; a baseline
// before that level's date accepts it, one after the first level's date rejects even the
// current module.
func TestTCBStatusAt(t *testing.T) {
	q, opts, plat := simulatedQuote(t, [16]byte{1, 1, 6})
	v, err := TCBStatusAt(q, opts, time.Time{})
	if err != nil || v.Intel != "OutOfDate" || v.Status != "OutOfDate" || v.TCBDate.IsZero() {
		t.Fatalf("no baseline: %+v %v", v, err)
	}
	v, err = TCBStatusAt(q, opts, v.TCBDate)
	if err != nil || v.Status != "UpToDate" || !strings.Contains(v.Why, "on or after the baseline") {
		t.Errorf("baseline on the level's date: %+v %v", v, err)
	}
	cur, _, _ := simulatedQuote(t, [16]byte{2, 1, 6}, plat)
	v, err = TCBStatusAt(cur, opts, time.Now().AddDate(1, 0, 0))
	if err != nil || v.Intel != "UpToDate" || v.Status != "OutOfDate" || !strings.Contains(v.WhyKO, "기준일") {
		t.Errorf("baseline after every level: %+v %v", v, err)
	}
}

func TestFetcherFor(t *testing.T) {
	pcsF, err := FetcherFor("pcs")
	if err != nil || !strings.HasPrefix(pcsF.rebase(pcs.TcbInfoURL("90C06F000000")), "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=") {
		t.Errorf("pcs: %v %s", err, pcsF.rebase(pcs.TcbInfoURL("90C06F000000")))
	}
	az, err := FetcherFor("azure")
	if err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]string{
		pcs.TcbInfoURL("90C06F000000"): "https://global.acccache.azure.net/tdx/certification/v4/tcb?fmspc=90C06F000000",
		pcs.QeIdentityURL():            "https://global.acccache.azure.net/tdx/certification/v4/qe/identity",
	} {
		if got := az.rebase(u); got != want {
			t.Errorf("azure: %s -> %s, want %s", u, got, want)
		}
	}
	if got := az.rebase(pcs.PckCrlURL("platform")); !strings.HasPrefix(got, "https://global.acccache.azure.net/sgx/certification/v4/pckcrl?ca=platform") {
		t.Errorf("azure PCK CRL: %s", got)
	}
	if _, err := FetcherFor("intel"); err == nil || !strings.Contains(err.Error(), "use pcs") {
		t.Errorf("unknown source: %v", err)
	}
}

// simulatedQuote is a quote of the simulated TDX platform (made once unless given) with
// TEE_TCB_SVN svn, and the options that trust its collateral.
func simulatedQuote(t *testing.T, svn [16]byte, given ...*simroots.TDX) (*Quote, Options, *simroots.TDX) {
	t.Helper()
	var plat *simroots.TDX
	if len(given) > 0 {
		plat = given[0]
	} else {
		var err error
		if plat, err = simroots.NewTDX(simroots.DefaultSeed()); err != nil {
			t.Fatal(err)
		}
	}
	report, err := plat.NewTDReport(simroots.TDXParams{TEETCBSVN: svn, XFAM: 0x618e7})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := plat.Quote(report)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseQuote(raw)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sc, err := plat.Collateral(now)
	if err != nil {
		t.Fatal(err)
	}
	col := &Collateral{TCBInfo: sc.TCBInfo, QEIdentity: sc.QEIdentity, SigningChain: sc.SigningChain, PCKCRL: sc.PCKCRL}
	return q, Options{Now: now, Collateral: col, ExtraRoots: []*x509.Certificate{plat.PCKRoot()}}, plat
}

// With a TDX module identity in play the TCB is dated by the earlier of the platform level
// (2024-03-13 in the simulated TCB info) and the module level (2023-08-09 for module SVN 1),
// as Microsoft's evaluator dates it: a baseline between the two must not relax the module's
// OutOfDate, which judging the platform's date alone would.
func TestTCBDateIsEarlierOfPlatformAndModule(t *testing.T) {
	q, opts, _ := simulatedQuote(t, [16]byte{1, 1, 6})
	v, err := TCBStatusAt(q, opts, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.TCBDate.Format(time.DateOnly); got != "2023-08-09" {
		t.Errorf("TCB date %s, want the module level's 2023-08-09", got)
	}
	if v.Status != "OutOfDate" {
		t.Errorf("baseline 2024-01-01 between the module's and the platform's dates: %s, want OutOfDate", v.Status)
	}
	c := EvaluateTCB(q, opts)
	if !slices.ContainsFunc(c.Details, func(d string) bool {
		return strings.Contains(d, "earlier than the platform level's 2024-03-13T00:00:00Z")
	}) {
		t.Errorf("tdx.tcb does not say which date it used: %q", c.Details)
	}
}

// tdx.tcb with Options.Baseline: the verdict follows the baseline, and the summary says the
// baseline was applied and what Intel's status was, in both languages.
func TestEvaluateTCBBaseline(t *testing.T) {
	q, opts, _ := simulatedQuote(t, [16]byte{1, 1, 6})
	if c := EvaluateTCB(q, opts); c.Verdict != check.Warn || strings.Contains(c.Summary, "baseline") {
		t.Fatalf("without a baseline: %s %s", c.Verdict, c.Summary)
	}
	opts.Baseline = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	c := EvaluateTCB(q, opts)
	ko, _ := c.In("ko")
	if c.Verdict != check.Pass || !strings.Contains(c.Summary, "TCB UpToDate") ||
		!strings.Contains(c.Summary, "TCB baseline 2023-01-01 applied (Intel's status OutOfDate, TCB dated 2023-08-09)") ||
		!strings.HasSuffix(ko, "TCB는 UpToDate입니다. Intel의 상태는 OutOfDate(TCB 날짜 2023-08-09)이며 TCB 기준일 2023-01-01을 적용했습니다") {
		t.Errorf("baseline before the TCB date: %s %q / %q", c.Verdict, c.Summary, ko)
	}
	opts.Baseline = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if c := EvaluateTCB(q, opts); c.Verdict != check.Warn || !strings.Contains(c.Summary, "TCB OutOfDate") || !strings.Contains(strings.Join(c.Details, "\n"), "keeps Intel's status OutOfDate") {
		t.Errorf("baseline after the TCB date: %s %q %q", c.Verdict, c.Summary, c.Details)
	}
	cur, opts2, _ := simulatedQuote(t, [16]byte{2, 1, 6})
	opts2.Baseline = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if c := EvaluateTCB(cur, opts2); c.Verdict != check.Warn || !strings.Contains(c.Summary, "TCB OutOfDate") || !strings.Contains(c.Summary, "Intel's status UpToDate") {
		t.Errorf("an UpToDate TCB dated before the baseline: %s %q", c.Verdict, c.Summary)
	}
}
