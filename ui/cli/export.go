package cli

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
	flag "github.com/spf13/pflag"
)

// shape is what an item is, which decides the formats it can be written in.
type shape int

const (
	shapeCerts  shape = iota // X.509 certificates: pem (default), der, hex, base64
	shapeKey                 // a public key: pem (SubjectPublicKeyInfo), der, raw (as read), hex, base64
	shapeBinary              // bytes as read: raw (default), hex, base64
	shapeJSON                // JSON: json (default), raw, hex, base64
	shapeToken               // a JWT: compact (default), json (header and claims)
)

// exportItem is one thing `cvmscope export` writes.
type exportItem struct {
	name  string
	shape shape
	what  present.Text
	// step is the live step after which the item exists.
	step workshop.StepID
	get  func(s *evidence.Set, r *verify.Result) (exported, error)
}

// exported is an item's content: certificates, a key (DER SubjectPublicKeyInfo and the
// bytes as read), bytes, or a token.
type exported struct {
	certs    []*x509.Certificate
	der, raw []byte
	token    string
}

var exportItems = []exportItem{
	{"ak-cert", shapeCerts, present.T("the vTPM AK certificate (NV 0x01C101D0)", "vTPM AK 인증서(NV 0x01C101D0)"), workshop.ReadReport,
		func(s *evidence.Set, r *verify.Result) (exported, error) {
			if r.AKCert != nil {
				return exported{certs: []*x509.Certificate{r.AKCert}}, nil
			}
			return certsOf(s.AKCert)
		}},
	{"ak-pub", shapeKey, present.T("the AK public key (0x81000003): PEM/DER SubjectPublicKeyInfo, raw as read (TPM2B_PUBLIC)", "AK 공개 키(0x81000003): PEM/DER SubjectPublicKeyInfo, raw는 읽은 그대로(TPM2B_PUBLIC)"), workshop.ReadReport,
		func(s *evidence.Set, r *verify.Result) (exported, error) {
			if r.AK == nil {
				return exported{}, nil
			}
			der, err := x509.MarshalPKIXPublicKey(r.AK)
			return exported{der: der, raw: s.AKPub}, err
		}},
	{"hcl-report", shapeBinary, present.T("the HCL report (NV 0x01400001) as read", "HCL 보고서(NV 0x01400001), 읽은 그대로"), workshop.ReadReport,
		func(s *evidence.Set, _ *verify.Result) (exported, error) { return exported{raw: s.HCLReport}, nil }},
	{"runtime-claims", shapeJSON, present.T("the runtime claims, byte for byte as REPORT_DATA binds them", "런타임 클레임, REPORT_DATA가 묶는 바이트 그대로"), workshop.ReadReport,
		func(s *evidence.Set, r *verify.Result) (exported, error) {
			if r.HCL != nil && len(r.HCL.Claims) > 0 {
				return exported{raw: r.HCL.Claims}, nil
			}
			return exported{raw: s.RuntimeClaims}, nil
		}},
	{"snp-report", shapeBinary, present.T("the SEV-SNP attestation report (1184 bytes)", "SEV-SNP 증명 보고서(1184바이트)"), workshop.ReadReport,
		func(s *evidence.Set, r *verify.Result) (exported, error) {
			if len(s.SNPReport) > 0 {
				return exported{raw: s.SNPReport}, nil
			}
			if r.SNP != nil && r.HCL != nil && s.TEE == evidence.TEESEVSNP {
				return exported{raw: r.HCL.HardwareReport[:min(len(r.HCL.HardwareReport), 1184)]}, nil
			}
			return exported{}, nil
		}},
	{"td-quote", shapeBinary, present.T("the Intel TD quote", "Intel TD 쿼트"), workshop.BuildRequest,
		func(s *evidence.Set, _ *verify.Result) (exported, error) { return exported{raw: s.TDQuote}, nil }},
	{"pck-chain", shapeCerts, present.T("the Intel PCK certificate chain (from the TD quote, or given)", "Intel PCK 인증서 체인(TD 쿼트에서, 또는 주어진 것)"), workshop.BuildRequest,
		func(s *evidence.Set, r *verify.Result) (exported, error) {
			if q := r.TDQuote; q != nil && q.PCK != nil {
				return exported{certs: slices.DeleteFunc([]*x509.Certificate{q.PCK, q.Intermediate, q.Root}, func(c *x509.Certificate) bool { return c == nil })}, nil
			}
			return exported{certs: vendorCerts(s, isIntel)}, nil
		}},
	{"vcek-chain", shapeCerts, present.T("the AMD VCEK (or VLEK) certificate chain: VCEK, ASK, ARK", "AMD VCEK(또는 VLEK) 인증서 체인: VCEK, ASK, ARK"), workshop.BuildRequest,
		func(s *evidence.Set, _ *verify.Result) (exported, error) {
			return exported{certs: vendorCerts(s, isAMD)}, nil
		}},
	{"event-log", shapeBinary, present.T("the TCG event log as read", "TCG 이벤트 로그, 읽은 그대로"), workshop.ReadReport,
		func(s *evidence.Set, _ *verify.Result) (exported, error) { return exported{raw: s.EventLog}, nil }},
	{"quote", shapeBinary, present.T("the TPM quote: TPMS_ATTEST as signed (tpm2_quote -m)", "TPM 쿼트: 서명된 TPMS_ATTEST(tpm2_quote -m)"), workshop.ReadReport,
		func(s *evidence.Set, _ *verify.Result) (exported, error) {
			if s.Quote == nil {
				return exported{}, nil
			}
			return exported{raw: s.Quote.Msg}, nil
		}},
	{"quote-sig", shapeBinary, present.T("the TPM quote's raw RSA signature", "TPM 쿼트의 RSA 서명 원본"), workshop.ReadReport,
		func(s *evidence.Set, _ *verify.Result) (exported, error) {
			if s.Quote == nil {
				return exported{}, nil
			}
			return exported{raw: s.Quote.Sig}, nil
		}},
	{"pcrs", shapeJSON, present.T(`the PCR values: {"pcrs": SHA-256 by index, "pcrBanks": every other bank}`, `PCR 값: {"pcrs": 인덱스별 SHA-256, "pcrBanks": 나머지 모든 뱅크}`), workshop.ReadReport,
		func(s *evidence.Set, _ *verify.Result) (exported, error) {
			if len(s.PCRs) == 0 && len(s.PCRBanks) == 0 {
				return exported{}, nil
			}
			return exported{raw: pcrJSON(s)}, nil
		}},
	{"token", shapeToken, present.T("the MAA token (JWT)", "MAA 토큰(JWT)"), workshop.CallMAA,
		func(s *evidence.Set, _ *verify.Result) (exported, error) { return exported{token: s.Token}, nil }},
	{"request", shapeJSON, present.T("the attestation request body exactly as sent to MAA", "MAA에 보낸 그대로의 증명 요청 본문"), workshop.BuildRequest,
		func(s *evidence.Set, _ *verify.Result) (exported, error) {
			if s.MAA == nil {
				return exported{}, nil
			}
			return exported{raw: s.MAA.Request}, nil
		}},
}

