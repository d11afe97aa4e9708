package maa

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the server side of the requests: what MAA (and cvmscope's emulator) reads.
// MAA accepts every encoding the reference clients send (protocol §4.2, §10 "exact MAA
// acceptance rules for base64 variants" is [UNSURE]), so every byte field here takes
// standard base64 or base64url, padded or not, and the numbers AZ-PY sends as strings.
// Errors name the JSON field at fault, as a person would find it in the request.

// ReceivedGuest is an AzureGuest request as a server reads it: the request itself, plus
// what only a server needs, exactly as sent.
type ReceivedGuest struct {
	Request GuestRequest
	// ProtocolVersion is AttestationProtocolVersion as sent ("2.0"; old clients "1.0"). MAA
	// copies it into x-ms-azurevm-attestation-protocol-ver.
	ProtocolVersion string
	// ClientPayload holds every ClientPayload value as the JSON the client sent: a b64
	// string from AZ-CPP, EL-GO and cvmscope, any JSON value from AZ-PY. MAA echoes these
	// unchanged in x-ms-runtime.client-payload. Request.ClientPayload holds them decoded.
	ClientPayload map[string]json.RawMessage
	// Info is the AttestationInfo JSON after its outer base64 layer was removed.
	Info []byte
}

// ParseGuestRequest decodes an AzureGuest body, the inverse of BuildGuest. ClientPayload
// values come back decoded (a value that is not base64 stays as sent); use
// ParseGuestRequestInfo for the values as sent and the protocol version.
func ParseGuestRequest(body []byte) (*GuestRequest, error) {
	rg, err := ParseGuestRequestInfo(body)
	if err != nil {
		return nil, err
	}
	return &rg.Request, nil
}

type wireGuestBody struct {
	AttestationInfo json.RawMessage `json:"AttestationInfo"`
}

// wireInfo keeps every field raw so that each can be decoded leniently and named in errors.
// encoding/json matches keys case-insensitively, which is lenient too ("osType").
type wireInfo struct {
	AttestationProtocolVersion json.RawMessage `json:"AttestationProtocolVersion"`
	OSType                     json.RawMessage `json:"OSType"`
	OSDistro                   json.RawMessage `json:"OSDistro"`
	OSVersionMajor             json.RawMessage `json:"OSVersionMajor"`
	OSVersionMinor             json.RawMessage `json:"OSVersionMinor"`
	OSBuild                    json.RawMessage `json:"OSBuild"`
	TcgLogs                    json.RawMessage `json:"TcgLogs"`
	ClientPayload              json.RawMessage `json:"ClientPayload"`
	TpmInfo                    json.RawMessage `json:"TpmInfo"`
	IsolationInfo              json.RawMessage `json:"IsolationInfo"`
}

type wireTPMInfo struct {
	AikCert                    json.RawMessage `json:"AikCert"`
	AikPub                     json.RawMessage `json:"AikPub"`
	PcrQuote                   json.RawMessage `json:"PcrQuote"`
	PcrSignature               json.RawMessage `json:"PcrSignature"`
	PcrSet                     json.RawMessage `json:"PcrSet"`
	PCRs                       json.RawMessage `json:"PCRs"`
	EncKeyPub                  json.RawMessage `json:"EncKeyPub"`
	EncKeyCertifyInfo          json.RawMessage `json:"EncKeyCertifyInfo"`
	EncKeyCertifyInfoSignature json.RawMessage `json:"EncKeyCertifyInfoSignature"`
}

type wirePCR struct {
	Index  json.RawMessage `json:"Index"`
	Digest json.RawMessage `json:"Digest"`
}

type wireIsolation struct {
	Type     json.RawMessage `json:"Type"`
	Evidence *struct {
		Proof       json.RawMessage `json:"Proof"`
		RunTimeData json.RawMessage `json:"RunTimeData"`
	} `json:"Evidence"`
}

type wireSNPProof struct {
	SnpReport     json.RawMessage `json:"SnpReport"`
	VcekCertChain json.RawMessage `json:"VcekCertChain"`
}

const (
	fInfo = "AttestationInfo"
	fTPM  = "AttestationInfo.TpmInfo."
	fIso  = "AttestationInfo.IsolationInfo."
)

// ParseGuestRequestInfo decodes an AzureGuest body {"AttestationInfo":"<b64url JSON>"} and
// refuses what MAA cannot verify: a missing TPM field, a PCR of PcrSet without a value, an
// unknown IsolationInfo.Type, a CVM without evidence.
func ParseGuestRequestInfo(body []byte) (*ReceivedGuest, error) {
	var outer wireGuestBody
	if err := strictObject(body, &outer); err != nil {
		return nil, fmt.Errorf("AzureGuest request body is not a JSON object: %v; expected {\"AttestationInfo\":\"<base64url JSON>\"}", err)
	}
	if len(outer.AttestationInfo) == 0 || isNull(outer.AttestationInfo) {
		return nil, fmt.Errorf("AzureGuest request has no %s field; expected {\"AttestationInfo\":\"<base64url JSON>\"}", fInfo)
	}
	var info []byte
	if isObject(outer.AttestationInfo) {
		// Not seen from any client, but unambiguous: the object itself instead of its base64.
		info = outer.AttestationInfo
	} else {
		b, err := b64Field(fInfo, outer.AttestationInfo)
		if err != nil {
			return nil, err
		}
		info = b
	}
	var w wireInfo
	if err := strictObject(info, &w); err != nil {
		return nil, fmt.Errorf("%s does not decode to a JSON object: %v", fInfo, err)
	}
	rg := &ReceivedGuest{Info: info}
	var err error
	if rg.ProtocolVersion, err = scalarText(fInfo+".AttestationProtocolVersion", w.AttestationProtocolVersion); err != nil {
		return nil, err
	}
	r := &rg.Request
	if err := parseOS(&r.OS, w); err != nil {
		return nil, err
	}
	if r.TcgLogs, err = optionalBytes(fInfo+".TcgLogs", w.TcgLogs); err != nil {
		return nil, err
	}
	if rg.ClientPayload, r.ClientPayload, err = parsePayload(w.ClientPayload); err != nil {
		return nil, err
	}
	if len(w.TpmInfo) == 0 || isNull(w.TpmInfo) {
		return nil, fmt.Errorf("%s.TpmInfo is missing; MAA needs the vTPM quote and keys", fInfo)
	}
	if r.TPM, err = parseTPMInfo(w.TpmInfo); err != nil {
		return nil, err
	}
	if r.Isolation, err = parseIsolation(w.IsolationInfo); err != nil {
		return nil, err
	}
	return rg, nil
}

func parseOS(os *OSInfo, w wireInfo) error {
	var err error
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		out  *string
	}{{"OSType", w.OSType, &os.Type}, {"OSDistro", w.OSDistro, &os.Distro}, {"OSBuild", w.OSBuild, &os.Build}} {
		if *f.out, err = b64Text(fInfo+"."+f.name, f.raw); err != nil {
			return err
		}
	}
	if os.VersionMajor, err = lenientInt(fInfo+".OSVersionMajor", w.OSVersionMajor); err != nil {
		return err
	}
	if os.VersionMinor, err = lenientInt(fInfo+".OSVersionMinor", w.OSVersionMinor); err != nil {
		return err
	}
	return nil
}

