package tdx

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/internal/netcache"
)

// TestPCSFetcherKeepsOnlyGoodCollateral: collateral that does not check out (here a TCB
// info altered after Intel signed it, as a proxy or a broken mirror might serve) is handed
// to the verifier but not cached, so the next fetch asks again; once the service answers
// correctly, that answer is kept.
func TestPCSFetcherKeepsOnlyGoodCollateral(t *testing.T) {
	good := readReal(t, "intel-tdx-tcbinfo-00806f050000.json")
	bad := bytes.Replace(good, []byte(`"tcbEvaluationDataNumber":17`), []byte(`"tcbEvaluationDataNumber":99`), 1)
	if bytes.Equal(bad, good) {
		t.Fatal("the test data changed: nothing altered")
	}
	qe, chain, crl := readReal(t, "intel-tdx-qeidentity.json"), readReal(t, "intel-tcb-signing-chain.pem"), readReal(t, "intel-pck-platform-crl.der")
	var n atomic.Int32
	var broken atomic.Bool
	broken.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch r.URL.Path {
		case "/tdx/tcb":
			w.Header().Set("TCB-Info-Issuer-Chain", url.QueryEscape(string(chain)))
			if broken.Load() {
				w.Write(bad)
			} else {
				w.Write(good)
			}
		case "/tdx/qe/identity":
			w.Write(qe)
		case "/sgx/pckcrl":
			w.Write(crl)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	q := azureQuote(t)
	cache := &netcache.Cache{}
	f := PCSFetcher{Client: srv.Client(), TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx", Cache: cache}
	for range 2 {
		col, err := f.FetchCollateral(t.Context(), q)
		if err != nil || !bytes.Equal(col.TCBInfo, bad) {
			t.Fatalf("the altered collateral must still reach the verifier: %v", err)
		}
	}
	if n.Load() != 6 || cache.Len() != 0 {
		t.Errorf("altered collateral: %d requests for two fetches and %d cached answers, want 6 and 0", n.Load(), cache.Len())
	}
	broken.Store(false)
	for range 2 {
		col, err := f.FetchCollateral(t.Context(), q)
		if err != nil || !bytes.Equal(col.TCBInfo, good) {
			t.Fatalf("good collateral: %v", err)
		}
	}
	if n.Load() != 9 || cache.Len() != 3 {
		t.Errorf("good collateral: %d requests in all and %d cached answers, want 9 and 3", n.Load(), cache.Len())
	}
}

// TestPCSFetcherUsesTheRunsCache: a fetcher given no cache uses the one the run's context
// carries (inspect --each's), so the sets of a fleet fetch the collateral once between them.
func TestPCSFetcherUsesTheRunsCache(t *testing.T) {
	srv, n := pcsServer(t)
	q := azureQuote(t)
	run := &netcache.Cache{FailTTL: time.Hour}
	ctx := netcache.NewContext(t.Context(), run)
	f := PCSFetcher{Client: srv.Client(), TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx"}
	for range 3 {
		if _, err := f.FetchCollateral(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n.Load() != 3 || run.Len() != 3 {
		t.Errorf("%d requests and %d answers in the run's cache for three fetches, want 3 and 3", n.Load(), run.Len())
	}
	if _, _, ok := netcache.Shared.Get(srv.URL + "/tdx/qe/identity"); ok {
		t.Error("the run's fetch went into the process-wide cache")
	}
}
