package tdx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// A local server stands in for Intel PCS, serving the real collateral as PCS does.
func TestPCSFetcherAgainstLocalServer(t *testing.T) {
	tcb, qe := readReal(t, "intel-tdx-tcbinfo-00806f050000.json"), readReal(t, "intel-tdx-qeidentity.json")
	chain, crl := readReal(t, "intel-tcb-signing-chain.pem"), readReal(t, "intel-pck-platform-crl.der")
	mux := http.NewServeMux()
	mux.HandleFunc("/tdx/tcb", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fmspc") != "00806f050000" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("TCB-Info-Issuer-Chain", url.QueryEscape(string(chain)))
		w.Write(tcb)
	})
	mux.HandleFunc("/tdx/qe/identity", func(w http.ResponseWriter, r *http.Request) { w.Write(qe) })
	mux.HandleFunc("/sgx/pckcrl", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ca") != "platform" {
			http.NotFound(w, r)
			return
		}
		w.Write(crl)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	q := azureQuote(t)
	col, err := PCSFetcher{Client: srv.Client(), TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx"}.FetchCollateral(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: col}); c.Verdict != check.Warn {
		t.Errorf("fetched collateral: %v %v", c, c.Details)
	}

	_, err = PCSFetcher{Client: srv.Client(), TDXBaseURL: srv.URL + "/missing"}.FetchCollateral(context.Background(), q)
	if fault.KindOf(err) != fault.Network {
		t.Errorf("HTTP 404 must be a network fault, got %v", err)
	}
}
