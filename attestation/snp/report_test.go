package snp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseRealReports(t *testing.T) {
	for _, tc := range []struct {
		file    string
		version uint32
		product string
	}{
		{"azsnp-hcl-trustee-911b0ef8.bin", 2, ""},
		{"azsnp-hcl-trustee-ev-v0.bin", 3, "Milan"},
		{"azsnp-hcl-kinvolk-baefd3e1.bin", 2, ""},
		{"azsnp-hcl-cvmga-a288f91e-2022.bin", 1, ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			h, r := hclSNP(t, tc.file)
			if r.Version() != tc.version {
				t.Errorf("version %d, want %d", r.Version(), tc.version)
			}
			if got := r.ProductLine(); got != tc.product {
				t.Errorf("product line %q, want %q", got, tc.product)
			}
			if !bytes.Equal(r.ReportData(), h.ReportData()) {
				t.Errorf("ReportData differs from the HCL parser's REPORT_DATA")
			}
			// Every Azure CVM observed runs the paravisor at VMPL 0 with debugging off and
			// policy 0x3001f (ABI 0.31, SMT allowed, reserved bit 17).
			if r.VMPL() != 0 || r.Debug() || r.Proto.GetPolicy() != 0x3001f {
				t.Errorf("vmpl %d debug %v policy %#x, want 0 false 0x3001f", r.VMPL(), r.Debug(), r.Proto.GetPolicy())
			}
			if r.SigningKey().String() != "VCEK" {
				t.Errorf("signing key %v, want VCEK", r.SigningKey())
			}
			if len(r.Measurement()) != 48 || len(r.HostData()) != 32 || len(r.ChipID()) != 64 {
				t.Errorf("field sizes %d/%d/%d", len(r.Measurement()), len(r.HostData()), len(r.ChipID()))
			}
		})
	}
}

func TestParseGoSevGuestRaw(t *testing.T) {
	r, err := Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Proto.GetPolicy() != 0xb0000 {
		t.Errorf("policy %#x, want 0xb0000 (MANIFEST)", r.Proto.GetPolicy())
	}
	p := r.Policy()
	// 0xb0000 = bits 16 (SMT), 17 (reserved, must be 1) and 19 (debug).
	if !p.SMT || p.MigrateMA || !p.Debug || !r.Debug() {
		t.Errorf("policy 0xb0000 decodes to SMT %v migrate %v debug %v, want true false true", p.SMT, p.MigrateMA, p.Debug)
	}
}

// The SNP claims of protocol §6.3, each of which must be attached to exactly one field.
var maaClaims = []string{
	"authorkeydigest", "bootloader-svn", "familyId", "guestsvn", "hostdata", "idkeydigest", "imageId",
	"is-debuggable", "launchmeasurement", "microcode-svn", "migration-allowed", "reportdata", "reportid",
	"smt-allowed", "snpfw-svn", "tee-svn", "vmpl",
}

func TestFields(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-ev-v0.bin")
	fs := r.Fields()
	var claims []string
	prev := 0
	for _, f := range fs {
		if f.Offset < prev {
			t.Errorf("%s at 0x%x comes after offset 0x%x: fields must be in offset order", f.Name, f.Offset, prev)
		}
		prev = f.Offset
		if f.Offset+f.Size > Size || f.Size <= 0 {
			t.Errorf("%s: offset 0x%x size %d outside the report", f.Name, f.Offset, f.Size)
		}
		if f.Value == "" {
			t.Errorf("%s has no value", f.Name)
		}
		if f.Claim != "" {
			claims = append(claims, strings.TrimPrefix(f.Claim, "x-ms-sevsnpvm-"))
		}
	}
	slices.Sort(claims)
	if !slices.Equal(claims, maaClaims) {
		t.Errorf("claims %v,\nwant %v", claims, maaClaims)
	}
	// Byte-string fields are the report bytes in lower-case hex, as MAA writes them.
	for name, want := range map[string][]byte{
		"report_data": r.ReportData(), "measurement": r.Measurement(), "host_data": r.HostData(), "chip_id": r.ChipID(),
	} {
		f, ok := r.Field(name)
		if !ok || f.Value != hex.EncodeToString(want) {
			t.Errorf("%s = %q, want %x", name, f.Value, want)
		}
	}
	// MANIFEST: reported TCB 04..18db → bootloader 4, SNP 0x18, microcode 0xdb.
	tcb := r.ReportedTCB()
	if tcb.Bootloader != 4 || tcb.SNP != 0x18 || tcb.Microcode != 0xdb {
		t.Errorf("reported TCB %s (%#x), want bootloader 4 SNP 24 microcode 219", tcb, tcb.Raw)
	}
	for name, want := range map[string]string{
		"reported_tcb.bootloader": "4", "reported_tcb.snp": "24", "reported_tcb.microcode": "219",
		"policy.smt_allowed": "true", "policy.debug": "false", "policy.migrate_ma": "false",
		"key_info.signing_key": "VCEK", "signature_algo": "1 (ECDSA P-384 with SHA-384)", "version": "3",
	} {
		if f, _ := r.Field(name); f.Value != want {
			t.Errorf("%s = %q, want %q", name, f.Value, want)
		}
	}
	if f, _ := r.Field("cpuid_fam_mod_step"); !strings.Contains(f.Value, "family 0x19") || !strings.Contains(f.Value, "Milan") {
		t.Errorf("cpuid = %q, want family 0x19 (Milan)", f.Value)
	}
}

