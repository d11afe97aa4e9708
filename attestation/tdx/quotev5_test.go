package tdx

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// simV5 builds a TDREPORT on the simulated TDX platform and its TD quote v5 (body type 3),
// signed with the simulated PCK chain, and returns both with options trusting that chain.
func simV5(t testing.TB) (raw []byte, report *TDReport, opts Options) {
	t.Helper()
	td, err := simroots.NewTDX(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	td.QuoteVersion = 5
	p := simroots.TDXParams{TEETCBSVN: [16]byte{0x0d, 0x01, 0x07}}
	copy(p.ReportData[:], "cvmscope v5 test report data")
	copy(p.MRTD[:], bytes.Repeat([]byte{0xa5}, 48))
	tdr, err := td.NewTDReport(p)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = td.Quote(tdr); err != nil {
		t.Fatal(err)
	}
	if report, err = ParseTDReport(tdr); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(td.PCKRoot())
	return raw, report, Options{TrustedRoots: pool}
}

func fieldMap(q *Quote) map[string]Field {
	m := map[string]Field{}
	for _, f := range q.Fields() {
		m[f.Name] = f
	}
	return m
}

func TestQuoteV5ParsesVerifiesAndMatches(t *testing.T) {
	raw, report, opts := simV5(t)
	q, err := ParseQuote(raw)
	if err != nil {
		t.Fatal(err)
	}
	if q.Version != 5 || q.BodyType != BodyTDX15 || q.SignedRange() != 54+648 {
		t.Fatalf("version %d body type %d signed range %d, want 5, 3, 702", q.Version, q.BodyType, q.SignedRange())
	}
	if !bytes.Equal(q.MRTD(), report.MRTD()) || !bytes.Equal(q.ReportData(), report.ReportData()) {
		t.Error("v5 body fields differ from the TDREPORT's")
	}
	if got := q.TeeTCBSVN2(); !bytes.Equal(got, report.at(offTeeTCBSVN2, 16)) {
		t.Errorf("tee_tcb_svn2 %x", got)
	}
	f := fieldMap(q)
	for name, want := range map[string]struct {
		value string
		off   int
	}{
		"header.version": {"5", 0}, "body.type": {"3", 48}, "body.size": {"648", 50},
		"mr_td": {strings.Repeat("a5", 48), 54 + 136}, "report_data": {f["report_data"].Value, 54 + 520},
		"tee_tcb_svn2": {"0d010700000000000000000000000000", 638}, "mr_servicetd": {strings.Repeat("00", 48), 654},
		"signed_data_size": {f["signed_data_size"].Value, 702}, "signature": {f["signature"].Value, 706},
	} {
		if f[name].Value != want.value || f[name].Offset != want.off {
			t.Errorf("%s = %q @%d, want %q @%d", name, f[name].Value, f[name].Offset, want.value, want.off)
		}
	}
	for _, x := range q.Fields() {
		if strings.HasPrefix(x.Name, "body.") || x.Name == "tee_tcb_svn2" || x.Name == "mr_servicetd" {
			if x.NoteKO == "" || !checktest.HasHangul(x.NoteKO) {
				t.Errorf("%s has no Korean note", x.Name)
			}
		}
	}
	if !strings.Contains(f["tee_tcb_svn2 (module SVN)"].Note, "TDX_01") {
		t.Errorf("module identity not named: %q", f["tee_tcb_svn2 (module SVN)"].Note)
	}

	l := Verify(q, report, opts)
	if c := l.Find(CheckSignature)[0]; c.Verdict != check.Pass || !slices.ContainsFunc(c.Details, func(d string) bool { return strings.Contains(d, "quote v5, body type 3: signature over bytes 0-701") }) {
		t.Errorf("signature: %v\n%s", c, strings.Join(c.Details, "\n"))
	}
	if c := l.Find(CheckMatchesReport)[0]; c.Verdict != check.Pass || !slices.ContainsFunc(c.Details, func(d string) bool { return strings.HasPrefix(d, "TDX 1.5 body: tee_tcb_svn2 and mr_servicetd") }) {
		t.Errorf("match: %v %v", c, c.Details)
	}
}

// Each link of a v5 quote's chain of signatures fails on its own, named.
func TestQuoteV5TamperingFails(t *testing.T) {
	raw, report, opts := simV5(t)
	q0, err := ParseQuote(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		off  int
		want string
	}{
		// The descriptor is signed: a v4 verifier's range (header ‖ body) would miss this.
		{"body size high byte", 53, ""},
		{"mr_servicetd", 654 + 5, "signature over header, body descriptor and TD body is wrong"},
		{"tee_tcb_svn2", 638 + 3, "signature over header, body descriptor and TD body is wrong"},
		{"header user data", 30, "signature over header, body descriptor and TD body is wrong"},
		{"QE report", q0.certDataOff + 10, "QE report's signature does not verify"},
		{"QE auth data", q0.authOff + 4, "does not bind the attestation key"},
		{"attestation key", q0.SignedRange() + 4 + 64 + 7, "does not bind the attestation key"},
	} {
		b := slices.Clone(raw)
		b[tc.off] ^= 0x01
		q, err := ParseQuote(b)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s: a changed descriptor parsed", tc.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c := VerifyQuote(q, opts)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, tc.want) {
			t.Errorf("%s: %v", tc.name, c)
		}
		summary, _ := c.In("ko")
		if !checktest.HasHangul(summary) {
			t.Errorf("%s: Korean summary missing: %q", tc.name, summary)
		}
	}
	// Another report's fields make the match fail, naming the v5-only field.
	b := slices.Clone(raw)
	b[654] ^= 1
	q, _ := ParseQuote(b)
	if c := MatchReport(q, report); c.Verdict != check.Fail || !strings.Contains(c.Summary, "mr_servicetd") {
		t.Errorf("match: %v", c)
	}
	// Without the simulated root trusted, the chain is refused.
	if c := VerifyQuote(q0, Options{}); c.Verdict != check.Fail {
		t.Errorf("untrusted root: %v", c)
	}
}

