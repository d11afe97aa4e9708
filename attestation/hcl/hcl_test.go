package hcl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// realPath is ../shared/testdata/real/name beside the repository root; ok is false when that
// folder is absent.
func realPath(name string) (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; filepath.Dir(dir) != dir; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			real := filepath.Join(dir, "..", "shared", "testdata", "real")
			if _, err := os.Stat(real); err != nil {
				return real, false
			}
			return filepath.Join(real, name), true
		}
	}
	return "", false
}

func readReal(tb testing.TB, name string) []byte {
	tb.Helper()
	p, ok := realPath(name)
	if !ok {
		tb.Skipf("real samples not available (%s absent); they live beside the repository in ../shared/testdata/real", filepath.Dir(p))
	}
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var realReports = []struct {
	file       string
	size       int
	version    uint32
	typ        ReportType
	claimsSize int
	binds      bool
}{
	{"azsnp-hcl-trustee-911b0ef8.bin", 2600, 1, ReportSNP, 1110, true},
	{"azsnp-hcl-trustee-ev-v0.bin", 2600, 1, ReportSNP, 1110, true},
	{"azsnp-hcl-kinvolk-baefd3e1.bin", 2048, 1, ReportSNP, 583, true},
	{"azsnp-hcl-cvmga-a288f91e-2022.bin", 2048, 1, ReportSNP, 583, false},
	{"aztdx-hcl-trustee-6332533d.bin", 2600, 2, ReportTDX, 1201, true},
}

func TestParseReal(t *testing.T) {
	for _, tc := range realReports {
		t.Run(tc.file, func(t *testing.T) {
			raw := readReal(t, tc.file)
			if len(raw) != tc.size {
				t.Fatalf("sample is %d bytes, MANIFEST says %d", len(raw), tc.size)
			}
			r, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if r.Header.Version != tc.version || r.IGVM.ReportType != tc.typ || len(r.Claims) != tc.claimsSize {
				t.Errorf("version %d type %v claims %d, want %d %v %d", r.Header.Version, r.IGVM.ReportType, len(r.Claims), tc.version, tc.typ, tc.claimsSize)
			}
			// Observed on every real report: ReportSize covers header+hardware+IGVM+claims,
			// the request is AkCertRequest, the hash SHA-256, and the padding is zero.
			if int(r.Header.ReportSize) != ClaimsOff+len(r.Claims) || r.Header.RequestType != 2 ||
				r.IGVM.ReportDataHash != HashSHA256 || r.IGVM.DataSize != IGVMSize+r.IGVM.VariableDataSize || r.TrailingNonZero != 0 {
				t.Errorf("header %+v igvm %+v trailing %d", r.Header, r.IGVM, r.TrailingNonZero)
			}
			if r.RuntimeClaims == nil {
				t.Fatalf("claims do not decode: %v", r.ClaimsErr)
			}
			ak := r.RuntimeClaims.Key("HCLAkPub")
			if ak == nil {
				t.Fatal("no HCLAkPub in the runtime claims")
			}
			if pub, err := ak.RSA(); err != nil || pub.N.BitLen() != 2048 || pub.E != 65537 {
				t.Errorf("HCLAkPub: %v (err %v), want RSA-2048 e=65537", pub, err)
			}
			switch tc.typ {
			case ReportSNP:
				if len(r.SNPReport()) != HardwareReportSize || r.TDReport() != nil {
					t.Error("SNP report accessors")
				}
			case ReportTDX:
				if len(r.TDReport()) != TDReportSize || r.SNPReport() != nil || r.HardwareReport[0] != 0x81 {
					t.Error("TDX report accessors (REPORTMACSTRUCT type 0x81)")
				}
				if !bytes.Equal(r.HardwareReport[TDReportSize:], make([]byte, HardwareReportSize-TDReportSize)) {
					t.Error("the 160 bytes after a TDREPORT must be zero")
				}
			}
		})
	}
}

func TestBindingReal(t *testing.T) {
	for _, tc := range realReports {
		t.Run(tc.file, func(t *testing.T) {
			r, err := Parse(readReal(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.Bind()
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(r.Claims)
			if !bytes.Equal(b.Hash, sum[:]) || b.Match != tc.binds {
				t.Errorf("binding match %v, want %v", b.Match, tc.binds)
			}
			c := r.BindingCheck()
			if c.ID != IDBinding {
				t.Errorf("check id %q", c.ID)
			}
			if tc.binds {
				want := "SHA-256 of the " + strconv.Itoa(len(r.Claims)) + "-byte runtime claims equals REPORT_DATA[0:32]; remaining 32 bytes zero"
				if c.Verdict != check.Pass || c.Summary != want {
					t.Errorf("got %v, want pass %q", c, want)
				}
				return
			}
			details := strings.Join(c.Details, "\n")
			if c.Verdict != check.Fail || !strings.Contains(details, hex.EncodeToString(sum[:])) ||
				!strings.Contains(details, hex.EncodeToString(r.ReportData()[:32])) {
				t.Errorf("got %v %v, want fail with both hex values", c, c.Details)
			}
		})
	}
}

func TestBindingCheckVerdicts(t *testing.T) {
	claims := []byte(`{"keys":[],"vm-configuration":{}}`)
	sum := sha256.Sum256(claims)
	hw := make([]byte, HardwareReportSize)
	copy(hw[SNPReportDataOff:], sum[:])

	tvm, err := Build(ReportTVM, nil, HashSHA256, claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	badHash, _ := Build(ReportSNP, hw, HashType(9), claims, 0)
	dirty := bytes.Clone(hw)
	dirty[SNPReportDataOff+40] = 1
	notZero, _ := Build(ReportSNP, dirty, HashSHA256, claims, 0)
	good, _ := Build(ReportSNP, hw, HashSHA256, claims, 0)
	for name, tc := range map[string]struct {
		raw  []byte
		want check.Verdict
		text string
	}{
		"TVM has no REPORT_DATA": {tvm, check.Skip, "carries no REPORT_DATA"},
		"unknown hash type":      {badHash, check.Fail, "unknown hash type 9"},
		"rest not zero":          {notZero, check.Warn, "remaining 32 bytes are not zero"},
		"built and bound":        {good, check.Pass, "remaining 32 bytes zero"},
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if c := r.BindingCheck(); c.Verdict != tc.want || !strings.Contains(c.Summary, tc.text) {
				t.Errorf("got %v, want %s containing %q", c, tc.want, tc.text)
			}
		})
	}
}

// parseErr asserts err is a *ParseError naming field at offset.
func parseErr(t *testing.T, err error, field string, offset int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want *ParseError", err)
	}
	if pe.Field != field || pe.Offset != offset {
		t.Errorf("error names %s@%d, want %s@%d: %v", pe.Field, pe.Offset, field, offset, err)
	}
	if !strings.Contains(err.Error(), field) {
		t.Errorf("message %q does not name the field", err)
	}
}

func TestParseTruncated(t *testing.T) {
	for _, file := range []string{"azsnp-hcl-trustee-911b0ef8.bin", "aztdx-hcl-trustee-6332533d.bin", "azsnp-hcl-kinvolk-baefd3e1.bin"} {
		raw := readReal(t, file)
		full, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		end := ClaimsOff + len(full.Claims)
		for n := 0; n <= len(raw); n++ {
			r, err := Parse(raw[:n])
			switch {
			case n < HeaderSize:
				parseErr(t, err, "header", 0)
			case n < IGVMOff:
				parseErr(t, err, "hardware report", HardwareReportOff)
			case n < ClaimsOff:
				parseErr(t, err, "igvm", IGVMOff)
			case n < end:
				parseErr(t, err, "igvm.variable_data_size", IGVMOff+16)
			default:
				if err != nil || !bytes.Equal(r.Claims, full.Claims) {
					t.Fatalf("%s cut at %d (claims end at %d): %v", file, n, end, err)
				}
			}
			if t.Failed() {
				t.Fatalf("%s cut at %d", file, n)
			}
		}
	}
}

func TestParseGarbled(t *testing.T) {
	raw := readReal(t, "azsnp-hcl-trustee-911b0ef8.bin")
	mod := func(off int, v ...byte) []byte { b := bytes.Clone(raw); copy(b[off:], v); return b }
	for _, tc := range []struct {
		name   string
		in     []byte
		field  string
		offset int
	}{
		{"magic", mod(0, 'H', 'C', 'L', 'B'), "header.signature", 0},
		{"version 0", mod(4, 0, 0, 0, 0), "header.version", 4},
		{"report type 9", mod(IGVMOff+8, 9), "igvm.report_type", IGVMOff + 8},
		{"claims size past the end", mod(IGVMOff+16, 0xff, 0xff, 0xff, 0xff), "igvm.variable_data_size", IGVMOff + 16},
		{"claims size one past the end", mod(IGVMOff+16, byte(len(raw)-ClaimsOff+1), byte((len(raw)-ClaimsOff+1)>>8)), "igvm.variable_data_size", IGVMOff + 16},
		{"oversized input", append(bytes.Clone(raw), make([]byte, MaxInputSize)...), "input", MaxInputSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			parseErr(t, err, tc.field, tc.offset)
		})
	}

	// Flipping any single byte either parses (with invariants intact) or names a field.
	for off := 0; off < len(raw); off++ {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(raw)
			b[off] ^= mask
			r, err := Parse(b)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(b) {
					t.Fatalf("flip 0x%02x at %d: %v", mask, off, err)
				}
				continue
			}
			if msg := invariants(r, b); msg != "" {
				t.Fatalf("flip 0x%02x at %d: %s", mask, off, msg)
			}
			// A flipped claim byte, or a flipped REPORT_DATA hash byte, breaks the binding.
			if (off >= ClaimsOff && off < ClaimsOff+len(r.Claims)) || (off >= 32+SNPReportDataOff && off < 32+SNPReportDataOff+32) {
				if c := r.BindingCheck(); c.Verdict != check.Fail {
					t.Fatalf("flip at %d: binding %v, want fail", off, c)
				}
			}
		}
	}
}

