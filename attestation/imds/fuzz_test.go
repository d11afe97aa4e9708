package imds

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// fuzzSeeds are answers IMDS and THIM give, and near misses: the instance document, the
// text endpoints, THIM's VCEK JSON, the quote service's answer, the MRTD list.
func fuzzSeeds() [][]byte {
	quote := make([]byte, 700)
	if b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "real", "aztdx-tdquote-trustee-6332533d.bin")); err == nil {
		quote = b
	}
	vcek, _ := json.Marshal(map[string]string{"vcekCert": vcekPEM, "certificateChain": chainPEM, "tcbm": "DB18000000000004", "cacheControl": "86400"})
	seeds := []string{
		`{"compute":{"vmId":"5c3a1e2f-0b7d-4c8e-9f10-2a3b4c5d6e7f","name":"cvm1","location":"koreacentral","vmSize":"Standard_DC2as_v5",` +
			`"zone":"1","osType":"Linux","resourceGroupName":"rg","subscriptionId":"s","securityProfile":{"secureBootEnabled":"true",` +
			`"virtualTpmEnabled":"true","securityType":"ConfidentialVM"},"tagsList":[{"name":"a","value":"b"},{"name":"a","value":"c"}]}}`,
		`{"compute":{}}`, `{"compute":{"tagsList":[null,{}]}}`, `{"compute":[]}`,
		"koreacentral\n", "5c3a1e2f-0b7d-4c8e-9f10-2a3b4c5d6e7f", "{}", "", "two\nlines",
		string(vcek), `{"vcekCert":1}`, `{"vcekCert":"x","certificateChain":"y"}`,
		`{"quote":"` + base64.RawURLEncoding.EncodeToString(quote) + `"}`,
		`{"quote":"` + base64.StdEncoding.EncodeToString(quote[:100]) + `"}`,
		`{"quote":"+-_/"}`, `{"quote":"===="}`, `{"quote":""}`,
		`{"mrtds":["abc"," def ",""]}`, `{"mrtds":"x"}`, `[`, "\x00\xff",
	}
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = []byte(s)
	}
	return out
}

// FuzzParseAnswers feeds any bytes to every reader of an IMDS or THIM answer: each ends in
// a value or an error, never a panic, and what comes out is no bigger than what came in.
func FuzzParseAnswers(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if in, err := parseInstance(b); err == nil && (in.VMID == "" && in.Location == "" || len(in.Tags) > len(b)) {
			t.Errorf("accepted an instance document without vmId and location, or with more tags than bytes: %+v", in)
		}
		if s, err := parseText(b, "x"); err == nil && (s == "" || len(s) > len(b)) {
			t.Errorf("text %q from %d bytes", s, len(b))
		}
		if v, err := parseVCEKCerts(b); err == nil && (v.VCEK == "" || v.Chain == "") {
			t.Errorf("accepted THIM JSON without a VCEK or chain: %+v", v)
		}
		if q, err := parseTDQuote(b); err == nil && (len(q) == 0 || len(q) > len(b)) {
			t.Errorf("quote of %d bytes from %d", len(q), len(b))
		}
		if m, err := parseMRTDs(b, "x"); err == nil && len(m) > len(b) {
			t.Errorf("%d MRTDs from %d bytes", len(m), len(b))
		}
	})
}

// FuzzClientAnswers serves any status and body on loopback and calls every IMDS and THIM
// request through the real client: the answer is bounded and judged, never a panic, and a
// value comes back only for HTTP 200.
func FuzzClientAnswers(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(uint16(200), s)
	}
	f.Add(uint16(404), []byte("no certs cached"))
	f.Add(uint16(500), []byte(`{"error":"x"}`))
	f.Add(uint16(302), []byte{})
	var status atomic.Int32
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
		w.Write(body.Load().([]byte))
	}))
	defer srv.Close()
	c, _ := testClient(srv)
	c.MaxAttempts, c.THIMBase = 1, srv.URL
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, st uint16, b []byte) {
		s := 200 + int(st)%400
		status.Store(int32(s))
		body.Store(b)
		_, err1 := c.Instance(ctx)
		_, err2 := c.THIMCertification(ctx)
		_, err3 := c.TDQuote(ctx, make([]byte, TDReportSize))
		_, err4 := c.Location(ctx)
		_, err5 := c.TDXEndorsedMRTDs(ctx)
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if s != http.StatusOK && err == nil {
				t.Errorf("HTTP %d accepted", s)
			}
		}
	})
}
