package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/veraison/go-cose"
)

var endorseNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testMRTD(b byte) []byte { return bytes.Repeat([]byte{b}, 48) }

func simEndorser(t *testing.T) *simroots.Endorser {
	t.Helper()
	e, err := simroots.NewEndorser(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// selfSigned makes a throwaway signer that is not the simulated endorser: an attacker's
// endorsement, as far as a verifier with pinned roots is concerned.
func selfSigned(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "self-made endorser"},
		NotBefore: endorseNow.Add(-time.Hour), NotAfter: endorseNow.Add(time.Hour), BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return k, c
}

func coseSign(t *testing.T, alg cose.Algorithm, key any, chain []*x509.Certificate, payload string, tagged bool) []byte {
	t.Helper()
	var signer cose.Signer
	var err error
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		signer, err = cose.NewSigner(alg, k)
	case ed25519.PrivateKey:
		signer, err = cose.NewSigner(alg, k)
	}
	if err != nil {
		t.Fatal(err)
	}
	hdr := cose.ProtectedHeader{cose.HeaderLabelAlgorithm: alg, cose.HeaderLabelContentType: "application/json"}
	if len(chain) > 0 {
		var ders []any
		for _, c := range chain {
			ders = append(ders, c.Raw)
		}
		hdr[cose.HeaderLabelX5Chain] = ders
	}
	m := cose.NewSign1Message()
	m.Headers.Protected = hdr
	m.Payload = []byte(payload)
	if err := m.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	var b []byte
	if tagged {
		b, err = m.MarshalCBOR()
	} else {
		b, err = (*cose.UntaggedSign1Message)(m).MarshalCBOR()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSimulatedEndorsementParses(t *testing.T) {
	en := simEndorser(t)
	m := testMRTD(0xA5)
	b, err := en.Sign(m, 7)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := en.Sign(m, 7)
	if !bytes.Equal(b, again) {
		t.Error("the simulated endorser is not deterministic")
	}
	e, err := ParseEndorsement(b)
	if err != nil {
		t.Fatal(err)
	}
	if e.Alg != "PS384" || e.ContentType != "application/json" || len(e.Chain) != 3 || e.SVN != "7" {
		t.Errorf("alg %s, content type %q, chain %d, SVN %q", e.Alg, e.ContentType, len(e.Chain), e.SVN)
	}
	if !e.Lists(m) || e.Lists(testMRTD(0xA6)) || len(e.MRTDs) != 1 || e.MRTDKeys[0] != simroots.EndorsementMRTDKey {
		t.Errorf("MRTDs %x under %v", e.MRTDs, e.MRTDKeys)
	}
	if !e.Chain[0].Equal(en.Certificate()) || !simroots.IsSimulated(e.Chain[0]) || !simroots.IsSimulated(e.Chain[2]) {
		t.Error("x5chain is not the simulated endorser's, or lacks the SIMULATED label")
	}
	// Base64 text of the same document, as reference info is distributed, parses the same.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		e2, err := ParseEndorsement([]byte(enc.EncodeToString(b) + "\n"))
		if err != nil || !e2.Lists(m) {
			t.Errorf("base64 form: %v", err)
		}
	}
}

func TestCheckMRTDEndorsedVerdicts(t *testing.T) {
	en := simEndorser(t)
	m := testMRTD(0x11)
	good, _ := en.Sign(m, 1)
	pinned := EndorsementOptions{Roots: en.Roots(), Now: endorseNow, Source: "the simulated THIM"}

	c := CheckMRTDEndorsed(m, [][]byte{good}, pinned)
	if c.Verdict != check.Pass || c.ID != "tdx.mrtd-endorsed" || !strings.Contains(c.Summary, "vTPM PCRs") || !strings.Contains(c.Summary, "SIMULATED") {
		t.Errorf("endorsed MRTD: %s", c)
	}
	if !strings.Contains(strings.Join(c.Details, "\n"), hex.EncodeToString(m)) {
		t.Error("details must give the full MRTD")
	}

	c = CheckMRTDEndorsed(testMRTD(0x12), [][]byte{good}, pinned)
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "not a Microsoft-endorsed paravisor") {
		t.Errorf("another MRTD: %s", c)
	}

	// Without a pinned root the same document can only warn, and must say why.
	c = CheckMRTDEndorsed(m, [][]byte{good}, EndorsementOptions{Now: endorseNow})
	if c.Verdict != check.Warn || !strings.Contains(c.Summary, "pins no Microsoft endorsement root") || !strings.Contains(c.Summary, "embedded chain") {
		t.Errorf("unpinned: %s", c)
	}

	// A flipped payload byte breaks the signature.
	e, _ := ParseEndorsement(good)
	i := bytes.Index(good, e.Payload)
	bad := bytes.Clone(good)
	bad[i+len(`{"x-ms-tdx-mrtd":"`)+5] ^= 0x01 // one MRTD hex digit: still valid JSON
	if _, err := ParseEndorsement(bad); err != nil {
		t.Fatalf("tampered copy no longer parses, the test does not exercise the signature: %v", err)
	}
	for _, o := range []EndorsementOptions{pinned, {Now: endorseNow}} {
		if c := CheckMRTDEndorsed(m, [][]byte{bad}, o); c.Verdict != check.Fail || !strings.Contains(c.Summary, "altered") {
			t.Errorf("tampered (roots %v): %s", o.Roots != nil, c)
		}
	}

	// A self-made endorsement listing the MRTD: refused against the pinned root, a warning
	// without one.
	k, cert := selfSigned(t)
	forged := coseSign(t, cose.AlgorithmES384, k, []*x509.Certificate{cert}, `{"x-ms-tdx-mrtd":"`+hex.EncodeToString(m)+`"}`, true)
	if c := CheckMRTDEndorsed(m, [][]byte{forged}, pinned); c.Verdict != check.Fail || !strings.Contains(c.Summary, "not trusted") {
		t.Errorf("forged, pinned: %s", c)
	}
	if c := CheckMRTDEndorsed(m, [][]byte{forged}, EndorsementOptions{Now: endorseNow}); c.Verdict != check.Warn {
		t.Errorf("forged, unpinned: %s", c)
	}
	// One good endorsement among bad ones is enough.
	if c := CheckMRTDEndorsed(m, [][]byte{bad, forged, []byte("junk"), good}, pinned); c.Verdict != check.Pass || len(c.Details) < 6 {
		t.Errorf("mixed: %s %v", c, c.Details)
	}

	// Nothing fetched, the service's 404, or nothing supplied.
	if c := CheckMRTDEndorsed(m, nil, EndorsementOptions{FetchErr: errors.New("dial tcp: connection refused")}); c.Verdict != check.Warn || !strings.Contains(strings.Join(c.Details, " "), "connection refused") {
		t.Errorf("fetch error: %s", c)
	}
	if c := CheckMRTDEndorsed(m, nil, EndorsementOptions{NotListed: true}); c.Verdict != check.Fail {
		t.Errorf("404: %s", c)
	}
	if c := CheckMRTDEndorsed(m, nil, EndorsementOptions{}); c.Verdict != check.Skip || !strings.Contains(c.Summary, "vTPM PCRs") {
		t.Errorf("none: %s", c)
	}
	if c := CheckMRTDEndorsed(m, [][]byte{[]byte("<html>404</html>")}, pinned); c.Verdict != check.Warn || !strings.Contains(strings.Join(c.Details, " "), "COSE_Sign1") {
		t.Errorf("unreadable: %s %v", c, c.Details)
	}
	if c := CheckMRTDEndorsed(m[:10], [][]byte{good}, pinned); c.Verdict != check.Fail || !strings.Contains(c.Summary, "10 bytes") {
		t.Errorf("short MRTD: %s", c)
	}
	// Expired at the verification time: the chain no longer verifies.
	late := pinned
	late.Now = simroots.NotAfter.Add(time.Hour)
	if c := CheckMRTDEndorsed(m, [][]byte{good}, late); c.Verdict != check.Fail {
		t.Errorf("after the endorsement chain expired: %s", c)
	}
	// Unpinned, an expired chain is reported, not refused: the verdict is a warning anyway.
	if c := CheckMRTDEndorsed(m, [][]byte{good}, EndorsementOptions{Now: late.Now}); c.Verdict != check.Warn || !strings.Contains(strings.Join(c.Details, " "), "expired 2049") {
		t.Errorf("after expiry, unpinned: %s %v", c, c.Details)
	}
}