// parsePayload returns the values as sent and decoded. AZ-PY sends its claims unencoded,
// even nested objects; those keep their JSON text in the decoded map.
func parsePayload(raw json.RawMessage) (map[string]json.RawMessage, map[string]string, error) {
	sent := map[string]json.RawMessage{}
	dec := map[string]string{}
	if len(raw) == 0 || isNull(raw) {
		return sent, dec, nil
	}
	if err := json.Unmarshal(raw, &sent); err != nil {
		return nil, nil, fmt.Errorf("%s.ClientPayload is not a JSON object of key/value pairs: %v", fInfo, err)
	}
	for k, v := range sent {
		var s string
		if json.Unmarshal(v, &s) != nil {
			dec[k] = string(v)
			continue
		}
		if b, err := decodeB64Any(s); err == nil && s != "" {
			dec[k] = string(b)
		} else {
			dec[k] = s
		}
	}
	return sent, dec, nil
}

func parseTPMInfo(raw json.RawMessage) (TPMInfo, error) {
	var w wireTPMInfo
	var t TPMInfo
	if err := strictObject(raw, &w); err != nil {
		return t, fmt.Errorf("%s.TpmInfo is not a JSON object: %v", fInfo, err)
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		out  *[]byte
	}{{"AikCert", w.AikCert, &t.AikCert}, {"AikPub", w.AikPub, &t.AikPub}, {"PcrQuote", w.PcrQuote, &t.PcrQuote},
		{"PcrSignature", w.PcrSignature, &t.PcrSignature}, {"EncKeyPub", w.EncKeyPub, &t.EncKeyPub},
		{"EncKeyCertifyInfo", w.EncKeyCertifyInfo, &t.EncKeyCertifyInfo},
		{"EncKeyCertifyInfoSignature", w.EncKeyCertifyInfoSignature, &t.EncKeyCertifyInfoSignature}} {
		b, err := optionalBytes(fTPM+f.name, f.raw)
		if err != nil {
			return t, err
		}
		if len(b) == 0 {
			return t, fmt.Errorf("%s%s is missing or empty; MAA needs every TPM field", fTPM, f.name)
		}
		*f.out = b
	}
	// AZ-PY sends the whole TPM2_ReadPublic response; MAA accepts it (protocol §4.2), so the
	// two names after the TPM2B_PUBLIC are cut off here.
	t.AikPub = trimReadPublic(t.AikPub)
	t.EncKeyPub = trimReadPublic(t.EncKeyPub)
	// The attestations are sent without their TPM2B size; a client that keeps it is
	// recognised by the TPM_GENERATED magic right after it. [UNSURE] whether MAA accepts it.
	t.PcrQuote = trimAttestSize(t.PcrQuote)
	t.EncKeyCertifyInfo = trimAttestSize(t.EncKeyCertifyInfo)

	if len(w.PcrSet) == 0 || isNull(w.PcrSet) {
		return t, fmt.Errorf("%sPcrSet is missing; send the quoted PCR indices, e.g. [0,1,2,3,4,5,6,7]", fTPM)
	}
	var set []json.RawMessage
	if err := json.Unmarshal(w.PcrSet, &set); err != nil {
		return t, fmt.Errorf("%sPcrSet is not a JSON array: %v", fTPM, err)
	}
	if len(set) == 0 {
		return t, fmt.Errorf("%sPcrSet is empty; send the quoted PCR indices, e.g. [0,1,2,3,4,5,6,7]", fTPM)
	}
	for i, v := range set {
		n, err := lenientInt(fmt.Sprintf("%sPcrSet[%d]", fTPM, i), v)
		if err != nil {
			return t, err
		}
		if n < 0 || n > 23 {
			return t, fmt.Errorf("%sPcrSet[%d] is %d; PCR indices run from 0 to 23", fTPM, i, n)
		}
		if slices.Contains(t.PcrSet, n) {
			return t, fmt.Errorf("%sPcrSet lists PCR %d twice", fTPM, n)
		}
		t.PcrSet = append(t.PcrSet, n)
	}
	slices.Sort(t.PcrSet)

	var pcrs []wirePCR
	if len(w.PCRs) > 0 && !isNull(w.PCRs) {
		if err := json.Unmarshal(w.PCRs, &pcrs); err != nil {
			return t, fmt.Errorf("%sPCRs is not an array of {\"Index\":n,\"Digest\":\"<base64>\"}: %v", fTPM, err)
		}
	}
	t.PCRs = map[int][]byte{}
	for i, p := range pcrs {
		field := fmt.Sprintf("%sPCRs[%d]", fTPM, i)
		idx, err := lenientInt(field+".Index", p.Index)
		if err != nil {
			return t, err
		}
		d, err := optionalBytes(field+".Digest", p.Digest)
		if err != nil {
			return t, err
		}
		if len(d) != 32 {
			return t, fmt.Errorf("%s.Digest (PCR %d) is %d bytes, want the 32-byte SHA-256 PCR value", field, idx, len(d))
		}
		if _, dup := t.PCRs[idx]; dup {
			return t, fmt.Errorf("%s: PCR %d appears twice", field, idx)
		}
		t.PCRs[idx] = d
	}
	for _, idx := range t.PcrSet {
		if _, ok := t.PCRs[idx]; !ok {
			return t, fmt.Errorf("%sPCRs has no value for PCR %d of PcrSet; MAA compares each quoted PCR with the quote", fTPM, idx)
		}
	}
	return t, nil
}