func TestDecodeTCBTurin(t *testing.T) {
	// Turin moves bootloader/TEE/SNP to bytes 1-3 and puts the FMC in byte 0.
	v := uint64(0x48)<<56 | uint64(3)<<24 | uint64(1)<<16 | uint64(9)<<8 | 2
	got := DecodeTCB(v, true)
	if got.FMC != 2 || got.Bootloader != 9 || got.TEE != 1 || got.SNP != 3 || got.Microcode != 0x48 {
		t.Errorf("Turin TCB %#x decoded as %+v", v, got)
	}
	m := DecodeTCB(v, false)
	if m.Bootloader != 2 || m.TEE != 9 || m.SNP != 0 || m.Microcode != 0x48 {
		t.Errorf("Milan TCB %#x decoded as %+v", v, m)
	}
}

func TestParseErrors(t *testing.T) {
	good := readReal(t, "snp-report-gosevguest.bin")
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for _, tc := range []struct {
		name   string
		in     []byte
		field  string
		offset int
	}{
		{"empty", nil, "report", 0},
		{"truncated to 1000", good[:1000], "report", 1000},
		{"one byte short", good[:Size-1], "report", Size - 1},
		{"version 0", mod(func(b []byte) []byte { b[0] = 0; return b }), "version", 0},
		{"version 9", mod(func(b []byte) []byte { b[0] = 9; return b }), "version", 0},
		{"policy reserved bit 17 clear", mod(func(b []byte) []byte { b[0x0A] &^= 2; return b }), "policy", 0x08},
		{"policy high bit", mod(func(b []byte) []byte { b[0x0F] = 0x80; return b }), "policy", 0x08},
		{"signing key reserved", mod(func(b []byte) []byte { b[0x48] = 2 << 2; return b }), "key_info.signing_key", 0x48},
		{"reserved 0x4c", mod(func(b []byte) []byte { b[0x4D] = 1; return b }), "reserved", 0x4D},
		{"reserved 0x250", mod(func(b []byte) []byte { b[0x250] = 0xff; return b }), "reserved", 0x250},
		{"signature padding", mod(func(b []byte) []byte { b[0x400] = 1; return b }), "signature.reserved", 0x400},
		{"trailing bytes", append(bytes.Clone(good), 0, 0, 7), "trailing data", Size + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want *ParseError", err)
			}
			if pe.Field != tc.field || pe.Offset != tc.offset {
				t.Errorf("error names %s at 0x%x, want %s at 0x%x (%v)", pe.Field, pe.Offset, tc.field, tc.offset, err)
			}
		})
	}
	if _, err := Parse(append(bytes.Clone(good), make([]byte, 100)...)); err != nil {
		t.Errorf("zero padding after the report must be accepted: %v", err)
	}
}

// FuzzParse checks that no input panics and that accepted input keeps the report bytes.
func FuzzParse(f *testing.F) {
	f.Add(make([]byte, Size))
	if b, err := readRealOptional("snp-report-gosevguest.bin"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Raw, b[:Size]) {
			t.Fatal("Raw differs from the input")
		}
		_ = r.Fields()
	})
}
