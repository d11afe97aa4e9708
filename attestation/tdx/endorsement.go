package tdx

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	internalcerts "github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/veraison/go-cose"
)

// IDMRTDEndorsed is the ID of the paravisor-endorsement check (CheckMRTDEndorsed).
const IDMRTDEndorsed = "tdx.mrtd-endorsed"

// guestNote is said with every verdict: on Azure the TD is the paravisor, so MRTD/RTMRs never
// describe the guest OS the user booted.
const (
	guestNote   = "MRTD and RTMR0-3 measure Azure's paravisor (HCL), not the guest OS; the guest's own boot measurements are in the vTPM PCRs"
	guestNoteKO = "MRTD와 RTMR0-3은 게스트 OS가 아니라 Azure 패러바이저(HCL)를 측정합니다. 게스트 자체의 부팅 측정값은 vTPM PCR에 있습니다"
)

// Endorsement is a parsed paravisor MRTD endorsement, as Azure's THIM serves it at
// GET https://<region>.thim.azure.net/endorsement/tdx/<MRTD hex>: a COSE_Sign1 (RFC 9052)
// whose payload is JSON naming the endorsed MRTD.
//
// [UNSURE] No published sample shows the payload's keys (AZ-RS only decodes it as JSON).
// The reader is lenient: any JSON key whose name contains "mrtd" (any case, any depth) with
// a 96-hex-digit string, or a list of them, endorses those MRTDs; a key containing "svn"
// gives the security version. This matches the simulated endorser's
// {"x-ms-tdx-mrtd": …, "x-ms-tdx-svn": …}, modelled on Microsoft's utility-VM reference
// info, and any shape that names the field plainly.
type Endorsement struct {
	// Raw is the COSE_Sign1 as received (after base64 decoding, if it came as text).
	Raw []byte
	// Alg is the COSE algorithm name from the protected header, e.g. "PS384".
	Alg string
	// ContentType is COSE header 3, "" when absent.
	ContentType string
	// Chain is the x5chain (header 33), signer first; empty when the document has none.
	Chain []*x509.Certificate
	// Payload is the signed payload; Claims is it decoded.
	Payload []byte
	Claims  map[string]any
	// MRTDs are the endorsed MRTDs (48 bytes each), from the keys named in MRTDKeys.
	MRTDs    [][]byte
	MRTDKeys []string
	// SVN is the paravisor security version as written, "" when the payload has none.
	SVN string
	// Notes are payload entries that looked like MRTDs but could not be read.
	Notes []string

	msg *cose.Sign1Message
	alg cose.Algorithm
}

// EndorsementParseError names the part of an endorsement that could not be read.
type EndorsementParseError struct {
	Field string
	Msg   string
}

func (e *EndorsementParseError) Error() string {
	return "paravisor endorsement: " + e.Field + ": " + e.Msg
}

