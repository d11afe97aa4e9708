package simroots

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
)

func tdxParams() TDXParams {
	var p TDXParams
	fill(p.ReportData[:], 0x01)
	fill(p.MRTD[:], 0x20)
	for i := range p.RTMR {
		fill(p.RTMR[i][:], byte(0x50+0x30*i))
	}
	fill(p.MRSeam[:], 0xC0)
	p.XFAM = 0x618e7
	p.TEETCBSVN = [16]byte{2, 1, 6}
	return p
}

func TestTDReportLayout(t *testing.T) {
	td, err := NewTDX(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	p := tdxParams()
	r, err := td.NewTDReport(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != TDReportSize || r[0] != 0x81 {
		t.Fatalf("TDREPORT is %d bytes of type %#x, want 1024 of type 0x81", len(r), r[0])
	}
	fields := []struct {
		name string
		off  int
		want []byte
	}{
		{"report_data", 128, p.ReportData[:]},
		{"tee_tcb_svn", 264, p.TEETCBSVN[:]},
		{"mr_seam", 280, p.MRSeam[:]},
		{"tee_tcb_svn2", 384, p.TEETCBSVN[:]},
		{"mr_td", 528, p.MRTD[:]},
		{"rtmr0", 720, p.RTMR[0][:]},
		{"rtmr3", 864, p.RTMR[3][:]},
		{"cpu_svn", 16, td.CPUSVN[:]},
	}
	for _, f := range fields {
		if got := r[f.off : f.off+len(f.want)]; !bytes.Equal(got, f.want) {
			t.Errorf("%s at %d = %x, want %x", f.name, f.off, got, f.want)
		}
	}
	if got := binary.LittleEndian.Uint64(r[520:]); got != p.XFAM {
		t.Errorf("xfam = %#x, want %#x", got, p.XFAM)
	}
	if got := binary.LittleEndian.Uint64(r[512:]); got != 0 {
		t.Errorf("td attributes = %#x, want 0 without Debug", got)
	}
	if err := td.VerifyTDReport(r); err != nil {
		t.Fatalf("fresh TDREPORT does not verify: %v", err)
	}

	// Inside an HCL report the hardware report and REPORT_DATA must come back unchanged.
	claims := []byte(`{"keys":[]}`)
	h := sha256.Sum256(claims)
	copy(p.ReportData[:], h[:])
	r, _ = td.NewTDReport(p)
	nv, err := hcl.Build(hcl.ReportTDX, r, hcl.HashSHA256, claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := hcl.Parse(nv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(parsed.TDReport(), r) || !bytes.HasPrefix(parsed.ReportData(), h[:]) {
		t.Error("hcl.Parse does not give back the simulated TDREPORT and its REPORT_DATA")
	}
}

// The hash ranges were chosen from the spec; a real Azure TDREPORT proves them.
func TestTDReportHashesMatchRealAzureReport(t *testing.T) {
	nv := realSample(t, "aztdx-hcl-trustee-6332533d.bin")
	parsed, err := hcl.Parse(nv)
	if err != nil {
		t.Fatal(err)
	}
	r := parsed.TDReport()
	if len(r) != TDReportSize || r[0] != TDReportTypeTDX {
		t.Fatalf("real TDREPORT: %d bytes, type %#x", len(r), r[0])
	}
	tcb, info := tdReportHashes(r)
	if !bytes.Equal(tcb[:], r[32:80]) || !bytes.Equal(info[:], r[80:128]) {
		t.Fatal("tee_tcb_info_hash / tee_info_hash ranges do not reproduce the real Azure report's hashes")
	}
	td, _ := NewTDX(DefaultSeed())
	if !bytes.Equal(td.CPUSVN[:], r[16:32]) || !bytes.Equal(td.TEETCBInfoValid[:], r[256:264]) {
		t.Error("default CPUSVN / TEE_TCB_INFO.VALID differ from the real Azure report")
	}
	// The real report is MAC'd by Intel hardware; the simulated key must not accept it.
	if err := td.VerifyTDReport(r); err == nil {
		t.Error("a real hardware TDREPORT passed the simulated MAC check")
	}
}

func TestTDReportTamperFails(t *testing.T) {
	td, _ := NewTDX(DefaultSeed())
	r, err := td.NewTDReport(tdxParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, wantMsg string
		off           int
	}{
		{"report_data", "MAC", 130},
		{"cpu_svn", "MAC", 17},
		{"mac", "MAC", 230},
		{"mr_seam", "tee_tcb_info_hash", 300},
		{"mr_td", "tee_info_hash", 540},
		{"rtmr2", "tee_info_hash", 820},
		{"type", "type", 0},
	} {
		bad := bytes.Clone(r)
		bad[c.off] ^= 0x80
		err := td.VerifyTDReport(bad)
		if err == nil || !strings.Contains(err.Error(), c.wantMsg) {
			t.Errorf("flipping %s at %d: error %v, want one naming %s", c.name, c.off, err, c.wantMsg)
			continue
		}
		if fault.KindOf(err) != fault.Verification {
			t.Errorf("flipping %s: error kind %v, want verification", c.name, fault.KindOf(err))
		}
	}
	if err := td.VerifyTDReport(r[:1000]); err == nil || !strings.Contains(err.Error(), "1000") {
		t.Errorf("short report error = %v", err)
	}
	other, _ := NewTDX([]byte("another chip"))
	if err := other.VerifyTDReport(r); err == nil {
		t.Error("a TDREPORT verified on a platform with another seed")
	}
}

func TestTDReportDeterministicAndDebug(t *testing.T) {
	a, _ := NewTDX([]byte("s"))
	b, _ := NewTDX([]byte("s"))
	c, _ := NewTDX([]byte("t"))
	p := tdxParams()
	ra, _ := a.NewTDReport(p)
	rb, _ := b.NewTDReport(p)
	rc, _ := c.NewTDReport(p)
	if !bytes.Equal(ra, rb) {
		t.Error("same seed gave different TDREPORTs")
	}
	if bytes.Equal(ra[224:256], rc[224:256]) || !bytes.Equal(ra[:224], rc[:224]) {
		t.Error("another seed must change the MAC and nothing else")
	}
	p.Debug = true
	rd, _ := a.NewTDReport(p)
	if binary.LittleEndian.Uint64(rd[512:])&1 != 1 {
		t.Error("Debug did not set TD_ATTRIBUTES bit 0")
	}
	if _, err := NewTDX(nil); err == nil {
		t.Error("NewTDX(nil) succeeded")
	}
}