func parseIsolation(raw json.RawMessage) (Isolation, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, fmt.Errorf("%s.IsolationInfo is missing; a Trusted Launch VM sends {\"Type\":\"TrustedLaunch\"}", fInfo)
	}
	var w wireIsolation
	if err := strictObject(raw, &w); err != nil {
		return nil, fmt.Errorf("%s.IsolationInfo is not a JSON object: %v", fInfo, err)
	}
	typ, err := scalarText(fIso+"Type", w.Type)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(typ) {
	case "trustedlaunch":
		return TrustedLaunch{}, nil
	case "sevsnp", "tdx":
	case "":
		return nil, fmt.Errorf("%sType is missing; want TrustedLaunch, SevSnp or Tdx", fIso)
	default:
		return nil, fmt.Errorf("%sType is %q; want TrustedLaunch, SevSnp or Tdx", fIso, typ)
	}
	if w.Evidence == nil {
		return nil, fmt.Errorf("%sEvidence is missing; a %s VM sends {\"Proof\":…,\"RunTimeData\":…}", fIso, typ)
	}
	proof, err := evidenceBytes(fIso+"Evidence.Proof", w.Evidence.Proof)
	if err != nil {
		return nil, err
	}
	runtime, err := evidenceBytes(fIso+"Evidence.RunTimeData", w.Evidence.RunTimeData)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(typ, "tdx") {
		return Tdx{Quote: proof, RuntimeData: runtime}, nil
	}
	report, chain, err := parseSNPBundle(fIso+"Evidence.Proof", proof)
	if err != nil {
		return nil, err
	}
	if chain == "" {
		return nil, fmt.Errorf("%sEvidence.Proof.VcekCertChain is missing; send THIM's vcekCert+certificateChain", fIso)
	}
	return SevSnp{SnpReport: report, VcekCertChain: chain, RuntimeData: runtime}, nil
}

