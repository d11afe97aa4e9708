//go:build unix

package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
)

// hostileRow is one damaged, oversized, special or misplaced input given to inspect.
type hostileRow struct {
	name string
	// files are written to a temporary directory under their names; paths are used as they are.
	files map[string][]byte
	paths []string
	flags []string
	// code is the exit code; for 2, id is the failing check that names the cause, and for
	// checks about a file (parse, unused) its summary names the file. For 1, stderr names
	// the first file.
	code int
	id   string
	// maxAlloc, when set, bounds the bytes allocated by the whole in-process run.
	maxAlloc uint64
}

// parseOrUnused lists the checks whose summary must name the file they are about.
func aboutAFile(id string) bool {
	return strings.HasSuffix(id, ".parse") || id == "input.unused"
}

func TestHostileInputs(t *testing.T) {
	dir := realDir(t)
	tmp := t.TempDir()
	rows := hostileRows(t, dir, tmp)
	if len(rows) < 150 {
		t.Fatalf("only %d rows; the table must cover at least 150 inputs", len(rows))
	}
	for i, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			rdir := filepath.Join(tmp, fmt.Sprintf("row%03d", i))
			if err := os.Mkdir(rdir, 0o700); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"inspect", "-o", "json", "--now", "2025-03-01T00:00:00Z"}, row.flags...)
			var first string
			for _, name := range sortedNames(row.files) {
				p := filepath.Join(rdir, name)
				if err := os.WriteFile(p, row.files[name], 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, p)
				if first == "" {
					first = name
				}
			}
			args = append(args, row.paths...)
			if len(row.paths) > 0 && row.code == 1 {
				first = filepath.Base(row.paths[0])
			}
			var out, errb bytes.Buffer
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			code := Main(args, &out, &errb)
			runtime.ReadMemStats(&after)
			if row.maxAlloc > 0 {
				if got := after.TotalAlloc - before.TotalAlloc; got > row.maxAlloc {
					t.Errorf("allocated %d bytes, over the bound of %d", got, row.maxAlloc)
				}
			}
			if code != row.code {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %.2000s", code, row.code, errb.String(), out.String())
			}
			if code == 1 {
				if !strings.Contains(errb.String(), first) {
					t.Errorf("stderr does not name %s: %s", first, errb.String())
				}
				return
			}
			var rep struct {
				Checks check.List `json:"checks"`
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("stdout is not the JSON report: %v\n%.500s", err, out.String())
			}
			if code == 0 {
				return
			}
			var found *check.Check
			for i, c := range rep.Checks {
				if c.ID == row.id && c.Verdict == check.Fail {
					found = &rep.Checks[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no failing %s among:\n%s", row.id, failing(rep.Checks))
			}
			if aboutAFile(row.id) && !strings.Contains(found.Summary, first) {
				t.Errorf("%s does not name %s: %s", row.id, first, found.Summary)
			}
		})
	}
}

func sortedNames(m map[string][]byte) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	// Stable order, so that "first" (the file a row is about) is the one named first: row
	// builders name that file with a leading "a-".
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	return names
}

