package tdx

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
)

// Fetcher obtains Intel collateral for a platform; cvmscope uses it only behind --network.
type Fetcher interface {
	FetchCollateral(ctx context.Context, q *Quote) (*Collateral, error)
}

// PCSFetcher fetches collateral from Intel's Provisioning Certification Service (API v4).
type PCSFetcher struct {
	// Client defaults to http.DefaultClient.
	Client *http.Client
	// TDXBaseURL and SGXBaseURL default to Intel's public endpoints.
	TDXBaseURL, SGXBaseURL string
	// AttemptTimeout bounds each request, Timeout all three with their retries; zero means
	// DefaultPCSAttemptTimeout and DefaultPCSTimeout. The caller's context can end it sooner.
	AttemptTimeout, Timeout time.Duration
}

// Default time limits of a collateral fetch: three small documents from one service.
const (
	DefaultPCSAttemptTimeout = 10 * time.Second
	DefaultPCSTimeout        = 60 * time.Second
)

const (
	pcsTDXBase = "https://api.trustedservices.intel.com/tdx/certification/v4"
	pcsSGXBase = "https://api.trustedservices.intel.com/sgx/certification/v4"
)

// FetchCollateral gets the TDX TCB info for the quote's FMSPC, the TD_QE identity, their
// signing chain and the PCK CRL of the quote's PCK CA. The root CA CRL is left out: Intel
// serves it from a different host named in the root certificate.
func (f PCSFetcher) FetchCollateral(ctx context.Context, q *Quote) (*Collateral, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefaultDur(f.Timeout, DefaultPCSTimeout))
	defer cancel()
	tdx, sgx := orDefault(f.TDXBaseURL, pcsTDXBase), orDefault(f.SGXBaseURL, pcsSGXBase)
	tcb, hdr, err := f.get(ctx, tdx+"/tcb?fmspc="+q.FMSPC())
	if err != nil {
		return nil, err
	}
	chain, err := url.QueryUnescape(hdr.Get("TCB-Info-Issuer-Chain"))
	if err != nil || chain == "" {
		return nil, httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("Intel PCS TCB info response has no usable TCB-Info-Issuer-Chain header"), "retry later or supply the collateral files"),
			"Intel PCS의 TCB info 응답에 쓸 수 있는 TCB-Info-Issuer-Chain 헤더가 없습니다", pcsRetryKO)
	}
	qe, _, err := f.get(ctx, tdx+"/qe/identity")
	if err != nil {
		return nil, err
	}
	ca := "platform"
	if strings.Contains(q.PCK.Issuer.CommonName, "Processor") {
		ca = "processor"
	}
	crl, _, err := f.get(ctx, sgx+"/pckcrl?ca="+ca+"&encoding=der")
	if err != nil {
		return nil, err
	}
	return &Collateral{TCBInfo: tcb, QEIdentity: qe, SigningChain: []byte(chain), PCKCRL: crl}, nil
}

// get fetches u: a dropped connection is retried once and every body, error answers
// included, is bounded.
func (f PCSFetcher) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	const hint = "check network access to api.trustedservices.intel.com (and HTTPS_PROXY), retry later, or supply the collateral files"
	const hintKO = "api.trustedservices.intel.com(및 HTTPS_PROXY)에 대한 네트워크 접근을 확인한 뒤 나중에 다시 시도하거나 collateral 파일을 넘깁니다"
	req := httpx.Request{Op: "Intel PCS GET " + u, Method: http.MethodGet, URL: u}
	resp, err := httpx.Get(ctx, f.Client, req, httpx.Limits{Attempt: orDefaultDur(f.AttemptTimeout, DefaultPCSAttemptTimeout), MaxBody: 1 << 20})
	if err != nil {
		return nil, nil, httpx.Korean(httpx.Fault(err, hint), hintKO)
	}
	if resp.Status != http.StatusOK {
		return nil, nil, httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("Intel PCS %s: HTTP %d", u, resp.Status), "retry later or supply the collateral files"),
			fmt.Sprintf("Intel PCS %s가 HTTP %d로 응답했습니다", u, resp.Status), pcsRetryKO)
	}
	return resp.Body, resp.Header, nil
}

// pcsRetryKO is the hint "retry later or supply the collateral files" in Korean.
const pcsRetryKO = "나중에 다시 시도하거나 collateral 파일을 넘깁니다"

func orDefaultDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
