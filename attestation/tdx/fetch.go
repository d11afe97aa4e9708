package tdx

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"github.com/cvmscope/cvmscope/attestation/internal/netcache"
	"github.com/google/go-tdx-guest/pcs"
	"github.com/google/go-tdx-guest/verify/trust"
)

// Fetcher obtains Intel collateral for a platform; cvmscope uses it only behind --network.
type Fetcher interface {
	FetchCollateral(ctx context.Context, q *Quote) (*Collateral, error)
}

// PCSFetcher fetches collateral from Intel's Provisioning Certification Service (API v4)
// through go-tdx-guest: its PCS URLs (pcs.TcbInfoURL, QeIdentityURL, PckCrlURL) and its
// getter interface (trust.HTTPSGetter), so any getter go-tdx-guest accepts can serve it.
type PCSFetcher struct {
	// Getter fetches each document; nil means cvmscope's own: bounded in time and size, a
	// dropped connection retried once, every exchange logged under -v (httpx), over Client.
	Getter trust.HTTPSGetter
	// Client defaults to http.DefaultClient (the environment's proxy).
	Client *http.Client
	// TDXBaseURL and SGXBaseURL replace Intel's public endpoints (pcs.TdxBaseURL and
	// pcs.SgxBaseURL), for a caching service or a test server.
	TDXBaseURL, SGXBaseURL string
	// AttemptTimeout bounds each request, Timeout all three with their retries; zero means
	// DefaultPCSAttemptTimeout and DefaultPCSTimeout. The caller's context can end it sooner.
	AttemptTimeout, Timeout time.Duration
	// Cache keeps answers for reuse; nil means the context's (netcache.NewContext), else
	// netcache.Shared.
	Cache *netcache.Cache
}

// Default time limits of a collateral fetch: three small documents from one service.
const (
	DefaultPCSAttemptTimeout = 10 * time.Second
	DefaultPCSTimeout        = 60 * time.Second
)

// FetchCollateral gets the TDX TCB info for the quote's FMSPC, the TD_QE identity, their
// signing chain and the PCK CRL of the quote's PCK CA. The root CA CRL is left out: Intel
// serves it from a different host named in the root certificate.
//
// Documents come from the cache when a good copy is there; callers fetching the same one at
// once share one request. What is fetched is kept only once the whole collateral checks out
// (goodCollateral): a proxy's error page, a truncated or forged document is handed to the
// verifier, which says what is wrong with it, but never served again from the cache.
func (f PCSFetcher) FetchCollateral(ctx context.Context, q *Quote) (*Collateral, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefaultDur(f.Timeout, DefaultPCSTimeout))
	defer cancel()
	cache := f.cache(ctx)
	var fetched []string // fetched now, kept once the collateral checks out
	get := func(u string) ([]byte, http.Header, error) {
		if h, b, ok := cache.Get(u); ok {
			slog.DebugContext(ctx, "http", "method", http.MethodGet, "url", u, "status", http.StatusOK, "size", len(b), "cached", true)
			return b, h, nil
		}
		b, h, err := f.get(ctx, u)
		if err == nil {
			fetched = append(fetched, u)
		}
		return b, h, err
	}
	tcbURL := f.rebase(pcs.TcbInfoURL(q.FMSPC()))
	tcb, hdr, err := get(tcbURL)
	if err != nil {
		return nil, err
	}
	chain, err := url.QueryUnescape(hdr.Get("TCB-Info-Issuer-Chain"))
	if err != nil || chain == "" {
		return nil, httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("%s TCB info response has no usable TCB-Info-Issuer-Chain header", sourceName(tcbURL)), "retry later or supply the collateral files"),
			sourceName(tcbURL)+"의 TCB info 응답에 쓸 수 있는 TCB-Info-Issuer-Chain 헤더가 없습니다", pcsRetryKO)
	}
	qeURL := f.rebase(pcs.QeIdentityURL())
	qe, qeHdr, err := get(qeURL)
	if err != nil {
		return nil, err
	}
	ca := "platform"
	if strings.Contains(q.PCK.Issuer.CommonName, "Processor") {
		ca = "processor"
	}
	crlURL := f.rebase(pcs.PckCrlURL(ca))
	crl, crlHdr, err := get(crlURL)
	if err != nil {
		return nil, err
	}
	col := &Collateral{TCBInfo: tcb, QEIdentity: qe, SigningChain: []byte(chain), PCKCRL: crl}
	if len(fetched) > 0 {
		if err := goodCollateral(q, col); err != nil {
			slog.DebugContext(ctx, "Intel collateral not cached", "reason", err)
		} else {
			docs := map[string]struct {
				h http.Header
				b []byte
			}{tcbURL: {hdr, tcb}, qeURL: {qeHdr, qe}, crlURL: {crlHdr, crl}}
			for _, u := range fetched {
				cache.Put(u, docs[u].h, docs[u].b)
			}
		}
	}
	return col, nil
}

