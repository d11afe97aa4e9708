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
	"github.com/veraison/go-cose"
)

// IDMRTDEndorsed is the ID of the paravisor-endorsement check (CheckMRTDEndorsed).
const IDMRTDEndorsed = "tdx.mrtd-endorsed"

// guestNote is said with every verdict: on Azure the TD is the paravisor, so MRTD/RTMRs never
// describe the guest OS the user booted.
const guestNote = "MRTD and RTMR0-3 measure Azure's paravisor (HCL), not the guest OS; the guest's own boot measurements are in the vTPM PCRs"

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
	perr := func(field, format string, a ...any) error {
		return &EndorsementParseError{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	// Trim only text: a binary signature may well end in bytes that look like whitespace.
	raw := b
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, perr("input", "empty; fetch the endorsement again (GET /endorsement/tdx/<MRTD hex>)")
	}
	if raw[0] != 0xd2 && raw[0] != 0x84 {
		dec, err := decodeB64Any(string(bytes.TrimSpace(raw)))
		if err != nil || len(dec) == 0 || (dec[0] != 0xd2 && dec[0] != 0x84) {
			return nil, perr("COSE_Sign1", "first byte 0x%02x is neither CBOR tag 18 (0xd2) nor a 4-element array (0x84), and the input is not base64 of one; is this the endorsement body, not a JSON or HTML error page?", raw[0])
		}
		raw = dec
	}
	msg, err := decodeSign1(raw)
	if err != nil {
		return nil, perr("COSE_Sign1", "%v", err)
	}
	e := &Endorsement{Raw: append([]byte(nil), raw...), msg: msg}
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil {
		return nil, perr("protected header alg (label 1)", "%v; an endorsement must name its signature algorithm in the protected header", err)
	}
	e.alg, e.Alg = alg, alg.String()
	if ct, ok := msg.Headers.Protected[cose.HeaderLabelContentType]; ok {
		e.ContentType = fmt.Sprint(ct)
	}
	if e.Chain, err = x5chain(msg.Headers); err != nil {
		return nil, perr("x5chain (label 33)", "%v", err)
	}
	if msg.Payload == nil {
		return nil, perr("payload (COSE_Sign1 element 3)", "detached (nil); cvmscope needs the endorsement with its payload")
	}
	e.Payload = msg.Payload
	if err := json.Unmarshal(msg.Payload, &e.Claims); err != nil {
		return nil, perr("payload", "not a JSON object (content type %q): %v; cvmscope reads the JSON form that Microsoft's SDK reads", e.ContentType, err)
	}
	walkClaims(e, e.Claims, "", 0)
	if len(e.MRTDs) == 0 {
		keys := make([]string, 0, len(e.Claims))
		for k := range e.Claims {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		msg := fmt.Sprintf("no MRTD found: looked for keys containing \"mrtd\" with 96 hex digits; top-level keys are %s", strings.Join(keys, ", "))
		if len(e.Notes) > 0 {
			msg += "; " + strings.Join(e.Notes, "; ")
		}
		return nil, perr("payload", "%s", msg)
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
	// root the signer chains to (pinned or the document's own).
	what, detail, root string
}

// verifySignature checks one endorsement's COSE signature with the first x5chain certificate
// and that certificate's chain.
func verifySignature(e *Endorsement, opts EndorsementOptions) sigResult {
	if !slices.Contains(acceptedAlgs, e.alg) {
		return sigResult{status: sigUnverifiable, what: "signature not checked", detail: fmt.Sprintf("algorithm %s is not one cvmscope accepts (PS256/384/512, ES256/384/512)", e.Alg)}
	}
	if len(e.Chain) == 0 {
		return sigResult{status: sigUnverifiable, what: "signature not checked", detail: "the document carries no x5chain (header 33), so cvmscope has no key to check it with"}
	}
	leaf := e.Chain[0]
	v, err := cose.NewVerifier(e.alg, leaf.PublicKey)
	if err != nil {
		return sigResult{status: sigBad, what: "signature refused", detail: fmt.Sprintf("the signing certificate %q holds a key unfit for %s: %v", leaf.Subject.CommonName, e.Alg, err)}
	}
	if err := e.msg.Verify(nil, v); err != nil {
		return sigResult{status: sigBad, what: "signature refused", detail: fmt.Sprintf("the %s signature does not verify with %q: the endorsement was altered after signing (%v)", e.Alg, leaf.Subject.CommonName, err)}
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
			return sigResult{status: sigUntrusted, what: "signature good but signer not trusted", detail: fmt.Sprintf("signer %q does not chain to a configured endorsement root: %v", leaf.Subject.CommonName, err)}
		}
		root := chains[0][len(chains[0])-1]
		return sigResult{status: sigPinned, root: root.Subject.CommonName, what: fmt.Sprintf("%s signature by %q, chain to the trusted root %q", e.Alg, leaf.Subject.CommonName, root.Subject.CommonName)}
	}
	// No pinned root: check the chain against its own self-signed top, which proves the
	// document is intact and internally consistent, not who made it.
	top := e.Chain[len(e.Chain)-1]
	fp := sha256.Sum256(top.Raw)
	if !bytes.Equal(top.RawIssuer, top.RawSubject) || top.CheckSignatureFrom(top) != nil {
		return sigResult{status: sigSelfOnly, root: top.Subject.CommonName, what: fmt.Sprintf("%s signature verifies with the embedded certificate %q; its chain ends at %q (SHA-256 %s), which is not self-signed, so no root was checked", e.Alg, leaf.Subject.CommonName, top.Subject.CommonName, hex.EncodeToString(fp[:]))}
	}
	self := x509.NewCertPool()
	self.AddCert(top)
	vo.Roots = self
	expired := ""
	if _, err := leaf.Verify(vo); err != nil {
		// Signing certificates of published endorsements are short-lived while the document
		// stays in use; without a pinned root the verdict is a warning anyway, so an expired
		// chain is reported rather than refused, once it is shown to verify while valid.
		var inv x509.CertificateInvalidError
		inside := vo
		inside.CurrentTime = leaf.NotAfter.Add(-time.Minute)
		if !errors.As(err, &inv) || inv.Reason != x509.Expired {
			return sigResult{status: sigBad, what: "embedded chain refused", detail: fmt.Sprintf("the x5chain does not verify up to its own root %q: %v", top.Subject.CommonName, err)}
		}
		if _, err2 := leaf.Verify(inside); err2 != nil {
			return sigResult{status: sigBad, what: "embedded chain refused", detail: fmt.Sprintf("the x5chain does not verify up to its own root %q: %v", top.Subject.CommonName, err2)}
		}
		expired = fmt.Sprintf("; the signing certificate expired %s", leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	return sigResult{status: sigSelfOnly, root: top.Subject.CommonName, what: fmt.Sprintf("%s signature verifies with the embedded chain %q → %q (root SHA-256 %s)%s", e.Alg, leaf.Subject.CommonName, top.Subject.CommonName, hex.EncodeToString(fp[:]), expired)}
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
		return check.Failf(id, "MRTD is %d bytes, want %d; take it from the TDREPORT (offset %d) or the quote body", len(mrtd), measurementSize, offMRTD)
	}
	mh := hex.EncodeToString(mrtd)
	short := mh[:16] + "…"
	src := ""
	base := []string{"MRTD " + mh, guestNote}
	if opts.Source != "" {
		src = " from " + opts.Source
		base = append(base, "source: "+opts.Source)
	}
	if len(endorsements) == 0 {
		switch {
		case opts.NotListed:
			return check.Failf(id, "the endorsement service%s has no endorsement for MRTD %s: the TD is not a Microsoft-endorsed paravisor (or a release not yet published)", src, short).
				WithDetails(append(base, "the answer (HTTP 404) is not signed; compare the MRTD with a fresh MAA token before distrusting the VM")...)
		case opts.FetchErr != nil:
			return check.Warnf(id, "no paravisor endorsement could be fetched%s, so MRTD %s is not checked against Microsoft's list", src, short).
				WithDetails(append(base, "fetch error: "+opts.FetchErr.Error())...)
		}
		return check.Skipf(id, "no paravisor endorsement supplied; MRTD %s not checked against Microsoft's list (%s)", short, "guest measurements are in the vTPM PCRs")
	}

	type result struct {
		e   *Endorsement
		sig sigResult
	}
	var parsed []result
	var details []string
	for i, b := range endorsements {
		e, err := ParseEndorsement(b)
		if err != nil {
			details = append(details, fmt.Sprintf("endorsement %d: %v", i+1, err))
			continue
		}
		r := result{e: e, sig: verifySignature(e, opts)}
		parsed = append(parsed, r)
		line := fmt.Sprintf("endorsement %d: %s", i+1, r.sig.what)
		if r.sig.detail != "" {
			line += ": " + r.sig.detail
		}
		line += fmt.Sprintf("; lists %d MRTD(s) under %s", len(e.MRTDs), strings.Join(e.MRTDKeys, ", "))
		if e.SVN != "" {
			line += ", SVN " + e.SVN
		}
		details = append(details, line)
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
	if r := find(sigPinned, true); r != nil {
		return check.Passf(id, "MRTD %s is in a paravisor endorsement signed (%s) under the trusted root %q%s: the TD is a Microsoft-endorsed paravisor; guest measurements are in the vTPM PCRs", short, r.e.Alg, r.sig.root, svn(r.e)).WithDetails(details...)
	}
	if r := find(sigSelfOnly, true); r != nil {
		return check.Warnf(id, "MRTD %s is in a paravisor endorsement whose %s signature verifies only with its own embedded chain (root %q): cvmscope pins no Microsoft endorsement root, so who signed it is not established", short, r.e.Alg, r.sig.root).WithDetails(details...)
	}
	if r := find(sigUnverifiable, true); r != nil {
		return check.Warnf(id, "MRTD %s is in a paravisor endorsement, but its signature was not checked: %s", short, r.sig.detail).WithDetails(details...)
	}
	if r := find(sigPinned, false); r != nil {
		return check.Failf(id, "MRTD %s is not in the paravisor endorsement signed under the trusted root %q: the TD is not a Microsoft-endorsed paravisor", short, r.sig.root).WithDetails(details...)
	}
	if r := find(sigSelfOnly, false); r != nil {
		return check.Failf(id, "MRTD %s is not in the paravisor endorsement (signature checked against its own chain only, root %q): the TD is not a Microsoft-endorsed paravisor", short, r.sig.root).WithDetails(details...)
	}
	for _, st := range []sigStatus{sigBad, sigUntrusted} {
		for _, r := range parsed {
			if r.sig.status == st {
				return check.Failf(id, "no correctly signed endorsement lists MRTD %s: %s (%s)", short, r.sig.what, r.sig.detail).WithDetails(details...)
			}
		}
	}
	// Only a positive answer needs a trusted signature; an endorsement that does not list
	// the MRTD fails it whatever its signature, because trusting it can only deny.
	if r := find(sigUnverifiable, false); r != nil {
		return check.Failf(id, "MRTD %s is not in the paravisor endorsement (its signature was not checked): the TD is not a Microsoft-endorsed paravisor", short).WithDetails(details...)
	}
	return check.Warnf(id, "no endorsement%s could be read, so MRTD %s is not checked against Microsoft's list", src, short).WithDetails(details...)
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
