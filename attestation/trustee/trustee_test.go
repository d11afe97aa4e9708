package trustee

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var (
	msg  = []byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x18, 1, 2, 3}
	sig  = bytes.Repeat([]byte{0xab}, 256)
	pcr0 = bytes.Repeat([]byte{1}, 32)
	pcr1 = bytes.Repeat([]byte{2}, 32)
	rep  = append([]byte("HCLA"), bytes.Repeat([]byte{7}, 60)...)
)

func nums(b []byte) []int {
	out := make([]int, len(b))
	for i, c := range b {
		out[i] = int(c)
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docs are the layouts trustee's verifier accepts, written here from its compat.rs.
func docs(t testing.TB) map[string][]byte {
	hexq := map[string]any{"signature": hex.EncodeToString(sig), "message": hex.EncodeToString(msg),
		"pcrs": []string{hex.EncodeToString(pcr0), hex.EncodeToString(pcr1)}}
	arrq := map[string]any{"signature": nums(sig), "message": nums(msg), "pcrs": [][]int{nums(pcr0), nums(pcr1)}}
	b64 := base64.URLEncoding.EncodeToString
	return map[string][]byte{
		"snp-v0":          mustJSON(t, map[string]any{"quote": arrq, "report": nums(rep), "vcek": "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"}),
		"snp-v0-no-pcrs":  mustJSON(t, map[string]any{"quote": map[string]any{"signature": nums(sig), "message": nums(msg)}, "report": nums(rep), "vcek": "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"}),
		"snp-v1":          mustJSON(t, map[string]any{"version": 1, "tpm_quote": hexq, "hcl_report": b64(rep), "vcek": b64([]byte{0x30, 0x82})}),
		"snp-v2-unpadded": mustJSON(t, map[string]any{"version": 2, "tpm_quote": hexq, "hcl_report": base64.RawURLEncoding.EncodeToString(rep), "vcek": b64([]byte{0x30, 0x82})}),
		"tdx-v0":          mustJSON(t, map[string]any{"tpm_quote": arrq, "hcl_report": nums(rep), "td_quote": nums([]byte{4, 0, 2, 0})}),
		"tdx-v1":          mustJSON(t, map[string]any{"version": 1, "tpm_quote": hexq, "hcl_report": b64(rep), "td_quote": b64([]byte{4, 0, 2, 0})}),
		"tdx-v2-std-b64":  mustJSON(t, map[string]any{"version": 2, "tpm_quote": hexq, "hcl_report": base64.StdEncoding.EncodeToString(rep), "td_quote": b64([]byte{4, 0, 2, 0})}),
	}
}

func TestParseEveryVersion(t *testing.T) {
	for name, doc := range docs(t) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(doc, &m); err != nil || !IsEvidence(m) {
			t.Errorf("%s: not recognised as evidence", name)
		}
		e, err := Parse(doc)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		wantTEE := SEVSNP
		if strings.HasPrefix(name, "tdx") {
			wantTEE = TDX
		}
		if e.TEE != wantTEE || !bytes.Equal(e.HCLReport, rep) || !bytes.Equal(e.Quote.Message, msg) || !bytes.Equal(e.Quote.Signature, sig) {
			t.Errorf("%s: read %+v", name, e)
		}
		if strings.HasSuffix(name, "no-pcrs") != (len(e.Quote.PCRs) == 0) || len(e.Quote.PCRs) > 0 && !bytes.Equal(e.Quote.PCRs[1], pcr1) {
			t.Errorf("%s: PCRs %x", name, e.Quote.PCRs)
		}
		if wantTEE == TDX && len(e.TDQuote) != 4 || wantTEE == SEVSNP && len(e.VCEK) == 0 {
			t.Errorf("%s: TD quote %x, VCEK %q", name, e.TDQuote, e.VCEK)
		}
	}
}

func TestParseQuoteJSON(t *testing.T) {
	doc := mustJSON(t, map[string]any{"signature": hex.EncodeToString(sig), "message": hex.EncodeToString(msg), "pcrs": []string{hex.EncodeToString(pcr0)}})
	var m map[string]json.RawMessage
	_ = json.Unmarshal(doc, &m)
	if !IsQuote(m) || IsEvidence(m) {
		t.Fatal("TPM-quote JSON not recognised as such")
	}
	q, err := ParseQuote(doc)
	if err != nil || !bytes.Equal(q.Message, msg) || len(q.PCRs) != 1 {
		t.Fatalf("ParseQuote: %+v, %v", q, err)
	}
}

// Errors name the field and say what is wrong with it.
func TestParseErrorsNameTheField(t *testing.T) {
	cases := map[string]struct{ doc, field string }{
		"future version":  {`{"version":3,"tpm_quote":{},"hcl_report":"","vcek":""}`, `"version"`},
		"no quote":        {`{"version":1,"hcl_report":"SENMQQ","vcek":"MII"}`, `"tpm_quote"`},
		"byte over 255":   {`{"quote":{"signature":[1],"message":[256]},"report":[72],"vcek":"x"}`, `"quote.message"`},
		"not hex/base64":  {`{"version":1,"tpm_quote":{"signature":"zz!","message":"00"},"hcl_report":"SENMQQ","vcek":"MII"}`, `"tpm_quote.signature"`},
		"neither vcek/td": {`{"version":1,"tpm_quote":{"signature":"00","message":"00"},"hcl_report":"SENMQQ"}`, `"vcek"`},
		"vcek and td":     {`{"version":1,"tpm_quote":{"signature":"00","message":"00"},"hcl_report":"SENMQQ","vcek":"MII","td_quote":"AAAA"}`, `"td_quote": present together with "vcek"`},
		"empty report":    {`{"version":1,"tpm_quote":{"signature":"00","message":"00"},"hcl_report":"","vcek":"MII"}`, `"hcl_report"`},
		"cut short":       {`{"version":1,"tpm_quote":{"signa`, "byte"},
	}
	for name, c := range cases {
		_, err := Parse([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: error %v, want it to name %s", name, err, c.field)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, d := range docs(f) {
		f.Add(d)
		f.Add(d[:len(d)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data)
		if err == nil && (e.Quote == nil || len(e.HCLReport) == 0 || len(e.VCEK) == 0 && len(e.TDQuote) == 0) {
			t.Fatalf("accepted evidence without its pieces: %+v", e)
		}
		q, err := ParseQuote(data)
		if err == nil && (len(q.Signature) == 0 || len(q.Message) == 0) {
			t.Fatalf("accepted a quote without signature or message: %+v", q)
		}
	})
}

// A non-ASCII value quoted in an error is cut at a character boundary, never mid-character.
func TestShortValidUTF8(t *testing.T) {
	_, err := Parse([]byte(`{"version":"가가가가가가가가가가가가","hcl_report":"AA","tpm_quote":{}}`))
	if err == nil {
		t.Fatal("a non-numeric version parsed")
	}
	if !utf8.ValidString(err.Error()) {
		t.Errorf("error is not valid UTF-8: %q", err.Error())
	}
}
