package evidence

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realDir is ../shared/testdata/real beside the repository checkout.
func realDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "real"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real samples not found at %s (../shared beside the checkout): %v", dir, err)
	}
	return dir
}

func TestDetectRealSamples(t *testing.T) {
	dir := realDir(t)
	want := map[string]Kind{
		"azsnp-hcl-trustee-911b0ef8.bin":                  KindHCLReport,
		"azsnp-hcl-kinvolk-baefd3e1.bin":                  KindHCLReport,
		"aztdx-hcl-trustee-6332533d.bin":                  KindHCLReport,
		"aztdx-tdquote-trustee-6332533d.bin":              KindTDQuote,
		"tdx-quote-dcaprs-00806f050000.bin":               KindTDQuote,
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin":         KindTPMAttest,
		"azsnp-tpmquote-trustee-911b0ef8.sig.bin":         KindSignature,
		"azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin": KindPCRs,
		"azsnp-eventlog-cvmmeasure-ncc40ads.bin":          KindEventLog,
		"azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json":    KindPCRs,
		"aztdx-eventlog-ita.bin":                          KindEventLog,
		"gce-sevsnp-ubuntu2404-eventlog.bin":              KindEventLog,
		"baremetal-archlinux-eventlog.bin":                KindEventLog,
		"amd-milan-vcek-ask-ark-trustee-911b0ef8.pem":     KindCertificates,
		"amd-milan-vcek-gosevguest.der":                   KindCertificates,
		"snp-report-gosevguest.bin":                       KindSNPReport,
		"azvtpm-akpub-kinvolk-2024.pem":                   KindPublicKey,
		"azcvm-hcl-vardata-kinvolk.json":                  KindRuntimeClaims,
		"maa-sgx-sharedeus-teaclave-2023.jwt":             KindJWT,
		"maa-azureguest-sharedeus2-cvmga-2022.jwt":        KindJWT,
		"maa-jwks-sharedeus-teaclave-2023.json":           KindJWKS,
		"intel-tdx-tcbinfo-00806f050000.json":             KindTCBInfo,
		"intel-tdx-qeidentity.json":                       KindQEIdentity,
		"intel-pck-platform-crl.der":                      KindCRL,
		"intel-root-ca-crl.der":                           KindCRL,
		"intel-tcb-signing-chain.pem":                     KindCertificates,
	}
	for name, k := range want {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(data); got != k {
			t.Errorf("Detect(%s) = %s, want %s", name, got, k)
		}
	}
}

func TestLoadFilesCombinesOneSet(t *testing.T) {
	dir := realDir(t)
	var paths []string
	for _, n := range []string{"azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem",
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin",
		"azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin", "intel-tcb-signing-chain.pem", "intel-root-ca-crl.der"} {
		paths = append(paths, filepath.Join(dir, n))
	}
	s, err := LoadFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.HCLReport) != 2600 || s.Quote == nil || len(s.Quote.Msg) != 122 || len(s.Quote.Sig) != 256 {
		t.Fatalf("set misses pieces: hcl %d, quote %+v", len(s.HCLReport), s.Quote)
	}
	if len(s.PCRs) != 24 || len(s.Certs) != 3 {
		t.Errorf("got %d PCRs and %d certs, want 24 and 3 (VCEK, ASK, ARK)", len(s.PCRs), len(s.Certs))
	}
	if !bytes.Contains(s.Collateral.SigningChain, []byte("BEGIN CERTIFICATE")) || len(s.Collateral.RootCRL) == 0 {
		t.Error("Intel TCB signing chain and root CRL were not sorted into collateral")
	}
	if len(s.Files) != len(paths) {
		t.Errorf("recorded %d files, want %d", len(s.Files), len(paths))
	}
}

func TestLoadFilesErrorsNameTheFile(t *testing.T) {
	tmp := t.TempDir()
	junk := filepath.Join(tmp, "junk.bin")
	os.WriteFile(junk, []byte("hello, not evidence"), 0o600)
	if _, err := LoadFiles([]string{junk}); err == nil || !strings.Contains(err.Error(), "junk.bin") || !strings.Contains(err.Error(), "cannot tell") {
		t.Errorf("unknown file: got %v", err)
	}
	if _, err := LoadFiles([]string{filepath.Join(tmp, "missing.bin")}); err == nil || !strings.Contains(err.Error(), "missing.bin") {
		t.Errorf("missing file: got %v", err)
	}
	dir := realDir(t)
	a := filepath.Join(dir, "azsnp-hcl-trustee-911b0ef8.bin")
	b := filepath.Join(dir, "azsnp-hcl-kinvolk-baefd3e1.bin")
	if _, err := LoadFiles([]string{a, b}); err == nil || !strings.Contains(err.Error(), "second HCL report") {
		t.Errorf("two reports: got %v", err)
	}
}

