package evidence

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/gotpm"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/tpm2tools"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/trustee"
)

// Kinds written by other tools. Each is read into the same fields as cvmscope's own.
const (
	KindTrustee      Kind = "trustee-evidence"  // trustee az-snp-vtpm / az-tdx-vtpm evidence JSON
	KindTrusteeQuote Kind = "trustee-tpm-quote" // trustee's {"signature","message","pcrs"}
	KindTPMTSig      Kind = "tpmt-signature"    // tpm2_quote -s
	KindPCRFile      Kind = "tpm2-pcr-file"     // tpm2_quote -o
	KindPCRValues    Kind = "pcr-values"        // tpm2_pcrread -o: bare digests of a selection
	KindHCLBody      Kind = "hcl-body"          // an HCL report without its 32-byte header
	KindGoTPM        Kind = "go-tpm-tools"      // go-tpm-tools' pb.Attestation
	// KindConstellation is Constellation's Azure attestation document (JSON).
	KindConstellation Kind = "constellation-attestation"
)

// detectOther recognises the binary formats of other tools; "" when none matches.
func detectOther(b []byte) Kind {
	switch {
	case tpm2tools.IsSignature(b):
		return KindTPMTSig
	case tpm2tools.IsPCRFile(b):
		return KindPCRFile
	case hcl.IsBody(b):
		return KindHCLBody
	case gotpm.Looks(b):
		return KindGoTPM
	}
	return ""
}

// detectOtherJSON recognises other tools' JSON by its keys; "" when none matches.
func detectOtherJSON(m map[string]json.RawMessage) Kind {
	switch {
	case trustee.IsEvidence(m):
		return KindTrustee
	case trustee.IsQuote(m):
		return KindTrusteeQuote
	case gotpm.IsDocument(m):
		return KindConstellation
	}
	return ""
}

// once sets *dst to val unless it holds something else already.
func once(name string, dst *[]byte, val []byte, what, whatKO string) error {
	if len(val) == 0 {
		return nil
	}
	if len(*dst) > 0 && !bytes.Equal(*dst, val) {
		return fault.Korean(fmt.Errorf("%s: a second %s; inspect one evidence set at a time", name, what),
			fmt.Sprintf("%s: 두 번째 %s입니다. 한 번에 증거 한 벌만 검사합니다", name, whatKO), "")
	}
	*dst = val
	return nil
}

// addQuote puts a quote's message, signature and SHA-256 PCR values into the set.
func (s *Set) addQuote(name string, msg, sig []byte, pcrs map[int][]byte) error {
	if s.Quote == nil {
		s.Quote = &Quote{}
	}
	if err := once(name, &s.Quote.Msg, msg, "TPM quote (TPMS_ATTEST)", "TPM 쿼트(TPMS_ATTEST)"); err != nil {
		return err
	}
	if len(sig) > 0 && s.provisionalSig() {
		// A raw blob taken for the signature may be bare PCR values; settle decides it.
		s.Quote.Sig = nil
	}
	if err := once(name, &s.Quote.Sig, sig, "quote signature", "쿼트 서명"); err != nil {
		return err
	}
	s.addPCRs(pcrs)
	return nil
}

func (s *Set) addPCRs(pcrs map[int][]byte) {
	if len(pcrs) == 0 {
		return
	}
	if s.PCRs == nil {
		s.PCRs = map[int][]byte{}
	}
	for i, v := range pcrs {
		s.PCRs[i] = v
	}
}

