package snp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/google/go-sev-guest/abi"
)

// Field is one report field as the explanation screens show it.
type Field struct {
	Name   string
	Offset int // within the report
	Size   int // bytes; bit flags report the byte that holds them
	// Value is lower-case hex for byte strings (as MAA writes them) or a decoded value.
	Value string
	// Claim is the MAA claim carrying this field (x-ms-sevsnpvm-*), "" when there is none.
	Claim string
}

// Claim names (protocol §6.3). Which TCB the SVN claims come from is not documented; they are
// attached to reported_tcb, the TCB the VCEK is issued for and MAA checks against.
const (
	claimPrefix = "x-ms-sevsnpvm-"
)

// Fields lists every field of the report in offset order, with flags and TCBs decoded.
func (r *Report) Fields() []Field {
	b := r.Raw
	le := binary.LittleEndian
	var fs []Field
	add := func(name string, off, size int, value, claim string) {
		if claim != "" {
			claim = claimPrefix + claim
		}
		fs = append(fs, Field{Name: name, Offset: off, Size: size, Value: value, Claim: claim})
	}
	hexAt := func(off, size int) string { return hex.EncodeToString(b[off : off+size]) }
	u32 := func(off int) string { return strconv.FormatUint(uint64(le.Uint32(b[off:])), 10) }
	u64hex := func(off int) string { return fmt.Sprintf("0x%016x", le.Uint64(b[off:])) }

	add("version", 0x000, 4, u32(0x000), "")
	add("guest_svn", 0x004, 4, u32(0x004), "guestsvn")

	pol := r.Policy()
	add("policy", 0x008, 8, u64hex(0x008), "")
	add("policy.abi_minor", 0x008, 1, strconv.Itoa(int(pol.ABIMinor)), "")
	add("policy.abi_major", 0x009, 1, strconv.Itoa(int(pol.ABIMajor)), "")
	add("policy.smt_allowed", 0x00A, 1, strconv.FormatBool(pol.SMT), "smt-allowed")
	add("policy.migrate_ma", 0x00A, 1, strconv.FormatBool(pol.MigrateMA), "migration-allowed")
	add("policy.debug", 0x00A, 1, strconv.FormatBool(pol.Debug), "is-debuggable")
	add("policy.single_socket", 0x00A, 1, strconv.FormatBool(pol.SingleSocket), "")

	add("family_id", 0x010, 16, hexAt(0x010, 16), "familyId")
	add("image_id", 0x020, 16, hexAt(0x020, 16), "imageId")
	add("vmpl", 0x030, 4, u32(0x030), "vmpl")
	algo := u32(0x034)
	if le.Uint32(b[0x34:]) == abi.SignEcdsaP384Sha384 {
		algo += " (ECDSA P-384 with SHA-384)"
	}
	add("signature_algo", 0x034, 4, algo, "")

	fs = append(fs, tcbFields("current_tcb", 0x038, r.CurrentTCB(), false)...)

	pi := le.Uint64(b[0x40:])
	add("platform_info", 0x040, 8, u64hex(0x040), "")
	for _, bit := range []struct {
		name string
		n    uint
	}{{"smt_enabled", 0}, {"tsme_enabled", 1}, {"ecc_enabled", 2}, {"rapl_disabled", 3},
		{"ciphertext_hiding_enabled", 4}, {"alias_check_complete", 5}, {"tio_enabled", 7}} {
		add("platform_info."+bit.name, 0x040, 1, strconv.FormatBool(pi&(1<<bit.n) != 0), "")
	}

	si, _ := abi.ParseSignerInfo(le.Uint32(b[0x48:]))
	add("key_info.author_key_en", 0x048, 1, strconv.FormatBool(si.AuthorKeyEn), "")
	add("key_info.mask_chip_key", 0x048, 1, strconv.FormatBool(si.MaskChipKey), "")
	add("key_info.signing_key", 0x048, 1, si.SigningKey.String(), "")

	add("report_data", 0x050, 64, hexAt(0x050, 64), "reportdata")
	add("measurement", 0x090, 48, hexAt(0x090, 48), "launchmeasurement")
	add("host_data", 0x0C0, 32, hexAt(0x0C0, 32), "hostdata")
	add("id_key_digest", 0x0E0, 48, hexAt(0x0E0, 48), "idkeydigest")
	add("author_key_digest", 0x110, 48, hexAt(0x110, 48), "authorkeydigest")
	add("report_id", 0x140, 32, hexAt(0x140, 32), "reportid")
	add("report_id_ma", 0x160, 32, hexAt(0x160, 32), "")

	fs = append(fs, tcbFields("reported_tcb", 0x180, r.ReportedTCB(), true)...)

	if r.Version() >= abi.ReportVersion3 {
		cpu := fmt.Sprintf("family 0x%02x, model 0x%02x, stepping 0x%x", b[0x188], b[0x189], b[0x18A])
		if pl := r.ProductLine(); pl != "" {
			cpu += " (" + pl + ")"
		}
		add("cpuid_fam_mod_step", 0x188, 3, cpu, "")
	}

	add("chip_id", 0x1A0, 64, hexAt(0x1A0, 64), "")
	fs = append(fs, tcbFields("committed_tcb", 0x1E0, r.CommittedTCB(), false)...)
	add("current_version", 0x1E8, 3, fmt.Sprintf("%d.%d build %d", b[0x1EA], b[0x1E9], b[0x1E8]), "")
	add("committed_version", 0x1EC, 3, fmt.Sprintf("%d.%d build %d", b[0x1EE], b[0x1ED], b[0x1EC]), "")
	fs = append(fs, tcbFields("launch_tcb", 0x1F0, r.LaunchTCB(), false)...)
	if r.Version() >= abi.ReportVersion5 {
		add("launch_mit_vector", 0x1F8, 8, u64hex(0x1F8), "")
		add("current_mit_vector", 0x200, 8, u64hex(0x200), "")
	}

	// R and S are stored little-endian and zero-padded to 72 bytes; show them as the
	// big-endian integers every other tool prints.
	add("signature.r", 0x2A0, 72, leIntHex(b[0x2A0:0x2E8]), "")
	add("signature.s", 0x2E8, 72, leIntHex(b[0x2E8:0x330]), "")
	return fs
}