// invariants returns what is wrong with a parsed report, "" when nothing is.
func invariants(r *Report, in []byte) string {
	switch {
	case r.Size != len(in):
		return "Size differs from the input length"
	case len(r.HardwareReport) != HardwareReportSize:
		return "HardwareReport is not 1184 bytes"
	case ClaimsOff+len(r.Claims) > len(in) || !bytes.Equal(r.Claims, in[ClaimsOff:ClaimsOff+len(r.Claims)]):
		return "Claims are not the input bytes at offset 1236"
	case int(r.IGVM.VariableDataSize) != len(r.Claims):
		return "Claims length differs from VariableDataSize"
	case r.TrailingNonZero > len(in)-ClaimsOff-len(r.Claims):
		return "TrailingNonZero counts more bytes than follow the claims"
	case (r.RuntimeClaims == nil) == (r.ClaimsErr == nil):
		return "exactly one of RuntimeClaims and ClaimsErr must be set"
	}
	if rd := r.ReportData(); rd != nil && len(rd) != ReportDataSize {
		return "REPORT_DATA is not 64 bytes"
	}
	if c := r.BindingCheck(); c.ID != IDBinding || c.Summary == "" {
		return "BindingCheck returned no verdict"
	}
	return ""
}

func TestBuildRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		typ  ReportType
		hw   int
		hash HashType
		size int
	}{
		{ReportSNP, HardwareReportSize, HashSHA256, 0},
		{ReportTDX, TDReportSize, HashSHA384, 2048},
		{ReportSNP, HardwareReportSize, HashSHA512, 4096},
	} {
		t.Run(tc.typ.String()+"/"+tc.hash.String(), func(t *testing.T) {
			claims := []byte(`{"keys":[{"kid":"HCLAkPub","key_ops":["sign"],"kty":"RSA","e":"AQAB","n":"AQAB"}],"vm-configuration":{"secure-boot":true,"vmUniqueId":"X"},"user-data":"` + UserDataHex(bytes.Repeat([]byte{0xab}, 64)) + `"}`)
			hw := make([]byte, tc.hw)
			for i := range hw {
				hw[i] = byte(i)
			}
			h := tc.hash.New()
			h.Write(claims)
			rdOff := SNPReportDataOff
			if tc.typ == ReportTDX {
				rdOff = TDXReportDataOff
			}
			copy(hw[rdOff:rdOff+ReportDataSize], append(h.Sum(nil), make([]byte, ReportDataSize)...))
			raw, err := Build(tc.typ, hw, tc.hash, claims, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			wantSize := tc.size
			if wantSize == 0 {
				wantSize = NVSize
			}
			r, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) != wantSize || r.Header.Version != 2 || r.IGVM.ReportType != tc.typ || r.IGVM.ReportDataHash != tc.hash ||
				!bytes.Equal(r.Claims, claims) || !bytes.Equal(r.HardwareReport[:tc.hw], hw) || r.TrailingNonZero != 0 {
				t.Errorf("round trip changed the report: %+v %+v", r.Header, r.IGVM)
			}
			if msg := invariants(r, raw); msg != "" {
				t.Error(msg)
			}
			if c := r.BindingCheck(); c.Verdict != check.Pass {
				t.Errorf("binding %v", c)
			}
			ud, err := r.RuntimeClaims.UserDataBytes()
			if err != nil || !bytes.Equal(ud, bytes.Repeat([]byte{0xab}, 64)) {
				t.Errorf("user-data %x %v", ud, err)
			}
		})
	}
	if _, err := Build(ReportSNP, make([]byte, HardwareReportSize+1), HashSHA256, nil, 0); err == nil {
		t.Error("Build must refuse a hardware report larger than 1184 bytes")
	}
	if _, err := Build(ReportSNP, nil, HashSHA256, make([]byte, NVSize), 0); err == nil {
		t.Error("Build must refuse claims that do not fit the index")
	}
}
