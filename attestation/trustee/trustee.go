// Package trustee reads the evidence JSON that confidential-containers/trustee's Azure
// attesters write (az-snp-vtpm and az-tdx-vtpm, every version so far) and trustee's
// standalone TPM-quote JSON.
//
// The layouts follow trustee's deps/verifier/src/az_{snp,tdx}_vtpm/compat.rs:
//
//	SEV-SNP v0: {"quote": Quote, "report": bytes, "vcek": "PEM"}
//	TDX v0:     {"tpm_quote": Quote, "hcl_report": bytes, "td_quote": bytes}
//	v1, v2:     {"version": n, "tpm_quote": TpmQuote, "hcl_report": b64url,
//	             "vcek": b64url DER (SEV-SNP) | "td_quote": b64url (TDX)}
//
// where v0's Quote is kinvolk's az-cvm-vtpm Quote serialised by serde_json (byte arrays as
// JSON arrays of numbers; the earliest crate had no "pcrs") and TpmQuote is
// {"signature": hex, "message": hex, "pcrs": [hex, ...]}. v2 differs from v1 only in what the
// attester puts in the HCL user data, which a reader cannot see. Byte fields are read
// leniently (an array of numbers, hex, or base64 in either alphabet, padded or not), so that a
// file re-encoded by another tool still reads.
package trustee

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// MaxVersion is the newest evidence version whose layout is known.
const MaxVersion = 2

// TEE names the attester.
type TEE string

const (
	SEVSNP TEE = "az-snp-vtpm"
	TDX    TEE = "az-tdx-vtpm"
)

// Quote is a vTPM quote as trustee carries it: the TPMS_ATTEST, the raw RSA signature and the
// PCR values in the order of the quote's selection.
type Quote struct {
	Signature []byte
	Message   []byte
	PCRs      [][]byte
}

// Evidence is one attester's evidence.
type Evidence struct {
	TEE     TEE
	Version int
	// HCLReport is NV 0x01400001 as the attester read it.
	HCLReport []byte
	// VCEK (SEV-SNP) is the VCEK certificate: PEM in v0, DER later.
	VCEK []byte
	// TDQuote (TDX) is the TD quote IMDS made.
	TDQuote []byte
	Quote   *Quote
}

// Error names the JSON field that is wrong.
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return fmt.Sprintf("trustee evidence field %q: %s", e.Field, e.Msg) }

func ferr(field, en, ko string, a ...any) error {
	return fault.Korean(&Error{Field: field, Msg: fmt.Sprintf(en, a...)},
		fmt.Sprintf("trustee 증거 필드 %q: ", field)+fmt.Sprintf(ko, a...), "")
}

// IsEvidence reports whether a decoded JSON object has the keys of an attester's evidence.
func IsEvidence(m map[string]json.RawMessage) bool {
	_, hcl := m["hcl_report"]
	_, rep := m["report"]
	_, q := m["quote"]
	_, tq := m["tpm_quote"]
	return (hcl || rep) && (q || tq)
}

// IsQuote reports whether a decoded JSON object is a TPM-quote JSON: a signature and a
// message (PCR values alone are another kind).
func IsQuote(m map[string]json.RawMessage) bool {
	_, s := m["signature"]
	_, msg := m["message"]
	return s && msg
}

// Parse reads an attester's evidence JSON.
func Parse(b []byte) (*Evidence, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, jsonErr(err)
	}
	e := &Evidence{}
	if v, ok := m["version"]; ok {
		if err := json.Unmarshal(v, &e.Version); err != nil || e.Version < 1 {
			return nil, ferr("version", "%s is not a version number (1 or 2; v0 has no version field)", "%s은(는) 버전 번호가 아닙니다(1 또는 2. v0에는 version 필드가 없습니다)", short(v))
		}
		if e.Version > MaxVersion {
			return nil, ferr("version", "version %d is newer than the versions cvmscope reads (0 to %d); upgrade cvmscope", "버전 %d은(는) cvmscope가 읽는 버전(0~%d)보다 새롭습니다. cvmscope를 업그레이드합니다", e.Version, MaxVersion)
		}
	}
	// v0 SEV-SNP names its pieces "quote" and "report"; everything else says what they are.
	quoteKey, reportKey := "tpm_quote", "hcl_report"
	if _, ok := m["report"]; ok && e.Version == 0 {
		quoteKey, reportKey = "quote", "report"
	}
	var err error
	if e.HCLReport, err = field(m, reportKey, true); err != nil {
		return nil, err
	}
	raw, ok := m[quoteKey]
	if !ok {
		return nil, ferr(quoteKey, "missing; the evidence carries no TPM quote", "없습니다. 증거에 TPM 쿼트가 없습니다")
	}
	if e.Quote, err = parseQuote(raw, quoteKey+"."); err != nil {
		return nil, err
	}
	_, hasVCEK := m["vcek"]
	_, hasTD := m["td_quote"]
	switch {
	case hasVCEK && hasTD:
		// No attester writes both: the file was put together by hand or by another tool. Its
		// TEE is ambiguous, and keeping one would silently leave the other unchecked.
		return nil, ferr("td_quote", "present together with \"vcek\": an az-snp-vtpm attester writes only the VCEK, an az-tdx-vtpm attester only the TD quote; remove the field that does not belong to this VM",
			"\"vcek\"와 함께 있습니다. az-snp-vtpm 증명자는 VCEK만, az-tdx-vtpm 증명자는 TD 쿼트만 씁니다. 이 VM에 맞지 않는 필드를 지웁니다")
	case hasVCEK:
		e.TEE = SEVSNP
		if e.VCEK, err = certField(m["vcek"]); err != nil {
			return nil, err
		}
	case hasTD:
		e.TEE = TDX
		if e.TDQuote, err = field(m, "td_quote", true); err != nil {
			return nil, err
		}
	default:
		return nil, ferr("vcek", "missing, and so is \"td_quote\": an az-snp-vtpm attester writes the VCEK, an az-tdx-vtpm attester the TD quote",
			"없고 \"td_quote\"도 없습니다. az-snp-vtpm 증명자는 VCEK를, az-tdx-vtpm 증명자는 TD 쿼트를 씁니다")
	}
	return e, nil
}

