package compare_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

var now = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

var (
	snpFiles = []string{"azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem",
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin"}
	snpV0Files = []string{"azsnp-hcl-trustee-ev-v0.bin", "amd-milan-vcek-trustee-ev-v0.pem", "amd-ask_ark_milan.pem",
		"azsnp-tpmquote-trustee-ev-v0.msg.bin", "azsnp-tpmquote-trustee-ev-v0.sig.bin", "azsnp-tpmquote-trustee-ev-v0.pcrs-sha256.bin"}
	tdxFiles = []string{"aztdx-hcl-trustee-6332533d.bin", "aztdx-tdquote-trustee-6332533d.bin",
		"aztdx-tpmquote-trustee-6332533d.msg.bin", "aztdx-tpmquote-trustee-6332533d.sig.bin", "aztdx-tpmquote-trustee-6332533d.pcrs-sha256.bin"}
)

func load(t *testing.T, names ...string) (*evidence.Set, *verify.Result) {
	t.Helper()
	dir := realdata.Dir(t)
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(dir, n))
	}
	s, err := evidence.LoadFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	return s, verify.Evidence(s, verify.Options{Now: now})
}

func hexAt(b []byte, off, n int) string { return hex.EncodeToString(b[off : off+n]) }

// snpClaims writes the x-ms-sevsnpvm-* claims MAA would issue for a raw SEV-SNP report,
// reading the offsets of protocol §2.4 directly rather than through package snp, so the
// test does not reuse the code it tests.
func snpClaims(rep []byte) map[string]any {
	le := binary.LittleEndian
	pol := le.Uint64(rep[0x08:])
	tcb := rep[0x180:0x188] // reported_tcb: bootloader, TEE, 4 reserved, SNP, microcode
	return map[string]any{
		"x-ms-sevsnpvm-authorkeydigest":   hexAt(rep, 0x110, 48),
		"x-ms-sevsnpvm-bootloader-svn":    int(tcb[0]),
		"x-ms-sevsnpvm-familyId":          strings.ToUpper(hexAt(rep, 0x10, 16)), // case must not matter
		"x-ms-sevsnpvm-guestsvn":          int(le.Uint32(rep[0x04:])),
		"x-ms-sevsnpvm-hostdata":          hexAt(rep, 0xC0, 32),
		"x-ms-sevsnpvm-idkeydigest":       hexAt(rep, 0xE0, 48),
		"x-ms-sevsnpvm-imageId":           hexAt(rep, 0x20, 16),
		"x-ms-sevsnpvm-is-debuggable":     pol&(1<<19) != 0,
		"x-ms-sevsnpvm-launchmeasurement": hexAt(rep, 0x90, 48),
		"x-ms-sevsnpvm-microcode-svn":     int(tcb[7]),
		"x-ms-sevsnpvm-migration-allowed": pol&(1<<18) != 0,
		"x-ms-sevsnpvm-reportdata":        hexAt(rep, 0x50, 64),
		"x-ms-sevsnpvm-reportid":          hexAt(rep, 0x140, 32),
		"x-ms-sevsnpvm-smt-allowed":       pol&(1<<16) != 0,
		"x-ms-sevsnpvm-snpfw-svn":         int(tcb[6]),
		"x-ms-sevsnpvm-tee-svn":           int(tcb[1]),
		"x-ms-sevsnpvm-vmpl":              int(le.Uint32(rep[0x30:])),
	}
}

// guestToken builds an AzureGuest token's claims around nested TEE claims and the raw
// runtime claims, as MAA issues it for a Linux CVM (protocol §6.6).
func guestToken(t *testing.T, r *verify.Result, teeType string, tee map[string]any) map[string]any {
	t.Helper()
	var runtime map[string]any
	if err := json.Unmarshal(r.HCL.Claims, &runtime); err != nil {
		t.Fatal(err)
	}
	tee["x-ms-attestation-type"] = teeType
	tee["x-ms-compliance-status"] = "azure-compliant-cvm"
	tee["x-ms-runtime"] = runtime
	return map[string]any{
		"iss": "https://sharedkrc.krc.attest.azure.net", "x-ms-ver": "1.0",
		"x-ms-attestation-type":      "azurevm",
		"x-ms-azurevm-vmid":          strings.ToLower(r.Claims.VMConfig.VMUniqueID),
		"x-ms-azurevm-attested-pcrs": []int{0, 1, 2, 3, 4, 5, 6, 7},
		"x-ms-isolation-tee":         tee,
		"x-ms-runtime": map[string]any{"client-payload": map[string]any{"nonce": "MTIzNA=="},
			"keys": []any{map[string]any{"kid": "TpmEphemeralEncryptionKey", "kty": "RSA", "e": "AQAB", "n": "sn9x"}}},
	}
}

