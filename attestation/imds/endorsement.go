package imds

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// DefaultTHIMRegion is the region of the THIM endorsement host when the VM's region is
// unknown, as in Microsoft's SDK (AZ-RS endorsement.rs DEFAULT_REGION).
const DefaultTHIMRegion = "westus"

// endorsementPath is the TDX paravisor endorsement API on THIM (protocol §3.5):
// GET …/endorsement/tdx/mrtds lists the endorsed MRTDs, GET …/endorsement/tdx/<MRTD hex>
// returns one COSE_Sign1.
const endorsementPath = "/endorsement/tdx/"

// ErrNoEndorsement is wrapped by TDXEndorsement's error when THIM answers 404 for the MRTD:
// THIM does not endorse it (a final answer, not retried).
var ErrNoEndorsement = errors.New("THIM has no endorsement for this MRTD")

// newTHIMHTTP is the client for THIM's public HTTPS host: environment proxy honoured (a VM
// may reach the internet only through one), TLS 1.2+ with verification. The time limits of
// a call are the client's THIMAttemptTimeout and THIMTimeout.
func newTHIMHTTP() *http.Client {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        2,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: tr}
}

// EndorsementBase returns the THIM endorsement host this client uses: THIMBase when set, else
// https://<region>.thim.azure.net with Region, else the VM's region from IMDS, else
// DefaultTHIMRegion (also when IMDS does not answer: THIM itself is public).
func (c *Client) EndorsementBase(ctx context.Context) (string, error) {
	if c.THIMBase != "" {
		return checkTHIMBase(c.THIMBase)
	}
	region := c.Region
	if region == "" {
		if loc, err := c.Location(ctx); err == nil {
			region = loc
		}
	}
	region = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(region), " ", ""))
	if region == "" {
		region = DefaultTHIMRegion
	}
	for i, r := range region {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", fault.Errorf(fault.Internal, "THIM region %q has %q at position %d; an Azure region name is letters and digits (e.g. koreacentral)", region, r, i)
		}
	}
	return "https://" + region + ".thim.azure.net", nil
}

// checkTHIMBase refuses plain HTTP except to a loopback host (the emulator): endorsements
// travel over the internet and must come over verified TLS.
func checkTHIMBase(base string) (string, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Host == "" {
		return "", fault.Errorf(fault.Internal, "THIM base URL %q is not scheme://host", base)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !httpx.IsLoopback(u.Hostname()) {
			return "", fault.WithHint(fault.Internal, fmt.Errorf("THIM base URL %q is plain HTTP to a non-loopback host; endorsements must come over HTTPS", base),
				"use https://<region>.thim.azure.net, or http:// only for a loopback emulator")
		}
	default:
		return "", fault.Errorf(fault.Internal, "THIM base URL %q: scheme %q is not https", base, u.Scheme)
	}
	return u.Scheme + "://" + u.Host, nil
}

func (c *Client) thimTarget(ctx context.Context) (target, error) {
	base, err := c.EndorsementBase(ctx)
	if err != nil {
		return target{}, err
	}
	h := c.THIMHTTP
	if h == nil {
		h = newTHIMHTTP()
	}
	return target{service: "THIM", base: base, http: h,
		limits: httpx.Limits{Attempt: c.THIMAttemptTimeout, MaxBody: maxBody}, overall: c.THIMTimeout}, nil
}

// TDXEndorsement fetches Microsoft's endorsement of a paravisor MRTD (48 bytes) from THIM:
// the raw COSE_Sign1 body, for tdx.ParseEndorsement and tdx.CheckMRTDEndorsed. A 404
// returns an error wrapping ErrNoEndorsement.
func (c *Client) TDXEndorsement(ctx context.Context, mrtd []byte) ([]byte, error) {
	if len(mrtd) != 48 {
		return nil, fault.Errorf(fault.Internal, "THIM endorsement: MRTD is %d bytes, want 48 (TDREPORT offset 528, or the quote body)", len(mrtd))
	}
	t, err := c.thimTarget(ctx)
	if err != nil {
		return nil, err
	}
	// Upper-case hex, as Microsoft's SDK asks for it and as the MRTD list is written.
	path := endorsementPath + strings.ToUpper(hex.EncodeToString(mrtd))
	b, err := c.doTarget(ctx, t, "GET", path, nil, nil)
	var se *StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return nil, fault.WithHint(fault.Network, fmt.Errorf("%w: %s%s answered 404", ErrNoEndorsement, hostOf(t.base), path),
			"the MRTD is not in Microsoft's list of paravisor releases; if the VM is new, the release may not be published yet")
	}
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fault.Errorf(fault.Network, "THIM %s%s: empty endorsement body", hostOf(t.base), path)
	}
	return b, nil
}

// TDXEndorsedMRTDs lists the MRTDs THIM endorses, as upper-case hex. The list is not signed;
// it says what to ask for, and only a signed endorsement counts.
func (c *Client) TDXEndorsedMRTDs(ctx context.Context) ([]string, error) {
	t, err := c.thimTarget(ctx)
	if err != nil {
		return nil, err
	}
	path := endorsementPath + "mrtds"
	b, err := c.doTarget(ctx, t, "GET", path, nil, map[string]string{"Accept": "application/json"})
	if err != nil {
		return nil, err
	}
	return parseMRTDs(b, hostOf(t.base)+path)
}

// parseMRTDs reads THIM's list of endorsed MRTDs, answered by where.
func parseMRTDs(b []byte, where string) ([]string, error) {
	var resp struct {
		MRTDs []string `json:"mrtds"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fault.Errorf(fault.Network, "THIM %s: answer is not JSON with an \"mrtds\" list: %v", where, err)
	}
	for i, m := range resp.MRTDs {
		resp.MRTDs[i] = strings.ToUpper(strings.TrimSpace(m))
	}
	return resp.MRTDs, nil
}

// thimTransportError explains a THIM host that could not be reached: unlike IMDS it is on
// the internet, so DNS, egress rules and proxies are the usual suspects.
func thimTransportError(t target, path string, err error) error {
	const hint = "THIM is public HTTPS: check DNS and egress to *.thim.azure.net, set HTTPS_PROXY if the VM needs a proxy, or try again"
	const hintKO = "THIM은 공개 HTTPS입니다. DNS와 *.thim.azure.net으로 가는 아웃바운드를 확인하고, VM에 프록시가 필요하면 HTTPS_PROXY를 설정하거나 다시 시도합니다"
	switch httpx.FailureOf(err) {
	case httpx.Timeout, httpx.Dropped, httpx.TooLarge:
		return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("THIM endorsement host %s: %w", hostOf(t.base), err), hint),
			"THIM 보증 호스트 "+hostOf(t.base)+": "+koOf(err), hintKO)
	}
	return httpx.WithKorean(fault.WithHint(fault.Network, fmt.Errorf("THIM endorsement host %s could not be reached (%s: %v)", hostOf(t.base), path, httpx.RootCause(err)), hint),
		fmt.Sprintf("THIM 보증 호스트 %s에 연결할 수 없습니다(%s: %s)", hostOf(t.base), path, httpx.RootCauseKO(err)), hintKO)
}
