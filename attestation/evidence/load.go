package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/cvmscope/cvmscope/attestation/regfile"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
)

// MaxFileSize bounds each input file; evidence files are kilobytes.
const MaxFileSize = 16 << 20

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// LoadFiles reads files of any supported kind, recognises each by content and combines
// them into one set. Errors name the file. A file recognised by its kind's signature that
// does not parse is kept as a FileInfo with Err, for a failing "<kind>.parse" check.
func LoadFiles(paths []string) (*Set, error) {
	s := &Set{Source: SourceFiles}
	var first []byte
	for i, p := range paths {
		data, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = data
		}
		if err := s.Add(p, data); err != nil {
			return nil, err
		}
	}
	s.settle()
	if len(s.Files) == 0 {
		return s, nil
	}
	for _, f := range s.Files {
		if f.Kind != KindUnknown {
			return s, nil
		}
	}
	// Nothing was recognised: there is nothing to check, so this is a misuse.
	return nil, unknownErr(paths[0], first)
}

// unknownErr says that a file's content is none of the kinds cvmscope reads.
func unknownErr(name string, data []byte) error {
	n := min(len(data), 16)
	return fault.Korean(fmt.Errorf("cannot tell what %s holds (%d bytes, starting % x); cvmscope reads HCL reports (with or without their header), SEV-SNP reports, TDREPORTs, TD quotes, TPMS_ATTEST quotes with their signature (raw or TPMT_SIGNATURE) and PCR values (raw, JSON or tpm2-tools files), trustee evidence and TPM-quote JSON, go-tpm-tools attestations, Constellation attestation documents, TCG event logs, PEM/DER certificates, CRLs, public keys, JWTs, JWKS, runtime claims, Intel collateral and cvmscope bundles", name, len(data), data[:n]),
		fmt.Sprintf("%s에 무엇이 들어 있는지 알 수 없습니다(%d바이트, 시작 % x). cvmscope가 읽는 것은 HCL 보고서(헤더 유무 무관), SEV-SNP 보고서, TDREPORT, TD 쿼트, 서명(원시 또는 TPMT_SIGNATURE)과 PCR 값(원시, JSON 또는 tpm2-tools 파일)을 갖춘 TPMS_ATTEST 쿼트, trustee 증거와 TPM 쿼트 JSON, go-tpm-tools 증명, Constellation 증명 문서, TCG 이벤트 로그, PEM/DER 인증서, CRL, 공개 키, JWT, JWKS, 런타임 클레임, Intel 부수 자료(collateral), cvmscope 번들입니다", name, len(data), data[:n]), "")
}

// ReadFile reads one input file of at most MaxFileSize bytes. Only regular files are read:
// a FIFO would block until a writer came, and /dev/zero or /dev/urandom never end.
func ReadFile(p string) ([]byte, error) {
	data, err := regfile.Read(p, MaxFileSize)
	var nr *regfile.NotRegularError
	var tl *regfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		return nil, fault.Korean(fmt.Errorf("%s is %s; cvmscope reads regular files only (save the evidence to a file first)", p, nr.What),
			fmt.Sprintf("%s은(는) 일반 파일이 아닙니다(%s). cvmscope는 일반 파일만 읽으므로 먼저 증거를 파일로 저장합니다", p, nr.What), "")
	case errors.As(err, &tl):
		return nil, fault.Korean(fmt.Errorf("%s: larger than %d MiB; evidence files are kilobytes, this is not one", p, MaxFileSize>>20),
			fmt.Sprintf("%s: %d MiB보다 큽니다. 증거 파일은 수 킬로바이트이므로 증거 파일이 아닙니다", p, MaxFileSize>>20), "")
	case err != nil:
		return nil, fault.Korean(fmt.Errorf("read %s: %w", p, err), fmt.Sprintf("%s을(를) 읽을 수 없습니다: %v", p, err), "")
	}
	return data, nil
}