var shapeFormats = map[shape][]string{
	shapeCerts:  {"pem", "der", "hex", "base64"},
	shapeKey:    {"pem", "der", "raw", "hex", "base64"},
	shapeBinary: {"raw", "hex", "base64"},
	shapeJSON:   {"json", "raw", "hex", "base64"},
	shapeToken:  {"compact", "json"},
}

func lookupItem(name string) (exportItem, bool) {
	for _, it := range exportItems {
		if it.name == name {
			return it, true
		}
	}
	return exportItem{}, false
}

// exportList is `cvmscope export list`: every item, its formats (default first) and what it is.
func exportList(lang present.Lang) string {
	var b strings.Builder
	b.WriteString(present.T("Items (formats, the default first):\n", "항목 (형식, 기본값이 처음):\n").In(lang))
	for _, it := range exportItems {
		fmt.Fprintf(&b, "  %-15s %-26s %s\n", it.name, strings.Join(shapeFormats[it.shape], "|"), it.what.In(lang))
	}
	return b.String()
}

const exportUsage = `cvmscope export ITEM [--from BUNDLE|EVIDENCE...] [live flags] [--format F] [-o FILE]
writes one item of a run or of saved evidence, for another tool or a support ticket.
Without --from (or FILE arguments) it runs live, with the same flags as cvmscope, as far as the
item needs. Binary is written to a terminal only with -o FILE or --format hex|base64.
cvmscope export list shows the items and their formats.

`

