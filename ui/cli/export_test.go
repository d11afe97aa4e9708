package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/maa"
)

// exportAll saves a simulated run's bundle and exports every item from it in its default
// format; items the TEE does not have must fail with exit 1.
func exportAll(t *testing.T, tee string, absent ...string) (dir string, set *evidence.Set, out map[string]string) {
	t.Helper()
	dir = t.TempDir()
	bundle := filepath.Join(dir, "b.json")
	if r := runCLI(t, "--platform", "sim", "--sim-tee", tee, "-o", "json", "-n", "export", "--save", bundle); r.code != 0 {
		t.Fatalf("run: exit %d %s", r.code, r.report.Error)
	}
	set, err := evidence.LoadFiles([]string{bundle})
	if err != nil {
		t.Fatal(err)
	}
	out = map[string]string{}
	for _, it := range exportItems {
		path := filepath.Join(dir, it.name)
		r := runCLI(t, "export", it.name, "--from", bundle, "-o", path)
		if slices.Contains(absent, it.name) {
			if r.code != 1 || !strings.Contains(r.stderr, "holds no "+it.name) {
				t.Errorf("%s on %s: exit %d %q, want exit 1 saying it is missing", it.name, tee, r.code, r.stderr)
			}
			continue
		}
		if r.code != 0 {
			t.Fatalf("export %s: exit %d %s", it.name, r.code, r.stderr)
		}
		out[it.name] = path
	}
	return dir, set, out
}

func inspectPasses(t *testing.T, files []string, ids ...string) {
	t.Helper()
	r := runCLI(t, append([]string{"inspect", "-o", "json", "--trust-simulated"}, files...)...)
	if r.code != 0 {
		t.Errorf("inspect %v: exit %d\n%s", files, r.code, failing(r.report.Checks))
	}
	for _, id := range ids {
		if v := r.verdict(id); v != check.Pass {
			t.Errorf("inspect %v: %s = %s, want pass", files, id, v)
		}
	}
}

// Every item exported from a simulated SEV-SNP run goes back into inspect, which verifies it.
func TestExportRoundTripSEVSNP(t *testing.T) {
	_, set, f := exportAll(t, "sevsnp", "td-quote", "pck-chain")
	inspectPasses(t, []string{f["hcl-report"], f["vcek-chain"]}, "hcl.binding", "snp.signature", "snp.chain")
	inspectPasses(t, []string{f["snp-report"], f["runtime-claims"], f["vcek-chain"]}, "hcl.binding", "snp.signature", "snp.vcek-binding")
	inspectPasses(t, []string{f["ak-pub"], f["quote"], f["quote-sig"], f["pcrs"], f["event-log"], f["ak-cert"]},
		"tpm.quote.signature", "tpm.quote.pcr-digest", "ak.certificate")
	inspectPasses(t, []string{f["token"]}, "jwt.signature")
	// The other banks travel in the PCR file and replay against the log there too (with the
	// quote and its AK: a log and PCR values that nothing signs fail evidence.unverified).
	inspectPasses(t, []string{f["event-log"], f["pcrs"], f["quote"], f["quote-sig"], f["ak-pub"], f["ak-cert"]}, "eventlog.banks-replay")
	if r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", f["event-log"], f["pcrs"]); r.code != 2 || r.verdict("evidence.unverified") != check.Fail ||
		r.verdict("eventlog.banks-replay") != check.Pass {
		t.Errorf("event log and PCRs without a quote: exit %d, evidence.unverified %s, eventlog.banks-replay %s", r.code, r.verdict("evidence.unverified"), r.verdict("eventlog.banks-replay"))
	}

	// The request is the body as sent, byte for byte, and MAA's parser reads it.
	body, _ := os.ReadFile(f["request"])
	if !bytes.Equal(body, set.MAA.Request) {
		t.Error("exported request differs from the bundle's")
	}
	if _, err := maa.ParseGuestRequestInfo(body); err != nil {
		t.Errorf("exported request does not parse: %v", err)
	}
	// The PCR file carries every bank read, SHA-256 under "pcrs".
	pcrs, _ := os.ReadFile(f["pcrs"])
	for _, want := range []string{`"pcrs"`, `"pcrBanks"`, `"sha1"`, `"sha384"`, hex.EncodeToString(set.PCRs[23])} {
		if !bytes.Contains(pcrs, []byte(want)) {
			t.Errorf("pcrs export lacks %s", want)
		}
	}
}