// ParseQuote reads trustee's standalone TPM-quote JSON {"signature","message","pcrs"}.
func ParseQuote(b []byte) (*Quote, error) {
	q, err := parseQuote(b, "")
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, jsonErr(err)
		}
	}
	return q, err
}

func parseQuote(raw json.RawMessage, prefix string) (*Quote, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		if prefix == "" {
			return nil, jsonErr(err)
		}
		return nil, ferr(strings.TrimSuffix(prefix, "."), "not a JSON object with signature, message and pcrs: %v", "signature, message, pcrs가 있는 JSON 객체가 아닙니다: %v", err)
	}
	q := &Quote{}
	var err error
	if q.Signature, err = fieldP(m, prefix, "signature", true); err != nil {
		return nil, err
	}
	if q.Message, err = fieldP(m, prefix, "message", true); err != nil {
		return nil, err
	}
	// The first az-cvm-vtpm Quote had no PCR values.
	if p, ok := m["pcrs"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(p, &list); err != nil {
			return nil, ferr(prefix+"pcrs", "not a list of PCR values: %v", "PCR 값 목록이 아닙니다: %v", err)
		}
		for i, v := range list {
			b, err := decodeBytes(v, prefix+fmt.Sprintf("pcrs[%d]", i))
			if err != nil {
				return nil, err
			}
			q.PCRs = append(q.PCRs, b)
		}
	}
	return q, nil
}

func field(m map[string]json.RawMessage, name string, required bool) ([]byte, error) {
	return fieldP(m, "", name, required)
}

func fieldP(m map[string]json.RawMessage, prefix, name string, required bool) ([]byte, error) {
	v, ok := m[name]
	if !ok {
		if required {
			return nil, ferr(prefix+name, "missing", "없습니다")
		}
		return nil, nil
	}
	b, err := decodeBytes(v, prefix+name)
	if err == nil && len(b) == 0 && required {
		return nil, ferr(prefix+name, "is empty", "비어 있습니다")
	}
	return b, err
}

// certField reads the VCEK: a PEM string (v0) or base64 DER.
func certField(v json.RawMessage) ([]byte, error) {
	var s string
	if json.Unmarshal(v, &s) == nil && strings.Contains(s, "-----BEGIN") {
		return []byte(s), nil
	}
	b, err := decodeBytes(v, "vcek")
	if err == nil && len(b) == 0 {
		return nil, ferr("vcek", "is empty", "비어 있습니다")
	}
	return b, err
}

// decodeBytes reads a byte field: a JSON array of numbers 0-255 (serde's Vec<u8>), or a
// string in hex (trustee's TpmQuote) or base64 of either alphabet, padded or not.
func decodeBytes(v json.RawMessage, name string) ([]byte, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '[' {
		var nums []int
		if err := json.Unmarshal(v, &nums); err != nil {
			return nil, ferr(name, "not an array of byte values: %v", "바이트 값 배열이 아닙니다: %v", err)
		}
		out := make([]byte, len(nums))
		for i, n := range nums {
			if n < 0 || n > 255 {
				return nil, ferr(name, "element %d is %d, not a byte (0-255)", "원소 %d의 값 %d은(는) 바이트(0-255)가 아닙니다", i, n)
			}
			out[i] = byte(n)
		}
		return out, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, ferr(name, "%s is neither a string nor an array of bytes", "%s은(는) 문자열도 바이트 배열도 아닙니다", short(v))
	}
	s = strings.TrimSpace(s)
	if len(s)%2 == 0 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	t := strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(t); err == nil {
			return b, nil
		}
	}
	return nil, ferr(name, "a %d-character string that is neither hex nor base64", "%d자 문자열로, hex도 base64도 아닙니다", len(s))
}

func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fault.Korean(fmt.Errorf("trustee evidence: not valid JSON at byte %d: %v; the file is truncated or garbled", se.Offset, err),
			fmt.Sprintf("trustee 증거: 바이트 %d에서 올바른 JSON이 아닙니다: %v. 파일이 잘렸거나 손상되었습니다", se.Offset, err), "")
	}
	return fault.Korean(fmt.Errorf("trustee evidence: %v", err), fmt.Sprintf("trustee 증거: %v", err), "")
}

// short quotes at most 24 bytes of a field, cut at a character boundary so that a
// Korean or other non-ASCII value does not end in half a character.
func short(v []byte) string {
	if len(v) <= 24 {
		return string(v)
	}
	i := 24
	for i > 0 && !utf8.RuneStart(v[i]) {
		i--
	}
	return string(v[:i]) + "…"
}