// addOther loads a file of another tool's format. bad: the file does not parse; err: it
// cannot join this set.
func (s *Set) addOther(name string, kind Kind, data []byte, info *FileInfo) (bad, err error) {
	switch kind {
	case KindTrustee:
		e, bad := trustee.Parse(data)
		if bad != nil {
			return bad, nil
		}
		// Everything is decoded before anything joins the set: a damaged file adds nothing.
		var pcrs map[int][]byte
		if pcrs, bad = listedPCRs(e.Quote.Message, e.Quote.PCRs); bad != nil {
			return fault.Korean(fmt.Errorf("trustee evidence field \"tpm_quote.pcrs\": %w", bad), "trustee 증거 필드 \"tpm_quote.pcrs\": "+koMsg(bad), ""), nil
		}
		what := "TD quote"
		if len(e.VCEK) > 0 {
			certs, bad := ParseCertificates(e.VCEK)
			if bad != nil {
				return fault.Korean(fmt.Errorf("trustee evidence field \"vcek\": %w", bad), "trustee 증거 필드 \"vcek\": "+koMsg(bad), ""), nil
			}
			if _, err := s.addCerts(certs); err != nil {
				return nil, err
			}
			what = "VCEK"
		}
		if err := s.addQuote(name, e.Quote.Message, e.Quote.Signature, pcrs); err != nil {
			return nil, err
		}
		if err := once(name, &s.HCLReport, e.HCLReport, "HCL report", "HCL 보고서"); err != nil {
			return nil, err
		}
		if err := once(name, &s.TDQuote, e.TDQuote, "TD quote", "TD 쿼트"); err != nil {
			return nil, err
		}
		info.Note = fmt.Sprintf("trustee %s evidence v%d: HCL report, TPM quote with %d PCR values, %s", e.TEE, e.Version, len(pcrs), what)
	case KindTrusteeQuote:
		q, bad := trustee.ParseQuote(data)
		if bad != nil {
			return bad, nil
		}
		pcrs, bad := listedPCRs(q.Message, q.PCRs)
		if bad != nil {
			return bad, nil
		}
		info.Note = fmt.Sprintf("trustee TPM quote with %d PCR values", len(pcrs))
		return nil, s.addQuote(name, q.Message, q.Signature, pcrs)
	case KindTPMTSig:
		sig, bad := tpm2tools.ParseSignature(data)
		if bad != nil {
			return bad, nil
		}
		info.Note = fmt.Sprintf("tpm2_quote -s: TPMT_SIGNATURE, %d-byte RSA signature", len(sig.RSA))
		return nil, s.addQuote(name, nil, sig.RSA, nil)
	case KindPCRFile:
		banks, bad := tpm2tools.ParsePCRFile(data)
		if bad != nil {
			return bad, nil
		}
		info.Note = s.addBanks(banks, "tpm2_quote -o")
	case KindHCLBody:
		body, bad := hcl.ParseBody(data)
		if bad != nil {
			return bad, nil
		}
		info.Note = body.Describe()
		if body.IGVM.ReportType == hcl.ReportSNP {
			err = once(name, &s.SNPReport, body.HardwareReport, "SEV-SNP report", "SEV-SNP 보고서")
		} else {
			err = once(name, &s.TDReport, body.HardwareReport, "TDREPORT", "TDREPORT")
		}
		if err == nil {
			err = once(name, &s.RuntimeClaims, body.Claims, "runtime claims JSON", "런타임 클레임 JSON")
		}
		return nil, err
	case KindConstellation:
		return s.addConstellation(name, data, info)
	case KindGoTPM:
		a, bad := gotpm.Parse(data)
		if bad != nil {
			return bad, nil
		}
		info.Note = fmt.Sprintf("go-tpm-tools attestation: AK, %d quote(s) (SHA-256: %d PCR values)", a.Quotes, len(a.PCRs))
		return nil, s.addGoTPM(name, a)
	}
	return nil, nil
}

// addGoTPM puts a go-tpm-tools attestation's pieces into the set.
func (s *Set) addGoTPM(name string, a *gotpm.Attestation) error {
	if err := s.addQuote(name, a.Msg, a.Sig, a.PCRs); err != nil {
		return err
	}
	for _, set := range []struct {
		dst      *[]byte
		val      []byte
		what, ko string
	}{{&s.AKPub, a.AKPub, "AK public key", "AK 공개 키"}, {&s.AKCert, a.AKCert, "AK certificate", "AK 인증서"},
		{&s.EventLog, a.EventLog, "event log", "이벤트 로그"}, {&s.SNPReport, a.SNPReport, "SEV-SNP report", "SEV-SNP 보고서"},
		{&s.TDQuote, a.TDQuote, "TD quote", "TD 쿼트"}} {
		if err := once(name, set.dst, set.val, set.what, set.ko); err != nil {
			return err
		}
	}
	for _, der := range a.Certs {
		s.Certs = appendUnique(s.Certs, der)
	}
	return nil
}