func runExport(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := newFlags(&o, cmdRun, stderr)
	fs.Init("cvmscope export", flag.ContinueOnError)
	fs.Lookup("output").Usage = "write the item to FILE (mode 0600) instead of stdout"
	from := fs.StringArray("from", nil, "a bundle or evidence files to export from (repeatable; FILE arguments after ITEM do the same); without it, a live run")
	format := fs.String("format", "", "pem, der, hex, base64, raw, json or compact (the token); default per item (cvmscope export list)")
	force := fs.Bool("force", false, "with -o, replace FILE if it exists (a regular file only)")
	fs.Usage = func() {}
	err := fs.Parse(args)
	lang := present.Lang(o.lang)
	if lang == "" {
		lang = ui.DefaultLang()
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, exportUsage+exportList(lang)+"\nFlags:\n"+fs.FlagUsages())
		return 0
	case err != nil:
		eprintf(stderr, "cvmscope export: %v (cvmscope export --help)\n", err)
		return 1
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] == "list" {
		fmt.Fprint(stdout, exportList(lang))
		if len(rest) == 0 {
			eprintf(stderr, "cvmscope export: %s\n", present.T("name an ITEM from the list above", "위 목록에서 ITEM을 하나 고릅니다").In(lang))
			return 1
		}
		return 0
	}
	fail := func(en, ko string) int {
		eprintf(stderr, "cvmscope export: %s\n", present.T(en, ko).In(lang))
		return 1
	}
	it, ok := lookupItem(rest[0])
	if !ok {
		return fail(fmt.Sprintf("no item %q; the items are %s (cvmscope export list)", rest[0], itemNames()),
			fmt.Sprintf("%q라는 항목은 없습니다. 항목: %s (cvmscope export list)", rest[0], itemNames()))
	}
	f := *format
	if f == "" {
		f = shapeFormats[it.shape][0]
	}
	if !slices.Contains(shapeFormats[it.shape], f) {
		return fail(fmt.Sprintf("--format %s does not suit %s: use %s", f, it.name, strings.Join(shapeFormats[it.shape], ", ")),
			fmt.Sprintf("--format %s는 %s에 맞지 않습니다. %s 중 하나를 씁니다", f, it.name, strings.Join(shapeFormats[it.shape], ", ")))
	}
	outPath := o.output
	o.output = ""
	if outPath == "" && isTerminal(stdout) && binaryFormat(it.shape, f) {
		return fail(fmt.Sprintf("%s as %s is binary and stdout is a terminal: give -o FILE, or --format hex or base64", it.name, f),
			fmt.Sprintf("%s를 %s로 쓰면 바이너리인데 표준 출력이 터미널입니다. -o FILE을 주거나 --format hex 또는 base64를 씁니다", it.name, f))
	}
	files := append(slices.Clone(*from), rest[1:]...)
	cfg, err := o.validate(cmdRun, nil)
	if err == nil && len(files) == 0 {
		cfg.live.Knobs, err = o.knobs.resolve(o.flow, o.nonce, func(n string) bool { return fs.Changed(n) })
	}
	if err != nil {
		printMisuse(stderr, "cvmscope export", err, lang)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, code := exportSource(ctx, it, files, cfg, lang, stderr)
	if s == nil {
		return code
	}
	r := verify.Evidence(s, cfg.verify)
	content, err := it.get(s, r)
	if err != nil {
		return fail(fmt.Sprintf("%s: %v", it.name, err), fmt.Sprintf("%s: %s", it.name, koOrEN(err, present.KO)))
	}
	out, err := encodeItem(it.shape, f, content)
	if err != nil {
		return fail(err.Error(), koOrEN(err, present.KO))
	}
	if out == nil {
		where, whereKO := "this run", "이번 실행"
		if len(files) > 0 {
			where, whereKO = strings.Join(files, " "), strings.Join(files, " ")
		}
		return fail(fmt.Sprintf("%s holds no %s (%s)", where, it.name, it.what.EN),
			fmt.Sprintf("%s에 %s(%s)가 없습니다", whereKO, it.name, it.what.KO))
	}
	if outPath == "" {
		// An item is written byte for byte, so what the evidence holds is not escaped; a
		// terminal would obey control characters in it (a hostile bundle's claims), so
		// such an item goes to a file or in hex or base64 instead.
		if text := strings.NewReplacer("\t", "", "\r", "").Replace(string(out)); isTerminal(stdout) && present.SafeLines(text) != text {
			return fail(fmt.Sprintf("%s as %s holds control characters a terminal would act on and stdout is a terminal: give -o FILE, or --format hex or base64", it.name, f),
				fmt.Sprintf("%s를 %s로 쓰면 터미널이 동작할 제어 문자가 들어 있는데 표준 출력이 터미널입니다. -o FILE을 주거나 --format hex 또는 base64를 씁니다", it.name, f))
		}
		if _, err := stdout.Write(out); err != nil {
			return fail("writing stdout: "+err.Error(), "표준 출력에 쓰지 못했습니다: "+err.Error())
		}
		return 0
	}
	if en, ko := writePrivate(outPath, out, *force); en != "" {
		return fail(en, ko)
	}
	eprintf(stderr, "cvmscope export: %s\n", present.T(fmt.Sprintf("%s (%s, %d bytes) written to %s", it.name, f, len(out), outPath),
		fmt.Sprintf("%s(%s, %d바이트)를 %s에 썼습니다", it.name, f, len(out), outPath)).In(lang))
	return 0
}

