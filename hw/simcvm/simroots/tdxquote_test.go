package simroots

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	"github.com/google/go-tdx-guest/verify"
	"github.com/google/go-tdx-guest/verify/trust"
)

var quoteTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func simQuote(t *testing.T, seed []byte) (*TDX, []byte, []byte) {
	t.Helper()
	td, err := NewTDX(seed)
	if err != nil {
		t.Fatal(err)
	}
	r, err := td.NewTDReport(tdxParams())
	if err != nil {
		t.Fatal(err)
	}
	q, err := td.Quote(r)
	if err != nil {
		t.Fatalf("Quote: %v", err)
	}
	return td, r, q
}

func rootPool(td *TDX) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(td.PCKRoot())
	return p
}

// The quote must pass cvmscope's own verifier: signature, QE binding, PCK chain to the
// simulated root, and a body equal to the TDREPORT it was made from.
func TestQuoteVerifiesWithCvmscope(t *testing.T) {
	td, r, raw := simQuote(t, DefaultSeed())
	q, err := tdx.ParseQuote(raw)
	if err != nil {
		t.Fatalf("tdx.ParseQuote: %v", err)
	}
	rep, err := tdx.ParseTDReport(r)
	if err != nil {
		t.Fatal(err)
	}
	checks := tdx.Verify(q, rep, tdx.Options{TrustedRoots: rootPool(td), Now: quoteTime})
	for _, id := range []string{tdx.CheckSignature, tdx.CheckMatchesReport} {
		if v := checks.Verdict(id); v != check.Pass {
			t.Errorf("%s = %s: %v", id, v, checks.Find(id))
		}
	}
	if v := checks.Verdict(tdx.CheckTCB); v != check.Skip {
		t.Errorf("tdx.tcb without collateral = %s, want skip", v)
	}
	if q.FMSPC() != "00806f050000" || q.PCKExt.PCEID != "0000" || q.PCKExt.TCB.PCESvn != 11 {
		t.Errorf("PCK extensions: FMSPC %s PCE ID %s PCESVN %d", q.FMSPC(), q.PCKExt.PCEID, q.PCKExt.TCB.PCESvn)
	}
	if !bytes.Equal(q.MRTD(), r[528:576]) || !bytes.Equal(q.ReportData(), r[128:192]) {
		t.Error("quote MRTD / REPORT_DATA differ from the TDREPORT")
	}
	for _, c := range []*x509.Certificate{q.PCK, q.Intermediate, q.Root} {
		if !IsSimulated(c) {
			t.Errorf("%s carries no SIMULATED label", c.Subject.CommonName)
		}
	}
	if q.PCK.Subject.CommonName != IntelPCKCN || q.Intermediate.Subject.CommonName != IntelPlatformCACN || q.Root.Subject.CommonName != IntelRootCN {
		t.Errorf("chain CNs %q / %q / %q", q.PCK.Subject.CommonName, q.Intermediate.Subject.CommonName, q.Root.Subject.CommonName)
	}
	// Without the simulated root configured, Intel's pinned root must refuse it.
	if c := tdx.VerifyQuote(q, tdx.Options{Now: quoteTime}); c.Verdict != check.Fail {
		t.Errorf("without the simulated root: %s, want fail", c)
	}
}

// go-tdx-guest's verifier is the reference: with the simulated root it must accept the quote
// offline, and with its embedded Intel root it must refuse it.
func TestQuoteVerifiesWithGoTDXGuest(t *testing.T) {
	td, _, raw := simQuote(t, DefaultSeed())
	pq, err := abi.QuoteToProto(raw)
	if err != nil {
		t.Fatalf("abi.QuoteToProto: %v", err)
	}
	now := &verify.TimeSet{PckCertChain: quoteTime, TcbInfo: quoteTime, QeIdentity: quoteTime, PckCrl: quoteTime, RootCaCrl: quoteTime}
	if err := verify.TdxQuote(pq, &verify.Options{TrustedRoots: rootPool(td), Now: now}); err != nil {
		t.Fatalf("go-tdx-guest refuses the simulated quote: %v", err)
	}
	if err := verify.TdxQuote(pq, &verify.Options{Now: now}); err == nil {
		t.Fatal("go-tdx-guest accepted the simulated quote against Intel's real root")
	}
	// GetCollateral makes go-tdx-guest fetch Intel PCS TCB info and QE identity for the
	// FMSPC and check them against the same trusted roots. Intel's collateral is signed
	// under Intel's root, so a simulated platform can never pass that step: cvmscope
	// verifies simulated quotes without collateral, and tdx.tcb stays skipped. A getter that
	// records the request shows exactly what would be fetched, without a network.
	var asked []string
	getter := trust.HTTPSGetter(recordingGetter{&asked})
	err = verify.TdxQuote(pq, &verify.Options{TrustedRoots: rootPool(td), Now: now, GetCollateral: true, Getter: getter})
	if err == nil {
		t.Fatal("GetCollateral with no collateral available succeeded")
	}
	t.Logf("GetCollateral: %v (asked %v)", err, asked)
	if len(asked) == 0 || !strings.Contains(asked[0], pcs.TdxBaseURL) && !strings.Contains(asked[0], pcs.SgxBaseURL) {
		t.Errorf("GetCollateral asked %v; want Intel PCS URLs", asked)
	}
}

type recordingGetter struct{ urls *[]string }

func (g recordingGetter) Get(url string) (map[string][]string, []byte, error) {
	*g.urls = append(*g.urls, url)
	return nil, nil, errors.New("offline: no Intel PCS in tests")
}