func claimsOf(t *testing.T, m map[string]any) token.Claims {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := token.ParseClaims(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func byName(items []compare.Item) map[string]compare.Item {
	m := map[string]compare.Item{}
	for _, it := range items {
		m[it.Name] = it
	}
	return m
}

// requireAgree: the check passes and every item is either a match or names why it was
// not compared.
func requireAgree(t *testing.T, c check.Check, items []compare.Item, mustPass ...string) {
	t.Helper()
	if c.ID != compare.ID || c.Verdict != check.Pass {
		t.Fatalf("check %s, want pass\n%v", c, strings.Join(c.Details, "\n"))
	}
	m := byName(items)
	for _, n := range mustPass {
		if m[n].Verdict != check.Pass {
			t.Errorf("item %q: %+v, want a match", n, m[n])
		}
	}
	for _, it := range items {
		switch it.Verdict {
		case check.Pass:
		case check.Skip:
			if it.Note.EN == "" || it.Note.KO == "" {
				t.Errorf("skipped item %q does not say why in both languages: %+v", it.Name, it)
			}
		default:
			t.Errorf("item %q: %s (token %q, evidence %q)", it.Name, it.Verdict, it.Token, it.Evidence)
		}
	}
}

var snpMust = []string{"TEE type", "VM id", "REPORT_DATA", "launch measurement", "guest SVN", "VMPL", "debuggable",
	"family id", "image id", "ID key digest", "author key digest", "host data", "report id",
	"bootloader SVN", "TEE SVN", "SNP firmware SVN", "microcode SVN", "HCLAkPub", "user-data", "vm-configuration", "attested PCRs"}

func TestAzureGuestSNPAgreesAndEachMismatchFails(t *testing.T) {
	for _, files := range [][]string{snpFiles, snpV0Files} {
		t.Run(files[0], func(t *testing.T) {
			s, r := load(t, files...)
			build := func() map[string]any { return guestToken(t, r, "sevsnpvm", snpClaims(r.SNP.Raw)) }
			c, items := compare.TokenVsEvidence(claimsOf(t, build()), s, r)
			requireAgree(t, c, items, snpMust...)

			// Each claim changed on its own must fail, and the check must name it.
			tee := func(m map[string]any) map[string]any { return m["x-ms-isolation-tee"].(map[string]any) }
			rt := func(m map[string]any) map[string]any { return tee(m)["x-ms-runtime"].(map[string]any) }
			for name, mutate := range map[string]func(m map[string]any){
				"TEE type":           func(m map[string]any) { tee(m)["x-ms-attestation-type"] = "tdxvm" },
				"VM id":              func(m map[string]any) { m["x-ms-azurevm-vmid"] = "F7CEA813-4C44-436C-8537-5701999C4589" },
				"REPORT_DATA":        func(m map[string]any) { tee(m)["x-ms-sevsnpvm-reportdata"] = strings.Repeat("00", 64) },
				"launch measurement": func(m map[string]any) { tee(m)["x-ms-sevsnpvm-launchmeasurement"] = strings.Repeat("ab", 48) },
				"guest SVN":          func(m map[string]any) { tee(m)["x-ms-sevsnpvm-guestsvn"] = 99 },
				"VMPL":               func(m map[string]any) { tee(m)["x-ms-sevsnpvm-vmpl"] = 2 },
				"debuggable":         func(m map[string]any) { tee(m)["x-ms-sevsnpvm-is-debuggable"] = true },
				"family id":          func(m map[string]any) { tee(m)["x-ms-sevsnpvm-familyId"] = strings.Repeat("ff", 16) },
				"image id":           func(m map[string]any) { tee(m)["x-ms-sevsnpvm-imageId"] = strings.Repeat("ff", 16) },
				"ID key digest":      func(m map[string]any) { tee(m)["x-ms-sevsnpvm-idkeydigest"] = strings.Repeat("ff", 48) },
				"author key digest":  func(m map[string]any) { tee(m)["x-ms-sevsnpvm-authorkeydigest"] = strings.Repeat("ff", 48) },
				"host data":          func(m map[string]any) { tee(m)["x-ms-sevsnpvm-hostdata"] = strings.Repeat("ff", 32) },
				"report id":          func(m map[string]any) { tee(m)["x-ms-sevsnpvm-reportid"] = strings.Repeat("ff", 32) },
				"bootloader SVN":     func(m map[string]any) { tee(m)["x-ms-sevsnpvm-bootloader-svn"] = 200 },
				"TEE SVN":            func(m map[string]any) { tee(m)["x-ms-sevsnpvm-tee-svn"] = 200 },
				"SNP firmware SVN":   func(m map[string]any) { tee(m)["x-ms-sevsnpvm-snpfw-svn"] = 200 },
				"microcode SVN":      func(m map[string]any) { tee(m)["x-ms-sevsnpvm-microcode-svn"] = 250 },
				"HCLAkPub": func(m map[string]any) {
					k := rt(m)["keys"].([]any)[0].(map[string]any)
					n := []byte(k["n"].(string))
					n[10] ^= 1 // still base64url, another modulus
					k["n"] = string(n)
				},
				"user-data":        func(m map[string]any) { rt(m)["user-data"] = strings.Repeat("11", 64) },
				"vm-configuration": func(m map[string]any) { rt(m)["vm-configuration"].(map[string]any)["secure-boot"] = false },
				"attested PCRs":    func(m map[string]any) { m["x-ms-azurevm-attested-pcrs"] = []int{0, 1, 2, 3, 4, 5, 6, 7, 30} },
			} {
				m := build()
				mutate(m)
				c, items := compare.TokenVsEvidence(claimsOf(t, m), s, r)
				if c.Verdict != check.Fail || !strings.Contains(c.Summary, name) {
					t.Errorf("%s changed: check %s, want a failure naming it", name, c)
				}
				for _, it := range items {
					if (it.Verdict == check.Fail) != (it.Name == name) {
						t.Errorf("%s changed: item %q is %s", name, it.Name, it.Verdict)
					}
				}
				if !strings.Contains(strings.Join(c.Details, "\n"), name+" (") {
					t.Errorf("%s changed: details do not name it: %v", name, c.Details)
				}
			}
		})
	}
}

// The 911B0EF8 report runs microcode 210 (current_tcb) but reports 115 (reported_tcb): a
// token taking its SVN from either passes, and the note says which TCB it matched.
func TestSVNFromCurrentTCBPassesWithNote(t *testing.T) {
	s, r := load(t, snpFiles...)
	reported, current := r.SNP.ReportedTCB(), r.SNP.CurrentTCB()
	if current.Microcode == reported.Microcode {
		t.Fatalf("sample changed: current and reported microcode are both %d", current.Microcode)
	}
	m := guestToken(t, r, "sevsnpvm", snpClaims(r.SNP.Raw))
	m["x-ms-isolation-tee"].(map[string]any)["x-ms-sevsnpvm-microcode-svn"] = int(current.Microcode)
	c, items := compare.TokenVsEvidence(claimsOf(t, m), s, r)
	it := byName(items)["microcode SVN"]
	if c.Verdict != check.Pass || it.Verdict != check.Pass || !strings.Contains(it.Note.EN, "current_tcb (210)") || it.Note.KO == "" {
		t.Errorf("SVN from the current TCB: %s %+v, want a pass that names current_tcb", c, it)
	}
	if it.Evidence != "210" || !strings.Contains(it.Source, "current_tcb (0x038) has 210") {
		t.Errorf("evidence %q from %q, want the current TCB's 210", it.Evidence, it.Source)
	}
}

// tdxClaims reads the tdx_* claims from a raw TDREPORT by the offsets of protocol §2.5.
func tdxClaims(td []byte) map[string]any {
	return map[string]any{
		"tdx_mrtd":                hexAt(td, 528, 48),
		"tdx_rtmr0":               hexAt(td, 720, 48),
		"tdx_rtmr1":               hexAt(td, 768, 48),
		"tdx_rtmr2":               hexAt(td, 816, 48),
		"tdx_rtmr3":               hexAt(td, 864, 48),
		"tdx_mrseam":              hexAt(td, 280, 48),
		"tdx_mrsignerseam":        hexAt(td, 328, 48),
		"tdx_seam_attributes":     hexAt(td, 376, 8),
		"tdx_td_attributes":       hexAt(td, 512, 8),
		"tdx_xfam":                hexAt(td, 520, 8),
		"tdx_mrconfigid":          hexAt(td, 576, 48),
		"tdx_mrowner":             hexAt(td, 624, 48),
		"tdx_mrownerconfig":       hexAt(td, 672, 48),
		"tdx_report_data":         hexAt(td, 128, 64),
		"tdx_tee_tcb_svn":         hexAt(td, 264, 16),
		"tdx_seamsvn":             int(td[264]), // MAA's derivation is undocumented; the minor byte is accepted
		"tdx_td_attributes_debug": td[512]&1 != 0,
	}
}

func TestTDXPlatformAndGuestTokensAgree(t *testing.T) {
	s, r := load(t, tdxFiles...)
	td := r.TDReport.Raw()
	var runtime map[string]any
	if err := json.Unmarshal(r.HCL.Claims, &runtime); err != nil {
		t.Fatal(err)
	}
	must := []string{"TEE type", "VM id", "REPORT_DATA", "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrseam", "td_attributes", "xfam",
		"seamsvn", "HCLAkPub", "user-data", "vm-configuration"}

	// TdxVm platform token: everything flat, the runtime claims at the top.
	flat := tdxClaims(td)
	flat["x-ms-attestation-type"] = "tdxvm"
	flat["x-ms-runtime"] = runtime
	c, items := compare.TokenVsEvidence(claimsOf(t, flat), s, r)
	requireAgree(t, c, items, must...)
	if it := byName(items)["VM id"]; it.Claim != "x-ms-runtime.vm-configuration.vmUniqueId" {
		t.Errorf("platform token VM id read from %q", it.Claim)
	}
	if it := byName(items)["attested PCRs"]; it.Verdict != check.Skip || it.Note.EN != "not in token" {
		t.Errorf("a platform token has no attested PCRs; item %+v", it)
	}

	// AzureGuest token from the TDX CVM: TDX claims nested.
	c, items = compare.TokenVsEvidence(claimsOf(t, guestToken(t, r, "tdxvm", tdxClaims(td))), s, r)
	requireAgree(t, c, items, append(must, "attested PCRs")...)
	if it := byName(items)["mrtd"]; it.Claim != "x-ms-isolation-tee.tdx_mrtd" || !strings.Contains(it.Source, "TDREPORT") {
		t.Errorf("mrtd item %+v", it)
	}

	for claim, name := range map[string]string{"tdx_mrtd": "mrtd", "tdx_rtmr2": "rtmr2", "tdx_xfam": "xfam", "tdx_mrseam": "mrseam", "tdx_report_data": "REPORT_DATA"} {
		m := tdxClaims(td)
		m[claim] = strings.Repeat("0", len(m[claim].(string))-1) + "1"
		m["x-ms-attestation-type"] = "tdxvm"
		m["x-ms-runtime"] = runtime
		c, _ := compare.TokenVsEvidence(claimsOf(t, m), s, r)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, name) {
			t.Errorf("%s changed: %s", claim, c)
		}
	}
	m := tdxClaims(td)
	m["x-ms-attestation-type"] = "tdxvm"
	m["tdx_td_attributes_debug"] = true
	c, _ = compare.TokenVsEvidence(claimsOf(t, m), s, r)
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "td_attributes_debug") {
		t.Errorf("debug bit flipped: %s", c)
	}
}