// The TD quote and its PCK chain, exported from a simulated TDX run, verify with the report.
func TestExportRoundTripTDX(t *testing.T) {
	_, _, f := exportAll(t, "tdx", "snp-report", "vcek-chain")
	inspectPasses(t, []string{f["td-quote"], f["hcl-report"]}, "tdx.quote.signature", "tdx.quote.matches-report", "hcl.binding")
	inspectPasses(t, []string{f["pck-chain"]}, "certs.chain")
}

// Other formats encode the same bytes; a live run exports without a bundle.
func TestExportFormats(t *testing.T) {
	dir, set, _ := exportAll(t, "sevsnp", "td-quote", "pck-chain")
	bundle := filepath.Join(dir, "b.json")
	get := func(args ...string) string {
		t.Helper()
		r := runCLI(t, append([]string{"export"}, args...)...)
		if r.code != 0 {
			t.Fatalf("export %v: exit %d %s", args, r.code, r.stderr)
		}
		return r.stdout
	}
	if h, _ := hex.DecodeString(strings.TrimSpace(get("hcl-report", bundle, "--format", "hex"))); !bytes.Equal(h, set.HCLReport) {
		t.Error("hcl-report as hex differs from the report")
	}
	if b, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(get("ak-cert", bundle, "--format", "base64"))); !bytes.Equal(b, set.AKCert) {
		t.Error("ak-cert as base64 differs from the certificate")
	}
	if der := get("ak-cert", bundle, "--format", "der"); der != string(set.AKCert) {
		t.Error("ak-cert as der differs from the certificate")
	}
	if raw := get("ak-pub", bundle, "--format", "raw"); raw != string(set.AKPub) {
		t.Error("ak-pub raw is not the TPM2B_PUBLIC read")
	}
	if blk, _ := pem.Decode([]byte(get("ak-pub", bundle))); blk == nil || blk.Type != "PUBLIC KEY" {
		t.Error("ak-pub default is not a PEM public key")
	}
	if js := get("token", bundle, "--format", "json"); !strings.Contains(js, `"x-ms-attestation-type"`) || !strings.Contains(js, `"alg": "RS256"`) {
		t.Errorf("token as json:\n%.300s", js)
	}
	live := get("hcl-report", "--platform", "sim", "--format", "hex", "-n", "export")
	if h, err := hex.DecodeString(strings.TrimSpace(live)); err != nil || len(h) != 2600 {
		t.Errorf("live hcl-report: %d bytes, %v", len(h), err)
	}
}