// ParseEndorsement reads a COSE_Sign1 endorsement: tagged (CBOR tag 18) or untagged, raw
// bytes or base64 text of them (Microsoft distributes its reference info base64-encoded).
// It checks nothing cryptographic; CheckMRTDEndorsed does.
func ParseEndorsement(b []byte) (*Endorsement, error) {
	perr := func(field, en, ko string, a ...any) error {
		return fault.Korean(&EndorsementParseError{Field: field, Msg: fmt.Sprintf(en, a...)},
			"패러바이저 보증서(endorsement): "+field+": "+fmt.Sprintf(ko, a...), "")
	}
	// Trim only text: a binary signature may well end in bytes that look like whitespace.
	raw := b
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, perr("input", "empty; fetch the endorsement again (GET /endorsement/tdx/<MRTD hex>)", "비어 있습니다. 보증서를 다시 가져옵니다(GET /endorsement/tdx/<MRTD hex>)")
	}
	if raw[0] != 0xd2 && raw[0] != 0x84 {
		dec, err := decodeB64Any(string(bytes.TrimSpace(raw)))
		if err != nil || len(dec) == 0 || (dec[0] != 0xd2 && dec[0] != 0x84) {
			return nil, perr("COSE_Sign1", "first byte 0x%02x is neither CBOR tag 18 (0xd2) nor a 4-element array (0x84), and the input is not base64 of one; is this the endorsement body, not a JSON or HTML error page?",
				"첫 바이트 0x%02x가 CBOR 태그 18(0xd2)도 4개 원소 배열(0x84)도 아니며, 그 base64도 아닙니다. JSON이나 HTML 오류 페이지가 아니라 보증서 본문인지 확인합니다", raw[0])
		}
		raw = dec
	}
	msg, err := decodeSign1(raw)
	if err != nil {
		return nil, perr("COSE_Sign1", "%v", "COSE_Sign1을 해석할 수 없습니다: %v", err)
	}
	e := &Endorsement{Raw: append([]byte(nil), raw...), msg: msg}
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil {
		return nil, perr("protected header alg (label 1)", "%v; an endorsement must name its signature algorithm in the protected header", "%v. 보증서는 보호 헤더에 서명 알고리즘을 밝혀야 합니다", err)
	}
	e.alg, e.Alg = alg, alg.String()
	if ct, ok := msg.Headers.Protected[cose.HeaderLabelContentType]; ok {
		e.ContentType = fmt.Sprint(ct)
	}
	if e.Chain, err = x5chain(msg.Headers); err != nil {
		return nil, perr("x5chain (label 33)", "%v", "인증서 체인을 읽을 수 없습니다: %v", err)
	}
	if msg.Payload == nil {
		return nil, perr("payload (COSE_Sign1 element 3)", "detached (nil); cvmscope needs the endorsement with its payload", "분리되어(nil) 있습니다. cvmscope에는 페이로드가 포함된 보증서가 필요합니다")
	}
	e.Payload = msg.Payload
	if err := json.Unmarshal(msg.Payload, &e.Claims); err != nil {
		return nil, perr("payload", "not a JSON object (content type %q): %v; cvmscope reads the JSON form that Microsoft's SDK reads",
			"JSON 객체가 아닙니다(content type %q): %v. cvmscope는 Microsoft SDK가 읽는 JSON 형식을 읽습니다", e.ContentType, err)
	}
	walkClaims(e, e.Claims, "", 0)
	if len(e.MRTDs) == 0 {
		keys := make([]string, 0, len(e.Claims))
		for k := range e.Claims {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		msg := fmt.Sprintf("no MRTD found: looked for keys containing \"mrtd\" with 96 hex digits; top-level keys are %s", strings.Join(keys, ", "))
		msgKO := fmt.Sprintf("MRTD가 없습니다. 값이 96자리 hex인, \"mrtd\"를 포함한 키를 찾았습니다. 최상위 키: %s", strings.Join(keys, ", "))
		if len(e.Notes) > 0 {
			msg += "; " + strings.Join(e.Notes, "; ")
			msgKO += ". " + strings.Join(e.Notes, "; ")
		}
		return nil, fault.Korean(&EndorsementParseError{Field: "payload", Msg: msg}, "패러바이저 보증서(endorsement): payload: "+msgKO, "")
	}
	return e, nil
}

// decodeSign1 accepts the tagged and the untagged encoding and never lets a decoder panic
// reach the caller.
func decodeSign1(raw []byte) (msg *cose.Sign1Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("malformed CBOR (decoder stopped: %v)", r)
		}
	}()
	if raw[0] == 0xd2 {
		var m cose.Sign1Message
		if err := m.UnmarshalCBOR(raw); err != nil {
			return nil, err
		}
		return &m, nil
	}
	var u cose.UntaggedSign1Message
	if err := u.UnmarshalCBOR(raw); err != nil {
		return nil, err
	}
	m := cose.Sign1Message(u)
	return &m, nil
}