func TestQuoteTamperFails(t *testing.T) {
	td, r, raw := simQuote(t, DefaultSeed())
	rep, _ := tdx.ParseTDReport(r)
	opts := tdx.Options{TrustedRoots: rootPool(td), Now: quoteTime}
	for _, c := range []struct {
		name string
		off  int
		id   string
	}{
		{"header.user_data", 30, tdx.CheckSignature},
		{"body.mr_td", 48 + 136 + 5, tdx.CheckSignature},
		{"body.report_data", 48 + 520 + 1, tdx.CheckSignature},
		{"signature", 636 + 10, tdx.CheckSignature},
		{"qe_report.report_data", 636 + 128 + 6 + 320 + 3, tdx.CheckSignature},
		{"qe_report.mr_signer", 636 + 128 + 6 + 128, tdx.CheckSignature},
		{"qe_report_signature", 636 + 128 + 6 + 384 + 7, tdx.CheckSignature},
	} {
		bad := bytes.Clone(raw)
		bad[c.off] ^= 0x01
		q, err := tdx.ParseQuote(bad)
		if err != nil {
			t.Errorf("%s: flipped quote no longer parses: %v", c.name, err)
			continue
		}
		if v := tdx.Verify(q, rep, opts).Verdict(c.id); v != check.Fail {
			t.Errorf("flipping %s at %d: %s = %s, want fail", c.name, c.off, c.id, v)
		}
	}
	// A quote for another TDREPORT of the same platform verifies but does not match.
	p := tdxParams()
	p.ReportData[0] ^= 0xff
	r2, _ := td.NewTDReport(p)
	raw2, err := td.Quote(r2)
	if err != nil {
		t.Fatal(err)
	}
	q2, _ := tdx.ParseQuote(raw2)
	if c := tdx.MatchReport(q2, rep); c.Verdict != check.Fail || !strings.Contains(c.Summary, "report_data") {
		t.Errorf("quote for another report: %s", c)
	}
}

func TestQuoteRefusesForeignTDReport(t *testing.T) {
	_, r, _ := simQuote(t, []byte("seed A"))
	other, _ := NewTDX([]byte("seed B"))
	_, err := other.Quote(r)
	if err == nil || !strings.Contains(err.Error(), "MAC") || fault.KindOf(err) != fault.Verification {
		t.Fatalf("a TDREPORT from another seed: %v (kind %v); want a verification error naming the MAC", err, fault.KindOf(err))
	}
	if _, err := other.Quote(r[:100]); err == nil || !strings.Contains(err.Error(), "100") {
		t.Errorf("short TDREPORT: %v", err)
	}
}

func TestQuoteDeterministicPerSeed(t *testing.T) {
	a, ra, qa := simQuote(t, []byte("same"))
	_, _, qb := simQuote(t, []byte("same"))
	c, _, _ := simQuote(t, []byte("other"))
	if !bytes.Equal(qa, qb) {
		t.Error("the same seed and TDREPORT gave different quotes")
	}
	ca, cc := a.PCKChain(), c.PCKChain()
	if len(ca) != 3 || len(cc) != 3 {
		t.Fatalf("PCK chains of %d and %d certificates", len(ca), len(cc))
	}
	if !bytes.Equal(ca[2].Raw, cc[2].Raw) || !bytes.Equal(ca[1].Raw, cc[1].Raw) || !ca[2].Equal(a.PCKRoot()) {
		t.Error("root and PCK CA must be the same for every seed")
	}
	if bytes.Equal(ca[0].Raw, cc[0].Raw) {
		t.Error("two seeds share a PCK certificate")
	}
	if _, err := a.Quote(ra); err != nil {
		t.Fatal(err)
	}
	// The quote embeds exactly PCKChain, in PEM, as certification data type 5.
	q, _ := tdx.ParseQuote(qa)
	if !q.PCK.Equal(ca[0]) || !q.Intermediate.Equal(ca[1]) || !q.Root.Equal(ca[2]) {
		t.Error("the quote's chain is not PCKChain()")
	}
	if blk, _ := pem.Decode(pckChainPEM(ca)); blk == nil || !bytes.Equal(blk.Bytes, ca[0].Raw) {
		t.Error("type 5 data does not start with the PCK certificate in PEM")
	}
}

// The simulated PCK certificate must look like Intel's to the parsers: six extensions, the
// SGX extension readable by go-tdx-guest, and the same SGX TCB as the real Azure host.
func TestPCKShapeMatchesRealAzurePCK(t *testing.T) {
	td, _ := NewTDX(DefaultSeed())
	sim := td.PCKChain()[0]
	simExt, err := pcs.PckCertificateExtensions(sim)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(realSample(t, "intel-pck-chain-from-aztdx-trustee-6332533d.pem"))
	real, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	realExt, err := pcs.PckCertificateExtensions(real)
	if err != nil {
		t.Fatal(err)
	}
	if simExt.FMSPC != realExt.FMSPC || simExt.PCEID != realExt.PCEID || simExt.TCB.PCESvn != realExt.TCB.PCESvn ||
		!bytes.Equal(simExt.TCB.CPUSvnComponents, realExt.TCB.CPUSvnComponents) {
		t.Errorf("simulated SGX TCB %+v differs from the real Azure PCK %+v", simExt, realExt)
	}
	if simExt.PPID == realExt.PPID {
		t.Error("the simulated PPID must be derived, not copied")
	}
	if len(sim.Extensions) != len(real.Extensions) || sim.KeyUsage != real.KeyUsage || sim.SignatureAlgorithm != real.SignatureAlgorithm {
		t.Errorf("extensions %d/%d, key usage %v/%v, signature %v/%v", len(sim.Extensions), len(real.Extensions), sim.KeyUsage, real.KeyUsage, sim.SignatureAlgorithm, real.SignatureAlgorithm)
	}
}