func TestExportMisuse(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b.json")
	if r := runCLI(t, "--platform", "sim", "-o", "json", "--save", bundle); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "name an ITEM"},
		{[]string{"hcl"}, `no item "hcl"`},
		{[]string{"hcl-report", bundle, "--format", "pem"}, "--format pem does not suit hcl-report: use raw, hex, base64"},
		{[]string{"td-quote", bundle}, "holds no td-quote"},
		{[]string{"token", "--platform", "sim", "--pcr", "99"}, "--pcr"},
		{[]string{"--lang", "ko", "hcl"}, "항목은 없습니다"},
	} {
		r := runCLI(t, append([]string{"export"}, tc.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("export %v: exit %d, stderr %q; want 1 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if r := runCLI(t, "export", "list"); r.code != 0 || !strings.Contains(r.stdout, "vcek-chain") {
		t.Errorf("export list: exit %d\n%s", r.code, r.stdout)
	}
}

// Binary is not written to a terminal unless asked for in a form a terminal shows.
func TestExportRefusesBinaryToTerminal(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b.json")
	if r := runCLI(t, "--platform", "sim", "-o", "json", "--save", bundle); r.code != 0 {
		t.Fatal(r.stderr)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	go func() { _, _ = bytes.NewBuffer(nil).ReadFrom(ptmx) }()
	var errb bytes.Buffer
	if code := Main([]string{"export", "hcl-report", bundle}, tty, &errb); code != 1 || !strings.Contains(errb.String(), "-o FILE") {
		t.Errorf("raw to a terminal: exit %d %q, want 1 and a pointer to -o FILE", code, errb.String())
	}
	errb.Reset()
	if code := Main([]string{"export", "hcl-report", bundle, "--format", "base64"}, tty, &errb); code != 0 {
		t.Errorf("base64 to a terminal: exit %d %q", code, errb.String())
	}
	errb.Reset()
	if code := Main([]string{"export", "vcek-chain", bundle}, tty, &errb); code != 0 {
		t.Errorf("PEM to a terminal: exit %d %q", code, errb.String())
	}
}

// TestExportNoClobber: -o without --force writes a new file (0600, no temporary file left),
// and never replaces one that exists, even one another program creates while the item is
// being written; --force replaces it.
func TestExportNoClobber(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "item.bin")
	leftovers := func() []string { m, _ := filepath.Glob(filepath.Join(dir, ".cvmscope-export-*")); return m }
	if en, _ := writePrivate(path, []byte("ours"), false); en != "" {
		t.Fatal(en)
	}
	if b, _ := os.ReadFile(path); string(b) != "ours" {
		t.Fatalf("wrote %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if en, ko := writePrivate(path, []byte("again"), false); !strings.Contains(en, "--force") || !strings.Contains(ko, "--force") {
		t.Errorf("over an existing file: %q / %q; want a refusal saying --force", en, ko)
	}
	if en, ko := writePrivate(dir, []byte("x"), true); !strings.Contains(en, "a directory") || !strings.Contains(ko, "디렉터리입니다") {
		t.Errorf("onto a directory: %q / %q; want it named in each language", en, ko)
	}

	other := filepath.Join(dir, "raced.bin")
	exportBeforePlace = func() { os.WriteFile(other, []byte("theirs"), 0o644) }
	en, ko := writePrivate(other, []byte("ours"), false)
	exportBeforePlace = nil
	if !strings.Contains(en, "appeared while writing") || !strings.Contains(en, "--force") || !strings.Contains(ko, "쓰는 동안") {
		t.Errorf("a file created meanwhile: %q / %q; want it left alone and --force named", en, ko)
	}
	if b, _ := os.ReadFile(other); string(b) != "theirs" {
		t.Errorf("a file created meanwhile was replaced: %q", b)
	}
	if en, _ := writePrivate(other, []byte("forced"), true); en != "" {
		t.Fatal(en)
	}
	if b, _ := os.ReadFile(other); string(b) != "forced" {
		t.Errorf("--force wrote %q", b)
	}
	if l := leftovers(); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

// TestExportNoClobberUsesNoHardLink: vfat and SMB shares have no hard links, so a no-clobber
// write that links its temporary file into place fails there. The write is traced (strace,
// in a child process) and must make no link or linkat call. Skips without strace.
func TestExportNoClobberUsesNoHardLink(t *testing.T) {
	if p := os.Getenv("CVMSCOPE_EXPORT_WRITE_CHILD"); p != "" {
		if en, _ := writePrivate(p, []byte("ours"), false); en != "" {
			t.Fatal(en)
		}
		return
	}
	strace, err := exec.LookPath("strace")
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs strace on Linux to see the system calls")
	}
	dir := t.TempDir()
	trace, target := filepath.Join(dir, "trace"), filepath.Join(dir, "out", "item.bin")
	os.Mkdir(filepath.Dir(target), 0o700)
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=link,linkat", "-o", trace, os.Args[0], "-test.run", "^TestExportNoClobberUsesNoHardLink$")
	cmd.Env = append(os.Environ(), "CVMSCOPE_EXPORT_WRITE_CHILD="+target)
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "ptrace") || strings.Contains(string(out), "Operation not permitted") {
			t.Skipf("strace cannot trace here: %s", out)
		}
		t.Fatalf("the traced write: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(target); string(b) != "ours" {
		t.Fatalf("the traced write made %q", b)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "link") {
		t.Errorf("the no-clobber write made hard links, which vfat and SMB refuse:\n%s", b)
	}
}
