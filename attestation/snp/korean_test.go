package snp

import (
	"bytes"
	"crypto/x509"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// assertKorean fails unless every check's summary and every detail line have Korean text,
// and the English is left free of Hangul.
func assertKorean(t *testing.T, name string, l check.List) {
	t.Helper()
	for _, c := range l {
		if !checktest.HasHangul(c.SummaryKO) {
			t.Errorf("%s: %s (%s): Korean summary %q has no Hangul; English: %s", name, c.ID, c.Verdict, c.SummaryKO, c.Summary)
		}
		if checktest.HasHangul(c.Summary) || checktest.HasHangul(strings.Join(c.Details, "\n")) {
			t.Errorf("%s: %s: English text holds Hangul: %s %q", name, c.ID, c.Summary, c.Details)
		}
		_, ko := c.In("ko")
		for i, line := range ko {
			if !checktest.HasHangul(line) {
				t.Errorf("%s: %s: detail %d has no Korean: %q", name, c.ID, i, c.Details[i])
			}
		}
	}
}

func TestKoreanVerifyReal(t *testing.T) {
	_, trustee := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	_, ev := hclSNP(t, "azsnp-hcl-trustee-ev-v0.bin")
	_, kinvolk := hclSNP(t, "azsnp-hcl-kinvolk-baefd3e1.bin")
	gosev, err := Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	bundle := realCerts(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	garbled := bytes.Clone(trustee.Raw)
	garbled[0x2A0+5] ^= 1
	bad, err := Parse(garbled)
	if err != nil {
		t.Fatal(err)
	}
	unsigned := bytes.Clone(trustee.Raw)
	unsigned[0x48] |= 7 << 2
	none, err := Parse(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	vlekRaw := bytes.Clone(trustee.Raw)
	vlekRaw[0x48] = vlekRaw[0x48]&^(7<<2) | 1<<2
	vlek, err := Parse(vlekRaw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		r          *Report
		certs      []*x509.Certificate
		now        time.Time
		sig, chain check.Verdict
	}{
		{"trustee bundle", trustee, bundle, when, check.Pass, check.Pass},
		{"VCEK only", ev, realCerts(t, "amd-milan-vcek-trustee-ev-v0.pem"), when, check.Pass, check.Pass},
		{"DER VCEK", gosev, realCerts(t, "amd-milan-vcek-gosevguest.der"), when, check.Pass, check.Pass},
		{"another chip's VCEK", kinvolk, realCerts(t, "amd-milan-vcek-ask-ark-kinvolk.pem"), when, check.Fail, check.Pass},
		{"garbled signature", bad, bundle, when, check.Fail, check.Pass},
		{"no VCEK", trustee, realCerts(t, "amd-ask_ark_milan.pem"), when, check.Skip, check.Skip},
		{"expired", trustee, bundle, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), check.Pass, check.Fail},
		{"foreign ARK", ev, realCerts(t, "amd-milan-vcek-trustee-ev-v0.pem", "amd-ask_ark_genoa.pem"), when, check.Pass, check.Pass},
		{"unsigned", none, bundle, when, check.Fail, check.Skip},
		{"VLEK missing", vlek, nil, when, check.Skip, check.Skip},
	} {
		l := Verify(tc.r, tc.certs, Options{Now: tc.now})
		if got := [2]check.Verdict{l.Verdict(IDSignature), l.Verdict(IDChain)}; got != [2]check.Verdict{tc.sig, tc.chain} {
			t.Errorf("%s: verdicts %v, want %s %s: %v", tc.name, got, tc.sig, tc.chain, l)
		}
		assertKorean(t, tc.name, l)
	}
}

func TestKoreanVerifySimulated(t *testing.T) {
	_, real := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	r, vcek, ask, ark := simChain(t, real, simNames{ark: described(amdName("ARK-Milan")), ask: described(amdName("SEV-Milan")), vcek: described(amdName("SEV-VCEK"))})
	certs := []*x509.Certificate{vcek, ask, ark}
	trusted := Verify(r, certs, Options{Now: when, ExtraRoots: []Roots{{Product: "Milan", ARK: ark, ASK: ask}}})
	if trusted.Verdict(IDChain) != check.Pass {
		t.Fatalf("trusted simulated chain: %v", trusted)
	}
	assertKorean(t, "simulated, trusted", trusted)
	refused := Verify(r, certs, Options{Now: when})
	if refused.Verdict(IDChain) != check.Fail {
		t.Fatalf("untrusted simulated chain: %v", refused)
	}
	assertKorean(t, "simulated, not trusted", refused)
	if s, _ := refused.Find(IDChain)[0].In("ko"); !strings.Contains(s, "--trust-simulated") {
		t.Errorf("Korean summary must name the flag: %s", s)
	}

	// A failed KDS fetch (loopback answering 500) gives Korean skip reasons too.
	client := kdsClient(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	fetched := Verify(real, nil, Options{Now: when, AllowNetwork: true, KDSClient: client})
	if fetched.Verdict(IDSignature) != check.Skip || !strings.Contains(fetched[0].SummaryKO, "AMD KDS") {
		t.Errorf("failed fetch: %v / %s", fetched, fetched[0].SummaryKO)
	}
	assertKorean(t, "KDS fetch failed", fetched)
}

func TestKoreanErrors(t *testing.T) {
	_, good := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	mod := func(off int, v ...byte) []byte { b := bytes.Clone(good.Raw); copy(b[off:], v); return b }
	for name, in := range map[string][]byte{
		"truncated":    good.Raw[:100],
		"trailing":     append(bytes.Clone(good.Raw), 1),
		"version":      mod(0, 0xff),
		"policy bit":   mod(0x08, 0, 0, 0),
		"policy high":  mod(0x0B, 0xff),
		"key info":     mod(0x48, 0, 0, 0, 0xff),
		"signing key":  mod(0x48, 2<<2),
		"reserved":     mod(0x04C, 1),
		"sig reserved": mod(Size-1, 1),
	} {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("%s: parsed", name)
			continue
		}
		if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) || !strings.Contains(msg, "SEV-SNP 보고서") {
			t.Errorf("%s: Korean message %q for %q", name, msg, err)
		}
	}
	for name, in := range map[string]string{
		"empty":         " ",
		"not PEM":       "\x01\x02garbage",
		"PEM key":       "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"PEM broken":    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"PEM truncated": "-----BEGIN CERTIFICATE-----\nAAAA",
		"THIM not JSON": "{nope",
		"THIM no VCEK":  `{"certificateChain":""}`,
	} {
		_, err := ParseCerts([]byte(in))
		if err == nil {
			t.Errorf("%s: parsed", name)
			continue
		}
		if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) {
			t.Errorf("%s: no Korean message for %q", name, err)
		}
	}
	cert := readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	_, err := ParseCerts(append(bytes.Clone(cert), "trailing junk"...))
	if msg, _ := fault.MessageIn(err, "ko"); err == nil || !checktest.HasHangul(msg) {
		t.Errorf("trailing text after PEM: %v / %q", err, msg)
	}
}
