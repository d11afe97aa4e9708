package tdx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
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
}

const (
	pcsTDXBase = "https://api.trustedservices.intel.com/tdx/certification/v4"
	pcsSGXBase = "https://api.trustedservices.intel.com/sgx/certification/v4"
)

// FetchCollateral gets the TDX TCB info for the quote's FMSPC, the TD_QE identity, their
// signing chain and the PCK CRL of the quote's PCK CA. The root CA CRL is left out: Intel
// serves it from a different host named in the root certificate.
func (f PCSFetcher) FetchCollateral(ctx context.Context, q *Quote) (*Collateral, error) {
	tdx, sgx := orDefault(f.TDXBaseURL, pcsTDXBase), orDefault(f.SGXBaseURL, pcsSGXBase)
	tcb, hdr, err := f.get(ctx, tdx+"/tcb?fmspc="+q.FMSPC())
	if err != nil {
		return nil, err
	}
	chain, err := url.QueryUnescape(hdr.Get("TCB-Info-Issuer-Chain"))
	if err != nil || chain == "" {
		return nil, fault.WithHint(fault.Network, fmt.Errorf("Intel PCS TCB info response has no usable TCB-Info-Issuer-Chain header"), "retry later or supply the collateral files")
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

func (f PCSFetcher) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fault.New(fault.Internal, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fault.WithHint(fault.Network, fmt.Errorf("Intel PCS %s: %w", u, err), "check network access to api.trustedservices.intel.com or supply the collateral files")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fault.WithHint(fault.Network, fmt.Errorf("Intel PCS %s: %w", u, err), "retry later")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fault.WithHint(fault.Network, fmt.Errorf("Intel PCS %s: HTTP %d", u, resp.StatusCode), "retry later or supply the collateral files")
	}
	return body, resp.Header, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
