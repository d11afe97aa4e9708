package tdx

import (
	"crypto/x509"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-tdx-guest/verify"
)

// VerifyQuote no longer calls go-tdx-guest's TdxQuote (which verified the PCK chain twice more
// and the root's self-signature); go-tdx-guest stays the reference: on both real v4 quotes, at
// dates inside and after the PCK certificate's validity, and with one bit flipped at offsets
// across header, body, signature, attestation key, QE report, its signature, the auth data
// and the PCK chain, both must accept or refuse the same quotes.
func TestVerifyQuoteAgreesWithGoTDXGuest(t *testing.T) {
	roots, err := parsePEMChain(readReal(t, "intel-sgx-root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	var passed, refused int
	for _, file := range []string{azureQuoteFile, dcapQuoteFile} {
		good := readReal(t, file)
		q0, err := ParseQuote(good)
		if err != nil {
			t.Fatal(err)
		}
		// Every 61st byte, and the first bytes of each part of the signed data.
		offs := []int{-1}
		for off := 0; off < len(q0.Raw); off += 61 {
			offs = append(offs, off)
		}
		offs = append(offs, q0.sigSizeOff+4, q0.sigSizeOff+4+64, q0.certDataOff, q0.certDataOff+qeReportSize, q0.authOff+2)
		for _, now := range []time.Time{collateralDate, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)} {
			for _, off := range offs {
				b := slices.Clone(good)
				if off >= 0 {
					b[off] ^= 0x10
				}
				q, err := ParseQuote(b)
				if err != nil {
					continue // both refuse a quote that does not parse; go-tdx-guest is given only parsed ones
				}
				ours := VerifyQuote(q, Options{Now: now})
				theirs := verify.TdxQuote(q.Proto, &verify.Options{TrustedRoots: pool,
					Now: &verify.TimeSet{PckCertChain: now, TcbInfo: now, QeIdentity: now, PckCrl: now, RootCaCrl: now}})
				if (ours.Verdict == check.Pass) != (theirs == nil) {
					t.Errorf("%s, bit 4 of byte %d flipped, at %s: cvmscope %v %v; go-tdx-guest %v", file, off, now.Format(time.DateOnly), ours.Verdict, ours.Summary, theirs)
				}
				if ours.Verdict == check.Pass {
					passed++
				} else {
					refused++
				}
			}
		}
	}
	// Both outcomes must occur, or the comparison says nothing.
	if passed < 2 || refused < 50 {
		t.Errorf("%d quotes passed and %d were refused; expected the two untouched quotes to pass and most flips to be refused", passed, refused)
	}
	t.Logf("%d passed, %d refused, all as go-tdx-guest decided", passed, refused)
}

// A quote parsed again from the same bytes reuses the certificates of the last parse (inspect
// parses one quote three times) but not its extensions, which callers may change; another
// quote's chain is parsed afresh.
func TestParseQuoteReusesLastChain(t *testing.T) {
	a, b := azureQuote(t), azureQuote(t)
	if a.PCK != b.PCK || a.Intermediate != b.Intermediate || a.Root != b.Root {
		t.Error("the same quote parsed twice parsed its certificates twice")
	}
	b.PCKExt.FMSPC = "90C06F000000"
	b.PCKExt.TCB.CPUSvnComponents[0]++
	if c := azureQuote(t); c.FMSPC() != "00806f050000" || c.PCKExt.TCB.CPUSvnComponents[0] != a.PCKExt.TCB.CPUSvnComponents[0] {
		t.Errorf("a change to one quote's extensions reached the next parse: FMSPC %s, CPU SVN %v", c.FMSPC(), c.PCKExt.TCB.CPUSvnComponents)
	}
	d, err := ParseQuote(readReal(t, dcapQuoteFile))
	if err != nil {
		t.Fatal(err)
	}
	if d.PCK == a.PCK || d.PCK.Equal(a.PCK) {
		t.Error("another quote got the last quote's PCK certificate")
	}
}

// The notes that carry values come with their Korean, dates included: pages built it from
// the English with a regexp whose "$2부터" named a group "2부터" that does not exist, so the
// Korean leaf note lost both dates.
func TestValueNotesInKorean(t *testing.T) {
	want := map[string]string{
		"pck.leaf":                 "발급자 \"Intel SGX PCK Platform CA\", 2023-09-13부터 2030-09-13까지 유효합니다.",
		"pck.intermediate":         "발급자 \"Intel SGX Root CA\".",
		"tee_tcb_svn (module SVN)": "TDX 모듈 1, SVN 2 (TEE_TCB_SVN[0:2]의 리틀 엔디언 16비트 값이며, MAA가 tdx_seamsvn을 정확히 어떻게 구하는지는 문서화되지 않았습니다).",
	}
	for _, f := range azureQuote(t).Fields() {
		if w, ok := want[f.Name]; ok {
			if f.NoteKO != w {
				t.Errorf("%s: NoteKO %q, want %q", f.Name, f.NoteKO, w)
			}
			delete(want, f.Name)
		}
	}
	for name := range want {
		t.Errorf("no field %s", name)
	}
}

// BenchmarkVerifyAzureQuote is inspect's TDX work in process: parse the quote and verify its
// signatures and chain (BENCHMARKS.md; `go test -bench VerifyAzureQuote -cpuprofile`).
func BenchmarkVerifyAzureQuote(b *testing.B) {
	raw := readReal(b, azureQuoteFile)
	for b.Loop() {
		q, err := ParseQuote(raw)
		if err != nil {
			b.Fatal(err)
		}
		if c := VerifyQuote(q, Options{Now: collateralDate}); c.Verdict != check.Pass {
			b.Fatalf("%v", c)
		}
	}
}

// Quotes with different chains parsed at once (inspect --each on every core) each get their
// own certificates.
func TestParseQuoteConcurrent(t *testing.T) {
	files := []string{azureQuoteFile, dcapQuoteFile}
	want := make([]string, len(files))
	raws := make([][]byte, len(files))
	for i, f := range files {
		raws[i] = readReal(t, f)
		q, err := ParseQuote(raws[i])
		if err != nil {
			t.Fatal(err)
		}
		want[i] = string(q.PCK.Raw)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for n := range 20 {
				i := (g + n) % len(files)
				q, err := ParseQuote(raws[i])
				if err != nil {
					errs <- err.Error()
					return
				}
				if string(q.PCK.Raw) != want[i] {
					errs <- files[i] + " got another quote's PCK certificate"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
