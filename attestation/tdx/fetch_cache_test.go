package tdx

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/internal/netcache"
	"github.com/google/go-tdx-guest/verify/trust"
)

// pcsServer serves the real collateral as Intel PCS does and counts the requests.
func pcsServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	tcb, qe := readReal(t, "intel-tdx-tcbinfo-00806f050000.json"), readReal(t, "intel-tdx-qeidentity.json")
	chain, crl := readReal(t, "intel-tcb-signing-chain.pem"), readReal(t, "intel-pck-platform-crl.der")
	var n atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/tdx/tcb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("TCB-Info-Issuer-Chain", url.QueryEscape(string(chain)))
		w.Write(tcb)
	})
	mux.HandleFunc("/tdx/qe/identity", func(w http.ResponseWriter, r *http.Request) { w.Write(qe) })
	mux.HandleFunc("/sgx/pckcrl", func(w http.ResponseWriter, r *http.Request) { w.Write(crl) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A second fetch of the same collateral comes from the cache; go-tdx-guest's own getter
// serves the fetcher as well as cvmscope's.
func TestPCSFetcherCachesAndTakesGoTDXGuestsGetter(t *testing.T) {
	srv, n := pcsServer(t)
	q := azureQuote(t)
	cache := &netcache.Cache{}
	f := PCSFetcher{Client: srv.Client(), TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx", Cache: cache}
	for range 2 {
		col, err := f.FetchCollateral(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: col}); c.Verdict != check.Warn {
			t.Errorf("fetched collateral: %v %v", c, c.Details)
		}
	}
	if n.Load() != 3 || cache.Len() != 3 {
		t.Errorf("%d requests and %d cached answers for two fetches, want 3 and 3", n.Load(), cache.Len())
	}

	f = PCSFetcher{Getter: &trust.SimpleHTTPSGetter{}, TDXBaseURL: srv.URL + "/tdx/", SGXBaseURL: srv.URL + "/sgx", Cache: &netcache.Cache{}}
	if _, err := f.FetchCollateral(t.Context(), q); err != nil || n.Load() != 6 {
		t.Errorf("go-tdx-guest's SimpleHTTPSGetter: %v, %d requests", err, n.Load())
	}
}
