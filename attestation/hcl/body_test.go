package hcl

import (
	"bytes"
	"strings"
	"testing"
)

func builtReport(t testing.TB, typ ReportType, claims []byte) []byte {
	t.Helper()
	hw := bytes.Repeat([]byte{0x11}, HardwareReportSize)
	if typ == ReportTDX {
		hw = bytes.Repeat([]byte{0x81}, TDReportSize)
	}
	b, err := Build(typ, hw, HashSHA256, claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A body is the report without its 32-byte header, cut after the IGVM header (as
// go-azguestattestation cuts it) or kept whole with its claims.
func TestParseBody(t *testing.T) {
	claims := []byte(`{"keys":[],"vm-configuration":{}}`)
	for _, typ := range []ReportType{ReportSNP, ReportTDX} {
		full := builtReport(t, typ, claims)
		for name, c := range map[string]struct {
			b      []byte
			claims []byte
		}{
			"cut after the IGVM header": {full[HeaderSize:ClaimsOff], nil},
			"with its claims":           {full[HeaderSize : ClaimsOff+len(claims)], claims},
			"with the NV padding":       {full[HeaderSize:], claims},
			"claims cut short":          {full[HeaderSize : ClaimsOff+5], nil},
		} {
			if !IsBody(c.b) {
				t.Errorf("%s %s: not recognised", typ, name)
				continue
			}
			body, err := ParseBody(c.b)
			if err != nil {
				t.Errorf("%s %s: %v", typ, name, err)
				continue
			}
			wantHW := HardwareReportSize
			if typ == ReportTDX {
				wantHW = TDReportSize
			}
			if len(body.HardwareReport) != wantHW || body.IGVM.ReportType != typ || !bytes.Equal(body.Claims, c.claims) {
				t.Errorf("%s %s: hw %d bytes, type %s, claims %q", typ, name, len(body.HardwareReport), body.IGVM.ReportType, body.Claims)
			}
			if !strings.Contains(body.Describe(), "without its header") {
				t.Errorf("Describe: %s", body.Describe())
			}
		}
		if IsBody(full) {
			t.Errorf("%s: a whole report (with its header) taken for a body", typ)
		}
	}
	if _, err := ParseBody(make([]byte, 100)); err == nil || !strings.Contains(err.Error(), "needs 1204 bytes") {
		t.Errorf("short body: %v", err)
	}
}

func FuzzParseBody(f *testing.F) {
	full := builtReport(f, ReportSNP, []byte(`{"keys":[]}`))
	f.Add(full[HeaderSize:ClaimsOff])
	f.Add(full[HeaderSize:])
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := ParseBody(b)
		if err != nil {
			return
		}
		if len(body.HardwareReport) > len(b) || len(body.Claims) > len(b) {
			t.Fatal("body parts larger than the input")
		}
		if IsBody(b) && body.Claims != nil && uint32(len(body.Claims)) != body.IGVM.VariableDataSize {
			t.Fatalf("claims of %d bytes, header says %d", len(body.Claims), body.IGVM.VariableDataSize)
		}
	})
}