// Add adds one file's content to the set. A file that cannot be recognised, or that
// conflicts with what the set holds, is an error. A file recognised by its kind's signature
// that does not parse joins the set only as a FileInfo with Err (the JWT also as Token, so
// that its step reports it): a damaged file is evidence that failed, not a misuse.
func (s *Set) Add(name string, data []byte) error {
	data = headerPEM(data)
	kind := Detect(data)
	info := FileInfo{Path: name, Kind: kind, Size: len(data)}
	if kind == KindUnknown {
		// Kept with its error: the rest of the set may still say what it is (bare PCR
		// digests), and otherwise it fails input.unknown while the other files are checked.
		err := unknownErr(name, data)
		info.Err, info.ErrKO = err.Error(), koMsg(err)
		s.pending = append(s.pending, pending{file: len(s.Files), data: data})
		s.Files = append(s.Files, info)
		return nil
	}
	setOnce := func(dst *[]byte, what string) error {
		if len(*dst) > 0 && !bytes.Equal(*dst, data) {
			return fault.Korean(fmt.Errorf("%s: a second %s; inspect one evidence set at a time", name, what),
				fmt.Sprintf("%s: 두 번째 %s입니다. 한 번에 증거 한 벌만 검사합니다", name, what), "")
		}
		*dst = data
		return nil
	}
	// bad: the file is of this kind but does not parse. err: it cannot join this set.
	var bad, err error
	switch kind {
	case KindBundle:
		var b *Bundle
		if b, bad = ParseBundle(data); bad == nil {
			err = s.mergeBundle(name, b)
		}
	case KindHCLReport:
		if _, bad = hcl.Parse(data); bad == nil {
			err = setOnce(&s.HCLReport, "HCL report")
		}
	case KindSNPReport:
		if _, bad = snp.Parse(data); bad == nil {
			err = setOnce(&s.SNPReport, "SEV-SNP report")
		}
	case KindTDReport:
		if _, bad = tdx.ParseTDReport(data); bad == nil {
			err = setOnce(&s.TDReport, "TDREPORT")
		}
	case KindTDQuote:
		if _, bad = tdx.ParseQuote(data); bad == nil {
			err = setOnce(&s.TDQuote, "TD quote")
		}
	case KindTPMAttest:
		if _, bad = tpmquote.ParseAttest(data); bad == nil {
			if s.Quote == nil {
				s.Quote = &Quote{}
			}
			err = setOnce(&s.Quote.Msg, "TPM quote (TPMS_ATTEST)")
		}
	case KindSignature:
		// Taken provisionally: tpm2_pcrread -o of eight SHA-256 PCRs is 256 bytes too, and
		// settle decides once every file is in.
		if s.Quote == nil {
			s.Quote = &Quote{}
		}
		if len(s.Quote.Sig) == 0 {
			s.Quote.Sig = data
		}
		s.pending = append(s.pending, pending{file: len(s.Files), data: data})
	case KindPCRs:
		// Everything is decoded before anything joins the set: a damaged file adds nothing.
		var pcrs map[int][]byte
		var banks map[string]map[int][]byte
		if pcrs, bad = ParsePCRs(data); bad == nil {
			banks, bad = parsePCRBanks(data)
		}
		if bad == nil {
			if err = s.pcrsAgree(pcrs, banks); err == nil {
				s.addPCRs(pcrs)
				s.addPCRBanks(banks)
				info.Note = fmt.Sprintf("%d PCR values", len(pcrs))
			}
		}
	case KindEventLog:
		if bad = eventlog.Check(data); bad == nil {
			err = setOnce(&s.EventLog, "event log")
		}
	case KindCertificates:
		var certs []*x509.Certificate
		if certs, bad = ParseCertificates(data); bad == nil {
			info.Note, err = s.addCerts(certs)
		}
	case KindPublicKey, KindTPMPublic:
		if bad = pemIntact(data); bad == nil {
			_, bad = tpmquote.ParsePublic(data)
		}
		if bad == nil {
			err = setOnce(&s.AKPub, "AK public key")
		}
	case KindCRL:
		if bad = pemIntact(data); bad == nil {
			bad = s.addCRL(data)
		}
	case KindJWT:
		t := string(bytes.TrimSpace(data))
		_, bad = token.Parse(t)
		if s.Token != "" && s.Token != t {
			err = fault.Korean(fmt.Errorf("%s: a second token; inspect one token at a time", name),
				fmt.Sprintf("%s: 두 번째 토큰입니다. 한 번에 토큰 하나만 검사합니다", name), "")
		}
		s.Token = t
	case KindJWKS:
		if _, bad = token.ParseJWKS(data, name); bad == nil {
			err = setOnce(&s.JWKS, "JWKS key set")
		}
	case KindRuntimeClaims:
		if _, bad = hcl.ParseRuntimeClaims(data); bad == nil {
			err = setOnce(&s.RuntimeClaims, "runtime claims JSON")
		}
	case KindTCBInfo:
		if bad = jsonSyntax(data); bad == nil {
			err = setOnce(&s.Collateral.TCBInfo, "TDX TCB info")
		}
	case KindQEIdentity:
		if bad = jsonSyntax(data); bad == nil {
			err = setOnce(&s.Collateral.QEIdentity, "QE identity")
		}
	default:
		bad, err = s.addOther(name, kind, data, &info)
	}
	if err == nil && bad == nil {
		if _, e := s.oneReport(); e != nil {
			err = fault.Korean(fmt.Errorf("%s: %w", name, e), name+": "+koMsg(e), "")
		}
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), name) {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return err
	}
	if bad != nil {
		info.Err = bad.Error()
		if ko, _ := fault.MessageIn(bad, "ko"); ko != info.Err {
			info.ErrKO = ko
		}
	}
	s.Files = append(s.Files, info)
	return nil
}

