package tdx

import (
	"bytes"
	"crypto/x509"
	"errors"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// assertKorean fails unless the check's summary and every detail line have Korean text,
// and the English is left free of Hangul.
func assertKorean(t *testing.T, name string, c check.Check) {
	t.Helper()
	if !checktest.HasHangul(c.SummaryKO) {
		t.Errorf("%s: %s (%s): Korean summary %q has no Hangul; English: %s", name, c.ID, c.Verdict, c.SummaryKO, c.Summary)
	}
	if checktest.HasHangul(c.Summary) || checktest.HasHangul(strings.Join(c.Details, "\n")) {
		t.Errorf("%s: %s: English text holds Hangul: %s %q", name, c.ID, c.Summary, c.Details)
	}
	_, ko := c.In("ko")
	for i, line := range ko {
		if !checktest.HasHangul(line) {
			t.Errorf("%s: %s: detail %d has no Korean: %q", name, c.ID, i, c.Details[i])
		}
	}
}

func assertKoreanError(t *testing.T, name string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", name)
		return
	}
	if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) {
		t.Errorf("%s: no Korean message for %q", name, err)
	}
}

func TestKoreanQuoteChecksReal(t *testing.T) {
	q, td := azureQuote(t), azureTDReport(t)
	flipped := readReal(t, azureQuoteFile)
	flipped[48+136] ^= 1
	fq, err := ParseQuote(flipped)
	if err != nil {
		t.Fatal(err)
	}
	other := x509.NewCertPool()
	other.AddCert(selfSignedRoot(t, "Simulated SGX Root CA"))
	foreign := *q
	foreign.Root = selfSignedRoot(t, "Some Other Root")
	for _, tc := range []struct {
		name string
		c    check.Check
		want check.Verdict
	}{
		{"signature", VerifyQuote(q, Options{Now: collateralDate}), check.Pass},
		{"signature, PCK expired", VerifyQuote(q, Options{Now: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}), check.Fail},
		{"signature, other root", VerifyQuote(q, Options{Now: collateralDate, TrustedRoots: other}), check.Fail},
		{"signature, foreign root", VerifyQuote(&foreign, Options{Now: collateralDate}), check.Fail},
		{"signature, flipped body", VerifyQuote(fq, Options{Now: collateralDate}), check.Fail},
		{"match", MatchReport(q, td), check.Pass},
		{"match, flipped body", MatchReport(fq, td), check.Fail},
		{"match, no report", MatchReport(q, nil), check.Skip},
		{"tcb, no collateral", EvaluateTCB(q, Options{Now: collateralDate}), check.Skip},
		{"tcb", EvaluateTCB(q, Options{Now: collateralDate, Collateral: realCollateral(t)}), check.Warn},
		{"tcb, late", EvaluateTCB(q, Options{Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Collateral: realCollateral(t)}), check.Warn},
	} {
		if tc.c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s: %s", tc.name, tc.c.Verdict, tc.want, tc.c.Summary)
		}
		assertKorean(t, tc.name, tc.c)
	}
	dcap, err := ParseQuote(readReal(t, dcapQuoteFile))
	if err != nil {
		t.Fatal(err)
	}
	assertKorean(t, "dcap tcb", EvaluateTCB(dcap, Options{Now: collateralDate, Collateral: realCollateral(t)}))
}

