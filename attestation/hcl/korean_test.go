package hcl

import (
	"bytes"
	"crypto/sha256"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// assertKorean fails unless the check's summary and every detail line have Korean text,
// and the English is left as it was (no Hangul leaks into it).
func assertKorean(t *testing.T, c check.Check) {
	t.Helper()
	if !checktest.HasHangul(c.SummaryKO) {
		t.Errorf("%s (%s): Korean summary %q has no Hangul; English: %s", c.ID, c.Verdict, c.SummaryKO, c.Summary)
	}
	if checktest.HasHangul(c.Summary) {
		t.Errorf("%s: English summary holds Hangul: %s", c.ID, c.Summary)
	}
	_, ko := c.In("ko")
	for i, line := range ko {
		if !checktest.HasHangul(line) {
			t.Errorf("%s: detail %d has no Korean: %q", c.ID, i, c.Details[i])
		}
	}
}

// assertKoreanError fails unless fault.MessageIn finds a Korean message for err.
func assertKoreanError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	msg, _ := fault.MessageIn(err, "ko")
	if !checktest.HasHangul(msg) {
		t.Errorf("%s: no Korean message for %q", what, err)
	}
	if en, _ := fault.MessageIn(err, "en"); en != err.Error() {
		t.Errorf("%s: English message changed: %q vs %q", what, en, err.Error())
	}
}

func TestKoreanBindingChecksReal(t *testing.T) {
	for _, tc := range realReports {
		r, err := Parse(realdata.Read(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		c := r.BindingCheck()
		if want := map[bool]check.Verdict{true: check.Pass, false: check.Fail}[tc.binds]; c.Verdict != want {
			t.Errorf("%s: %s, want %s", tc.file, c.Verdict, want)
		}
		assertKorean(t, c)
	}
}

func TestKoreanBindingChecksSimulated(t *testing.T) {
	claims := []byte(`{"keys":[],"vm-configuration":{"secure-boot":true},"user-data":"00"}`)
	sum := sha256.Sum256(claims)
	hw := make([]byte, HardwareReportSize)
	copy(hw[SNPReportDataOff:], sum[:])
	build := func(typ ReportType, hash HashType, edit func([]byte)) *Report {
		t.Helper()
		h := bytes.Clone(hw)
		if edit != nil {
			edit(h)
		}
		b, err := Build(typ, h, hash, claims, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tc := range []struct {
		name string
		r    *Report
		want check.Verdict
	}{
		{"bound", build(ReportSNP, HashSHA256, nil), check.Pass},
		{"rest not zero", build(ReportSNP, HashSHA256, func(h []byte) { h[SNPReportDataOff+40] = 1 }), check.Warn},
		{"differs", build(ReportSNP, HashSHA256, func(h []byte) { h[SNPReportDataOff] ^= 1 }), check.Fail},
		{"unknown hash", build(ReportSNP, HashType(9), nil), check.Fail},
		{"VBS", build(ReportVBS, HashSHA256, nil), check.Skip},
	} {
		c := tc.r.BindingCheck()
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s: %s", tc.name, c.Verdict, tc.want, c.Summary)
		}
		assertKorean(t, c)
	}
}

func TestKoreanErrors(t *testing.T) {
	claims := []byte(`{"keys":[]}`)
	good, err := Build(ReportSNP, nil, HashSHA256, claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(off int, v ...byte) []byte { b := bytes.Clone(good); copy(b[off:], v); return b }
	for name, in := range map[string][]byte{
		"short":       good[:10],
		"magic":       mod(0, 'X'),
		"version":     mod(4, 0, 0, 0, 0),
		"hardware":    good[:HardwareReportOff+10],
		"igvm":        good[:IGVMOff+4],
		"report type": mod(IGVMOff+8, 9),
		"claims size": mod(IGVMOff+16, 0xff, 0xff),
		"report size": mod(8, 0xff, 0xff, 0xff),
		"data size":   mod(IGVMOff, 0xff, 0xff, 0xff),
		"oversized":   make([]byte, MaxInputSize+1),
	} {
		_, err := Parse(in)
		assertKoreanError(t, name, err)
	}
	r, err := Parse(mod(ClaimsOff, '['))
	if err != nil {
		t.Fatal(err)
	}
	assertKoreanError(t, "claims JSON", r.ClaimsErr)
	if msg, _ := fault.MessageIn(r.ClaimsErr, "ko"); !strings.Contains(msg, "1236") {
		t.Errorf("Korean claims error does not name the offset: %s", msg)
	}
	_, err = ParseRuntimeClaims([]byte(`{"keys":"x"}`))
	assertKoreanError(t, "claims type", err)
	_, err = ParseRuntimeClaims([]byte(`{`))
	assertKoreanError(t, "claims truncated", err)
	_, err = (&RuntimeClaims{UserData: "zz"}).UserDataBytes()
	assertKoreanError(t, "user-data", err)
	for name, k := range map[string]JWK{
		"kty": {Kid: "a", Kty: "EC"},
		"n":   {Kid: "a", Kty: "RSA", N: "!!", E: "AQAB"},
		"e":   {Kid: "a", Kty: "RSA", N: "AQAB", E: ""},
	} {
		_, err := k.RSA()
		assertKoreanError(t, "JWK "+name, err)
	}
	_, err = Build(ReportSNP, make([]byte, HardwareReportSize+1), HashSHA256, claims, 0)
	assertKoreanError(t, "build hardware", err)
	_, err = Build(ReportSNP, nil, HashSHA256, claims, ClaimsOff)
	assertKoreanError(t, "build size", err)
}
