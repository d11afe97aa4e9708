package tpm2tools

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/hw/tpm/swtpmtest"
	"github.com/google/go-tpm/tpm2"
)

// tools runs tpm2-tools against a fresh swtpm: the files under test are written by the
// tools themselves, never copied from elsewhere.
type tools struct {
	t    *testing.T
	dir  string
	tcti string
}

func newTools(t *testing.T) *tools {
	t.Helper()
	if _, err := exec.LookPath("tpm2_quote"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tpm2-tools is not installed and CI is set")
		}
		t.Skip("tpm2-tools is not installed; .ci/run installs it")
	}
	_, tcti := swtpmtest.Start(t)
	return &tools{t: t, dir: t.TempDir(), tcti: tcti}
}

func (x *tools) run(args ...string) {
	x.t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = x.dir
	cmd.Env = append(os.Environ(), "TPM2TOOLS_TCTI="+x.tcti)
	if out, err := cmd.CombinedOutput(); err != nil {
		x.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	// No resource manager sits in front of swtpm: free transient objects between commands.
	if args[0] != "tpm2_flushcontext" {
		x.run("tpm2_flushcontext", "-t")
	}
}

func (x *tools) read(name string) []byte {
	x.t.Helper()
	b, err := os.ReadFile(filepath.Join(x.dir, name))
	if err != nil {
		x.t.Fatal(err)
	}
	return b
}

// quote makes an AK and quotes sel with it; it returns the tools' default outputs.
func (x *tools) quote(sel string) (msg, sig, pcrFile, values, akPEM []byte) {
	x.run("tpm2_createprimary", "-C", "e", "-c", "prim.ctx", "-Q")
	x.run("tpm2_create", "-C", "prim.ctx", "-G", "rsa2048:rsassa:null", "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign",
		"-u", "ak.pub", "-r", "ak.priv", "-Q")
	x.run("tpm2_load", "-C", "prim.ctx", "-u", "ak.pub", "-r", "ak.priv", "-c", "ak.ctx", "-Q")
	x.run("tpm2_readpublic", "-c", "ak.ctx", "-f", "pem", "-o", "ak.pem", "-Q")
	// Extend something so that the values are not all zero.
	x.run("tpm2_pcrextend", "1:sha256="+strings.Repeat("ab", 32)+",sha1="+strings.Repeat("cd", 20))
	x.run("tpm2_quote", "-c", "ak.ctx", "-l", sel, "-q", "c0ffee", "-m", "q.msg", "-s", "q.sig", "-o", "q.pcrs", "-g", "sha256")
	x.run("tpm2_pcrread", sel, "-o", "values.bin", "-Q")
	return x.read("q.msg"), x.read("q.sig"), x.read("q.pcrs"), x.read("values.bin"), x.read("ak.pem")
}

func TestReadsWhatTpm2ToolsWrites(t *testing.T) {
	x := newTools(t)
	msg, sigFile, pcrs, values, akPEM := x.quote("sha256:0,1,2,3,4,5,6,7,10,16")
	if !IsSignature(sigFile) || !IsPCRFile(pcrs) {
		t.Fatalf("not recognised: signature %v, PCR file %v", IsSignature(sigFile), IsPCRFile(pcrs))
	}
	sig, err := ParseSignature(sigFile)
	if err != nil || sig.Scheme != AlgRSASSA || sig.Hash != AlgSHA256 || len(sig.RSA) != 256 {
		t.Fatalf("ParseSignature: %+v, %v", sig, err)
	}
	banks, err := ParsePCRFile(pcrs)
	if err != nil || len(banks) != 1 || banks[0].Hash != AlgSHA256 || len(banks[0].Values) != 10 {
		t.Fatalf("ParsePCRFile: %+v, %v", banks, err)
	}
	a, err := tpmquote.ParseAttest(msg)
	if err != nil {
		t.Fatal(err)
	}
	sel := []Selection{{Hash: uint16(a.Selection[0].Hash), PCRs: a.Selection[0].PCRs}}
	split, err := SplitValues(values, sel)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, p := range banks[0].Indices() {
		if !bytes.Equal(split[0].Values[p], banks[0].Values[p]) {
			t.Errorf("PCR %d: tpm2_pcrread %x, tpm2_quote -o %x", p, split[0].Values[p], banks[0].Values[p])
		}
		h.Write(banks[0].Values[p])
	}
	if !bytes.Equal(h.Sum(nil), a.PCRDigest) {
		t.Error("the PCR file's values do not hash to the quote's pcrDigest")
	}
	ak, err := tpmquote.ParsePublic(akPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tpmquote.VerifyQuote(msg, sig.RSA, ak, banks[0].Values, []byte{0xc0, 0xff, 0xee}) {
		if c.Verdict == check.Fail {
			t.Errorf("%s: %s", c.ID, c.Summary)
		}
	}
	if _, err := SplitValues(values[:len(values)-1], sel); err == nil {
		t.Error("values one byte short were split")
	}
}

// A selection of two banks: the digests follow bank by bank, with each bank's size, and the
// quote's pcrDigest covers both banks in the selection's order, whichever comes first.
func TestPCRFileTwoBanks(t *testing.T) {
	x := newTools(t)
	for _, sel := range []string{"sha1:1,3+sha256:1,16", "sha256:0,1,2,3,4,5,6,7+sha1:0,1,2,3,4,5,6,7"} {
		msg, sigFile, pcrs, values, akPEM := x.quote(sel)
		banks, err := ParsePCRFile(pcrs)
		if err != nil || len(banks) != 2 {
			t.Fatalf("%s: ParsePCRFile: %+v, %v", sel, banks, err)
		}
		all := tpmquote.Banks{}
		for _, b := range banks {
			for p, v := range b.Values {
				if len(v) != DigestSize(b.Hash) {
					t.Errorf("%s PCR %d: %d bytes", HashName(b.Hash), p, len(v))
				}
			}
			all[tpm2.TPMAlgID(b.Hash)] = b.Values
		}
		sig, err := ParseSignature(sigFile)
		if err != nil {
			t.Fatal(err)
		}
		ak, err := tpmquote.ParsePublic(akPEM)
		if err != nil {
			t.Fatal(err)
		}
		l := tpmquote.VerifyQuoteBanks(msg, sig.RSA, ak, all, []byte{0xc0, 0xff, 0xee})
		if c := l.Find(tpmquote.IDPCRDigest)[0]; c.Verdict != check.Pass {
			t.Errorf("%s: %s %s %v", sel, c.Verdict, c.Summary, c.Details)
		}
		// tpm2_pcrread -o writes the same values in the selection's order.
		a, err := tpmquote.ParseAttest(msg)
		if err != nil {
			t.Fatal(err)
		}
		var split []Selection
		for _, b := range a.Selection {
			split = append(split, Selection{Hash: uint16(b.Hash), PCRs: b.PCRs})
		}
		read, err := SplitValues(values, split)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range read {
			for p, v := range b.Values {
				if !bytes.Equal(v, all[tpm2.TPMAlgID(b.Hash)][p]) {
					t.Errorf("%s: tpm2_pcrread bank %d PCR %d differs from tpm2_quote -o", sel, i, p)
				}
			}
		}
		// Without the SHA-1 values the digest cannot be checked, and the failure says so.
		only256 := tpmquote.Banks{tpm2.TPMAlgSHA256: all[tpm2.TPMAlgSHA256]}
		c := tpmquote.VerifyQuoteBanks(msg, sig.RSA, ak, only256, nil).Find(tpmquote.IDPCRDigest)[0]
		if c.Verdict != check.Fail || !strings.Contains(strings.Join(c.Details, "\n"), "covers the sha1 bank too") {
			t.Errorf("%s, SHA-256 values only: %s %s %v", sel, c.Verdict, c.Summary, c.Details)
		}
		// SHA-1 values under the SHA-256 bank's name and the other way round: no match.
		swapped := tpmquote.Banks{tpm2.TPMAlgSHA256: all[tpm2.TPMAlgSHA1], tpm2.TPMAlgSHA1: all[tpm2.TPMAlgSHA256]}
		if c := tpmquote.VerifyQuoteBanks(msg, sig.RSA, ak, swapped, nil).Find(tpmquote.IDPCRDigest)[0]; c.Verdict != check.Fail {
			t.Errorf("%s, banks swapped: %s %s", sel, c.Verdict, c.Summary)
		}
	}
}

// NewTools and QuoteFiles give the external tests in this directory what tpm2-tools writes,
// to load as inspect does.
func NewTools(t *testing.T) *tools { return newTools(t) }

// QuoteFiles quotes sel and returns the paths of the TPMS_ATTEST, the TPMT_SIGNATURE, the
// PCR file (-o), the values of tpm2_pcrread -o and the AK's PEM, in that order.
func (x *tools) QuoteFiles(sel string) []string {
	x.t.Helper()
	msg, sig, pcrs, values, ak := x.quote(sel)
	dir := x.t.TempDir()
	var out []string
	for i, b := range [][]byte{msg, sig, pcrs, values, ak} {
		p := filepath.Join(dir, []string{"quote.msg", "quote.sig", "quote.pcrs", "values.bin", "ak.pem"}[i])
		if err := os.WriteFile(p, b, 0o600); err != nil {
			x.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestErrorsSayWhere(t *testing.T) {
	sig := append([]byte{0, 0x14, 0, 0x0b, 1, 0}, make([]byte, 256)...)
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"short": {sig[:4], "at least 6"},
		"ecdsa": {append([]byte{0, 0x18}, sig[2:]...), "scheme 0x0018"},
		"cut":   {sig[:200], "offset 4"},
		"hash":  {append([]byte{0, 0x14, 0, 0x99}, sig[4:]...), "offset 2"},
	} {
		if _, err := ParseSignature(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := ParsePCRFile(make([]byte, 100)); err == nil {
		t.Error("a 100-byte file read as a PCR file")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(append([]byte{0, 0x14, 0, 0x0b, 1, 0}, make([]byte, 256)...))
	pf := make([]byte, selListSize+4+digestList)
	pf[0], pf[4], pf[6], pf[7], pf[selListSize], pf[selListSize+4] = 1, 0x0b, 3, 3, 1, 2
	pf[selListSize+8], pf[selListSize+8+tpm2bSize] = 32, 32
	f.Add(pf)
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := ParseSignature(b); err == nil && len(s.RSA)+6 != len(b) {
			t.Fatalf("signature of %d bytes from %d", len(s.RSA), len(b))
		}
		if banks, err := ParsePCRFile(b); err == nil {
			for _, bk := range banks {
				for _, v := range bk.Values {
					if len(v) != DigestSize(bk.Hash) {
						t.Fatal("a digest of the wrong size was accepted")
					}
				}
			}
		}
		_, _ = SplitValues(b, []Selection{{Hash: AlgSHA256, PCRs: []int{0, 1}}})
	})
}