// addConstellation reads Constellation's attestation document: the go-tpm-tools attestation,
// and the hardware report, runtime claims and VCEK chain its Azure issuer adds.
func (s *Set) addConstellation(name string, data []byte, info *FileInfo) (bad, err error) {
	doc, bad := gotpm.ParseDocument(data)
	if bad != nil {
		return bad, nil
	}
	// Decode everything first: a damaged document adds nothing.
	var body *hcl.Body
	var what string
	switch {
	case hcl.IsBody(doc.Report):
		if body, bad = hcl.ParseBody(doc.Report); bad != nil {
			return bad, nil
		}
		what = body.IGVM.ReportType.String() + " report with its IGVM header"
	case isTDQuote(doc.Report):
		what = "TD quote"
	case isSNPReport(doc.Report):
		what = "SEV-SNP report"
	default:
		return fault.Korean(fmt.Errorf("Constellation attestation document, field \"InstanceInfo.AttestationReport\": %d bytes that are neither a SEV-SNP report, an HCL body nor a TD quote", len(doc.Report)),
			fmt.Sprintf("Constellation 증명 문서의 \"InstanceInfo.AttestationReport\" 필드: %d바이트로, SEV-SNP 보고서도 HCL 본문도 TD 쿼트도 아닙니다", len(doc.Report)), ""), nil
	}
	var certs []*x509.Certificate
	if pemBytes := append(append([]byte(nil), doc.VCEK...), doc.Chain...); len(pemBytes) > 0 {
		if certs, bad = ParseCertificates(pemBytes); bad != nil {
			return fault.Korean(fmt.Errorf("Constellation attestation document, fields \"InstanceInfo.Vcek\"/\"CertChain\": %w", bad), "Constellation 증명 문서의 \"InstanceInfo.Vcek\"/\"CertChain\" 필드: "+koMsg(bad), ""), nil
		}
	}
	if err := s.addGoTPM(name, doc.Attestation); err != nil {
		return nil, err
	}
	switch {
	case body != nil && body.IGVM.ReportType == hcl.ReportSNP:
		err = once(name, &s.SNPReport, body.HardwareReport, "SEV-SNP report", "SEV-SNP 보고서")
	case body != nil:
		err = once(name, &s.TDReport, body.HardwareReport, "TDREPORT", "TDREPORT")
	case what == "TD quote":
		err = once(name, &s.TDQuote, doc.Report, "TD quote", "TD 쿼트")
	default:
		err = once(name, &s.SNPReport, doc.Report, "SEV-SNP report", "SEV-SNP 보고서")
	}
	if err != nil {
		return nil, err
	}
	claims := doc.RuntimeClaims
	if body != nil && body.Claims != nil && len(claims) == 0 {
		claims = body.Claims
	}
	if err := once(name, &s.RuntimeClaims, claims, "runtime claims JSON", "런타임 클레임 JSON"); err != nil {
		return nil, err
	}
	if _, err := s.addCerts(certs); err != nil {
		return nil, err
	}
	if doc.Token != "" && s.Token == "" {
		s.Token = doc.Token
	}
	info.Note = fmt.Sprintf("Constellation attestation document: go-tpm-tools attestation (%d PCR values), %s, %d bytes of runtime claims, %d certificates", len(doc.PCRs), what, len(claims), len(certs))
	return nil, nil
}

// addBanks takes every bank a tool wrote (the quote's digest covers each bank it selects)
// and says which.
func (s *Set) addBanks(banks []tpm2tools.Bank, from string) string {
	var parts []string
	for _, b := range banks {
		s.addBank(b.Hash, b.Values)
		parts = append(parts, fmt.Sprintf("%s PCR %s", tpm2tools.HashName(b.Hash), tpmquote.PCRList(b.Indices())))
	}
	return from + ": " + strings.Join(parts, "; ")
}

// listedPCRs gives PCR values listed without indices (trustee's "pcrs") their indices: the
// SHA-256 selection of the quote, ascending, when the counts agree; otherwise by position from
// PCR0 (trustee lists all 24), and tpm.quote.pcr-digest says if they are not the quoted ones.
func listedPCRs(msg []byte, list [][]byte) (map[int][]byte, error) {
	if len(list) == 0 {
		return nil, nil
	}
	for i, v := range list {
		if len(v) != 32 {
			return nil, fault.Korean(fmt.Errorf("PCR value %d is %d bytes, want 32 (SHA-256)", i, len(v)),
				fmt.Sprintf("PCR 값 %d이(가) %d바이트입니다. 32바이트(SHA-256)여야 합니다", i, len(v)), "")
		}
	}
	var sel []int
	if a, err := tpmquote.ParseAttest(msg); err == nil {
		for _, b := range a.Selection {
			if uint16(b.Hash) == tpm2tools.AlgSHA256 {
				sel = append(sel, b.PCRs...)
			}
		}
	}
	sort.Ints(sel)
	out := map[int][]byte{}
	switch {
	case len(sel) == len(list):
		for i, p := range sel {
			out[p] = list[i]
		}
	case len(list) <= 24:
		for i, v := range list {
			out[i] = v
		}
	default:
		return nil, fault.Korean(fmt.Errorf("%d PCR values, but the quote selects %d SHA-256 PCRs and there are only 24", len(list), len(sel)),
			fmt.Sprintf("PCR 값이 %d개이지만 쿼트가 선택한 SHA-256 PCR은 %d개이며 PCR은 24개뿐입니다", len(list), len(sel)), "")
	}
	return out, nil
}