// oneReport refuses a set that holds more than one VM's hardware report: verify checks only
// one of them (an HCL report's own SEV-SNP report, TDREPORT and runtime claims before a file's,
// a SEV-SNP report before a TDREPORT), and the other stayed in the set unread while the set
// passed. A TDX HCL report beside any genuine SEV-SNP report exited 0 that way: the SEV-SNP
// report's signature stood for the HCL report's unsigned TDREPORT, its runtime claims and the
// AK they name. The HCL report's own pieces given again on their own are the same evidence
// and stay welcome. (A TD quote beside SEV-SNP evidence is left to input.unused: no check
// reads it, so it cannot pass unread.) field is the set's JSON field that conflicts.
func (s *Set) oneReport() (field string, err error) {
	var h *hcl.Report
	if len(s.HCLReport) > 0 {
		h, _ = hcl.Parse(s.HCLReport) // one that does not parse fails hcl.parse on its own
	}
	mixed := func(field, piece, other, pieceKO, otherKO string) (string, error) {
		return field, fault.Korean(fmt.Errorf("SEV-SNP and TDX evidence in one set: %s beside %s; inspect one evidence set at a time", piece, other),
			fmt.Sprintf("한 벌에 SEV-SNP 증거와 TDX 증거가 섞여 있습니다: %s 옆에 %s이(가) 있습니다. 한 번에 증거 한 벌만 검사합니다", otherKO, pieceKO), "")
	}
	notInHCL := func(field, what, whatKO string) (string, error) {
		return field, fault.Korean(fmt.Errorf("%s other than the HCL report's own: only what the HCL report carries is bound to its hardware report, so the two come from two VMs or two reads; inspect one evidence set at a time", what),
			fmt.Sprintf("HCL 보고서 안의 것과 다른 %s입니다. HCL 보고서의 하드웨어 보고서에 묶인 것은 그 안의 것뿐이므로, 두 VM이나 두 번 읽은 증거입니다. 한 번에 증거 한 벌만 검사합니다", whatKO), "")
	}
	switch {
	case h == nil && len(s.SNPReport) > 0 && len(s.TDReport) > 0:
		return mixed("tdReport", "a TDREPORT", "a SEV-SNP report", "TDREPORT", "SEV-SNP 보고서")
	case h == nil:
		return "", nil
	case len(s.SNPReport) > 0 && h.IGVM.ReportType == hcl.ReportTDX:
		return mixed("snpReport", "a SEV-SNP report", "an HCL report carrying a TDREPORT", "SEV-SNP 보고서", "TDREPORT를 담은 HCL 보고서")
	case len(s.TDReport) > 0 && h.IGVM.ReportType == hcl.ReportSNP:
		return mixed("tdReport", "a TDREPORT", "an HCL report carrying a SEV-SNP report", "TDREPORT", "SEV-SNP 보고서를 담은 HCL 보고서")
	case len(s.SNPReport) > 0 && !bytes.Equal(s.SNPReport, h.SNPReport()):
		return notInHCL("snpReport", "a SEV-SNP report", "SEV-SNP 보고서")
	case len(s.TDReport) > 0 && !bytes.Equal(s.TDReport, h.TDReport()):
		return notInHCL("tdReport", "a TDREPORT", "TDREPORT")
	case len(s.RuntimeClaims) > 0 && !bytes.Equal(s.RuntimeClaims, h.Claims):
		return notInHCL("runtimeClaims", "runtime claims", "런타임 클레임")
	}
	return "", nil
}