func TestKoreanTCBFailures(t *testing.T) {
	q := azureQuote(t)
	noLevel := azureQuote(t)
	noLevel.Proto.TdQuoteBody.TeeTcbSvn = []byte{2, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	edit := func(f func(*Collateral)) *Collateral { c := realCollateral(t); f(c); return c }
	for name, tc := range map[string]struct {
		q   *Quote
		col *Collateral
	}{
		"no level": {noLevel, realCollateral(t)},
		"tcb edited": {q, edit(func(c *Collateral) {
			c.TCBInfo = bytes.Replace(c.TCBInfo, []byte(`"OutOfDate"`), []byte(`"UpToDate" `), 1)
		})},
		"qe edited": {q, edit(func(c *Collateral) {
			c.QEIdentity = bytes.Replace(c.QEIdentity, []byte(`"isvprodid":2`), []byte(`"isvprodid":3`), 1)
		})},
		"swapped":       {q, edit(func(c *Collateral) { c.TCBInfo, c.QEIdentity = c.QEIdentity, c.TCBInfo })},
		"wrong chain":   {q, edit(func(c *Collateral) { c.SigningChain = readReal(t, "intel-pck-chain-from-aztdx-trustee-6332533d.pem") })},
		"wrong CRL":     {q, edit(func(c *Collateral) { c.PCKCRL = readReal(t, "intel-root-ca-crl.der") })},
		"garbled CRL":   {q, edit(func(c *Collateral) { c.RootCRL = []byte("junk") })},
		"incomplete":    {q, edit(func(c *Collateral) { c.QEIdentity = nil })},
		"not JSON":      {q, edit(func(c *Collateral) { c.TCBInfo = []byte("junk") })},
		"garbled chain": {q, edit(func(c *Collateral) { c.SigningChain = []byte("junk") })},
		"no CRLs":       {q, edit(func(c *Collateral) { c.PCKCRL, c.RootCRL = nil, nil })},
	} {
		c := EvaluateTCB(tc.q, Options{Now: collateralDate, Collateral: tc.col})
		if c.Verdict == check.Pass || c.Verdict == check.Skip {
			t.Errorf("%s: %s", name, c)
		}
		assertKorean(t, name, c)
	}
}

func TestKoreanEndorsementSimulated(t *testing.T) {
	en := simEndorser(t)
	m := testMRTD(0x11)
	good, err := en.Sign(m, 1)
	if err != nil {
		t.Fatal(err)
	}
	pinned := EndorsementOptions{Roots: en.Roots(), Now: endorseNow, Source: "the simulated THIM"}
	e, err := ParseEndorsement(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[bytes.Index(good, e.Payload)+len(`{"x-ms-tdx-mrtd":"`)+5] ^= 0x01
	late := pinned
	late.Now = simroots.NotAfter.Add(time.Hour)
	for _, tc := range []struct {
		name string
		c    check.Check
		want check.Verdict
	}{
		{"endorsed", CheckMRTDEndorsed(m, [][]byte{good}, pinned), check.Pass},
		{"other MRTD", CheckMRTDEndorsed(testMRTD(0x12), [][]byte{good}, pinned), check.Fail},
		{"unpinned", CheckMRTDEndorsed(m, [][]byte{good}, EndorsementOptions{Now: endorseNow}), check.Warn},
		{"unpinned, other MRTD", CheckMRTDEndorsed(testMRTD(0x12), [][]byte{good}, EndorsementOptions{Now: endorseNow}), check.Fail},
		{"tampered", CheckMRTDEndorsed(m, [][]byte{bad}, pinned), check.Fail},
		{"mixed", CheckMRTDEndorsed(m, [][]byte{bad, []byte("junk"), good}, pinned), check.Pass},
		{"fetch error", CheckMRTDEndorsed(m, nil, EndorsementOptions{FetchErr: errors.New("dial tcp: connection refused"), Source: "THIM"}), check.Warn},
		{"404", CheckMRTDEndorsed(m, nil, EndorsementOptions{NotListed: true}), check.Fail},
		{"none", CheckMRTDEndorsed(m, nil, EndorsementOptions{}), check.Skip},
		{"unreadable", CheckMRTDEndorsed(m, [][]byte{[]byte("<html>404</html>")}, pinned), check.Warn},
		{"short MRTD", CheckMRTDEndorsed(m[:10], [][]byte{good}, pinned), check.Fail},
		{"expired, pinned", CheckMRTDEndorsed(m, [][]byte{good}, late), check.Fail},
		{"expired, unpinned", CheckMRTDEndorsed(m, [][]byte{good}, EndorsementOptions{Now: late.Now}), check.Warn},
	} {
		if tc.c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s: %s", tc.name, tc.c.Verdict, tc.want, tc.c.Summary)
		}
		assertKorean(t, tc.name, tc.c)
	}
}

func TestKoreanParseErrors(t *testing.T) {
	td := azureTDReport(t).Raw()
	_, err := ParseTDReport(td[:100])
	assertKoreanError(t, "TDREPORT truncated", err)
	_, err = ParseTDReport(append(bytes.Clone(td), 1))
	assertKoreanError(t, "TDREPORT trailing", err)
	wrongType := bytes.Clone(td)
	wrongType[0] = 0
	_, err = ParseTDReport(wrongType)
	assertKoreanError(t, "TDREPORT type", err)

	raw := readReal(t, azureQuoteFile)
	// Cuts inside the quote proper; the file's zero padding may be cut anywhere.
	for n := 0; n < len(azureQuote(t).Raw); n += 97 {
		_, err := ParseQuote(raw[:n])
		assertKoreanError(t, "quote cut", err)
	}
	mod := func(off int, v ...byte) []byte { b := bytes.Clone(raw); copy(b[off:], v); return b }
	for name, in := range map[string][]byte{
		"version":  mod(0, 5),
		"key type": mod(2, 3),
		"tee type": mod(4, 0),
		"trailing": append(bytes.Clone(raw), 1),
	} {
		_, err := ParseQuote(in)
		assertKoreanError(t, "quote "+name, err)
	}
	for name, in := range map[string][]byte{
		"empty":   []byte(" "),
		"html":    []byte("<html>"),
		"garbled": {0xd2, 0x84, 0x01},
	} {
		_, err := ParseEndorsement(in)
		assertKoreanError(t, "endorsement "+name, err)
	}
}

func TestKoreanFetchErrors(t *testing.T) {
	q := azureQuote(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/tcb") {
			w.Write([]byte("{}")) // no TCB-Info-Issuer-Chain header
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := PCSFetcher{Client: srv.Client(), TDXBaseURL: srv.URL + "/tdx", SGXBaseURL: srv.URL + "/sgx"}
	_, err := f.FetchCollateral(t.Context(), q)
	assertKoreanError(t, "no issuer chain", err)
	if _, hint := fault.MessageIn(err, "ko"); !checktest.HasHangul(hint) {
		t.Errorf("no Korean hint: %v", err)
	}
	_, _, err = f.get(t.Context(), srv.URL+"/sgx/pckcrl")
	assertKoreanError(t, "HTTP 503", err)
	srv.Close()
	_, _, err = f.get(t.Context(), srv.URL+"/sgx/pckcrl")
	if _, hint := fault.MessageIn(err, "ko"); err == nil || !checktest.HasHangul(hint) {
		t.Errorf("refused connection: no Korean hint for %v", err)
	}
}