func tcbFields(name string, off int, t TCB, claims bool) []Field {
	claim := func(c string) string {
		if !claims {
			return ""
		}
		return claimPrefix + c
	}
	fs := []Field{{Name: name, Offset: off, Size: 8, Value: fmt.Sprintf("0x%016x (%s)", t.Raw, t)}}
	if t.Turin {
		fs = append(fs,
			Field{name + ".fmc", off, 1, strconv.Itoa(int(t.FMC)), ""},
			Field{name + ".bootloader", off + 1, 1, strconv.Itoa(int(t.Bootloader)), claim("bootloader-svn")},
			Field{name + ".tee", off + 2, 1, strconv.Itoa(int(t.TEE)), claim("tee-svn")},
			Field{name + ".snp", off + 3, 1, strconv.Itoa(int(t.SNP)), claim("snpfw-svn")},
		)
	} else {
		fs = append(fs,
			Field{name + ".bootloader", off, 1, strconv.Itoa(int(t.Bootloader)), claim("bootloader-svn")},
			Field{name + ".tee", off + 1, 1, strconv.Itoa(int(t.TEE)), claim("tee-svn")},
			Field{name + ".snp", off + 6, 1, strconv.Itoa(int(t.SNP)), claim("snpfw-svn")},
		)
	}
	return append(fs, Field{name + ".microcode", off + 7, 1, strconv.Itoa(int(t.Microcode)), claim("microcode-svn")})
}

func leIntHex(le []byte) string {
	be := slices.Clone(le)
	slices.Reverse(be)
	return hex.EncodeToString(new(big.Int).SetBytes(be).Bytes())
}

// Field returns the field with the given name, or false.
func (r *Report) Field(name string) (Field, bool) {
	for _, f := range r.Fields() {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