// exportSource loads the files, or runs live as far as the item needs. A nil set comes
// with the exit code of what went wrong, already reported.
func exportSource(ctx context.Context, it exportItem, files []string, cfg config, lang present.Lang, stderr io.Writer) (*evidence.Set, int) {
	if len(files) > 0 {
		s, err := evidence.LoadFiles(files)
		if err != nil {
			msg, _ := fault.MessageIn(err, string(lang))
			eprintf(stderr, "cvmscope export: %s\n", msg)
			return nil, 1
		}
		return s, 0
	}
	live := workshop.NewLive(cfg.live)
	defer live.Close()
	// A later step runs the ones before it; a Trusted Launch VM's flow needs no TEE step.
	if _, err := live.Run(ctx, it.step); err != nil {
		if s := live.Evidence(); s != nil && it.step != workshop.CallMAA {
			// What Read report gathered may be all the item needs (a VCEK chain of the
			// simulated CVM, an AK certificate): the step's failure is said, not fatal.
			eprintf(stderr, "cvmscope export: %s\n", koOrEN(err, lang))
			return s, 0
		}
		printMisuse(stderr, "cvmscope export", err, lang)
		return nil, fault.ExitCode(err)
	}
	return live.Evidence(), 0
}

func koOrEN(err error, lang present.Lang) string {
	msg, _ := fault.MessageIn(err, string(lang))
	return msg
}

func itemNames() string {
	var n []string
	for _, it := range exportItems {
		n = append(n, it.name)
	}
	return strings.Join(n, ", ")
}

// binaryFormat says whether bytes in this format would garble a terminal.
func binaryFormat(sh shape, f string) bool {
	switch f {
	case "der":
		return true
	case "raw":
		return sh == shapeBinary || sh == shapeKey
	}
	return false
}