func TestUserDataWrittenIsCompared(t *testing.T) {
	s, r := load(t, snpFiles...)
	m := guestToken(t, r, "sevsnpvm", snpClaims(r.SNP.Raw))
	// The run wrote other user data than the report carries: the token (echoing the report)
	// does not prove the write.
	s.UserData = []byte("nonce-hash-that-was-written-but-not-reported................64b!")
	c, items := compare.TokenVsEvidence(claimsOf(t, m), s, r)
	it := byName(items)["user-data"]
	if c.Verdict != check.Fail || it.Verdict != check.Fail || !strings.Contains(it.Source, "NV 0x01400002") {
		t.Errorf("user data written: %s %+v", c, it)
	}
}

// The real tokens come from other VMs than any evidence sample: the comparison must say so.
func TestRealTokensAgainstUnrelatedEvidence(t *testing.T) {
	tl, err := token.Parse(string(realdata.Read(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")))
	if err != nil {
		t.Fatal(err)
	}
	sgx, err := token.Parse(string(realdata.Read(t, "maa-sgx-sharedeus-teaclave-2023.jwt")))
	if err != nil {
		t.Fatal(err)
	}

	s, r := load(t, snpFiles...)
	c, items := compare.TokenVsEvidence(tl.Claims, s, r)
	m := byName(items)
	if c.Verdict != check.Fail || m["VM id"].Verdict != check.Fail || m["TEE type"].Verdict != check.Fail {
		t.Errorf("Trusted Launch token vs SEV-SNP evidence: %s; items %+v", c, items)
	}
	if m["VM id"].Token != "F7CEA813-4C44-436C-8537-5701999C4589" || m["VM id"].Evidence != "911B0EF8-9DBA-48B0-B275-4E4DF2D39252" {
		t.Errorf("VM id item %+v", m["VM id"])
	}
	// The 2022 token attests 0-7 and 11-13; the quote covers 0-23.
	if it := m["attested PCRs"]; it.Verdict != check.Pass || it.Token != "0-7,11-13" || it.Evidence != "0-23" || !strings.Contains(it.Note.EN, "subset") {
		t.Errorf("attested PCRs %+v", it)
	}
	for _, n := range []string{"REPORT_DATA", "launch measurement", "HCLAkPub", "user-data"} {
		if it := m[n]; it.Verdict != check.Skip || it.Note.EN != "not in token" {
			t.Errorf("%s: %+v, want skipped as not in token", n, it)
		}
	}

	c, items = compare.TokenVsEvidence(sgx.Claims, s, r)
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "TEE type") || byName(items)["TEE type"].Token != "sgx" {
		t.Errorf("SGX token vs SEV-SNP evidence: %s", c)
	}

	// Nothing local at all: too little to compare, never a pass.
	c, _ = compare.TokenVsEvidence(sgx.Claims, &evidence.Set{}, &verify.Result{})
	if c.Verdict != check.Warn || !strings.Contains(c.Summary, "nothing to compare") {
		t.Errorf("SGX token vs no evidence: %s", c)
	}

	// A Trusted Launch quote without an AK certificate: only the PCR set can be compared,
	// which does not tie the token to the VM.
	s, r = load(t, "azvtpm-akpub-kinvolk-2024.pem", "azvtpm-quote-kinvolk-2024.msg.bin", "azvtpm-quote-kinvolk-2024.sig.bin", "azvtpm-quote-kinvolk-2024.pcrs-sha256.bin")
	c, items = compare.TokenVsEvidence(tl.Claims, s, r)
	if c.Verdict != check.Warn || !strings.Contains(c.Summary, "none ties the token") {
		t.Errorf("Trusted Launch token vs Trusted Launch quote: %s; %+v", c, items)
	}
	if it := byName(items)["VM id"]; it.Verdict != check.Skip || it.Note.EN != "no local evidence" || it.Note.KO == "" {
		t.Errorf("VM id without local evidence: %+v", it)
	}
}

func TestSecureBootAgainstEventLog(t *testing.T) {
	s, r := load(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin", "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json")
	on, known := r.Log.SecureBootEnabled()
	if !known {
		t.Skip("the sample log records no SecureBoot variable")
	}
	for _, claim := range []bool{on, !on} {
		c, items := compare.TokenVsEvidence(claimsOf(t, map[string]any{"x-ms-attestation-type": "azurevm", "secureboot": claim}), s, r)
		it := byName(items)["Secure Boot"]
		want := check.Pass
		if claim != on {
			want = check.Fail
		}
		if it.Verdict != want || !strings.Contains(it.Source, "PCR 7") {
			t.Errorf("secureboot %v against a log saying %v: item %+v (check %s)", claim, on, it, c)
		}
	}
}

func TestNilInputsDoNotPanic(t *testing.T) {
	c, items := compare.TokenVsEvidence(token.Claims{}, nil, nil)
	if c.Verdict != check.Warn || len(items) != 0 {
		t.Errorf("empty claims and no evidence: %s, %d items", c, len(items))
	}
}

func BenchmarkTokenVsEvidence(b *testing.B) {
	dir := realdata.Dir(b)
	var paths []string
	for _, n := range snpFiles {
		paths = append(paths, filepath.Join(dir, n))
	}
	s, err := evidence.LoadFiles(paths)
	if err != nil {
		b.Fatal(err)
	}
	r := verify.Evidence(s, verify.Options{Now: now})
	tok, err := token.Parse(string(realdata.Read(b, "maa-azureguest-sharedeus2-cvmga-2022.jwt")))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		compare.TokenVsEvidence(tok.Claims, s, r)
	}
}

// tpm2bPublic encodes an RSA key as a decrypt-only TPM2B_PUBLIC, the form EncKeyPub takes.
func tpm2bPublic(n []byte) []byte {
	pub := tpm2.TPMTPublic{Type: tpm2.TPMAlgRSA, NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, NoDA: true, Decrypt: true},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
			Scheme: tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgNull}, KeyBits: 2048}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: n})}
	return tpm2.Marshal(tpm2.New2B(pub))
}

