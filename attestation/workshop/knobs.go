package workshop

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/tpm"
)

// Knobs are the parts of a request a relying party chooses (azure-protocol.md §16): what
// goes into NV 0x01400002, the ClientPayload, and the PCRs the quote covers. The zero value
// is cvmscope's default: SHA-512 of the nonce, {"nonce": nonce}, PCRs 0-7.
type Knobs struct {
	// UserData, when non-nil, is written to NV 0x01400002 (zero-padded to 64 bytes) in
	// place of SHA-512 of the nonce. UserDataFrom says how it was given, for the pane.
	UserData     []byte
	UserDataFrom Said
	// ClientPayload, when non-nil, is sent as the AzureGuest ClientPayload (values as
	// strings, b64-encoded on the wire); the nonce is added as "nonce" when it has none.
	ClientPayload map[string]string
	// PCRs is the quote's SHA-256 selection; nil quotes 0-7 as Azure's Linux clients do.
	PCRs []int
}

// Said is a short text in English and Korean.
type Said struct{ EN, KO string }

// Set reports whether any knob differs from the default.
func (k Knobs) Set() bool { return k.UserData != nil || k.ClientPayload != nil || k.PCRs != nil }

// Limits of --client-payload: MAA echoes every entry into the token, so a payload is kept to
// what a nonce and a few correlation ids need.
const (
	MaxClientPayloadBytes = 4096
	MaxClientPayloadKeys  = 32
)

func misuse(flag, en, ko, hint, hintKO string) error {
	return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s: %s", flag, en), hint), flag+": "+ko, hintKO)
}

// ParseUserData reads --user-data: "hex:…" (up to 64 bytes as hex), "utf8:…" (up to 64
// bytes of text, as is), or any other string, whose SHA-512 is written as cvmscope does for
// a nonce. Shorter data is zero-padded on the right when written, as Azure's Rust client
// does; longer is refused.
func ParseUserData(s string) ([]byte, Said, error) {
	const size = tpm.UserDataSize
	hint := fmt.Sprintf("give at most %d bytes: hex:<up to 128 hex digits>, utf8:<up to %d bytes of text>, or any other string (its SHA-512 is written)", size, size)
	hintKO := fmt.Sprintf("%d바이트 이하로 줍니다. hex:<16진수 128자리 이하>, utf8:<%d바이트 이하의 텍스트>, 또는 다른 문자열(SHA-512를 씁니다)", size, size)
	switch {
	case strings.HasPrefix(s, "hex:"):
		h := strings.TrimPrefix(s, "hex:")
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, Said{}, misuse("--user-data", fmt.Sprintf("%q is not hex (%v)", h, err), fmt.Sprintf("%q는 16진수가 아닙니다(%v)", h, err), hint, hintKO)
		}
		if len(b) > size {
			return nil, Said{}, misuse("--user-data", fmt.Sprintf("hex gives %d bytes; NV 0x01400002 holds %d", len(b), size),
				fmt.Sprintf("16진수가 %d바이트입니다. NV 0x01400002에는 %d바이트까지 들어갑니다", len(b), size), hint, hintKO)
		}
		return b, Said{fmt.Sprintf("hex: %d bytes as given", len(b)), fmt.Sprintf("hex: 주어진 %d바이트 그대로", len(b))}, nil
	case strings.HasPrefix(s, "utf8:"):
		b := []byte(strings.TrimPrefix(s, "utf8:"))
		if len(b) > size {
			return nil, Said{}, misuse("--user-data", fmt.Sprintf("utf8 text is %d bytes; NV 0x01400002 holds %d", len(b), size),
				fmt.Sprintf("utf8 텍스트가 %d바이트입니다. NV 0x01400002에는 %d바이트까지 들어갑니다", len(b), size), hint, hintKO)
		}
		return b, Said{fmt.Sprintf("utf8: %d bytes of text as given", len(b)), fmt.Sprintf("utf8: 주어진 텍스트 %d바이트 그대로", len(b))}, nil
	case s == "":
		return nil, Said{}, misuse("--user-data", "empty", "비어 있습니다", hint, hintKO)
	}
	h := sha512.Sum512([]byte(s))
	return h[:], Said{"SHA-512 of the string given", "주어진 문자열의 SHA-512"}, nil
}