// encodeItem writes content in format f; nil when the item is absent.
func encodeItem(sh shape, f string, c exported) ([]byte, error) {
	var bin []byte // the binary form hex and base64 encode
	switch sh {
	case shapeCerts:
		if len(c.certs) == 0 {
			return nil, nil
		}
		if f == "pem" {
			var out []byte
			for _, cert := range c.certs {
				out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})...)
			}
			return out, nil
		}
		for _, cert := range c.certs {
			bin = append(bin, cert.Raw...)
		}
	case shapeKey:
		if len(c.der) == 0 {
			return nil, nil
		}
		switch f {
		case "pem":
			return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: c.der}), nil
		case "raw":
			if len(c.raw) == 0 {
				return nil, fault.Korean(errors.New("ak-pub: the key was not read as a TPM2B_PUBLIC here, so there is no raw form; use pem or der"),
					"ak-pub: 이 증거에서는 키를 TPM2B_PUBLIC으로 읽지 않아 raw 형식이 없습니다. pem이나 der를 씁니다", "")
			}
			return c.raw, nil
		}
		bin = c.der
	case shapeBinary, shapeJSON:
		if len(c.raw) == 0 {
			return nil, nil
		}
		bin = c.raw
	case shapeToken:
		if c.token == "" {
			return nil, nil
		}
		if f == "json" {
			tok, err := token.Parse(c.token)
			if err != nil {
				return nil, fault.Korean(fmt.Errorf("token: %v", err), fmt.Sprintf("token: JWT가 아닙니다(%v)", err), "")
			}
			return json.MarshalIndent(map[string]any{"header": tok.Header, "claims": tok.Claims.Map()}, "", "  ")
		}
		return []byte(c.token + "\n"), nil
	}
	switch f {
	case "hex":
		return []byte(hex.EncodeToString(bin) + "\n"), nil
	case "base64":
		return []byte(base64.StdEncoding.EncodeToString(bin) + "\n"), nil
	}
	return bin, nil
}

// pcrJSON writes the PCR values in the JSON inspect reads ("pcrs", indices in order), with
// the other banks beside them.
func pcrJSON(s *evidence.Set) []byte {
	var b strings.Builder
	bank := func(vals map[int][]byte, indent string) {
		b.WriteString("{")
		for n, i := range slices.Sorted(maps.Keys(vals)) {
			if n > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n%s  \"%d\": \"%x\"", indent, i, vals[i])
		}
		b.WriteString("\n" + indent + "}")
	}
	b.WriteString("{\n  \"pcrs\": ")
	bank(s.PCRs, "  ")
	if len(s.PCRBanks) > 0 {
		b.WriteString(",\n  \"pcrBanks\": {")
		for n, name := range slices.Sorted(maps.Keys(s.PCRBanks)) {
			if n > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    %q: ", name)
			bank(s.PCRBanks[name], "    ")
		}
		b.WriteString("\n  }")
	}
	b.WriteString("\n}\n")
	return []byte(b.String())
}