// rebase points one of go-tdx-guest's PCS URLs at the configured base.
func (f PCSFetcher) rebase(u string) string {
	for _, b := range []struct{ from, to string }{{pcs.TdxBaseURL, f.TDXBaseURL}, {pcs.SgxBaseURL, f.SGXBaseURL}} {
		if rest, ok := strings.CutPrefix(u, b.from); ok && b.to != "" {
			return strings.TrimSuffix(b.to, "/") + rest
		}
	}
	return u
}

// goodCollateral says whether fetched collateral may be cached: the TCB info and QE
// identity signed through their chain up to Intel's SGX Root CA, the PCK CRL signed by the
// quote's PCK CA. Expiry is not judged here (the verifier reports it against --now); a
// chain to any other root, even one the run trusts, is fetched again next time.
func goodCollateral(q *Quote, c *Collateral) error {
	sc, err := verifyCollateral(c, Options{})
	if err != nil {
		return err
	}
	if q.Intermediate == nil {
		_, err := x509.ParseRevocationList(c.PCKCRL)
		return err
	}
	_, _, err = checkCRLs(q, sc, c)
	return err
}

// cache is the fetcher's cache, else the context's, else netcache.Shared.
func (f PCSFetcher) cache(ctx context.Context) *netcache.Cache {
	if f.Cache != nil {
		return f.Cache
	}
	if c := netcache.FromContext(ctx); c != nil {
		return c
	}
	return netcache.Shared
}

// get fetches u through the getter, sharing the request with callers fetching u at the same
// time; nothing is kept (FetchCollateral keeps what checks out).
func (f PCSFetcher) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	g := f.Getter
	if g == nil {
		g = pcsGetter{client: f.Client, attempt: orDefaultDur(f.AttemptTimeout, DefaultPCSAttemptTimeout)}
	}
	start := time.Now()
	a, err := f.cache(ctx).Fetch(ctx, u, nil, func(ctx context.Context) (netcache.Answer, error) {
		hdr, body, err := trust.GetWith(ctx, g, u)
		return netcache.Answer{Status: http.StatusOK, Header: hdr, Body: body}, err
	})
	var none *netcache.NoAnswer
	if err != nil && (ctx.Err() != nil && errors.Is(err, ctx.Err()) || errors.As(err, &none)) {
		// This caller's own context ended while it waited for a fetch another started, or an
		// earlier caller's did and the cache remembers that no answer came.
		op := sourceName(u) + " GET " + u
		if errors.Is(err, context.Canceled) {
			return nil, nil, httpx.Fault(httpx.InterruptedError(op, u, err), "")
		}
		waited := time.Since(start)
		if none != nil {
			waited = none.Waited
		}
		hint, hintKO := pcsHint(u)
		return nil, nil, httpx.Korean(httpx.Fault(&httpx.Error{Failure: httpx.Timeout, Op: op, Host: hostOf(u), Waited: waited, Err: err}, hint), hintKO)
	}
	return a.Body, a.Header, err
}

// pcsGetter is cvmscope's go-tdx-guest getter: httpx's bounds and retry, errors said in
// English and Korean with the kind (network, interrupted) kept. go-tdx-guest's own getter
// retries for minutes and reads bodies without limit.
type pcsGetter struct {
	client  *http.Client
	attempt time.Duration
}

func (g pcsGetter) Get(u string) (map[string][]string, []byte, error) {
	return g.GetContext(context.Background(), u)
}