// evidenceBytes decodes a required evidence field. Raw JSON runtime claims (an object
// rather than its base64) are taken as sent.
func evidenceBytes(field string, raw json.RawMessage) ([]byte, error) {
	if isObject(raw) {
		return compactCopy(raw), nil
	}
	b, err := optionalBytes(field, raw)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s is missing or empty", field)
	}
	return b, nil
}

// parseSNPBundle reads {"SnpReport":…,"VcekCertChain":…} (the AzureGuest Proof and the
// SevSnpVm "report"). The chain comes back empty when the bundle has none.
func parseSNPBundle(field string, b []byte) ([]byte, string, error) {
	if !isObject(b) {
		if len(b) == SNPReportSize {
			// A bare report (no chain) is unambiguous by its size; the caller decides
			// whether a chain is required.
			return b, "", nil
		}
		return nil, "", fmt.Errorf("%s is %d bytes that are neither the JSON {\"SnpReport\",\"VcekCertChain\"} nor a %d-byte SNP report", field, len(b), SNPReportSize)
	}
	var p wireSNPProof
	if err := strictObject(b, &p); err != nil {
		return nil, "", fmt.Errorf("%s does not decode to {\"SnpReport\",\"VcekCertChain\"}: %v", field, err)
	}
	report, err := optionalBytes(field+".SnpReport", p.SnpReport)
	if err != nil {
		return nil, "", err
	}
	if len(report) != SNPReportSize {
		return nil, "", fmt.Errorf("%s.SnpReport is %d bytes, want %d (an SEV-SNP ATTESTATION_REPORT, HCL report bytes 32..1216)", field, len(report), SNPReportSize)
	}
	var chain string
	if len(p.VcekCertChain) > 0 && !isNull(p.VcekCertChain) {
		var s string
		if err := json.Unmarshal(p.VcekCertChain, &s); err != nil {
			return nil, "", fmt.Errorf("%s.VcekCertChain is not a JSON string: %v", field, err)
		}
		if strings.Contains(s, "-----BEGIN") {
			chain = s // plain PEM, not encoded
		} else if b, err := decodeB64Any(s); err != nil {
			return nil, "", fmt.Errorf("%s.VcekCertChain is neither PEM nor base64 of PEM: %v", field, err)
		} else {
			chain = string(b)
		}
	}
	return report, chain, nil
}