// qgsWrap frames a quote as Intel's QGS GET_QUOTE_RESP (qgs_msg_lib.h), with a selected ID.
func qgsWrap(quote, id []byte) []byte {
	le := binary.LittleEndian
	m := le.AppendUint16(nil, 1)
	m = le.AppendUint16(m, 1)
	m = le.AppendUint32(m, 1)
	m = le.AppendUint32(m, uint32(24+len(id)+len(quote)))
	m = le.AppendUint32(m, 0)
	m = le.AppendUint32(m, uint32(len(id)))
	m = le.AppendUint32(m, uint32(len(quote)))
	return append(append(m, id...), quote...)
}

func TestQuoteQGSWrappedIsUnwrapped(t *testing.T) {
	raw, _, opts := simV5(t)
	for _, tc := range []struct {
		name string
		in   []byte
		off  int
	}{
		{"QGS message", qgsWrap(raw, []byte("id-0")), 28},
		{"QGS message behind a length", binary.BigEndian.AppendUint32(nil, uint32(len(qgsWrap(raw, nil))))[:4:4], 28},
	} {
		in := tc.in
		if tc.name == "QGS message behind a length" {
			in = append(in, qgsWrap(raw, nil)...)
		}
		q, err := ParseQuote(in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(q.Raw, raw) || q.WrapOffset != tc.off || !strings.HasPrefix(q.Wrapped, "Intel QGS GET_QUOTE_RESP") {
			t.Errorf("%s: wrapped %q at %d", tc.name, q.Wrapped, q.WrapOffset)
		}
		if c := VerifyQuote(q, opts); c.Verdict != check.Pass {
			t.Errorf("%s: %v", tc.name, c)
		}
		if f := fieldMap(q)["envelope"]; f.Value != q.Wrapped {
			t.Errorf("%s: envelope field %+v", tc.name, f)
		}
	}
	// A QGS error answer is reported with its code, not parsed as a quote.
	bad := qgsWrap(raw, nil)
	binary.LittleEndian.PutUint32(bad[12:], 0x12)
	if _, err := ParseQuote(bad); err == nil || !strings.Contains(err.Error(), "error 0x12") {
		t.Errorf("QGS error: %v", err)
	}
	// A size that does not cover the message is refused.
	short := qgsWrap(raw, nil)
	binary.LittleEndian.PutUint32(short[20:], uint32(len(raw)-1))
	if _, err := ParseQuote(short); err == nil {
		t.Error("a QGS message with a wrong quote size parsed")
	}
}

// toV5 rewrites a v4 quote as v5 with a TDX 1.5 body: its signatures no longer verify, but
// the TCB evaluation reads only the fields and the PCK certificate.
func toV5(t *testing.T, v4 []byte, svn2 []byte) *Quote {
	t.Helper()
	le := binary.LittleEndian
	b := slices.Clone(v4[:48])
	le.PutUint16(b, 5)
	b = le.AppendUint16(b, BodyTDX15)
	b = le.AppendUint32(b, 648)
	b = append(b, v4[48:48+584]...)
	b = append(b, svn2...)
	b = append(b, make([]byte, 48)...)
	b = append(b, v4[632:]...)
	q, err := ParseQuote(b)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// The Azure quote's launch TCB (TEE_TCB_SVN 02.01.06) is OutOfDate through the module
// (TDX_01 SVN 2). With TDX 1.5's TEE_TCB_SVN2 at the newest level (04.01.07) and an SGX TCB
// that is current, Intel's QVL advises relaunching the TD instead.
func TestTCBV5RelaunchCheck(t *testing.T) {
	v4 := azureQuote(t).Raw
	upToDateSGX := []byte{7, 7, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, tc := range []struct {
		name       string
		svn2, sgx  []byte
		want       string
		wantDetail string
	}{
		{"current module, current SGX", []byte{4, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, upToDateSGX,
			"TCB TDRelaunchAdvised", "reaches the newest level (module SVN 4, microcode SVN 7) but the TD was launched on an older one (TEE_TCB_SVN 2.1.6."},
		{"module still old", []byte{3, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, upToDateSGX,
			"TCB OutOfDate", "is below the newest level"},
		{"SGX out of date", []byte{4, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, nil,
			"TCB OutOfDate", "the platform's SGX TCB is OutOfDate, so relaunching would not help"},
	} {
		q := toV5(t, v4, tc.svn2)
		if tc.sgx != nil {
			q.PCKExt.TCB.CPUSvnComponents = tc.sgx
		}
		c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: realCollateral(t)})
		if c.Verdict != check.Warn || !strings.Contains(c.Summary, tc.want) {
			t.Errorf("%s: %v", tc.name, c)
		}
		if !slices.ContainsFunc(c.Details, func(d string) bool { return strings.Contains(d, tc.wantDetail) }) {
			t.Errorf("%s: no detail %q:\n%s", tc.name, tc.wantDetail, strings.Join(c.Details, "\n"))
		}
		if _, ko := c.In("ko"); !slices.ContainsFunc(ko, func(d string) bool { return strings.Contains(d, "TDX 1.5 재시작 검사") }) {
			t.Errorf("%s: Korean relaunch detail missing", tc.name)
		}
	}
	// A v4 quote (TDX 1.0 body) gets no relaunch check.
	c := EvaluateTCB(azureQuote(t), Options{Now: collateralDate, Collateral: realCollateral(t)})
	if slices.ContainsFunc(c.Details, func(d string) bool { return strings.Contains(d, "relaunch") }) {
		t.Errorf("v4 quote judged for relaunch: %v", c.Details)
	}
}

func TestQuoteV5Errors(t *testing.T) {
	raw, _, _ := simV5(t)
	for _, tc := range []struct {
		name  string
		edit  func([]byte) []byte
		field string
	}{
		{"SGX body", func(b []byte) []byte { binary.LittleEndian.PutUint16(b[48:], 1); return b }, "body.type"},
		{"size for another type", func(b []byte) []byte { binary.LittleEndian.PutUint16(b[48:], BodyTDX10); return b }, "body.size"},
		{"version 6", func(b []byte) []byte { binary.LittleEndian.PutUint16(b, 6); return b }, "header.version"},
		{"truncated descriptor", func(b []byte) []byte { return b[:52] }, "length"},
		{"truncated body", func(b []byte) []byte { return b[:600] }, "length"},
	} {
		_, err := ParseQuote(tc.edit(slices.Clone(raw)))
		var pe *ParseError
		if err == nil || !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%s: %v, want a parse error in %s", tc.name, err, tc.field)
			continue
		}
		assertKoreanError(t, tc.name, err)
	}
}

func FuzzParseQuoteV5(f *testing.F) {
	raw, _, opts := simV5(f)
	f.Add(raw)
	f.Add(qgsWrap(raw, []byte("sel")))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := ParseQuote(b)
		if err != nil {
			return
		}
		_ = q.Fields()
		_ = EvaluateTCB(q, Options{})
		if c := VerifyQuote(q, opts); c.Verdict == check.Pass && !bytes.Equal(q.Raw, raw) {
			t.Errorf("a changed v5 quote verified: %v", c)
		}
	})
}