func (g pcsGetter) GetContext(ctx context.Context, u string) (map[string][]string, []byte, error) {
	hint, hintKO := pcsHint(u)
	req := httpx.Request{Op: sourceName(u) + " GET " + u, Method: http.MethodGet, URL: u}
	resp, err := httpx.Get(ctx, g.client, req, httpx.Limits{Attempt: g.attempt, MaxBody: 1 << 20})
	if err != nil {
		return nil, nil, httpx.Korean(httpx.Fault(err, hint), hintKO)
	}
	if resp.Status != http.StatusOK {
		return nil, nil, httpx.WithKorean(fault.WithHint(fault.Network, &statusError{fmt.Sprintf("%s %s: HTTP %d", sourceName(u), u, resp.Status), resp.Status}, "retry later or supply the collateral files"),
			fmt.Sprintf("%s %s가 HTTP %d로 응답했습니다", sourceName(u), u, resp.Status), pcsRetryKO)
	}
	return resp.Header, resp.Body, nil
}

// hostOf is the host u names, Intel's PCS when it names none.
func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return "api.trustedservices.intel.com"
}

// sourceName names the collateral service u is on, for errors: Intel's PCS, Azure's mirror
// (--collateral azure) or, at another host, a caching service (PCCS).
func sourceName(u string) string {
	switch hostOf(u) {
	case "api.trustedservices.intel.com":
		return "Intel PCS"
	case strings.TrimPrefix(AzureCollateralBase, "https://"):
		return "Azure PCS mirror"
	}
	return "PCCS"
}

// pcsHint is what to do when u could not be fetched: the host asked (Intel's PCS, Azure's
// mirror, a caching service) is the one to check.
func pcsHint(u string) (en, ko string) {
	host := hostOf(u)
	return "check network access to " + host + " (and HTTPS_PROXY), retry later, or supply the collateral files",
		host + "(및 HTTPS_PROXY)에 대한 네트워크 접근을 확인한 뒤 나중에 다시 시도하거나 collateral 파일을 넘깁니다"
}

// pcsRetryKO is the hint "retry later or supply the collateral files" in Korean.
const pcsRetryKO = "나중에 다시 시도하거나 collateral 파일을 넘깁니다"

func orDefaultDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Collateral sources (--collateral): Intel's PCS, or Azure's global mirror of it, which VMs
// that cannot reach Intel use (Intel's Azure QCNL config, protocol §17.2). The mirror serves
// the PCCS API under the same paths; Microsoft's own client uses only its TDX TCB path, so
// whether it serves the QE identity and the CRLs is [UNSURE] until seen.
const (
	CollateralPCS   = "pcs"
	CollateralAzure = "azure"
	// AzureCollateralBase is Azure's global PCS mirror.
	AzureCollateralBase = "https://global.acccache.azure.net"
)

// FetcherFor returns the fetcher of a collateral source: "pcs" (or "") for Intel's PCS,
// "azure" for Azure's global mirror.
func FetcherFor(source string) (PCSFetcher, error) {
	switch source {
	case "", CollateralPCS:
		return PCSFetcher{}, nil
	case CollateralAzure:
		return PCSFetcher{TDXBaseURL: AzureCollateralBase + "/tdx/certification/v4", SGXBaseURL: AzureCollateralBase + "/sgx/certification/v4"}, nil
	}
	return PCSFetcher{}, fault.Korean(fault.Errorf(fault.Internal, "--collateral %q: use pcs (Intel's PCS) or azure (Azure's global mirror, %s)", source, AzureCollateralBase),
		fmt.Sprintf("--collateral %q: pcs(Intel PCS) 또는 azure(Azure 전역 미러, %s)를 씁니다", source, AzureCollateralBase), "")
}

// statusError is a collateral service's answer other than 200.
type statusError struct {
	msg    string
	status int
}

func (e *statusError) Error() string { return e.msg }

// Unavailable reports whether err is a collateral service saying it cannot answer now
// (HTTP 429 or 5xx), which, like no answer at all, leaves the TCB undecided by the
// network rather than by the evidence; a 404 is an answer (the document is not there).
func Unavailable(err error) bool {
	var e *statusError
	return errors.As(err, &e) && (e.status == http.StatusTooManyRequests || e.status >= 500)
}