// decodeB64Any takes either alphabet, with or without padding, and ignores whitespace
// (line-wrapped base64 from shell tools).
func decodeB64Any(s string) ([]byte, error) {
	if strings.ContainsFunc(s, unicode.IsSpace) {
		s = strings.Join(strings.Fields(s), "")
	}
	if strings.ContainsAny(s, "+/") && strings.ContainsAny(s, "-_") {
		return nil, fmt.Errorf("mixes the standard (+/) and URL (-_) base64 alphabets")
	}
	return decodeB64(s)
}

// optionalBytes decodes a base64 JSON string; absent or null gives nil.
func optionalBytes(field string, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	return b64Field(field, raw)
}

func b64Field(field string, raw json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s is not a JSON string of base64 (got %s)", field, preview(raw))
	}
	b, err := decodeB64Any(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not base64 or base64url: %v", field, err)
	}
	return b, nil
}

// b64Text decodes a b64(string) field such as OSType. EL-GO sends plain words ("Edgeless")
// that MAA takes as they are, so text that does not decode to printable UTF-8 is kept as
// sent. [UNSURE] what MAA does with such values; it never refuses them.
func b64Text(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s is not a JSON string (got %s)", field, preview(raw))
	}
	if b, err := decodeB64Any(s); err == nil && printable(b) {
		return string(b), nil
	}
	return s, nil
}

func printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// lenientInt reads a JSON integer or, as AZ-PY sends OSVersionMajor, a string holding one.
// A missing value reads as 0.
func lenientInt(field string, raw json.RawMessage) (int, error) {
	if len(raw) == 0 || isNull(raw) {
		return 0, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if i, err := strconv.Atoi(n.String()); err == nil {
			return i, nil
		}
		if f, err := n.Float64(); err == nil && f == float64(int(f)) {
			return int(f), nil
		}
		return 0, fmt.Errorf("%s is %s, not an integer", field, n)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if i, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return i, nil
		}
		return 0, fmt.Errorf("%s is the string %q, not an integer", field, s)
	}
	return 0, fmt.Errorf("%s is not an integer (got %s)", field, preview(raw))
}

// scalarText reads a JSON string, or a number or boolean as its JSON text; absent is "".
func scalarText(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || isNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), nil
	}
	return "", fmt.Errorf("%s is not a string (got %s)", field, preview(raw))
}

// strictObject decodes a JSON object and refuses trailing data after it.
func strictObject(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	if !isObject(b) {
		return fmt.Errorf("not a JSON object")
	}
	return nil
}

func isNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

func isObject(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

func compactCopy(raw []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return append([]byte(nil), raw...)
	}
	return buf.Bytes()
}

func preview(raw []byte) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// trimReadPublic cuts a TPM2_ReadPublic response (TPM2B_PUBLIC ‖ TPM2B_NAME ‖ TPM2B_NAME)
// to its TPM2B_PUBLIC. Anything that is not exactly that shape is returned unchanged, for
// the verifier to judge.
func trimReadPublic(b []byte) []byte {
	if len(b) < 2 {
		return b
	}
	n := int(binary.BigEndian.Uint16(b)) + 2
	if n >= len(b) {
		return b
	}
	rest := b[n:]
	for range 2 {
		if len(rest) < 2 {
			return b
		}
		m := int(binary.BigEndian.Uint16(rest)) + 2
		if m > len(rest) {
			return b
		}
		rest = rest[m:]
	}
	if len(rest) != 0 {
		return b
	}
	return b[:n]
}

// tpmGenerated is TPM_GENERATED_VALUE, the magic every TPMS_ATTEST starts with.
const tpmGenerated = 0xFF544347

// trimAttestSize removes a TPM2B size prefix from a TPMS_ATTEST.
func trimAttestSize(b []byte) []byte {
	if len(b) >= 6 && int(binary.BigEndian.Uint16(b))+2 == len(b) && binary.BigEndian.Uint32(b[2:]) == tpmGenerated {
		return b[2:]
	}
	return b
}
