package tdx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// Intel PCS that accepts the connection and never answers, or that is cancelled, must end
// the fetch in words: no answer within the deadline, or interrupted.
func TestPCSFetcherBounded(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case reached <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	q := azureQuote(t)
	f := PCSFetcher{TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx", AttemptTimeout: 20 * time.Millisecond}
	_, err := f.FetchCollateral(t.Context(), q)
	if err == nil || !strings.Contains(err.Error(), "no answer within 20ms from "+strings.TrimPrefix(srv.URL, "http://")) || fault.KindOf(err) != fault.Network {
		t.Fatalf("hanging PCS: %v", err)
	}
	// The hint names the host that was asked (here the local server, else Azure's mirror
	// with --collateral azure), not always Intel's.
	if _, hint := fault.MessageIn(err, "en"); !strings.Contains(hint, "check network access to "+strings.TrimPrefix(srv.URL, "http://")) {
		t.Errorf("hint %q does not name the host asked", hint)
	}
	<-reached
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-reached; cancel() }()
	f.AttemptTimeout = 0
	_, err = f.FetchCollateral(ctx, q)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || fault.KindOf(err) != fault.Interrupted {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestPCSFetcherRetriesADropOnce(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, buf, _ := w.(http.Hijacker).Hijack()
		defer conn.Close()
		fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc")
		buf.Flush()
	}))
	defer srv.Close()
	_, err := PCSFetcher{TDXBaseURL: srv.URL, SGXBaseURL: srv.URL}.FetchCollateral(t.Context(), azureQuote(t))
	if n.Load() != 2 || err == nil || !strings.Contains(err.Error(), "mid-response (after 3 bytes)") {
		t.Fatalf("%d requests, %v", n.Load(), err)
	}
}
