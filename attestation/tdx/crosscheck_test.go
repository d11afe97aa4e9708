package tdx

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-tdx-guest/pcs"
	"github.com/google/go-tdx-guest/verify"
)

// fileGetter serves the real collateral files to go-tdx-guest as Intel PCS would, so that its
// own collateral verification can be compared with ours without any network.
type fileGetter struct{ t *testing.T }

func (g fileGetter) Get(u string) (map[string][]string, []byte, error) {
	chain := []string{url.QueryEscape(string(readReal(g.t, "intel-tcb-signing-chain.pem")))}
	switch {
	case strings.Contains(u, "/tcb?fmspc="):
		return map[string][]string{pcs.TcbInfoIssuerChainPhrase: chain}, readReal(g.t, "intel-tdx-tcbinfo-00806f050000.json"), nil
	case strings.HasSuffix(u, "/qe/identity"):
		return map[string][]string{pcs.SgxQeIdentityIssuerChainPhrase: chain}, readReal(g.t, "intel-tdx-qeidentity.json"), nil
	}
	return nil, nil, fmt.Errorf("no file for %s", u)
}

// go-tdx-guest, given the same collateral, reaches the same status for the Azure quote. For
// the dcap-rs quote it does not: when TEE_TCB_SVN[1] > 0 it returns the TDX module's level
// alone (UpToDate), while Intel's QVL (EvaluateTcb.cpp, convergeTcbStatusWithTdxModuleStatus)
// keeps the platform level's status (OutOfDate: PCK SGX components 6.6 < 7.7) and only lets
// an out-of-date module make it worse. EvaluateTCB follows Intel; this test pins the
// difference so that a change in either is noticed.
func TestTCBAgreesWithGoTDXGuest(t *testing.T) {
	pool := x509.NewCertPool()
	certs, err := parsePEMChain(readReal(t, "intel-sgx-root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool.AddCert(certs[0])
	now := collateralDate
	for _, tc := range []struct {
		file      string
		goTDXSays pcs.TcbComponentStatus
	}{{azureQuoteFile, pcs.TcbComponentStatusOutOfDate}, {dcapQuoteFile, pcs.TcbComponentStatusUpToDate}} {
		q, err := ParseQuote(readReal(t, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		opts := &verify.Options{GetCollateral: true, Getter: fileGetter{t}, TrustedRoots: pool,
			Now: &verify.TimeSet{PckCertChain: now, TcbInfo: now, QeIdentity: now, PckCrl: now, RootCaCrl: now}}
		verifyErr := verify.TdxQuote(q.Proto, opts)
		level, _, err := verify.SupportedTcbLevelsFromCollateral(q.Proto, opts)
		if err != nil {
			t.Fatalf("%s: %v (TdxQuote: %v)", tc.file, err, verifyErr)
		}
		if level.TcbStatus != tc.goTDXSays {
			t.Errorf("%s: go-tdx-guest now says %s (TdxQuote: %v), was %s; revisit EvaluateTCB's comparison", tc.file, level.TcbStatus, verifyErr, tc.goTDXSays)
		}
		ours := EvaluateTCB(q, Options{Now: now, Collateral: realCollateral(t)})
		if !strings.Contains(ours.Summary, "TCB OutOfDate") {
			t.Errorf("%s: EvaluateTCB %v", tc.file, ours)
		}
	}
}