// ParseClientPayload reads --client-payload: a JSON object, bounded, whose string values
// are sent as they are and other values as their JSON text (5 → "5"), as Azure's Rust
// client does.
func ParseClientPayload(s string) (map[string]string, error) {
	hint := fmt.Sprintf(`give a JSON object of at most %d bytes and %d keys, e.g. --client-payload '{"nonce":"abc","app":"web"}'`, MaxClientPayloadBytes, MaxClientPayloadKeys)
	hintKO := fmt.Sprintf(`%d바이트, 키 %d개 이하의 JSON 객체를 줍니다. 예: --client-payload '{"nonce":"abc","app":"web"}'`, MaxClientPayloadBytes, MaxClientPayloadKeys)
	if len(s) > MaxClientPayloadBytes {
		return nil, misuse("--client-payload", fmt.Sprintf("%d bytes, over the %d-byte limit", len(s), MaxClientPayloadBytes),
			fmt.Sprintf("%d바이트로 한도 %d바이트를 넘습니다", len(s), MaxClientPayloadBytes), hint, hintKO)
	}
	// Unmarshal, not a Decoder: it refuses anything after the object, where Decoder.More
	// misses a stray '}' or ']'.
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		why := "not a JSON object"
		if err != nil {
			why += fmt.Sprintf(" (%v)", err)
		}
		return nil, misuse("--client-payload", why, "JSON 객체가 아닙니다", hint, hintKO)
	}
	if len(obj) > MaxClientPayloadKeys {
		return nil, misuse("--client-payload", fmt.Sprintf("%d keys, over the limit of %d", len(obj), MaxClientPayloadKeys),
			fmt.Sprintf("키가 %d개로 한도 %d개를 넘습니다", len(obj), MaxClientPayloadKeys), hint, hintKO)
	}
	out := make(map[string]string, len(obj))
	for k, raw := range obj {
		// null unmarshals into a string too; only a JSON string is sent as is.
		var str string
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) && json.Unmarshal(raw, &str) == nil {
			out[k] = str
			continue
		}
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return nil, misuse("--client-payload", fmt.Sprintf("value of %q: %v", k, err), fmt.Sprintf("%q의 값: %v", k, err), hint, hintKO)
		}
		out[k] = c.String()
	}
	return out, nil
}