// pcrsAgree refuses PCR values that differ from those an earlier file gave: the later value
// would replace the earlier, and that file's word on the PCR would be read by nothing.
func (s *Set) pcrsAgree(pcrs map[int][]byte, banks map[string]map[int][]byte) error {
	differs := func(bank string, have, vals map[int][]byte) error {
		for _, i := range slices.Sorted(maps.Keys(vals)) {
			if old, ok := have[i]; ok && !bytes.Equal(old, vals[i]) {
				return fault.Korean(fmt.Errorf("PCR %d (%s) is %x here, %x in an earlier file; inspect one evidence set at a time", i, bank, vals[i], old),
					fmt.Sprintf("PCR %d(%s)이(가) 여기서는 %x, 앞 파일에서는 %x입니다. 한 번에 증거 한 벌만 검사합니다", i, bank, vals[i], old), "")
			}
		}
		return nil
	}
	if err := differs("sha256", s.PCRs, pcrs); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(banks)) {
		if err := differs(name, s.PCRBanks[name], banks[name]); err != nil {
			return err
		}
	}
	return nil
}

// jsonSyntax says where a JSON document stops being JSON (Intel collateral is checked in
// full by tdx.tcb; here only that it is a document at all).
func jsonSyntax(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON at byte %d: %v; the file is truncated or garbled", se.Offset, err)
	}
	return err
}

// Supplied returns the files given in this run. A bundle must come first, and the files
// recorded in it when it was made come before its own entry: they are not inputs now.
func (s *Set) Supplied() []FileInfo {
	for i, f := range s.Files {
		if f.Kind == KindBundle {
			return s.Files[i:]
		}
	}
	return s.Files
}

// FileOf names the supplied file that gave the set its piece of kind k (the last one of
// that kind), or else the bundle that carried it, for messages; "" when there is neither.
func (s *Set) FileOf(k Kind) string {
	name := ""
	for _, f := range s.Supplied() {
		if f.Kind == k || f.Kind == KindBundle && name == "" {
			name = f.Path
		}
	}
	return name
}

func (s *Set) mergeBundle(name string, b *Bundle) error {
	if len(s.Files) > 0 || len(s.HCLReport) > 0 || s.Token != "" {
		return fmt.Errorf("%s: a bundle is a whole evidence set; give it alone or first", name)
	}
	files := s.Files
	*s = *b.Evidence
	s.Files = append(files, s.Files...)
	return nil
}