// vendorCerts are the certificates of the set that vendor issued, the AK certificate aside.
func vendorCerts(s *evidence.Set, is func(*x509.Certificate) bool) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range s.Certs {
		c, err := x509.ParseCertificate(der)
		if err != nil || string(der) == string(s.AKCert) || !is(c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func isAMD(c *x509.Certificate) bool {
	return slices.Contains(c.Subject.Organization, "Advanced Micro Devices") ||
		strings.HasPrefix(c.Subject.CommonName, "SEV-") || strings.HasPrefix(c.Subject.CommonName, "ARK-")
}

func isIntel(c *x509.Certificate) bool {
	return slices.Contains(c.Subject.Organization, "Intel Corporation") || strings.Contains(c.Subject.CommonName, "SGX")
}

func certsOf(der []byte) (exported, error) {
	if len(der) == 0 {
		return exported{}, nil
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return exported{}, fault.Korean(fmt.Errorf("the AK certificate does not parse: %v", err), fmt.Sprintf("AK 인증서를 구문 분석할 수 없습니다(%v)", err), "")
	}
	return exported{certs: []*x509.Certificate{c}}, nil
}

// writePrivate writes a file only its owner can read: an export may be a token or a
// machine's evidence. It never loses data by accident: an existing path is refused unless
// force, and even then only a regular file is replaced (a symlink, FIFO, device or
// terminal is refused, since writing through it would land elsewhere or block). A
// replacement is written beside the file and renamed over it, so the result is 0600 and
// the old contents survive a failed write.
func writePrivate(path string, b []byte, force bool) (en, ko string) {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Sprintf("%s exists and is %s, not a regular file: cvmscope export writes only regular files; give another -o path, or no -o to write to stdout", path, fileKind(fi.Mode()).EN),
			fmt.Sprintf("%s는 이미 있으며 일반 파일이 아닌 %s입니다. cvmscope export는 일반 파일에만 씁니다. 다른 -o 경로를 주거나, 표준 출력에 쓰려면 -o를 뺍니다", path, fileKind(fi.Mode()).KO)
	case err == nil && !force:
		return fmt.Sprintf("%s exists (%d bytes): give --force to replace it, or another -o path", path, fi.Size()),
			fmt.Sprintf("%s가 이미 있습니다(%d바이트). 바꾸려면 --force를 주고, 아니면 다른 -o 경로를 줍니다", path, fi.Size())
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("writing %s: %v", path, err), fmt.Sprintf("%s에 쓰지 못했습니다: %v", path, err)
	}
	if err := writeReplace(path, b, err == nil); err != nil {
		msgKO := koOrEN(err, present.KO)
		if msgKO == err.Error() {
			msgKO = fault.QuoteKO("오류 원문", msgKO) // the system's words, as received
		}
		return fmt.Sprintf("writing %s: %v", path, err), fmt.Sprintf("%s에 쓰지 못했습니다: %s", path, msgKO)
	}
	return "", ""
}

// writeReplace writes b to a new file in path's directory and moves it to path: over the
// old file when replace, else only if path still does not exist. For that, path is first
// created empty with O_EXCL (which fails on an existing name, so a file created meanwhile
// is never clobbered) and the written file is renamed over that placeholder, which is
// ours. Unlike a hard link, this works on every filesystem (vfat, SMB shares).
func writeReplace(path string, b []byte, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cvmscope-export-*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file 0600, the mode an export keeps.
	name := tmp.Name()
	defer os.Remove(name)
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(name, path)
	}
	if exportBeforePlace != nil {
		exportBeforePlace()
	}
	placeholder, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fault.Korean(fmt.Errorf("%s appeared while writing; nothing was replaced (give --force to replace it)", path),
				fmt.Sprintf("쓰는 동안 %s가 생겼습니다. 아무것도 바꾸지 않았습니다(바꾸려면 --force를 줍니다)", path), "")
		}
		return err
	}
	placeholder.Close()
	if err := os.Rename(name, path); err != nil {
		os.Remove(path) // the empty placeholder this call created
		return err
	}
	return nil
}

// exportBeforePlace, for tests, runs once the item is written to its temporary file and
// before it takes its name: where another program may create that name meanwhile.
var exportBeforePlace func()

// fileKind names what a path is when it is not a regular file, in English and Korean
// (the Korean message named it in English).
func fileKind(m fs.FileMode) present.Text {
	switch {
	case m&fs.ModeSymlink != 0:
		return present.T("a symbolic link", "심볼릭 링크")
	case m&fs.ModeNamedPipe != 0:
		return present.T("a named pipe (FIFO)", "명명된 파이프(FIFO)")
	case m&fs.ModeCharDevice != 0:
		return present.T("a character device (a terminal?)", "문자 장치(터미널일 수 있음)")
	case m&fs.ModeDevice != 0:
		return present.T("a device", "장치")
	case m.IsDir():
		return present.T("a directory", "디렉터리")
	case m&fs.ModeSocket != 0:
		return present.T("a socket", "소켓")
	}
	return present.T("a special file", "특수 파일")
}