// ParsePCRSelection reads --pcr: PCR numbers and ranges ("0-7,14"), optionally after the
// bank ("sha256:0-7"). Only the SHA-256 bank can be quoted for MAA: TpmInfo.PCRs carries
// 32-byte SHA-256 values and the ephemeral key's policy is over them (§1.5, §4.4).
func ParsePCRSelection(s string) ([]int, error) {
	hint := "give PCR numbers 0-23 and ranges, e.g. --pcr 0-7,14 (the SHA-256 bank; sha256:0-7 says it)"
	hintKO := "0-23 사이의 PCR 번호와 범위를 줍니다. 예: --pcr 0-7,14 (SHA-256 뱅크. sha256:0-7처럼 명시할 수도 있습니다)"
	list := s
	if bank, rest, ok := strings.Cut(s, ":"); ok {
		if !strings.EqualFold(bank, "sha256") {
			return nil, misuse("--pcr", fmt.Sprintf("bank %q cannot be quoted for MAA: AzureGuest's TpmInfo.PCRs are SHA-256 values and the ephemeral key's PCR policy is over them", bank),
				fmt.Sprintf("뱅크 %q는 MAA용으로 쿼트할 수 없습니다. AzureGuest의 TpmInfo.PCRs는 SHA-256 값이고 임시 키의 PCR 정책도 그 값에 걸립니다", bank), hint, hintKO)
		}
		list = rest
	}
	var out []int
	for part := range strings.SplitSeq(list, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, errA := strconv.Atoi(lo)
		b := a
		var errB error
		if isRange {
			b, errB = strconv.Atoi(hi)
		}
		if part == "" || errA != nil || errB != nil || a < 0 || b >= tpm.PCRCount || a > b {
			return nil, misuse("--pcr", fmt.Sprintf("%q is not a PCR number or range within 0-%d", part, tpm.PCRCount-1),
				fmt.Sprintf("%q는 0-%d 안의 PCR 번호나 범위가 아닙니다", part, tpm.PCRCount-1), hint, hintKO)
		}
		for p := a; p <= b; p++ {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// payloadFor is the ClientPayload a request sends: the knob's, with the nonce as "nonce"
// when it has none, or {"nonce": nonce} by default.
func (k Knobs) payloadFor(nonce string) map[string]string {
	out := map[string]string{}
	for key, v := range k.ClientPayload {
		out[key] = v
	}
	if _, has := out["nonce"]; !has && nonce != "" {
		out["nonce"] = nonce
	}
	return out
}

// Check ids of the knobs, in the token and in the quote.
const (
	IDClientPayload = "jwt.client-payload"
	IDPCRSelection  = "tpm.quote.selection"
	IDAttestedPCRs  = "jwt.attested-pcrs"
)

// clientPayloadCheck requires x-ms-runtime.client-payload to be exactly the payload sent:
// every key echoed with the b64 of its value, and nothing MAA made up.
func clientPayloadCheck(c token.Claims, sent map[string]string) check.Check {
	got, _ := c.Get("x-ms-runtime", "client-payload").(map[string]any)
	if got == nil {
		return check.Failf(IDClientPayload, "a client payload of %d keys was sent but the token has no x-ms-runtime.client-payload", len(sent)).
			KO("키 %d개의 클라이언트 페이로드를 보냈지만 토큰에 x-ms-runtime.client-payload가 없습니다", len(sent))
	}
	var bad []string
	for _, k := range slices.Sorted(maps.Keys(sent)) {
		want := base64.StdEncoding.EncodeToString([]byte(sent[k]))
		if v, _ := got[k].(string); v != want {
			bad = append(bad, fmt.Sprintf("%s: token %s, sent %q (b64 %s)", k, token.FormatValue(got[k]), sent[k], want))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := sent[k]; !ok {
			bad = append(bad, fmt.Sprintf("%s: in the token, never sent", k))
		}
	}
	if len(bad) > 0 {
		c := check.Failf(IDClientPayload, "x-ms-runtime.client-payload differs from the payload sent in %d entries", len(bad)).
			KO("x-ms-runtime.client-payload가 보낸 페이로드와 %d개 항목에서 다릅니다", len(bad))
		return c.WithDetails(bad...)
	}
	return check.Passf(IDClientPayload, "x-ms-runtime.client-payload echoes all %d keys sent, each the b64 of its value", len(sent)).
		KO("x-ms-runtime.client-payload가 보낸 키 %d개를 모두, 각 값의 b64로 돌려줍니다", len(sent))
}

// selectionCheck requires the quote to cover exactly the PCRs asked for with --pcr: a TPM
// or a middle layer that quoted something else would get a token for other PCRs.
func selectionCheck(attest []byte, want []int) check.Check {
	a, err := tpmquote.ParseAttest(attest)
	if err != nil {
		return check.Failf(IDPCRSelection, "the quote (TPMS_ATTEST) does not parse: %v", err).KO("쿼트(TPMS_ATTEST)를 구문 분석할 수 없습니다: %v", err)
	}
	var got []int
	for _, b := range a.Selection {
		got = append(got, b.PCRs...)
	}
	if !slices.Equal(got, want) {
		return check.Failf(IDPCRSelection, "the quote covers PCRs %s, --pcr asked for %s", tpmquote.PCRList(got), tpmquote.PCRList(want)).
			KO("쿼트가 PCR %s를 포함하지만 --pcr은 %s를 요청했습니다", tpmquote.PCRList(got), tpmquote.PCRList(want))
	}
	return check.Passf(IDPCRSelection, "the quote's SHA-256 selection is PCRs %s, as --pcr asked", tpmquote.PCRList(got)).
		KO("쿼트의 SHA-256 선택이 --pcr이 요청한 대로 PCR %s입니다", tpmquote.PCRList(got))
}

// attestedPCRsCheck requires MAA to have attested only PCRs the quote covers, and says which
// of the requested ones it left out.
func attestedPCRsCheck(c token.Claims, want []int) check.Check {
	arr, ok := c.Get("x-ms-azurevm-attested-pcrs").([]any)
	if !ok {
		return check.Skipf(IDAttestedPCRs, "the token has no x-ms-azurevm-attested-pcrs (a platform token attests no PCRs)").
			KO("토큰에 x-ms-azurevm-attested-pcrs가 없습니다(플랫폼 토큰은 PCR을 증명하지 않습니다)")
	}
	var got, extra []int
	for _, x := range arr {
		n, err := strconv.Atoi(token.FormatValue(x))
		if err != nil {
			return check.Failf(IDAttestedPCRs, "x-ms-azurevm-attested-pcrs is not a list of PCR numbers").KO("x-ms-azurevm-attested-pcrs가 PCR 번호 목록이 아닙니다")
		}
		got = append(got, n)
		if !slices.Contains(want, n) {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		return check.Failf(IDAttestedPCRs, "MAA attested PCRs %s that --pcr did not select (%s)", tpmquote.PCRList(extra), tpmquote.PCRList(want)).
			KO("MAA가 --pcr이 선택하지 않은 PCR %s를 증명했습니다(선택: %s)", tpmquote.PCRList(extra), tpmquote.PCRList(want))
	}
	return check.Passf(IDAttestedPCRs, "MAA attested PCRs %s of the %s selected with --pcr", tpmquote.PCRList(got), tpmquote.PCRList(want)).
		KO("MAA가 --pcr로 선택한 %s 중 PCR %s를 증명했습니다", tpmquote.PCRList(want), tpmquote.PCRList(got))
}

// view is what Build request shows of the knobs; nil when none was turned, so that the
// default request's page stays as it was.
func (k Knobs) view(s *evidence.Set, nonce string) *pages.KnobsView {
	if !k.Set() {
		return nil
	}
	v := &pages.KnobsView{UserData: s.UserData, UserDataWritten: len(s.UserData) > 0,
		PayloadKeys: len(k.payloadFor(nonce)), PayloadFromFlag: k.ClientPayload != nil, PayloadFlagKeys: len(k.ClientPayload),
		PCRs: s.QuotePCRs, PCRsFromFlag: k.PCRs != nil}
	switch {
	case k.UserData != nil:
		v.UserDataFrom = present.T("--user-data, "+k.UserDataFrom.EN+", zero-padded to 64 bytes", "--user-data, "+k.UserDataFrom.KO+", 64바이트가 되도록 뒤를 0으로 채움")
	case nonce != "":
		v.UserDataFrom = present.T("SHA-512 of the nonce (default)", "논스의 SHA-512 (기본값)")
	}
	return v
}

// knobChecks check in the token what the knobs asked for: the client payload echoed exactly,
// MAA's attested PCRs within the selection. User data is jwt.user-data, checked always.
func (l *Live) knobChecks(c token.Claims, st *attestState, nonce string) check.List {
	var out check.List
	k := l.opts.Knobs
	if k.ClientPayload != nil && st.flow != "platform" {
		out = append(out, clientPayloadCheck(c, k.payloadFor(nonce)))
	}
	if k.PCRs != nil && st.flow != "platform" {
		out = append(out, attestedPCRsCheck(c, k.PCRs))
	}
	return out
}

// savedKnobChecks check a saved token against the knobs of the request saved with it (a
// bundle): a client payload beyond the nonce must come back exactly, and MAA may attest
// only PCRs the request selected when they are not the default 0-7. A default request adds
// nothing, as live.
func savedKnobChecks(c token.Claims, s *evidence.Set) check.List {
	if s.MAA == nil || s.MAA.Flow == "platform" || len(s.MAA.Request) == 0 {
		return nil
	}
	rg, err := maa.ParseGuestRequestInfo(s.MAA.Request)
	if err != nil {
		return nil
	}
	var out check.List
	if p := rg.Request.ClientPayload; len(p) > 1 || (len(p) == 1 && p["nonce"] == "") {
		out = append(out, clientPayloadCheck(c, p))
	}
	if set := rg.Request.TPM.PcrSet; len(set) > 0 && !slices.Equal(set, platform.QuotePCRs) {
		out = append(out, attestedPCRsCheck(c, set))
	}
	return out
}
