package verify

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/netcache"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-sev-guest/verify/trust"
)

// server counts the requests h answers.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }))
	t.Cleanup(srv.Close)
	return srv, &n
}

func verdict(l check.List, id string) check.Verdict {
	if f := l.Find(id); len(f) > 0 {
		return f[0].Verdict
	}
	return ""
}

// --network fetches a missing VCEK and its chain from AMD KDS; a loopback KDS serving the
// simulated CVM's certificates stands in for kdsintf.amd.com, and a second run is served
// from the cache.
func TestNetworkFetchesVCEKFromKDS(t *testing.T) {
	// go-sev-guest keeps the ASK/ARK chain it fetched per product line for the life of the
	// process, whichever KDS it came from: without this, a second -count run (or any
	// earlier test that fetched the Milan chain) finds it there and asks KDS twice, not 3 times.
	trust.ClearProductCertCache()
	t.Cleanup(trust.ClearProductCertCache)
	amd, err := simroots.NewAMD(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	report, err := amd.NewReport(simroots.SNPParams{FamilyID: [16]byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	_, chainPEM := amd.ChainPEM()
	crl, err := amd.CRL(time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	kds := func(crl []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, "/vcek/v1/Milan/cert_chain"):
				w.Write(chainPEM)
			case strings.HasSuffix(r.URL.Path, "/vcek/v1/Milan/crl"):
				w.Write(crl)
			case strings.HasPrefix(r.URL.Path, "/vcek/v1/Milan/") && r.URL.Query().Get("blSPL") != "":
				w.Write(amd.VCEK.Raw)
			default:
				http.NotFound(w, r)
			}
		}
	}
	srv, n := server(t, kds(crl))
	a, err := simroots.Anchors()
	if err != nil {
		t.Fatal(err)
	}
	set := &evidence.Set{Source: evidence.SourceFiles, TEE: evidence.TEESEVSNP, SNPReport: report}
	opts := Options{AllowNetwork: true, KDSBaseURL: srv.URL, Trust: Trust{AMD: []snp.Roots{{Product: "Milan", ARK: a.ARK, ASK: a.ASK}}}}

	offline := Evidence(set, Options{Trust: opts.Trust})
	if verdict(offline.Checks, snp.IDSignature) != check.Skip || n.Load() != 0 {
		t.Fatalf("without --network: %s, %d requests", verdict(offline.Checks, snp.IDSignature), n.Load())
	}
	for run := range 2 {
		res := Evidence(set, opts)
		if verdict(res.Checks, snp.IDSignature) != check.Pass || verdict(res.Checks, snp.IDChain) != check.Pass ||
			verdict(res.Checks, IDAMDRevocation) != check.Pass {
			t.Errorf("run %d with a fetched VCEK: %v %v", run, res.Checks.Find(snp.IDSignature), res.Checks.Find(IDAMDRevocation))
		}
	}
	if got := n.Load(); got != 3 {
		t.Errorf("%d KDS requests for two runs; want the chain, the VCEK and the CRL once", got)
	}

	// A CRL that revokes the supplied VCEK fails the check.
	revoking, err := amd.CRL(time.Now().Add(-time.Hour), amd.VCEK.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	srv2, _ := server(t, kds(revoking))
	withVCEK := &evidence.Set{Source: evidence.SourceFiles, TEE: evidence.TEESEVSNP, SNPReport: report, Certs: [][]byte{amd.VCEK.Raw}}
	opts.KDSBaseURL = srv2.URL
	res := Evidence(withVCEK, opts)
	if c := res.Checks.Find(IDAMDRevocation); len(c) != 1 || c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, "revokes the VCEK") {
		t.Errorf("revoked VCEK: %v", c)
	}

	// A CRL that revokes the ASK fails too (go-sev-guest reports it as an error).
	askRevoked, err := amd.CRL(time.Now().Add(-time.Hour), a.ASK.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	srv3, _ := server(t, kds(askRevoked))
	opts.KDSBaseURL = srv3.URL
	res = Evidence(withVCEK, opts)
	if c := res.Checks.Find(IDAMDRevocation); len(c) != 1 || c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, "revokes the ASK") {
		t.Errorf("revoked ASK: %v", c)
	}
}

// --network fetches Intel PCS collateral for a TD quote, so tdx.tcb judges it; Esc (the
// run's context) ends the fetch, and the verdict says so.
func TestNetworkFetchesPCSCollateral(t *testing.T) {
	dir := realdata.Dir(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tcb, qe := read("intel-tdx-tcbinfo-00806f050000.json"), read("intel-tdx-qeidentity.json")
	chain, crl := read("intel-tcb-signing-chain.pem"), read("intel-pck-platform-crl.der")
	block := make(chan struct{})
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tdx/tcb":
			w.Header().Set("TCB-Info-Issuer-Chain", url.QueryEscape(string(chain)))
			w.Write(tcb)
		case "/tdx/qe/identity":
			w.Write(qe)
		case "/sgx/pckcrl":
			w.Write(crl)
		case "/hang/tcb":
			close(block)
			<-r.Context().Done()
		case "/busy/tcb":
			http.Error(w, "try later", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	})
	set := &evidence.Set{Source: evidence.SourceFiles, TEE: evidence.TEETDX, TDQuote: read("aztdx-tdquote-trustee-6332533d.bin")}
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	cache := &netcache.Cache{}
	pcs := tdx.PCSFetcher{TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx", Cache: cache}

	if res := Evidence(set, Options{Now: now, PCS: pcs}); verdict(res.Checks, "tdx.tcb") != check.Skip || n.Load() != 0 {
		t.Fatalf("offline: tdx.tcb %s, %d requests", verdict(res.Checks, "tdx.tcb"), n.Load())
	}
	for range 2 {
		res := Evidence(set, Options{Now: now, PCS: pcs, AllowNetwork: true})
		// The 2025 TCB info rates this quote OutOfDate (MANIFEST.md).
		if c := res.Checks.Find("tdx.tcb"); len(c) != 1 || c[0].Verdict != check.Warn || !strings.Contains(c[0].Summary, "OutOfDate") {
			t.Errorf("tdx.tcb with fetched collateral: %v", c)
		}
		if len(res.Checks.Find(IDCollateralFetch)) != 0 {
			t.Error("a successful fetch must add no fetch warning")
		}
	}
	if n.Load() != 3 {
		t.Errorf("%d PCS requests for two runs, want 3 (the second from the cache)", n.Load())
	}

	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-block; cancel() }()
	hang := tdx.PCSFetcher{TDXBaseURL: srv.URL + "/hang", SGXBaseURL: srv.URL + "/sgx", Cache: &netcache.Cache{}}
	res := Evidence(set, Options{Now: now, PCS: hang, AllowNetwork: true, Context: ctx})
	c := res.Checks.Find(IDCollateralFetch)
	if len(c) != 1 || c[0].Verdict != check.Warn || !strings.Contains(c[0].Summary, "interrupted") || verdict(res.Checks, "tdx.tcb") != check.Skip {
		t.Errorf("cancelled fetch: %v, tdx.tcb %s", c, verdict(res.Checks, "tdx.tcb"))
	}
	if ko, _ := c[0].In("ko"); !strings.Contains(ko, "가져오지 못해") {
		t.Errorf("Korean summary %q", ko)
	}
	// No answer: the TCB evaluation asked for was not done, and the run ends with the
	// failure (exit 3), as for AMD KDS; an answer that came but was refused (404) does not.
	if res.FetchErr == nil || fault.KindOf(res.FetchErr) != fault.Interrupted {
		t.Errorf("cancelled fetch: FetchErr %v", res.FetchErr)
	}
	missing := tdx.PCSFetcher{TDXBaseURL: srv.URL + "/none", SGXBaseURL: srv.URL + "/sgx", Cache: &netcache.Cache{}}
	res = Evidence(set, Options{Now: now, PCS: missing, AllowNetwork: true})
	if len(res.Checks.Find(IDCollateralFetch)) != 1 || res.FetchErr != nil {
		t.Errorf("a PCS answering 404: fetch warning %v, FetchErr %v", res.Checks.Find(IDCollateralFetch), res.FetchErr)
	}
	// A PCS saying it cannot answer now (503, 429) ends the run like no answer, as AMD KDS's does.
	busy := tdx.PCSFetcher{TDXBaseURL: srv.URL + "/busy", SGXBaseURL: srv.URL + "/sgx", Cache: &netcache.Cache{}}
	if res = Evidence(set, Options{Now: now, PCS: busy, AllowNetwork: true}); res.FetchErr == nil || fault.KindOf(res.FetchErr) != fault.Network {
		t.Errorf("a PCS answering 503: FetchErr %v", res.FetchErr)
	}
}

// simTDXQuote is the simulated platform, a TD quote it made (TEE_TCB_SVN 02 01 06) and its
// collateral, current for the tests' time.
func simTDXQuote(t *testing.T) (*simroots.TDX, []byte, *simroots.TDXCollateral) {
	t.Helper()
	plat, err := simroots.NewTDX(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	report, err := plat.NewTDReport(simroots.TDXParams{TEETCBSVN: [16]byte{2, 1, 6}})
	if err != nil {
		t.Fatal(err)
	}
	quote, err := plat.Quote(report)
	if err != nil {
		t.Fatal(err)
	}
	col, err := plat.Collateral(time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return plat, quote, col
}

// A loopback PCS serving the simulated platform's collateral: --network rates the simulated
// TD quote UpToDate under the simulated Intel root the caller trusts.
func TestNetworkPCSSimulatedPlatform(t *testing.T) {
	plat, quote, col := simTDXQuote(t)
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tdx/tcb":
			if r.URL.Query().Get("fmspc") != "00806f050000" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("TCB-Info-Issuer-Chain", url.QueryEscape(string(col.SigningChain)))
			w.Write(col.TCBInfo)
		case "/tdx/qe/identity":
			w.Write(col.QEIdentity)
		case "/sgx/pckcrl":
			w.Write(col.PCKCRL)
		default:
			http.NotFound(w, r)
		}
	})
	set := &evidence.Set{Source: evidence.SourceFiles, TEE: evidence.TEETDX, TDQuote: quote}
	pcs := tdx.PCSFetcher{TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx", Cache: &netcache.Cache{}}
	res := Evidence(set, Options{AllowNetwork: true, PCS: pcs, Trust: Trust{Intel: []*x509.Certificate{plat.PCKRoot()}}})
	if c := res.Checks.Find("tdx.tcb"); len(c) != 1 || c[0].Verdict != check.Pass || !strings.Contains(c[0].Summary, "UpToDate") || n.Load() != 3 {
		t.Errorf("simulated quote with fetched simulated collateral: %v (%d requests)", c, n.Load())
	}
	// Without trusting the simulated root, the same collateral is refused.
	res = Evidence(set, Options{AllowNetwork: true, PCS: pcs})
	if v := verdict(res.Checks, "tdx.tcb"); v == check.Pass {
		t.Error("simulated collateral accepted without its root")
	}
}

// mirrorTransport sends what is addressed to Azure's global PCS mirror to a loopback server,
// so the fetcher --collateral azure gives is tested as it is, URLs and all.
type mirrorTransport struct{ to *url.URL }

func (m mirrorTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "global.acccache.azure.net" {
		return nil, fmt.Errorf("request to %s, not Azure's mirror", r.URL.Host)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = m.to.Scheme, m.to.Host
	return http.DefaultTransport.RoundTrip(r)
}

// --network --collateral azure --tcb-baseline: the collateral comes from Azure's mirror
// (its PCCS paths), and tdx.tcb's verdict follows the baseline and says so.
func TestNetworkAzureMirrorWithBaseline(t *testing.T) {
	plat, quote, col := simTDXQuote(t)
	// Only the mirror's PCCS paths are served: a pass means they were the ones asked.
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tdx/certification/v4/tcb":
			w.Header().Set("TCB-Info-Issuer-Chain", url.QueryEscape(string(col.SigningChain)))
			w.Write(col.TCBInfo)
		case "/tdx/certification/v4/qe/identity":
			w.Write(col.QEIdentity)
		case "/sgx/certification/v4/pckcrl":
			w.Write(col.PCKCRL)
		default:
			http.NotFound(w, r)
		}
	})
	mirror, err := tdx.FetcherFor(tdx.CollateralAzure)
	if err != nil {
		t.Fatal(err)
	}
	to, _ := url.Parse(srv.URL)
	mirror.Client, mirror.Cache = &http.Client{Transport: mirrorTransport{to}}, &netcache.Cache{}
	set := &evidence.Set{Source: evidence.SourceFiles, TEE: evidence.TEETDX, TDQuote: quote}
	trust := Trust{Intel: []*x509.Certificate{plat.PCKRoot()}}
	res := Evidence(set, Options{AllowNetwork: true, PCS: mirror, Trust: trust})
	if c := res.Checks.Find("tdx.tcb"); len(c) != 1 || c[0].Verdict != check.Pass || n.Load() != 3 {
		t.Fatalf("mirror collateral: %v (%d requests)", c, n.Load())
	}
	// The level is dated 2024-03-13: a later baseline makes the UpToDate TCB out of date.
	res = Evidence(set, Options{AllowNetwork: true, PCS: mirror, Trust: trust, TCBBaseline: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	c := res.Checks.Find("tdx.tcb")
	if len(c) != 1 || c[0].Verdict != check.Warn || !strings.Contains(c[0].Summary, "TCB OutOfDate") ||
		!strings.Contains(c[0].Summary, "TCB baseline 2025-01-01 applied (Intel's status UpToDate, TCB dated 2024-03-13)") {
		t.Errorf("with a baseline: %v", c)
	}
}