// The reader is lenient about the payload's shape and encoding, and exact about what it
// could not read.
func TestParseEndorsementLenientAndErrors(t *testing.T) {
	k, cert := selfSigned(t)
	m1, m2 := testMRTD(0x21), testMRTD(0x22)
	nested := `{"endorsement":{"Paravisor":{"MRTDs":["` + strings.ToUpper(hex.EncodeToString(m1)) + `","0x` + hex.EncodeToString(m2) + `","zz"]},"svn":4}}`
	for _, tagged := range []bool{true, false} {
		e, err := ParseEndorsement(coseSign(t, cose.AlgorithmES384, k, []*x509.Certificate{cert}, nested, tagged))
		if err != nil {
			t.Fatalf("tagged=%v: %v", tagged, err)
		}
		if !e.Lists(m1) || !e.Lists(m2) || e.SVN != "4" || len(e.Notes) != 1 || e.MRTDKeys[0] != "endorsement.Paravisor.MRTDs" {
			t.Errorf("tagged=%v: MRTDs %d, SVN %q, notes %v, keys %v", tagged, len(e.MRTDs), e.SVN, e.Notes, e.MRTDKeys)
		}
	}
	for _, tc := range []struct {
		name, field string
		in          []byte
	}{
		{"empty", "input", nil},
		{"json", "COSE_Sign1", []byte(`{"mrtd":"00"}`)},
		{"no mrtd", "payload", coseSign(t, cose.AlgorithmES384, k, []*x509.Certificate{cert}, `{"version":1,"measurement":"ab"}`, true)},
		{"not json", "payload", coseSign(t, cose.AlgorithmES384, k, []*x509.Certificate{cert}, "\xa1\x01\x02", true)},
		{"truncated", "COSE_Sign1", coseSign(t, cose.AlgorithmES384, k, []*x509.Certificate{cert}, `{"mrtd":"`+hex.EncodeToString(m1)+`"}`, true)[:40]},
	} {
		_, err := ParseEndorsement(tc.in)
		var pe *EndorsementParseError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.field)
		}
	}
	// An algorithm outside the pinned set, or no key in the document, is never verified.
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ed := coseSign(t, cose.AlgorithmEdDSA, edKey, []*x509.Certificate{cert}, `{"mrtd":"`+hex.EncodeToString(m1)+`"}`, true)
	if c := CheckMRTDEndorsed(m1, [][]byte{ed}, EndorsementOptions{Now: endorseNow}); c.Verdict != check.Warn || !strings.Contains(c.Summary, "EdDSA") {
		t.Errorf("EdDSA: %s", c)
	}
	nokey := coseSign(t, cose.AlgorithmES384, k, nil, `{"mrtd":"`+hex.EncodeToString(m1)+`"}`, true)
	if c := CheckMRTDEndorsed(m1, [][]byte{nokey}, EndorsementOptions{Now: endorseNow}); c.Verdict != check.Warn || !strings.Contains(c.Summary, "x5chain") {
		t.Errorf("no x5chain: %s", c)
	}
	if c := CheckMRTDEndorsed(m2, [][]byte{nokey}, EndorsementOptions{Now: endorseNow}); c.Verdict != check.Fail {
		t.Errorf("no x5chain, other MRTD: %s", c)
	}
}

func FuzzParseEndorsement(f *testing.F) {
	en, err := simroots.NewEndorser(simroots.DefaultSeed())
	if err != nil {
		f.Fatal(err)
	}
	good, _ := en.Sign(testMRTD(1), 1)
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte{0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEndorsement(b)
		if err == nil {
			_ = CheckMRTDEndorsed(testMRTD(1), [][]byte{e.Raw}, EndorsementOptions{Roots: en.Roots()})
		}
	})
}
