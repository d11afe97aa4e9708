package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

func TestParseQuotePaddingAndFields(t *testing.T) {
	for _, tc := range []struct {
		file          string
		size, padding int
	}{{azureQuoteFile, 4936, 70}, {dcapQuoteFile, 4935, 3065}} {
		q, err := ParseQuote(readReal(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(q.Raw) != tc.size || q.Padding != tc.padding {
			t.Errorf("%s: %d bytes + %d padding, want %d + %d", tc.file, len(q.Raw), q.Padding, tc.size, tc.padding)
		}
		if q.FMSPC() != "00806f050000" {
			t.Errorf("%s: FMSPC %s", tc.file, q.FMSPC())
		}
		f := map[string]Field{}
		for _, x := range q.Fields() {
			f[x.Name] = x
		}
		for name, want := range map[string]string{
			"header.version": "4", "header.tee_type": "0x81 (TDX)", "header.qe_vendor_id": "939a7233f79c4ca9940a0db3957f0607",
			"pck.fmspc": "00806f050000", "pck.leaf": "Intel SGX PCK Certificate", "pck.intermediate": "Intel SGX PCK Platform CA",
			"pck.root": "Intel SGX Root CA", "header.att_key_type": "2 (ECDSA-256 with P-256)",
		} {
			if f[name].Value != want {
				t.Errorf("%s: field %s = %q, want %q", tc.file, name, f[name].Value, want)
			}
		}
		if f["mr_td"].Offset != 48+136 || f["report_data"].Offset != 48+520 || f["mr_td"].Claim != "tdx_mrtd" {
			t.Errorf("%s: body offsets wrong: mr_td %d report_data %d", tc.file, f["mr_td"].Offset, f["report_data"].Offset)
		}
	}
}

func TestAzureQuoteVerifiesAndMatchesHCLReport(t *testing.T) {
	q, td := azureQuote(t), azureTDReport(t)
	l := Verify(q, td, Options{Now: collateralDate})
	sig := l.Find(CheckSignature)[0]
	if sig.Verdict != check.Pass || !strings.Contains(sig.Summary, "PCK chain to Intel SGX Root CA; TCB status and revocation not evaluated") {
		t.Errorf("signature: %v %v", sig, sig.Details)
	}
	if c := l.Find(CheckMatchesReport)[0]; c.Verdict != check.Pass {
		t.Errorf("matches-report: %v %v", c, c.Details)
	}
	if c := MatchReport(q, nil); c.Verdict != check.Skip {
		t.Errorf("matches-report without a report: %v", c)
	}
	if c := l.Find(CheckTCB)[0]; c.Verdict != check.Skip || !strings.Contains(c.Summary, "TCB status not evaluated") {
		t.Errorf("tcb without collateral: %v", c)
	}
}

func TestFlippedBodyByteFailsSignatureAndMatch(t *testing.T) {
	td := azureTDReport(t)
	for _, tc := range []struct {
		off   int
		field string
	}{{48 + 136, "mr_td"}, {48 + 520, "report_data"}, {48 + 328 + 47, "rtmr0"}} {
		b := readReal(t, azureQuoteFile)
		b[tc.off] ^= 0x01
		q, err := ParseQuote(b)
		if err != nil {
			t.Fatalf("flipping a body byte must still parse: %v", err)
		}
		if c := VerifyQuote(q, Options{Now: collateralDate}); c.Verdict != check.Fail || !strings.Contains(c.Summary, "changed after signing") {
			t.Errorf("%s flipped: signature %v", tc.field, c)
		}
		c := MatchReport(q, td)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, tc.field) {
			t.Errorf("%s flipped: matches-report %v", tc.field, c)
		}
	}
}

func TestQuoteSignatureTimeAndRoots(t *testing.T) {
	q := azureQuote(t)
	if c := VerifyQuote(q, Options{Now: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}); c.Verdict != check.Fail {
		t.Errorf("after the PCK certificate expired (2030-09-13): %v", c)
	}

	intel := x509.NewCertPool()
	certs, err := parsePEMChain(readReal(t, "intel-sgx-root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intel.AddCert(certs[0])
	if c := VerifyQuote(q, Options{Now: collateralDate, TrustedRoots: intel}); c.Verdict != check.Pass || !strings.Contains(c.Summary, "Intel SGX Root CA") {
		t.Errorf("with Intel's root configured: %v %v", c, c.Details)
	}

	other := x509.NewCertPool()
	other.AddCert(selfSignedRoot(t, "Simulated SGX Root CA"))
	if c := VerifyQuote(q, Options{Now: collateralDate, TrustedRoots: other}); c.Verdict != check.Fail {
		t.Errorf("a quote chaining to Intel must fail against another root: %v", c)
	}
}

func selfSignedRoot(t *testing.T, cn string) *x509.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseQuoteRejectsTruncatedAndGarbled(t *testing.T) {
	good := readReal(t, azureQuoteFile)
	end := 4936
	// Every truncation inside the quote must give a ParseError, never a panic.
	for n := 0; n < end; n++ {
		_, err := ParseQuote(good[:n])
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("truncated to %d bytes: err %v, want a ParseError", n, err)
		}
	}
	for name, tc := range map[string]struct {
		off   int
		val   byte
		field string
	}{
		"version":          {0, 6, "header.version"}, // 4 and 5 are read
		"tee type":         {4, 0x00, "header.tee_type"},
		"signed size":      {632 + 1, 0x7f, "signed_data_size"},
		"cert data type":   {764, 5, "certification_data.type"},
		"trailing garbage": {end + 10, 0xaa, "trailing bytes"},
		"chain type":       {-1, 0, "pck_cert_chain.type"},
	} {
		b := append([]byte(nil), good...)
		off := tc.off
		if off < 0 {
			q, _ := ParseQuote(good)
			off = q.chainOff - 6
		}
		b[off] = tc.val
		_, err := ParseQuote(b)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%s: err %v, want a ParseError for %s", name, err, tc.field)
		}
	}
}

func FuzzParseQuote(f *testing.F) {
	realDir(f)
	var genuine [][]byte
	for _, name := range []string{azureQuoteFile, dcapQuoteFile} {
		b := readReal(f, name)
		f.Add(b)
		q, err := ParseQuote(b)
		if err != nil {
			f.Fatal(err)
		}
		genuine = append(genuine, q.Raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := ParseQuote(b)
		if err != nil {
			return
		}
		// Anything that parses must be safe to describe and to check.
		_ = q.Fields()
		_ = MatchReport(q, nil)
		_ = EvaluateTCB(q, Options{})
		if c := VerifyQuote(q, Options{Now: collateralDate}); c.Verdict == check.Pass && !slices.ContainsFunc(genuine, func(g []byte) bool { return bytes.Equal(g, q.Raw) }) {
			t.Errorf("a changed quote verified: %v", c)
		}
	})
}

func BenchmarkVerifyQuote(b *testing.B) {
	q := azureQuote(b)
	opts := Options{Now: collateralDate}
	for b.Loop() {
		if c := VerifyQuote(q, opts); c.Verdict != check.Pass {
			b.Fatal(c)
		}
	}
}

func BenchmarkParseQuote(b *testing.B) {
	raw := readReal(b, azureQuoteFile)
	for b.Loop() {
		if _, err := ParseQuote(raw); err != nil {
			b.Fatal(err)
		}
	}
}