// addCerts sorts certificates into the set: a file holding Intel's TCB signing certificate is
// the collateral's signing chain, an AK certificate is the AK certificate, everything else
// joins Certs for the chain checks. A second, different AK certificate is an error: the set
// keeps one, and the other would be shown nowhere and checked by nothing.
func (s *Set) addCerts(certs []*x509.Certificate) (string, error) {
	var names []string
	signing := false
	for _, c := range certs {
		names = append(names, c.Subject.CommonName)
		signing = signing || strings.Contains(c.Subject.CommonName, "TCB Signing")
	}
	for _, c := range certs {
		switch {
		case signing:
			s.Collateral.SigningChain = append(s.Collateral.SigningChain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		case isAKCert(c):
			if len(s.AKCert) > 0 && !bytes.Equal(s.AKCert, c.Raw) {
				return "", fault.Korean(fmt.Errorf("a second AK certificate (%q after %q); inspect one evidence set at a time", c.Subject.CommonName, certCN(s.AKCert)),
					fmt.Sprintf("두 번째 AK 인증서입니다(%q 다음의 %q). 한 번에 증거 한 벌만 검사합니다", certCN(s.AKCert), c.Subject.CommonName), "")
			}
			s.AKCert = c.Raw
		default:
			s.Certs = appendUnique(s.Certs, c.Raw)
		}
	}
	return strings.Join(names, ", "), nil
}

func certCN(der []byte) string {
	if c, err := x509.ParseCertificate(der); err == nil {
		return c.Subject.CommonName
	}
	return "unparsed"
}

// isAKCert recognises a vTPM AK certificate: Azure's are issued to "<vmid>.TrustedVM..."
// by a "Virtual TPM" CA; the simulated CA follows the same shape. A CA certificate is never
// one, though the vTPM CA's issuer is named "Virtual TPM" too: it belongs to the AK's chain.
func isAKCert(c *x509.Certificate) bool {
	return !c.IsCA && (strings.Contains(c.Subject.CommonName, "TrustedVM") || strings.Contains(c.Issuer.CommonName, "Virtual TPM") ||
		strings.Contains(strings.ToUpper(c.Issuer.CommonName), "TRUSTED VM"))
}

func (s *Set) addCRL(data []byte) error {
	der := data
	if blk, _ := pem.Decode(data); blk != nil {
		der = blk.Bytes
	}
	if err := derLength(der); err != nil {
		return err
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return fmt.Errorf("not a CRL: %v", err)
	}
	if strings.Contains(crl.Issuer.CommonName, "Root") {
		s.Collateral.RootCRL = der
	} else {
		s.Collateral.PCKCRL = der
	}
	return nil
}

// derLength says when a DER SEQUENCE claims more bytes than the file holds: the commonest
// damage, a copy cut short, which x509 reports only as "malformed".
func derLength(b []byte) error {
	if len(b) < 2 || b[0] != 0x30 {
		return nil
	}
	n, hdr := 0, 2
	switch l := b[1]; {
	case l < 0x80:
		n = int(l)
	case l >= 0x81 && l <= 0x83:
		hdr += int(l - 0x80)
		if len(b) < hdr {
			return fmt.Errorf("DER length at offset 1: needs %d bytes, the file has %d; it is truncated", hdr, len(b))
		}
		for _, c := range b[2:hdr] {
			n = n<<8 | int(c)
		}
	default:
		return nil
	}
	if hdr+n > len(b) {
		return fmt.Errorf("DER SEQUENCE at offset 0 says %d bytes of content, the file has %d after the header; it is truncated (copy it again)", n, len(b)-hdr)
	}
	return nil
}

func appendUnique(list [][]byte, b []byte) [][]byte {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return list
		}
	}
	return append(list, b)
}

