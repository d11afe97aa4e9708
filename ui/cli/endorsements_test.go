package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/hw/imdsemu"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

func endorse(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"endorsements"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// A THIM on loopback (the IMDS emulator's endorsement host) endorsing two MRTDs: the list,
// a look-up that finds one (signed with the document's own chain: a warning and exit 2 until
// --endorsement-root pins the root; another root does not do), and one THIM answers 404 for (exit 2).
func TestEndorsementsAgainstLoopbackTHIM(t *testing.T) {
	en, err := simroots.NewEndorser(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	plat, err := simroots.NewTDX(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	a, b := bytes.Repeat([]byte{0xa1}, 48), bytes.Repeat([]byte{0xb2}, 48)
	srv, err := imdsemu.Start(imdsemu.Config{TEE: imdsemu.TEETDX, VMID: "00000000-0000-0000-0000-000000000001", TDX: plat, MRTDs: [][]byte{a, b}, Endorser: en, EndorsementSVN: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	up := func(m []byte) string { return strings.ToUpper(hex.EncodeToString(m)) }

	// THIM's list is unsigned: without a root to check each MRTD's endorsement on, it is
	// printed and exits 2, naming --endorsement-root.
	code, out, errs := endorse(t, "--thim", srv.URL())
	if code != 2 || !strings.Contains(out, "2 MRTDs listed") || !strings.Contains(out, up(a)) || !strings.Contains(out, up(b)) ||
		!strings.Contains(out, "listing NOT verified") || !strings.Contains(errs, "--endorsement-root") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = endorse(t, "--thim", srv.URL(), "--mrtd", hex.EncodeToString(b), "-o", "json")
	var res endorsementsResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s%s", err, out, errs)
	}
	// Listed, but the signature rests only on the document's own chain: the command's answer
	// is not authenticated, so it exits 2 and says how to pin the root.
	if code != 2 || res.MRTD != up(b) || res.Listed == nil || !*res.Listed || res.Check == nil || res.Check.Verdict != "warn" ||
		!strings.Contains(errs, "--endorsement-root") {
		t.Errorf("look-up of an endorsed MRTD without a pinned root: exit %d %+v %+v\n%s", code, res, res.Check, errs)
	}
	pemFile := func(name string, c *x509.Certificate) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := pemFile("root.pem", en.Root)
	code, out, errs = endorse(t, "--thim", srv.URL(), "--mrtd", hex.EncodeToString(b), "--endorsement-root", root)
	if code != 0 || !strings.Contains(out, "PASS tdx.mrtd-endorsed") {
		t.Errorf("look-up with the endorser's root pinned: exit %d\n%s%s", code, out, errs)
	}
	// The listing with the root pinned: each listed MRTD's signed endorsement verifies.
	code, out, errs = endorse(t, "--thim", srv.URL(), "--endorsement-root", root, "-o", "json")
	res = endorsementsResult{}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s%s", err, out, errs)
	}
	if code != 0 || res.Listing == nil || !res.Listing.Verified || len(res.MRTDs) != 2 {
		t.Errorf("listing with the endorser's root pinned: exit %d %+v\n%s", code, res.Listing, errs)
	}
	// An impostor root with the same name as the endorser's: the name decides nothing.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: en.Root.Subject, NotBefore: en.Root.NotBefore, NotAfter: en.Root.NotAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	impostor, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	other := pemFile("other.pem", impostor)
	code, out, errs = endorse(t, "--thim", srv.URL(), "--mrtd", hex.EncodeToString(b), "--endorsement-root", other)
	if code != 2 || strings.Contains(out, "PASS tdx.mrtd-endorsed") {
		t.Errorf("look-up with another root pinned: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = endorse(t, "--thim", srv.URL(), "--endorsement-root", other, "--lang", "ko")
	if code != 2 || !strings.Contains(out, "목록 검증 안 됨") || !strings.Contains(out, up(a)+": ") || !strings.Contains(errs, "목록을 검증하지 못했습니다") ||
		!strings.Contains(out, "목록의 MRTD 2개:\n") || strings.Contains(out, "%!") {
		t.Errorf("listing with another root pinned: exit %d\n%s%s", code, out, errs)
	}
	// The MRTD's own line says why in Korean too (it was the check's English summary).
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, up(a)+": ") && !strings.ContainsFunc(l, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
			t.Errorf("--lang ko, the unverified MRTD's line is not Korean: %q", l)
		}
	}
	// A THIM listing more MRTDs than a listing checks (one request each) is not fetched from
	// MRTD by MRTD: exit 2, saying to look them up with --mrtd.
	many := make([][]byte, maxListingChecks+1)
	for i := range many {
		many[i] = bytes.Repeat([]byte{byte(i)}, 48)
	}
	big, err := imdsemu.Start(imdsemu.Config{TEE: imdsemu.TEETDX, VMID: "00000000-0000-0000-0000-000000000002", TDX: plat, MRTDs: many, Endorser: en, EndorsementSVN: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	if code, out, errs = endorse(t, "--thim", big.URL(), "--endorsement-root", root); code != 2 || !strings.Contains(out, "101 MRTDs listed") ||
		!strings.Contains(out+errs, "more than the 100 a listing checks") {
		t.Errorf("a listing of %d MRTDs: exit %d\n%s%s", len(many), code, out, errs)
	}
	if code, _, errs = endorse(t, "--thim", srv.URL(), "--endorsement-root", pemFile("leaf.pem", en.Leaf)); code != 1 || !strings.Contains(errs, "not a CA") {
		t.Errorf("--endorsement-root given a leaf: exit %d\n%s", code, errs)
	}
	code, out, _ = endorse(t, "--thim", srv.URL(), "--mrtd", strings.Repeat("c3", 48), "--lang", "ko")
	if code != 2 || !strings.Contains(out, "실패 tdx.mrtd-endorsed") || !strings.Contains(out, "목록에 없습니다") {
		t.Errorf("unendorsed MRTD: exit %d\n%s", code, out)
	}
}

// The simulated world, as a user runs it: a TDX run saved as a bundle, then its MRTD
// looked up against the simulated CVM's emulator (signed under the simulated root: pass
// with --trust-simulated, exit 2 without it, since anyone holding cvmscope can sign under
// that root) and its quote's TCB evaluated with the simulated collateral, with and without
// a baseline.
func TestEndorsementsFromSimulatedBundle(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "tdx.json")
	if r := runCLI(t, "--platform", "sim", "--sim-tee", "tdx", "-o", "json", "--save", bundle); r.code != 0 {
		t.Fatalf("simulated TDX run: exit %d\n%s", r.code, r.stderr)
	}
	code, out, errs := endorse(t, "--from", bundle, "--trust-simulated")
	if code != 0 || !strings.Contains(out, "PASS tdx.mrtd-endorsed") || !strings.Contains(out, "Intel UpToDate") || !strings.Contains(out, "NotEvaluated") {
		t.Fatalf("from the bundle: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = endorse(t, "--from", bundle)
	if code != 2 || strings.Contains(out, "PASS tdx.mrtd-endorsed") || !strings.Contains(out, "FAIL tdx.quote.signature") ||
		!strings.Contains(errs, "add --trust-simulated to trust its test endorser's root") {
		t.Errorf("from the bundle without --trust-simulated: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = endorse(t, "--lang", "ko")
	if code != 2 || !strings.Contains(errs, "--trust-simulated를 붙입니다") {
		t.Errorf("simulated listing without --trust-simulated: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs = endorse(t, "--trust-simulated"); code != 0 || !strings.Contains(out, "1 MRTD listed:") ||
		!strings.Contains(out, "listing verified: the one listed MRTD has a signed endorsement") {
		t.Errorf("simulated listing with --trust-simulated: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = endorse(t, "--from", bundle, "--tcb-baseline", "2099-01-01", "--trust-simulated")
	if code != 2 || !strings.Contains(out, "with baseline 2099-01-01: OutOfDate") {
		t.Errorf("baseline after every level: exit %d\n%s", code, out)
	}
	code, out, _ = endorse(t, "--from", bundle, "--tcb-baseline", "2000-01-01", "--lang", "ko", "--trust-simulated")
	if code != 0 || !strings.Contains(out, "기준일 2000-01-01 적용: UpToDate") {
		t.Errorf("baseline before the level: exit %d\n%s", code, out)
	}
}

// A quote whose TCB is judged must itself verify: the simulated TD's quote with its
// REPORTDATA altered keeps its endorsed MRTD and its TCB, and exits 2 for the signature.
func TestEndorsementsTamperedQuote(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "tdx.json")
	if r := runCLI(t, "--platform", "sim", "--sim-tee", "tdx", "-o", "json", "--save", bundle); r.code != 0 {
		t.Fatalf("simulated TDX run: exit %d\n%s", r.code, r.stderr)
	}
	set, err := evidence.LoadFiles([]string{bundle})
	if err != nil || len(set.TDQuote) < 48+584 {
		t.Fatalf("bundle: %v, %d quote bytes", err, len(set.TDQuote))
	}
	quote := bytes.Clone(set.TDQuote)
	quote[48+520] ^= 1 // REPORTDATA's first byte (TD report body offset 520)
	path := filepath.Join(dir, "quote.bin")
	if err := os.WriteFile(path, quote, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := endorse(t, "--from", path, "--trust-simulated")
	if code != 2 || !strings.Contains(out, "PASS tdx.mrtd-endorsed") || !strings.Contains(out, "FAIL tdx.quote.signature") || !strings.Contains(out, "Intel UpToDate") {
		t.Errorf("tampered quote: exit %d\n%s%s", code, out, errs)
	}
	// The same MRTD in the HCL report alone (its TDREPORT only MAC'd by the CPU): endorsed,
	// but nothing signed says a TD has it, so exit 2 naming the TD quote to add.
	hclPath := filepath.Join(dir, "hcl.bin")
	if err := os.WriteFile(hclPath, set.HCLReport, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = endorse(t, "--from", hclPath, "--trust-simulated")
	if code != 2 || !strings.Contains(out, "PASS tdx.mrtd-endorsed") || !strings.Contains(out, "FAIL evidence.unverified: "+hclPath+": the MRTD comes from a TDREPORT") ||
		!strings.Contains(out, "add the TD quote") {
		t.Errorf("HCL report without its TD quote: exit %d\n%s%s", code, out, errs)
	}
	// The genuine quote alone: its signature is checked (tdx.quote.signature) with the MRTD.
	good := filepath.Join(dir, "good-quote.bin")
	if err := os.WriteFile(good, set.TDQuote, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs = endorse(t, "--from", good, "-o", "json", "--trust-simulated"); code != 0 || !strings.Contains(out, `"id": "tdx.quote.signature"`) {
		t.Errorf("genuine quote: exit %d\n%s%s", code, out, errs)
	}
}

func TestEndorsementsMisuse(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mrtd", "abcd"}, "96 hex digits"},
		{[]string{"--collateral", "intel"}, "use pcs"},
		{[]string{"--region", "koreacentral"}, "add --network"},
		{[]string{"--tcb-baseline", "June"}, "want a date"},
		{[]string{"--mrtd", strings.Repeat("00", 48), "--from", "x"}, "give one"},
		{[]string{"stray"}, "after --from"},
	} {
		code, _, errs := endorse(t, c.args...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, code, errs, c.want)
		}
	}
	if code, _, errs := endorse(t, "--tcb-baseline", "June", "--lang", "ko"); code != 1 || !strings.Contains(errs, "날짜") {
		t.Errorf("Korean misuse: %d %q", code, errs)
	}
}

// The real Azure TDX quote with Intel's saved collateral: Intel says OutOfDate for its
// 2023-08-09 level; a baseline before that date accepts it (Microsoft's relaxation), one
// after it changes nothing. Its MRTD is not the simulated THIM's: exit 2 either way.
func TestEndorsementsRealQuoteBaseline(t *testing.T) {
	dir := realdata.Dir(t)
	args := []string{}
	for _, n := range []string{"aztdx-tdquote-trustee-6332533d.bin", "intel-tdx-tcbinfo-00806f050000.json", "intel-tdx-qeidentity.json",
		"intel-tcb-signing-chain.pem", "intel-pck-platform-crl.der"} {
		args = append(args, "--from", filepath.Join(dir, n))
	}
	code, out, errs := endorse(t, append(args, "--tcb-baseline", "2023-01-01")...)
	if code != 2 || !strings.Contains(out, "Intel OutOfDate, tcbDate 2023-08-09") || !strings.Contains(out, "with baseline 2023-01-01: UpToDate") {
		t.Errorf("baseline before the level: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = endorse(t, append(args, "--tcb-baseline", "2024-01-01")...)
	if code != 2 || !strings.Contains(out, "with baseline 2024-01-01: OutOfDate (the baseline changes nothing)") {
		t.Errorf("baseline after the level: exit %d\n%s", code, out)
	}
	// Without collateral the real quote's TCB is not judged by the simulated platform's
	// (it read as a bad PCK CRL signature and hid the endorsement's verdict).
	code, out, errs = endorse(t, "--from", filepath.Join(dir, "aztdx-tdquote-trustee-6332533d.bin"))
	if code != 2 || !strings.Contains(out, "FAIL tdx.mrtd-endorsed") || strings.Contains(errs, "CRL") {
		t.Errorf("real quote, no collateral: exit %d\n%s%s", code, out, errs)
	}
}