// A Trusted Launch token carries no hardware claims: what ties it to this VM is the VM id
// in the AK certificate and the ephemeral key the request sent.
func TestTrustedLaunchBindsByAKCertificateAndEphemeralKey(t *testing.T) {
	tl, err := token.Parse(string(realdata.Read(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")))
	if err != nil {
		t.Fatal(err)
	}
	keys := tl.Claims.Get("x-ms-runtime", "keys").([]any)
	n, err := base64.RawURLEncoding.DecodeString(keys[0].(map[string]any)["n"].(string))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cert := func(cn string) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: now, NotAfter: now.Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	s := &evidence.Set{TEE: evidence.TEETrustedLaunch, EncKey: &evidence.EncKey{Pub: tpm2bPublic(n)}}
	r := &verify.Result{TEE: evidence.TEETrustedLaunch, AKCert: cert("f7cea813-4c44-436c-8537-5701999c4589.TrustedVM.Azure.windows.net")}
	c, items := compare.TokenVsEvidence(tl.Claims, s, r)
	m := byName(items)
	if c.Verdict != check.Pass || m["VM id"].Verdict != check.Pass || m["ephemeral key"].Verdict != check.Pass || m["TEE type"].Verdict != check.Pass {
		t.Errorf("Trusted Launch token with its own AK certificate and key: %s\n%+v", c, items)
	}
	if !strings.Contains(m["VM id"].Source, "AK certificate") || !strings.Contains(m["ephemeral key"].Source, "EncKeyPub") {
		t.Errorf("sources: %q, %q", m["VM id"].Source, m["ephemeral key"].Source)
	}

	// Another request's key: the token answers another request.
	n[20] ^= 0xff
	s.EncKey.Pub = tpm2bPublic(n)
	c, items = compare.TokenVsEvidence(tl.Claims, s, r)
	if it := byName(items)["ephemeral key"]; c.Verdict != check.Fail || it.Verdict != check.Fail || !strings.Contains(it.Note.EN, "another request") || it.Note.KO == "" {
		t.Errorf("other key: %s %+v", c, it)
	}
	// A certificate that does not name a VM gives no VM id, rather than a wrong one.
	r.AKCert = cert("Some Other Subject")
	_, items = compare.TokenVsEvidence(tl.Claims, s, r)
	if it := byName(items)["VM id"]; it.Verdict != check.Skip || it.Evidence != "" {
		t.Errorf("certificate without a VM id: %+v", it)
	}
}