// ParseCertificates reads PEM bundles, THIM's JSON answer or a single DER certificate (zero
// padding allowed).
// Every PEM block must decode: half a bundle is damage, not a shorter chain.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		// IMDS THIM's answer: {"vcekCert": PEM, "certificateChain": PEM, "tcbm": ...}.
		return snp.ParseCerts(t)
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		if err := pemIntact(data); err != nil {
			return nil, err
		}
		return certs.FromPEM(data)
	}
	der := trimDER(data)
	if err := derLength(der); err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not a DER certificate: %v", err)
	}
	return []*x509.Certificate{c}, nil
}

// pemIntact says where PEM armour stops decoding, if the data is PEM at all.
func pemIntact(data []byte) error {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		return nil
	}
	if off := brokenPEM(data); off >= 0 {
		return fmt.Errorf("PEM block at offset %d does not decode (no END line, or bad base64); the file is truncated or garbled", off)
	}
	return nil
}

// brokenPEM returns the offset of the first "-----BEGIN" line whose block does not decode,
// or -1. pem.Decode skips a broken block silently and returns the next good one.
func brokenPEM(data []byte) int {
	begin := []byte("-----BEGIN")
	for off := 0; ; {
		i := bytes.Index(data[off:], begin)
		if i < 0 {
			return -1
		}
		at := off + i
		blk, rest := pem.Decode(data[at:])
		next := bytes.Index(data[at+len(begin):], begin)
		consumed := len(data[at:]) - len(rest)
		if blk == nil || (next >= 0 && consumed > next+len(begin)) {
			return at
		}
		off = at + consumed
	}
}

// pcrKey is compiled when a PCR file is first read, not at every start.
var pcrKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(?:pcr)?\[?(\d{1,2})\]?$`) })

// ParsePCRs reads 24 × 32 raw bytes (PCR0..23) or JSON with hex values keyed "pcrN", "N"
// or "PCRN", at the top level or under "pcrs". Unrelated keys are ignored.
func ParsePCRs(data []byte) (map[int][]byte, error) {
	if len(data) == 24*32 && !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		m := make(map[int][]byte, 24)
		for i := range 24 {
			m[i] = append([]byte(nil), data[i*32:(i+1)*32]...)
		}
		return m, nil
	}
	obj := json.RawMessage(data)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("PCR values: neither 768 raw bytes nor JSON: %v", err)
	}
	if inner, ok := top["pcrs"]; ok {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(inner, &m); err == nil {
			obj = inner
		}
	}
	out := map[int][]byte{}
	key := map[int]string{} // which key gave each PCR, to name both when one comes twice
	// In the file's order, every key as written: a map would keep one of two equal keys, and
	// its random order picked a different winner between "pcr0" and "0" from run to run.
	err := eachMember(obj, func(k string, raw json.RawMessage) error {
		mm := pcrKey().FindStringSubmatch(k)
		if mm == nil {
			return nil
		}
		idx, _ := strconv.Atoi(mm[1])
		var hx string
		if json.Unmarshal(raw, &hx) != nil {
			return nil
		}
		v, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(hx), "0x"))
		if err != nil || len(v) != 32 || idx > 23 {
			return fmt.Errorf("PCR values: %q is not a 32-byte hex SHA-256 value for PCR 0-23", k)
		}
		if prev, ok := out[idx]; ok && !bytes.Equal(prev, v) {
			return fmt.Errorf("PCR values: PCR %d is given twice with different values (%q, then %q); a file that says two things about one PCR is read differently by different tools", idx, key[idx], k)
		}
		out[idx], key[idx] = v, k
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("PCR values: no \"pcrN\" keys with hex values found")
	}
	return out, nil
}

// headerPEM decodes a certificate chain saved straight from an Intel PCS response header
// (TCB-Info-Issuer-Chain, SGX-PCK-CRL-Issuer-Chain): URL-encoded PEM, as PCS sends it.
// Anything else is returned as it is.
func headerPEM(data []byte) []byte {
	t := bytes.TrimSpace(data)
	if !bytes.HasPrefix(t, []byte("-----BEGIN%20")) {
		return data
	}
	if dec, err := url.PathUnescape(string(t)); err == nil {
		return []byte(dec)
	}
	return data
}