// x5chain reads header 33 from the protected header, or from the unprotected one (RFC 9360
// allows both; only the protected one is covered by the signature, which is fine because
// the chain is verified on its own). It is one bstr or an array of them.
func x5chain(h cose.Headers) ([]*x509.Certificate, error) {
	v, ok := h.Protected[cose.HeaderLabelX5Chain]
	if !ok {
		if v, ok = h.Unprotected[cose.HeaderLabelX5Chain]; !ok {
			return nil, nil
		}
	}
	var ders [][]byte
	switch t := v.(type) {
	case []byte:
		ders = [][]byte{t}
	case []any:
		for i, c := range t {
			d, ok := c.([]byte)
			if !ok {
				return nil, fmt.Errorf("element %d is a %T, want a DER certificate (bstr)", i+1, c)
			}
			ders = append(ders, d)
		}
	default:
		return nil, fmt.Errorf("is a %T, want a bstr or an array of bstr", v)
	}
	var certs []*x509.Certificate
	for i, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err == nil {
			err = internalcerts.Oversized(c) // its signature over the document is checked next
		}
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %v", i+1, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// walkClaims collects MRTDs and the SVN from the payload. Depth is bounded because the
// payload is attacker-controlled until its signature is checked.
func walkClaims(e *Endorsement, v any, path string, depth int) {
	if depth > 8 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			lk := strings.ToLower(k)
			switch {
			case strings.Contains(lk, "mrtd"):
				addMRTDs(e, t[k], p)
			case strings.Contains(lk, "svn"):
				// Prefer an integer form ("…-svn-int") but keep the first one found.
				if s := scalarString(t[k]); s != "" && (e.SVN == "" || strings.HasSuffix(lk, "int")) {
					e.SVN = s
				}
			default:
				walkClaims(e, t[k], p, depth+1)
			}
		}
	case []any:
		for i, x := range t {
			walkClaims(e, x, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	}
}

func addMRTDs(e *Endorsement, v any, key string) {
	var vals []any
	switch t := v.(type) {
	case []any:
		vals = t
	default:
		vals = []any{t}
	}
	for _, x := range vals {
		s, ok := x.(string)
		if !ok {
			e.Notes = append(e.Notes, fmt.Sprintf("%s holds a %T, not a hex string", key, x))
			continue
		}
		s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
		m, err := hex.DecodeString(s)
		if err != nil || len(m) != 48 {
			e.Notes = append(e.Notes, fmt.Sprintf("%s = %q is not 96 hex digits (48 bytes)", key, truncate(s, 24)))
			continue
		}
		e.MRTDs = append(e.MRTDs, m)
		if !slices.Contains(e.MRTDKeys, key) {
			e.MRTDKeys = append(e.MRTDKeys, key)
		}
	}
}

func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Lists returns whether the endorsement names mrtd.
func (e *Endorsement) Lists(mrtd []byte) bool {
	return slices.ContainsFunc(e.MRTDs, func(m []byte) bool { return bytes.Equal(m, mrtd) })
}

// acceptedAlgs pins the signature algorithms: RSASSA-PSS and ECDSA with SHA-2, the families
// Microsoft's COSE endorsements use. Anything else (HMAC, "none", unknown) is not verified.
var acceptedAlgs = []cose.Algorithm{cose.AlgorithmPS384, cose.AlgorithmES384, cose.AlgorithmPS256, cose.AlgorithmPS512, cose.AlgorithmES256, cose.AlgorithmES512}

// EndorsementOptions configure CheckMRTDEndorsed.
type EndorsementOptions struct {
	// Roots are the trusted endorsement roots. For the simulated CVM this is
	// simroots.Endorser.Roots(). Nil means none is pinned: cvmscope ships no Microsoft
	// endorsement root, because the real signing chain is not published; the signature is
	// then checked against the document's own chain and the verdict is at most a warning.
	Roots *x509.CertPool
	// Now is when certificates must be valid; zero means now.
	Now time.Time
	// Source names where the endorsements came from, for messages (e.g. a THIM URL).
	Source string
	// FetchErr is why no endorsement could be fetched, when that happened.
	FetchErr error
	// NotListed says the endorsement service answered that it has no endorsement for this
	// MRTD (THIM HTTP 404), as opposed to not answering at all.
	NotListed bool
}

func (o EndorsementOptions) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// sigStatus is how far one endorsement's signature could be checked.
type sigStatus int

const (
	sigPinned       sigStatus = iota // signature good, chain to a configured root
	sigSelfOnly                      // signature good with its own chain; no root configured
	sigUnverifiable                  // no key in the document, or an algorithm not accepted
	sigUntrusted                     // signature good, chain does not reach the configured roots
	sigBad                           // signature does not verify: the document was altered
)

type sigResult struct {
	status sigStatus
	// what says what was checked, in one phrase; detail adds the failure; root names the
	// root the signer chains to (pinned or the document's own). whatKO and detailKO say
	// the same in Korean.
	what, detail, root string
	whatKO, detailKO   string
}

// verifySignature checks one endorsement's COSE signature with the first x5chain certificate
// and that certificate's chain.
func verifySignature(e *Endorsement, opts EndorsementOptions) sigResult {
	if !slices.Contains(acceptedAlgs, e.alg) {
		return sigResult{status: sigUnverifiable, what: "signature not checked", detail: fmt.Sprintf("algorithm %s is not one cvmscope accepts (PS256/384/512, ES256/384/512)", e.Alg),
			whatKO: "서명을 검증하지 않았습니다", detailKO: fmt.Sprintf("알고리즘 %s는 cvmscope가 받아들이는 알고리즘(PS256/384/512, ES256/384/512)이 아닙니다", e.Alg)}
	}
	if len(e.Chain) == 0 {
		return sigResult{status: sigUnverifiable, what: "signature not checked", detail: "the document carries no x5chain (header 33), so cvmscope has no key to check it with",
			whatKO: "서명을 검증하지 않았습니다", detailKO: "문서에 x5chain(헤더 33)이 없어 cvmscope가 검증에 쓸 키가 없습니다"}
	}
	leaf := e.Chain[0]
	v, err := cose.NewVerifier(e.alg, leaf.PublicKey)
	if err != nil {
		return sigResult{status: sigBad, what: "signature refused", detail: fmt.Sprintf("the signing certificate %q holds a key unfit for %s: %v", leaf.Subject.CommonName, e.Alg, err),
			whatKO: "서명을 거부했습니다", detailKO: fmt.Sprintf("서명 인증서 %q의 키가 %s에 맞지 않습니다: %v", leaf.Subject.CommonName, e.Alg, err)}
	}
	if err := e.msg.Verify(nil, v); err != nil {
		return sigResult{status: sigBad, what: "signature refused", detail: fmt.Sprintf("the %s signature does not verify with %q: the endorsement was altered after signing (%v)", e.Alg, leaf.Subject.CommonName, err),
			whatKO: "서명을 거부했습니다", detailKO: fmt.Sprintf("%s 서명이 %q로 검증되지 않습니다. 서명 후 보증서가 변경되었습니다(%v)", e.Alg, leaf.Subject.CommonName, err)}
	}
	inter := x509.NewCertPool()
	for _, c := range e.Chain[1:] {
		inter.AddCert(c)
	}
	vo := x509.VerifyOptions{Intermediates: inter, CurrentTime: opts.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if opts.Roots != nil {
		vo.Roots = opts.Roots
		chains, err := leaf.Verify(vo)
		if err != nil {
			return sigResult{status: sigUntrusted, what: "signature good but signer not trusted", detail: fmt.Sprintf("signer %q does not chain to a configured endorsement root: %v", leaf.Subject.CommonName, err),
				whatKO: "서명은 맞지만 서명자를 신뢰하지 않습니다", detailKO: fmt.Sprintf("서명자 %q가 설정된 보증서 루트까지 이어지지 않습니다: %v", leaf.Subject.CommonName, err)}
		}
		root := chains[0][len(chains[0])-1]
		return sigResult{status: sigPinned, root: root.Subject.CommonName, what: fmt.Sprintf("%s signature by %q, chain to the trusted root %q", e.Alg, leaf.Subject.CommonName, root.Subject.CommonName),
			whatKO: fmt.Sprintf("%q의 %s 서명, 신뢰 루트 %q까지 체인 검증", leaf.Subject.CommonName, e.Alg, root.Subject.CommonName)}
	}
	// No pinned root: check the chain against its own self-signed top, which proves the
	// document is intact and internally consistent, not who made it.
	top := e.Chain[len(e.Chain)-1]
	fp := sha256.Sum256(top.Raw)
	if !bytes.Equal(top.RawIssuer, top.RawSubject) || top.CheckSignatureFrom(top) != nil {
		return sigResult{status: sigSelfOnly, root: top.Subject.CommonName, what: fmt.Sprintf("%s signature verifies with the embedded certificate %q; its chain ends at %q (SHA-256 %s), which is not self-signed, so no root was checked", e.Alg, leaf.Subject.CommonName, top.Subject.CommonName, hex.EncodeToString(fp[:])),
			whatKO: fmt.Sprintf("%s 서명이 내장 인증서 %q로 검증됩니다. 체인은 자체 서명이 아닌 %q(SHA-256 %s)에서 끝나므로 루트는 검증하지 않았습니다", e.Alg, leaf.Subject.CommonName, top.Subject.CommonName, hex.EncodeToString(fp[:]))}
	}
	self := x509.NewCertPool()
	self.AddCert(top)
	vo.Roots = self
	expired, expiredKO := "", ""
	if _, err := leaf.Verify(vo); err != nil {
		// Signing certificates of published endorsements are short-lived while the document
		// stays in use; without a pinned root the verdict is a warning anyway, so an expired
		// chain is reported rather than refused, once it is shown to verify while valid.
		var inv x509.CertificateInvalidError
		inside := vo
		inside.CurrentTime = leaf.NotAfter.Add(-time.Minute)
		if !errors.As(err, &inv) || inv.Reason != x509.Expired {
			return sigResult{status: sigBad, what: "embedded chain refused", detail: fmt.Sprintf("the x5chain does not verify up to its own root %q: %v", top.Subject.CommonName, err),
				whatKO: "내장 체인을 거부했습니다", detailKO: fmt.Sprintf("x5chain이 자체 루트 %q까지 검증되지 않습니다: %v", top.Subject.CommonName, err)}
		}
		if _, err2 := leaf.Verify(inside); err2 != nil {
			return sigResult{status: sigBad, what: "embedded chain refused", detail: fmt.Sprintf("the x5chain does not verify up to its own root %q: %v", top.Subject.CommonName, err2),
				whatKO: "내장 체인을 거부했습니다", detailKO: fmt.Sprintf("x5chain이 자체 루트 %q까지 검증되지 않습니다: %v", top.Subject.CommonName, err2)}
		}
		expired = fmt.Sprintf("; the signing certificate expired %s", leaf.NotAfter.UTC().Format(time.DateOnly))
		expiredKO = fmt.Sprintf(". 서명 인증서는 %s에 만료되었습니다", leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	return sigResult{status: sigSelfOnly, root: top.Subject.CommonName, what: fmt.Sprintf("%s signature verifies with the embedded chain %q → %q (root SHA-256 %s)%s", e.Alg, leaf.Subject.CommonName, top.Subject.CommonName, hex.EncodeToString(fp[:]), expired),
		whatKO: fmt.Sprintf("%s 서명이 내장 체인 %q → %q(루트 SHA-256 %s)로 검증됩니다%s", e.Alg, leaf.Subject.CommonName, top.Subject.CommonName, hex.EncodeToString(fp[:]), expiredKO)}
}

// CheckMRTDEndorsed checks that mrtd is the measurement of a paravisor Microsoft endorses.
//
//	pass  a correctly signed endorsement, chained to opts.Roots, lists mrtd
//	warn  an endorsement lists mrtd but its signer could not be tied to a pinned root
//	      (the message says exactly what was verified); or nothing could be fetched/read
//	fail  the endorsements (or the service's 404) say mrtd is not endorsed, or every
//	      endorsement's signature is broken or from an untrusted signer
//	skip  no endorsement was supplied
func CheckMRTDEndorsed(mrtd []byte, endorsements [][]byte, opts EndorsementOptions) check.Check {
	id := IDMRTDEndorsed
	if len(mrtd) != measurementSize {
		return check.Failf(id, "MRTD is %d bytes, want %d; take it from the TDREPORT (offset %d) or the quote body", len(mrtd), measurementSize, offMRTD).
			KO("MRTD가 %d바이트이지만 %d바이트여야 합니다. TDREPORT(오프셋 %d)나 쿼트 본문에서 가져옵니다", len(mrtd), measurementSize, offMRTD)
	}
	mh := hex.EncodeToString(mrtd)
	short := mh[:16] + "…"
	src, srcKO := "", ""
	base := []detail{{"MRTD " + mh, "MRTD 값 " + mh}, {guestNote, guestNoteKO}}
	if opts.Source != "" {
		src, srcKO = " from "+opts.Source, "("+opts.Source+")"
		base = append(base, detail{"source: " + opts.Source, "출처: " + opts.Source})
	}
	if len(endorsements) == 0 {
		switch {
		case opts.NotListed:
			return withDetails(check.Failf(id, "the endorsement service%s has no endorsement for MRTD %s: the TD is not a Microsoft-endorsed paravisor (or a release not yet published)", src, short).
				KO("보증 서비스%s에 MRTD %s에 대한 보증서가 없습니다. 이 TD는 Microsoft가 보증한 패러바이저가 아닙니다(또는 아직 공개되지 않은 릴리스입니다)", srcKO, short),
				append(base, detail{"the answer (HTTP 404) is not signed; compare the MRTD with a fresh MAA token before distrusting the VM",
					"이 응답(HTTP 404)은 서명되지 않았습니다. VM을 불신하기 전에 새 MAA 토큰의 MRTD와 비교합니다"}))
		case opts.FetchErr != nil:
			return withDetails(check.Warnf(id, "no paravisor endorsement could be fetched%s, so MRTD %s is not checked against Microsoft's list", src, short).
				KO("패러바이저 보증서를 가져오지 못해%s MRTD %s를 Microsoft 목록과 대조하지 않았습니다", srcKO, short),
				append(base, detail{"fetch error: " + opts.FetchErr.Error(), "가져오기 오류: " + inKorean(opts.FetchErr)}))
		}
		return check.Skipf(id, "no paravisor endorsement supplied; MRTD %s not checked against Microsoft's list (%s)", short, "guest measurements are in the vTPM PCRs").
			KO("패러바이저 보증서가 주어지지 않아 MRTD %s를 Microsoft 목록과 대조하지 않았습니다(게스트 측정값은 vTPM PCR에 있습니다)", short)
	}

	type result struct {
		e   *Endorsement
		sig sigResult
	}
	var parsed []result
	var details []detail
	for i, b := range endorsements {
		e, err := ParseEndorsement(b)
		if err != nil {
			details = append(details, detail{fmt.Sprintf("endorsement %d: %v", i+1, err), fmt.Sprintf("보증서 %d: %s", i+1, inKorean(err))})
			continue
		}
		r := result{e: e, sig: verifySignature(e, opts)}
		parsed = append(parsed, r)
		line := fmt.Sprintf("endorsement %d: %s", i+1, r.sig.what)
		lineKO := fmt.Sprintf("보증서 %d: %s", i+1, r.sig.whatKO)
		if r.sig.detail != "" {
			line += ": " + r.sig.detail
			lineKO += ": " + r.sig.detailKO
		}
		keys := strings.Join(e.MRTDKeys, ", ")
		line += fmt.Sprintf("; lists %d MRTD(s) under %s", len(e.MRTDs), keys)
		lineKO += fmt.Sprintf(". %s 키 아래 MRTD %d개를 나열합니다", keys, len(e.MRTDs))
		if e.SVN != "" {
			line += ", SVN " + e.SVN
			lineKO += ", SVN " + e.SVN
		}
		details = append(details, detail{line, lineKO})
	}
	details = append(base, details...)

	find := func(status sigStatus, listed bool) *result {
		for i := range parsed {
			if parsed[i].sig.status == status && parsed[i].e.Lists(mrtd) == listed {
				return &parsed[i]
			}
		}
		return nil
	}
	svn := func(e *Endorsement) string {
		if e.SVN == "" {
			return ""
		}
		return ", paravisor SVN " + e.SVN
	}
	svnKO := func(e *Endorsement) string {
		if e.SVN == "" {
			return ""
		}
		return ", 패러바이저 SVN " + e.SVN
	}
	if r := find(sigPinned, true); r != nil {
		return withDetails(check.Passf(id, "MRTD %s is in a paravisor endorsement signed (%s) under the trusted root %q%s: the TD is a Microsoft-endorsed paravisor; guest measurements are in the vTPM PCRs", short, r.e.Alg, r.sig.root, svn(r.e)).
			KO("MRTD %s가 신뢰 루트 %q 아래에서 서명(%s)된 패러바이저 보증서에 있습니다%s. 이 TD는 Microsoft가 보증한 패러바이저입니다. 게스트 측정값은 vTPM PCR에 있습니다", short, r.sig.root, r.e.Alg, svnKO(r.e)), details)
	}
	if r := find(sigSelfOnly, true); r != nil {
		return withDetails(check.Warnf(id, "MRTD %s is in a paravisor endorsement whose %s signature verifies only with its own embedded chain (root %q): cvmscope pins no Microsoft endorsement root, so who signed it is not established", short, r.e.Alg, r.sig.root).
			KO("MRTD %s가 패러바이저 보증서에 있지만, 그 %s 서명은 문서에 내장된 체인(루트 %q)으로만 검증됩니다. cvmscope는 Microsoft 보증 루트를 고정하지 않으므로 누가 서명했는지는 확인되지 않았습니다", short, r.e.Alg, r.sig.root), details)
	}
	if r := find(sigUnverifiable, true); r != nil {
		return withDetails(check.Warnf(id, "MRTD %s is in a paravisor endorsement, but its signature was not checked: %s", short, r.sig.detail).
			KO("MRTD %s가 패러바이저 보증서에 있지만 서명은 검증하지 않았습니다: %s", short, r.sig.detailKO), details)
	}
	if r := find(sigPinned, false); r != nil {
		return withDetails(check.Failf(id, "MRTD %s is not in the paravisor endorsement signed under the trusted root %q: the TD is not a Microsoft-endorsed paravisor", short, r.sig.root).
			KO("MRTD %s가 신뢰 루트 %q 아래에서 서명된 패러바이저 보증서에 없습니다. 이 TD는 Microsoft가 보증한 패러바이저가 아닙니다", short, r.sig.root), details)
	}
	if r := find(sigSelfOnly, false); r != nil {
		return withDetails(check.Failf(id, "MRTD %s is not in the paravisor endorsement (signature checked against its own chain only, root %q): the TD is not a Microsoft-endorsed paravisor", short, r.sig.root).
			KO("MRTD %s가 패러바이저 보증서에 없습니다(서명은 문서 자체 체인, 루트 %q로만 검증). 이 TD는 Microsoft가 보증한 패러바이저가 아닙니다", short, r.sig.root), details)
	}
	for _, st := range []sigStatus{sigBad, sigUntrusted} {
		for _, r := range parsed {
			if r.sig.status == st {
				return withDetails(check.Failf(id, "no correctly signed endorsement lists MRTD %s: %s (%s)", short, r.sig.what, r.sig.detail).
					KO("올바르게 서명된 보증서 중 MRTD %s를 나열하는 것이 없습니다: %s(%s)", short, r.sig.whatKO, r.sig.detailKO), details)
			}
		}
	}
	// Only a positive answer needs a trusted signature; an endorsement that does not list
	// the MRTD fails it whatever its signature, because trusting it can only deny.
	if r := find(sigUnverifiable, false); r != nil {
		return withDetails(check.Failf(id, "MRTD %s is not in the paravisor endorsement (its signature was not checked): the TD is not a Microsoft-endorsed paravisor", short).
			KO("MRTD %s가 패러바이저 보증서에 없습니다(서명은 검증하지 않았습니다). 이 TD는 Microsoft가 보증한 패러바이저가 아닙니다", short), details)
	}
	return withDetails(check.Warnf(id, "no endorsement%s could be read, so MRTD %s is not checked against Microsoft's list", src, short).
		KO("보증서%s를 읽을 수 없어 MRTD %s를 Microsoft 목록과 대조하지 않았습니다", srcKO, short), details)
}

// decodeB64Any accepts standard and URL alphabets, padded or not, ignoring line breaks.
func decodeB64Any(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