func koMsg(err error) string {
	msg, _ := fault.MessageIn(err, "ko")
	return msg
}

// pending is a file whose kind only the rest of the set can decide: a raw signature-sized
// blob, or bytes with no signature of their own (tpm2_pcrread -o writes bare digests).
type pending struct {
	file int // index in Files
	data []byte
}

// settle decides the files that content alone could not: bare PCR digests are recognised by
// the quote's selection and digest, a raw blob of signature size is the signature. A file
// still unrecognised stays in Files with its error, for a failing check.
func (s *Set) settle() {
	sel, digest := s.quoteSelection()
	var sigFile = -1
	if s.Quote != nil {
		// Signatures taken provisionally are decided again here, with every file known.
		for _, p := range s.pending {
			if s.Files[p.file].Kind == KindSignature && bytes.Equal(s.Quote.Sig, p.data) {
				s.Quote.Sig = nil
			}
		}
	}
	var left []pending
	for _, p := range s.pending {
		if banks, err := tpm2tools.SplitValues(p.data, sel); err == nil && digest != nil && bytes.Equal(sha(p.data), digest) {
			s.Files[p.file].Kind, s.Files[p.file].Err, s.Files[p.file].ErrKO = KindPCRValues, "", ""
			s.Files[p.file].Note = s.addBanks(banks, "PCR values matching the quote's digest")
			continue
		}
		left = append(left, p)
	}
	for _, p := range left {
		f := &s.Files[p.file]
		switch {
		case isSigSize(p.data) && (s.Quote == nil || len(s.Quote.Sig) == 0):
			if s.Quote == nil {
				s.Quote = &Quote{}
			}
			s.Quote.Sig, f.Kind, f.Err, f.ErrKO = p.data, KindSignature, "", ""
			sigFile = p.file
		default:
			if banks, err := tpm2tools.SplitValues(p.data, sel); err == nil {
				// The right size for the quote's selection but not its digest: PCR values that
				// differ from what was quoted, which tpm.quote.pcr-digest reports.
				f.Kind, f.Err, f.ErrKO = KindPCRValues, "", ""
				f.Note = s.addBanks(banks, "PCR values for the quote's selection")
				continue
			}
			if f.Kind == KindSignature {
				f.Err = fmt.Sprintf("a second quote signature (%d bytes) after %s, and not PCR values for the quote's selection", len(p.data), s.fileName(sigFile))
				f.ErrKO = fmt.Sprintf("%s 다음의 두 번째 쿼트 서명(%d바이트)이며, 쿼트가 선택한 PCR의 값도 아닙니다", s.fileName(sigFile), len(p.data))
			}
		}
	}
	s.pending = nil
}

// provisionalSig reports whether the quote's signature so far is a raw file's, taken
// provisionally.
func (s *Set) provisionalSig() bool {
	for _, p := range s.pending {
		if s.Files[p.file].Kind == KindSignature && bytes.Equal(s.Quote.Sig, p.data) {
			return true
		}
	}
	return false
}

func (s *Set) fileName(i int) string {
	if i < 0 || i >= len(s.Files) {
		return "the first signature"
	}
	return s.Files[i].Path
}

func isSigSize(b []byte) bool { return len(b) == 256 || len(b) == 384 || len(b) == 512 }

func sha(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// quoteSelection is the set's quote's PCR selection and digest, nil when there is none.
func (s *Set) quoteSelection() ([]tpm2tools.Selection, []byte) {
	if s.Quote == nil || len(s.Quote.Msg) == 0 {
		return nil, nil
	}
	a, err := tpmquote.ParseAttest(s.Quote.Msg)
	if err != nil || a.Type != tpmquote.TypeQuote {
		return nil, nil
	}
	var sel []tpm2tools.Selection
	for _, b := range a.Selection {
		sel = append(sel, tpm2tools.Selection{Hash: uint16(b.Hash), PCRs: b.PCRs})
	}
	return sel, a.PCRDigest
}