// Damaged files of a recognised kind are recorded with the parser's error, not refused and
// not put into the set.
func TestLoadFilesRecordsDamage(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.bin")
	os.WriteFile(bad, append([]byte("HCLA"), make([]byte, 40)...), 0o600)
	s, err := LoadFiles([]string{bad})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.HCLReport) != 0 || len(s.Files) != 1 || s.Files[0].Kind != KindHCLReport || !strings.Contains(s.Files[0].Err, "offset") {
		t.Errorf("damaged HCL report: set %+v", s.Files)
	}
}

func TestBundleRoundTripAtomic0600(t *testing.T) {
	s := &Set{Source: SourceSim, TEE: TEESEVSNP, HCLReport: []byte("HCLA\x02"), PCRs: map[int][]byte{0: make([]byte, 32), 7: bytes.Repeat([]byte{7}, 32)},
		Quote: &Quote{Msg: []byte{1, 2}, Sig: []byte{3}}, Token: "eyJ.a.b", EventLog: []byte{9, 9},
		PCRBanks: map[string]map[int][]byte{"sha1": {7: bytes.Repeat([]byte{1}, 20)}}}
	path := filepath.Join(t.TempDir(), "evidence.json")
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if err := SaveBundle(path, s, "cvmscope test", now); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("bundle mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	back, err := LoadFiles([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.HCLReport, s.HCLReport) || !bytes.Equal(back.PCRs[7], s.PCRs[7]) || !bytes.Equal(back.PCRBanks["sha1"][7], s.PCRBanks["sha1"][7]) || back.Token != s.Token || back.TEE != TEESEVSNP {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestParseBundleErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"format":"cvmscope-evidence","version":99,"evidence":{}}`:                                               `"version" is 99`,
		`{"format":"other","version":1,"evidence":{}}`:                                                            `"format"`,
		`{"format":"cvmscope-evidence","version":1}`:                                                              `"evidence" is missing`,
		`{"format":"cvmscope-evidence","version":1,"evidence":{"pcrs":{"3":"AAAA"}}}`:                             `evidence.pcrs.3`,
		`{"format":"cvmscope-evidence","version":1,"evidence":{"pcrs":{"30":"` + b64zero32 + `"}}}`:               `out of range`,
		`{"format":"cvmscope-evidence","version":1,"evidence":{"hclReport":42}}`:                                  `hclReport`,
		`{"format":"cvmscope-evidence","version":1,"evidence":{"pcrBanks":{"sha1":{"3":"` + b64zero32 + `"}}}}`:   `evidence.pcrBanks.sha1.3`,
		`{"format":"cvmscope-evidence","version":1,"evidence":{"pcrBanks":{"sha256":{"3":"` + b64zero32 + `"}}}}`: `go in "pcrs"`,
		`{"format":"cvmscope-evidence","version":1,"evidence":{`:                                                  `not valid JSON`,
	}
	for in, want := range cases {
		_, err := ParseBundle([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBundle(%s) = %v, want an error mentioning %s", in, err, want)
		}
	}
}

const b64zero32 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

func TestParsePCRsJSON(t *testing.T) {
	dir := realDir(t)
	data, _ := os.ReadFile(filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json"))
	m, err := ParsePCRs(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m[0]; !ok || len(m) < 10 {
		t.Errorf("parsed %d PCRs: %v", len(m), m)
	}
}

func FuzzParseBundle(f *testing.F) {
	s := &Set{Source: SourceSim, HCLReport: []byte("HCLA"), PCRs: map[int][]byte{1: make([]byte, 32)}}
	seed, _ := MarshalBundle(s, "fuzz", time.Unix(0, 0))
	f.Add(seed)
	f.Add([]byte(`{"format":"cvmscope-evidence","version":1,"evidence":{"quote":{"msg":"AQI="}}}`))
	// A bundle of the real Azure SNP evidence, when ../shared is beside the checkout.
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "real"))
	var paths []string
	for _, n := range []string{"azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem",
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin",
		"azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin", "azsnp-eventlog-cvmmeasure-ncc40ads.bin"} {
		paths = append(paths, filepath.Join(dir, n))
	}
	if real, err := LoadFiles(paths); err == nil {
		b, _ := MarshalBundle(real, "fuzz", time.Unix(0, 0))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data)
		if err != nil {
			return
		}
		for i, p := range b.Evidence.PCRs {
			if i < 0 || i > 23 || len(p) != 32 {
				t.Fatalf("accepted PCR %d with %d bytes", i, len(p))
			}
		}
		// A set that parsed must survive Add as a file too.
		var s Set
		_ = s.Add("fuzz.json", data)
	})
}