func mustRead(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func flip(b []byte, off int) []byte {
	c := append([]byte(nil), b...)
	c[off] ^= 0x01
	return c
}

func put32le(b []byte, off int, v uint32) []byte {
	c := append([]byte(nil), b...)
	binary.LittleEndian.PutUint32(c[off:], v)
	return c
}

func put16be(b []byte, off int, v uint16) []byte {
	c := append([]byte(nil), b...)
	binary.BigEndian.PutUint16(c[off:], v)
	return c
}

// truncRows cuts data at each offset; every cut must fail id, naming the file.
func truncRows(label, name string, data []byte, offsets []int, id string, with map[string][]byte) []hostileRow {
	var rows []hostileRow
	for _, off := range offsets {
		files := map[string][]byte{"a-" + name: data[:off]}
		for n, b := range with {
			files[n] = b
		}
		rows = append(rows, hostileRow{name: fmt.Sprintf("%s cut at %d", label, off), files: files, code: 2, id: id})
	}
	return rows
}

// simEvidence runs the simulated CVM once per TEE and returns its saved evidence.
func simEvidence(t *testing.T, tmp, tee string) *evidence.Set {
	t.Helper()
	p := filepath.Join(tmp, "sim-"+tee+".json")
	var out, errb bytes.Buffer
	if code := Main([]string{"--platform", "sim", "--sim-tee", tee, "--flow", "platform", "--save", p, "-o", "json", "--no-baseline"}, &out, &errb); code != 0 && code != 2 {
		t.Fatalf("simulated %s run: exit %d: %s", tee, code, errb.String())
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := evidence.ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return bd.Evidence
}

func hostileRows(t *testing.T, dir, tmp string) []hostileRow {
	var rows []hostileRow
	add := func(r ...hostileRow) { rows = append(rows, r...) }

	// --- Real HCL report (SEV-SNP), with and without its VCEK chain.
	hclRaw := mustRead(t, dir, "azsnp-hcl-trustee-911b0ef8.bin")
	vcek := mustRead(t, dir, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	add(truncRows("HCL report", "hcl.bin", hclRaw, []int{4, 16, 31, 32, 100, 600, 1215, 1216, 1230, 1235, 1236, 1500, 2000, 2345}, "hcl.parse", nil)...)
	add(hostileRow{name: "HCL report_size 0xffffffff", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 8, 0xffffffff)}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL report_size one past the end", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 8, uint32(len(hclRaw)+1))}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL variable_data_size 0xffffffff", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 1232, 0xffffffff)}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL variable_data_size past the end", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 1232, uint32(len(hclRaw)-1236+1))}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL igvm data_size 0xffffffff", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 1216, 0xffffffff)}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL report_type 9", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 1224, 9)}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL version 0", files: map[string][]byte{"a-hcl.bin": put32le(hclRaw, 4, 0)}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL claims JSON broken", files: map[string][]byte{"a-hcl.bin": flip(hclRaw, 1236)}, code: 2, id: "hcl.parse"},
		hostileRow{name: "HCL claims byte flipped", files: map[string][]byte{"a-hcl.bin": flip(hclRaw, 1236+200)}, code: 2, id: "hcl.binding"},
		hostileRow{name: "HCL REPORT_DATA flipped", files: map[string][]byte{"a-hcl.bin": flip(hclRaw, 32+0x50)}, code: 2, id: "hcl.binding"},
	)
	add(hostileRow{name: "HCL SNP reserved byte 0x29f set", files: map[string][]byte{"a-hcl.bin": flip(hclRaw, 32+0x29f), "vcek.pem": vcek}, code: 2, id: "snp.parse"})
	for _, off := range []int{0x20, 0x90, 0x1a0} { // signed body of the SNP report
		add(hostileRow{name: fmt.Sprintf("HCL SNP body flipped at 0x%x", off), files: map[string][]byte{"a-hcl.bin": flip(hclRaw, 32+off), "vcek.pem": vcek}, code: 2, id: "snp.signature"})
	}
	for _, off := range []int{0x2a0, 0x2d0, 0x2f0, 0x310} { // the signature's r and s
		add(hostileRow{name: fmt.Sprintf("HCL SNP signature flipped at 0x%x", off), files: map[string][]byte{"a-hcl.bin": flip(hclRaw, 32+off), "vcek.pem": vcek}, code: 2, id: "snp.signature"})
	}

	// --- Real raw SNP report and its DER VCEK.
	snpRaw := mustRead(t, dir, "snp-report-gosevguest.bin")
	vcekDER := mustRead(t, dir, "amd-milan-vcek-gosevguest.der")
	add(truncRows("SNP report", "snp.bin", snpRaw, []int{0x38, 100, 0x2a0, 1000, 1183}, "snp.parse", nil)...)
	add(hostileRow{name: "SNP report with trailing data", files: map[string][]byte{"a-snp.bin": append(append([]byte(nil), snpRaw...), "tail"...)}, code: 2, id: "snp.parse"})
	for _, off := range []int{0x50, 0x90, 0x2a0, 0x300} {
		add(hostileRow{name: fmt.Sprintf("SNP report flipped at 0x%x", off), files: map[string][]byte{"a-snp.bin": flip(snpRaw, off), "vcek.der": vcekDER}, code: 2, id: "snp.signature"})
	}
	add(truncRows("VCEK DER", "vcek.der", vcekDER, []int{12, 100, 700, 1359}, "certs.parse", nil)...)

	// --- Real TPM quote: TPMS_ATTEST, signature, PCRs, AK public.
	msg := mustRead(t, dir, "azvtpm-quote-kinvolk-2024.msg.bin")
	sig := mustRead(t, dir, "azvtpm-quote-kinvolk-2024.sig.bin")
	pcrs := mustRead(t, dir, "azvtpm-quote-kinvolk-2024.pcrs-sha256.bin")
	akpub := mustRead(t, dir, "azvtpm-akpub-kinvolk-2024.pem")
	quoteSet := map[string][]byte{"sig.bin": sig, "pcrs.bin": pcrs, "akpub.pem": akpub}
	add(truncRows("TPMS_ATTEST", "msg.bin", msg, []int{4, 5, 6, 7, 8, 10, 20, 40, 60, 80, 100, 121}, "tpm.quote.parse", nil)...)
	add(truncRows("TPMS_ATTEST with its signature and AK", "msg.bin", msg, []int{30, 90}, "tpm.quote.parse", quoteSet)...)
	add(hostileRow{name: "TPMS_ATTEST trailing byte", files: map[string][]byte{"a-msg.bin": append(append([]byte(nil), msg...), 0)}, code: 2, id: "tpm.quote.parse"},
		hostileRow{name: "TPMS_ATTEST qualifiedSigner.size 0xffff", files: map[string][]byte{"a-msg.bin": put16be(msg, 6, 0xffff)}, code: 2, id: "tpm.quote.parse"},
		hostileRow{name: "TPMS_ATTEST qualifiedSigner.size +1", files: map[string][]byte{"a-msg.bin": put16be(msg, 6, binary.BigEndian.Uint16(msg[6:])+1)}, code: 2, id: "tpm.quote.parse"},
	)
	signer := int(binary.BigEndian.Uint16(msg[6:]))
	extraOff := 8 + signer
	selOff := extraOff + 2 + int(binary.BigEndian.Uint16(msg[extraOff:])) + 17 + 8
	add(hostileRow{name: "TPMS_ATTEST extraData.size 0xffff", files: map[string][]byte{"a-msg.bin": put16be(msg, extraOff, 0xffff)}, code: 2, id: "tpm.quote.parse"},
		hostileRow{name: "TPMS_ATTEST pcrSelect.count 0xffffffff", files: map[string][]byte{"a-msg.bin": put16be(put16be(msg, selOff, 0xffff), selOff+2, 0xffff)}, code: 2, id: "tpm.quote.parse"},
		hostileRow{name: "TPMS_ATTEST pcrSelect.count 2", files: map[string][]byte{"a-msg.bin": put16be(msg, selOff+2, 2)}, code: 2, id: "tpm.quote.parse"},
		hostileRow{name: "TPMS_ATTEST pcrDigest.size past the end", files: map[string][]byte{"a-msg.bin": put16be(msg, len(msg)-34, 0x40)}, code: 2, id: "tpm.quote.parse"},
	)
	for _, off := range []int{extraOff + 3, selOff - 5, len(msg) - 1} { // signed: extra data, firmware, PCR digest
		files := map[string][]byte{"a-msg.bin": flip(msg, off)}
		for n, b := range quoteSet {
			files[n] = b
		}
		add(hostileRow{name: fmt.Sprintf("TPMS_ATTEST flipped at %d", off), files: files, code: 2, id: "tpm.quote.signature"})
	}
	for _, off := range []int{0, 100, 255} {
		add(hostileRow{name: fmt.Sprintf("quote signature flipped at %d", off), files: map[string][]byte{"a-sig.bin": flip(sig, off), "msg.bin": msg, "pcrs.bin": pcrs, "akpub.pem": akpub}, code: 2, id: "tpm.quote.signature"})
	}
	add(hostileRow{name: "PCR value flipped", files: map[string][]byte{"a-pcrs.bin": flip(pcrs, 5), "msg.bin": msg, "sig.bin": sig, "akpub.pem": akpub}, code: 2, id: "tpm.quote.pcr-digest"})
	add(truncRows("AK public PEM", "akpub.pem", akpub, []int{30, 100, 200, 400}, "ak.parse", nil)...)

	// --- Real event log: cuts inside events, sizes pointing past the end.
	elog := mustRead(t, dir, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	add(truncRows("event log", "eventlog.bin", elog, []int{48, 60, 100, 1000, 5000, 20000, 36000, 36485}, "eventlog.parse", nil)...)
	specSize := int(binary.LittleEndian.Uint32(elog[28:]))
	second := 32 + specSize
	add(hostileRow{name: "event log Spec ID event size 0xffffffff", files: map[string][]byte{"a-eventlog.bin": put32le(elog, 28, 0xffffffff)}, code: 2, id: "eventlog.parse"},
		hostileRow{name: "event log Spec ID event size past the end", files: map[string][]byte{"a-eventlog.bin": put32le(elog, 28, uint32(len(elog)))}, code: 2, id: "eventlog.parse"},
		hostileRow{name: "event log digest count 0xffffffff", files: map[string][]byte{"a-eventlog.bin": put32le(elog, second+8, 0xffffffff)}, code: 2, id: "eventlog.parse"},
		hostileRow{name: "event log digest count 0", files: map[string][]byte{"a-eventlog.bin": put32le(elog, second+8, 0)}, code: 2, id: "eventlog.parse"},
		hostileRow{name: "event log second event size 0xffffffff", files: map[string][]byte{"a-eventlog.bin": put32le(elog, second+12+(2+20)+(2+32)+(2+48), 0xffffffff)}, code: 2, id: "eventlog.parse"},
		hostileRow{name: "event log digest algorithm unknown", files: map[string][]byte{"a-eventlog.bin": put16be(elog, second+12, 0x7777)}, code: 2, id: "eventlog.parse"},
	)
	for _, name := range []string{"aztdx-eventlog-ita.bin", "gce-sevsnp-ubuntu2404-eventlog.bin", "baremetal-archlinux-eventlog.bin"} {
		l := mustRead(t, dir, name)
		add(truncRows(name, "eventlog.bin", l, []int{50, len(l) / 3, len(l) - 1}, "eventlog.parse", nil)...)
	}

	// --- Real TD quote (its PCK chain inside).
	tdq := mustRead(t, dir, "aztdx-tdquote-trustee-6332533d.bin")
	tdqEnd := 636 + int(binary.LittleEndian.Uint32(tdq[632:]))
	add(truncRows("TD quote", "tdquote.bin", tdq, []int{8, 48, 100, 631, 632, 636, 1000, 3000, tdqEnd - 1}, "tdx.parse", nil)...)
	add(hostileRow{name: "TD quote signed_data_size 0xffffffff", files: map[string][]byte{"a-tdquote.bin": put32le(tdq, 632, 0xffffffff)}, code: 2, id: "tdx.parse"},
		hostileRow{name: "TD quote signed_data_size +1", files: map[string][]byte{"a-tdquote.bin": put32le(tdq, 632, binary.LittleEndian.Uint32(tdq[632:])+1)}, code: 2, id: "tdx.parse"},
		hostileRow{name: "SGX quote given as TD evidence", files: map[string][]byte{"a-tdquote.bin": put32le(tdq, 4, 0)}, code: 2, id: "tdx.parse"},
		hostileRow{name: "TD quote version 3", files: map[string][]byte{"a-tdquote.bin": put32le(tdq, 0, 0x00020003)}, code: 2, id: "tdx.parse"},
		hostileRow{name: "TD quote trailing data", files: map[string][]byte{"a-tdquote.bin": append(append([]byte(nil), tdq...), "tail"...)}, code: 2, id: "tdx.parse"},
	)
	for _, off := range []int{48 + 10, 48 + 136, 48 + 520, 636 + 10} { // body (TEE_TCB_SVN, MRTD, REPORTDATA) and signature
		add(hostileRow{name: fmt.Sprintf("TD quote flipped at %d", off), files: map[string][]byte{"a-tdquote.bin": flip(tdq, off)}, code: 2, id: "tdx.quote.signature"})
	}
	dcap := mustRead(t, dir, "tdx-quote-dcaprs-00806f050000.bin")
	add(truncRows("DCAP TD quote", "tdquote.bin", dcap, []int{40, 700, 4000}, "tdx.parse", nil)...)
	tdhcl := mustRead(t, dir, "aztdx-hcl-trustee-6332533d.bin")
	add(truncRows("TDX HCL report", "hcl.bin", tdhcl, []int{40, 1100, 2000}, "hcl.parse", nil)...)
	add(hostileRow{name: "TDX HCL TDREPORT flipped against its quote", files: map[string][]byte{"a-hcl.bin": flip(tdhcl, 32+128+40), "tdquote.bin": tdq}, code: 2, id: "tdx.quote.matches-report"})

	// --- PEM certificate bundles.
	add(truncRows("VCEK chain PEM", "vcek.pem", vcek, []int{30, 100, 1000, 1950, 3251, 5000, 6400}, "certs.parse", map[string][]byte{"hcl.bin": hclRaw})...)
	pck := mustRead(t, dir, "intel-pck-chain-from-aztdx-trustee-6332533d.pem")
	add(truncRows("PCK chain PEM", "pck.pem", pck, []int{40, 1500, 3600}, "certs.parse", nil)...)
	signing := mustRead(t, dir, "intel-tcb-signing-chain.pem")
	add(truncRows("TCB signing chain PEM", "signing.pem", signing, []int{40, 1000}, "certs.parse", nil)...)
	add(hostileRow{name: "VCEK PEM with a bad base64 line", files: map[string][]byte{"a-vcek.pem": bytes.Replace(vcek, []byte("MII"), []byte("M!I"), 1), "hcl.bin": hclRaw}, code: 2, id: "certs.parse"})
	// A flipped bit in the VCEK's own signature: it still parses, but no longer chains.
	if blk, rest := pem.Decode(vcek); blk != nil {
		der := flip(blk.Bytes, len(blk.Bytes)-10)
		bad := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), rest...)
		add(hostileRow{name: "VCEK signature flipped", files: map[string][]byte{"a-vcek.pem": bad, "hcl.bin": hclRaw}, code: 2, id: "snp.chain"})
		tbs := flip(blk.Bytes, 400)
		bad = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tbs}), rest...)
		add(hostileRow{name: "VCEK public key flipped", files: map[string][]byte{"a-vcek.pem": bad, "hcl.bin": hclRaw}, code: 2, id: "certs.parse"})
		thim, _ := json.Marshal(map[string]string{"vcekCert": string(pem.EncodeToMemory(blk)), "certificateChain": string(rest), "tcbm": "0"})
		add(hostileRow{name: "THIM JSON with its HCL report is read", files: map[string][]byte{"a-thim.json": thim, "hcl.bin": hclRaw}, code: 0})
		add(truncRows("THIM JSON", "thim.json", thim, []int{20, 2000}, "certs.parse", map[string][]byte{"hcl.bin": hclRaw})...)
	}

	// --- CRLs, JSON collateral, runtime claims, PCR JSON, JWKS.
	crl := mustRead(t, dir, "intel-pck-platform-crl.der")
	add(truncRows("PCK CRL", "crl.der", crl, []int{12, 300, 2661}, "crl.parse", nil)...)
	rootCRL := mustRead(t, dir, "intel-root-ca-crl.der")
	add(truncRows("root CRL", "crl.der", rootCRL, []int{12, 200}, "crl.parse", nil)...)
	tcb := mustRead(t, dir, "intel-tdx-tcbinfo-00806f050000.json")
	add(truncRows("TCB info", "tcbinfo.json", tcb, []int{12, 500, 4900}, "tdx.collateral.parse", nil)...)
	qe := mustRead(t, dir, "intel-tdx-qeidentity.json")
	add(truncRows("QE identity", "qeid.json", qe, []int{22, 300, 600}, "tdx.collateral.parse", nil)...)
	claims := mustRead(t, dir, "azcvm-hcl-vardata-kinvolk.json")
	add(truncRows("runtime claims", "claims.json", claims, []int{30, 500, 1100}, "hcl.parse", nil)...)
	jwks := mustRead(t, dir, "maa-jwks-sharedeus-teaclave-2023.json")
	add(truncRows("JWKS", "jwks.json", jwks, []int{10, 500, 20000}, "jwks.parse", nil)...)
	pcrJSON := mustRead(t, dir, "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json")
	add(truncRows("PCR JSON", "pcrs.json", pcrJSON, []int{800, 1600}, "pcrs.parse", nil)...)

	// --- Tokens.
	tok := bytes.TrimSpace(mustRead(t, dir, "maa-sgx-sharedeus-teaclave-2023.jwt"))
	dots := bytes.Split(tok, []byte("."))
	add(truncRows("JWT", "token.jwt", tok, []int{3, 20, len(dots[0]) + 1, len(dots[0]) + 200, len(tok) - len(dots[2]) - 1}, "jwt.parse", nil)...)
	add(hostileRow{name: "JWT with a non-base64url character", files: map[string][]byte{"a-token.jwt": append(append([]byte(nil), tok[:1000]...), "!!"...)}, code: 2, id: "jwt.parse"},
		hostileRow{name: "JWT with four parts", files: map[string][]byte{"a-token.jwt": append(append([]byte(nil), tok...), ".x"...)}, code: 2, id: "jwt.parse"},
	)
	sigFlip := append([]byte(nil), tok...)
	last := len(sigFlip) - 20
	sigFlip[last] = map[bool]byte{true: 'A', false: 'B'}[sigFlip[last] != 'A']
	add(hostileRow{name: "JWT signature changed (SGX token, its keys by --jwks)", files: map[string][]byte{"a-token.jwt": sigFlip}, flags: []string{"--jwks", filepath.Join(dir, "maa-jwks-sharedeus-teaclave-2023.json"), "--now", "2023-09-26T12:00:00Z"}, code: 2, id: "jwt.signature"})

	// --- Files that parse but that nothing checks alone.
	for name, b := range map[string][]byte{"sig.bin": sig, "pcrs.bin": pcrs, "msg.bin": msg, "akpub.pem": akpub,
		"claims.json": claims, "jwks.json": jwks} {
		add(hostileRow{name: "alone: " + name, files: map[string][]byte{"a-" + name: b}, code: 2, id: "input.unused"})
	}
	// Certificates, CRLs, collateral and event logs get a verdict of their own; a year on,
	// the CRL and the collateral of February 2025 are stale. An event log is shown, but
	// nothing signed covers it.
	for name, b := range map[string][]byte{"vcek.pem": vcek, "vcek.der": vcekDER, "pck.pem": pck} {
		add(hostileRow{name: "alone: " + name, files: map[string][]byte{"a-" + name: b}, code: 0})
	}
	add(hostileRow{name: "alone: eventlog.bin", files: map[string][]byte{"a-eventlog.bin": elog}, code: 2, id: "evidence.unverified"})
	// A CRL or collateral passes only with the certificate that signed it: Intel's root CA CRL
	// has it built in; the PCK CRL needs the PCK chain and collateral the TCB signing chain.
	add(hostileRow{name: "alone: root CRL", files: map[string][]byte{"a-crl.der": rootCRL}, code: 0},
		hostileRow{name: "alone: PCK CRL", files: map[string][]byte{"a-crl.der": crl}, code: 2, id: "crl.signature"},
		hostileRow{name: "PCK CRL with its chain", files: map[string][]byte{"a-crl.der": crl, "pck.pem": pck}, code: 0},
		hostileRow{name: "PCK CRL with another chain", files: map[string][]byte{"a-crl.der": crl, "signing.pem": signing}, code: 2, id: "crl.signature"},
		// Beside a TD quote without collateral (no tdx.tcb), the CRL is still judged, with
		// the quote's PCK chain for revocation.
		hostileRow{name: "TD quote with the PCK CRL, no collateral", files: map[string][]byte{"a-tdquote.bin": tdq, "crl.der": crl}, code: 0},
		hostileRow{name: "TD quote with a stale PCK CRL, no collateral", files: map[string][]byte{"a-tdquote.bin": tdq, "crl.der": crl}, flags: []string{"--now", "2026-03-01T00:00:00Z"}, code: 2, id: "crl.fresh"})
	for name, b := range map[string][]byte{"tcbinfo.json": tcb, "qeid.json": qe} {
		add(hostileRow{name: "alone: " + name, files: map[string][]byte{"a-" + name: b}, code: 2, id: "tdx.collateral.signature"},
			hostileRow{name: name + " with the signing chain", files: map[string][]byte{"a-" + name: b, "signing.pem": signing}, code: 0},
			hostileRow{name: name + " with the PCK chain", files: map[string][]byte{"a-" + name: b, "pck.pem": pck}, code: 2, id: "tdx.collateral.signature"})
	}
	later := []string{"--now", "2026-03-01T00:00:00Z"}
	add(hostileRow{name: "a year on: crl.der", files: map[string][]byte{"a-crl.der": crl, "pck.pem": pck}, flags: later, code: 2, id: "crl.fresh"},
		hostileRow{name: "a year on: tcbinfo.json", files: map[string][]byte{"a-tcbinfo.json": tcb}, flags: later, code: 2, id: "tdx.collateral.fresh"},
		hostileRow{name: "a year on: qeid.json", files: map[string][]byte{"a-qeid.json": qe}, flags: later, code: 2, id: "tdx.collateral.fresh"})
	add(hostileRow{name: "certificate where a report is expected", files: map[string][]byte{"b-vcek.pem": vcek, "a-msg.bin": msg}, code: 2, id: "input.unused"},
		hostileRow{name: "quote signature without its message", files: map[string][]byte{"a-sig.bin": sig, "hcl.bin": hclRaw}, code: 2, id: "input.unused"},
		hostileRow{name: "zero-filled 768 bytes (PCR-sized)", files: map[string][]byte{"a-zero.bin": make([]byte, 768)}, code: 2, id: "input.unused"},
		hostileRow{name: "zero-filled 256 bytes (signature-sized)", files: map[string][]byte{"a-zero.bin": make([]byte, 256)}, code: 2, id: "input.unused"},
	)

	// --- Unrecognisable: exit 1, naming the file.
	for name, b := range map[string][]byte{"empty.bin": nil, "zero.bin": make([]byte, 1000), "text.txt": []byte("hello, not evidence\n"),
		"json-array.json": []byte("[1,2,3]"), "other.json": []byte(`{"hello":"world"}`), "deep-other.json": []byte(`{"x":` + strings.Repeat("[", 100_000)),
		"pem-key.pem": []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "snp-v99.bin": put32le(snpRaw, 0, 99), "sig-cut.bin": sig[:200]} {
		add(hostileRow{name: "unrecognised: " + name, files: map[string][]byte{"a-" + name: b}, code: 1, maxAlloc: 16 << 20})
	}

	// --- Deep and large JSON: damaged by its kind, at bounded cost.
	minimal, err := evidence.MarshalBundle(&evidence.Set{Source: evidence.SourceFiles, HCLReport: hclRaw}, "test", time0())
	if err != nil {
		t.Fatal(err)
	}
	deep := func(prefix string, n int) []byte {
		return []byte(prefix + strings.Repeat("[", n) + strings.Repeat("]", n) + "}")
	}
	add(truncRows("bundle", "bundle.json", minimal, []int{40, 100, len(minimal) / 2, len(minimal) - 3}, "bundle.parse", nil)...)
	add(hostileRow{name: "bundle version 99", files: map[string][]byte{"a-bundle.json": bytes.Replace(minimal, []byte(`"version": 1`), []byte(`"version": 99`), 1)}, code: 2, id: "bundle.parse"},
		hostileRow{name: "bundle with hclReport not base64", files: map[string][]byte{"a-bundle.json": []byte(`{"format":"cvmscope-evidence","version":1,"evidence":{"hclReport":"%%%"}}`)}, code: 2, id: "bundle.parse"},
		hostileRow{name: "bundle with a damaged HCL report inside", files: map[string][]byte{"a-bundle.json": bundleWith(t, &evidence.Set{Source: evidence.SourceFiles, HCLReport: hclRaw[:1500]})}, code: 2, id: "hcl.parse"},
		hostileRow{name: "bundle with a damaged quote inside", files: map[string][]byte{"a-bundle.json": bundleWith(t, &evidence.Set{Source: evidence.SourceFiles, Quote: &evidence.Quote{Msg: msg[:60], Sig: sig}})}, code: 2, id: "tpm.quote.parse"},
		hostileRow{name: "bundle 100k nested arrays", files: map[string][]byte{"a-bundle.json": deep(`{"format":"cvmscope-evidence","version":1,"evidence":{"hclReport":`, 100_000)}, code: 2, id: "bundle.parse", maxAlloc: 16 << 20},
		hostileRow{name: "bundle 1M nested arrays", files: map[string][]byte{"a-bundle.json": deep(`{"format":"cvmscope-evidence","version":1,"x":`, 1_000_000)}, code: 2, id: "bundle.parse", maxAlloc: 24 << 20},
		hostileRow{name: "runtime claims 100k nested arrays", files: map[string][]byte{"a-claims.json": deep(`{"keys":[{"kid":"HCLAkPub"}],"vm-configuration":`, 100_000)}, code: 2, id: "hcl.parse", maxAlloc: 16 << 20},
		hostileRow{name: "JWKS 100k nested arrays", files: map[string][]byte{"a-jwks.json": deep(`{"keys":`, 100_000)}, code: 2, id: "jwks.parse", maxAlloc: 16 << 20},
		hostileRow{name: "THIM JSON 100k nested arrays", files: map[string][]byte{"a-thim.json": deep(`{"vcekCert":"x","certificateChain":`, 100_000)}, code: 2, id: "certs.parse", maxAlloc: 16 << 20},
		hostileRow{name: "TCB info 100k nested arrays", files: map[string][]byte{"a-tcbinfo.json": deep(`{"tcbInfo":`, 100_000)}, code: 2, id: "tdx.collateral.parse", maxAlloc: 16 << 20},
		hostileRow{name: "JWT with 100k nested arrays in its claims", files: map[string][]byte{"a-token.jwt": []byte(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{"a":`+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+"}")) + ".AAAA")}, code: 2, id: "jwt.parse", maxAlloc: 16 << 20},
	)

	// --- Files over the size cap and special files: refused before reading.
	huge := filepath.Join(tmp, "huge.bin")
	if f, err := os.Create(huge); err == nil {
		f.Write([]byte("HCLA"))
		f.Truncate(evidence.MaxFileSize + 1)
		f.Close()
	}
	hugeJSON := filepath.Join(tmp, "huge.json")
	if f, err := os.Create(hugeJSON); err == nil {
		f.Write([]byte(`{"format":"cvmscope-evidence","version":1,"evidence":{"hclReport":"`))
		f.Truncate(evidence.MaxFileSize + 4096)
		f.Close()
	}
	fifo := filepath.Join(tmp, "evidence.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(tmp, "evidence.sock")
	if l, err := net.Listen("unix", sock); err == nil {
		t.Cleanup(func() { l.Close() })
	} else {
		t.Fatal(err)
	}
	for _, p := range []string{huge, hugeJSON, fifo, sock, "/dev/zero", "/dev/urandom", "/dev/null", t.TempDir(), filepath.Join(tmp, "missing.bin")} {
		add(hostileRow{name: "refused: " + filepath.Base(p), paths: []string{p}, code: 1, maxAlloc: 4 << 20})
	}
	add(hostileRow{name: "refused: a FIFO after a good file", files: map[string][]byte{"hcl.bin": hclRaw}, paths: []string{fifo}, code: 1})

	// --- Simulated evidence from the simulated CVM: the same damage, other producers.
	for _, tee := range []string{"sevsnp", "tdx"} {
		s := simEvidence(t, tmp, tee)
		add(truncRows("simulated "+tee+" HCL report", "hcl.bin", s.HCLReport, []int{20, 1000, 1300}, "hcl.parse", nil)...)
		add(hostileRow{name: "simulated " + tee + " HCL report_size 0xffffffff", files: map[string][]byte{"a-hcl.bin": put32le(s.HCLReport, 8, 0xffffffff)}, code: 2, id: "hcl.parse"})
		if s.Quote != nil {
			add(truncRows("simulated "+tee+" TPMS_ATTEST", "msg.bin", s.Quote.Msg, []int{6, 50, len(s.Quote.Msg) - 1}, "tpm.quote.parse", nil)...)
			add(hostileRow{name: "simulated " + tee + " quote message flipped", files: map[string][]byte{"a-msg.bin": flip(s.Quote.Msg, len(s.Quote.Msg)-3), "sig.bin": s.Quote.Sig, "hcl.bin": s.HCLReport}, code: 2, id: "tpm.quote.signature"})
		}
		add(truncRows("simulated "+tee+" event log", "eventlog.bin", s.EventLog, []int{60, len(s.EventLog) / 2}, "eventlog.parse", nil)...)
		if len(s.AKPub) > 0 {
			// TPM2B_PUBLIC cut short with its size fixed to match: the inner sizes point past the end.
			cut := append([]byte(nil), s.AKPub[:len(s.AKPub)-5]...)
			binary.BigEndian.PutUint16(cut, uint16(len(cut)-2))
			add(hostileRow{name: "simulated " + tee + " AK public cut", files: map[string][]byte{"a-ak.pub": cut}, code: 2, id: "ak.parse"})
		}
		if tee == "sevsnp" {
			add(hostileRow{name: "simulated SNP body flipped", files: map[string][]byte{"a-hcl.bin": flip(s.HCLReport, 32+0x90), "vcek.pem": certsPEM(s.Certs)}, code: 2, id: "snp.signature"})
		}
		if len(s.TDQuote) > 0 {
			add(truncRows("simulated TD quote", "tdquote.bin", s.TDQuote, []int{50, 700, len(s.TDQuote) - 1}, "tdx.parse", nil)...)
			add(hostileRow{name: "simulated TD quote body flipped", files: map[string][]byte{"a-tdquote.bin": flip(s.TDQuote, 48+520)}, code: 2, id: "tdx.quote.signature"})
		}
	}
	return rows
}

func certsPEM(ders [][]byte) []byte {
	var b []byte
	for _, d := range ders {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	return b
}

func bundleWith(t *testing.T, s *evidence.Set) []byte {
	t.Helper()
	b, err := evidence.MarshalBundle(s, "test", time0())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func time0() time.Time { return time.Unix(0, 0).UTC() }
