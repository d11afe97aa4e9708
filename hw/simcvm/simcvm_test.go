package simcvm

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-eventlog/tcg"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// checkCVM runs the checks common to SEV-SNP and TDX: the report read through the paravisor
// binds its claims and names the persisted AK, the AK certificate verifies, a quote verifies,
// the event log replays, and written user data reaches the next report.
func checkCVM(t *testing.T, c *CVM, inner transport.TPM, typ hcl.ReportType) {
	tpm := c.Transport()
	raw := readNV(t, tpm, ReportIndex, 512)
	if len(raw) != hcl.NVSize {
		t.Fatalf("report index is %d bytes, want %d", len(raw), hcl.NVSize)
	}
	r := parseBound(t, raw)
	if r.IGVM.ReportType != typ {
		t.Fatalf("report type %v, want %v", r.IGVM.ReportType, typ)
	}
	ak, _ := akPublic(t, tpm)
	jwk := r.RuntimeClaims.Key("HCLAkPub")
	if jwk == nil {
		t.Fatal("runtime claims carry no HCLAkPub")
	}
	claimed, err := jwk.RSA()
	if err != nil {
		t.Fatal(err)
	}
	if !sameKey(claimed, ak) {
		t.Fatalf("HCLAkPub is not the AK persisted at 0x%08x", AKHandle)
	}
	if r.RuntimeClaims.UserData != strings.Repeat("0", 128) {
		t.Fatalf("initial user-data %q, want 128 zeros", r.RuntimeClaims.UserData)
	}
	if got := r.RuntimeClaims.VMConfig.VMUniqueID; got != c.VMID() {
		t.Fatalf("vmUniqueId %q, want %q", got, c.VMID())
	}
	cert := verifyAKCert(t, c, readNV(t, tpm, AKCertIndex, 1024), ak)
	if !simroots.IsSimulated(cert) && !strings.Contains(cert.Issuer.String(), "SIMULATED") {
		t.Errorf("AK certificate issuer %q does not name itself simulated", cert.Issuer)
	}
	quoteAndVerify(t, tpm)
	replayLog(t, tpm, c.EventLog())

	// Guest writes user data through the paravisor: the next read binds it.
	ud := sha256.Sum256([]byte("nonce one"))
	ud64 := append(ud[:], bytes.Repeat([]byte{0xA5}, 32)...)
	writeUserData(t, tpm, ud64)
	r2 := parseBound(t, readNV(t, tpm, ReportIndex, 1024))
	if r2.RuntimeClaims.UserData != hcl.UserDataHex(ud64) {
		t.Fatalf("user-data after write %q, want %q", r2.RuntimeClaims.UserData, hcl.UserDataHex(ud64))
	}
	if bytes.Equal(r.ReportData(), r2.ReportData()) {
		t.Fatal("REPORT_DATA did not change after new user data")
	}

	// Another process writing straight to the TPM (tpm2_nvwrite against swtpm) is seen too.
	other := bytes.Repeat([]byte{0x3C}, 64)
	writeUserData(t, inner, other)
	r3 := parseBound(t, readNV(t, tpm, ReportIndex, 1024))
	if r3.RuntimeClaims.UserData != hcl.UserDataHex(other) {
		t.Fatalf("user-data after a direct TPM write %q, want %q", r3.RuntimeClaims.UserData, hcl.UserDataHex(other))
	}
}

func TestProvisionSEVSNP(t *testing.T) {
	c, inner := provision(t, TEESEVSNP, []byte("snp test seed"))
	checkCVM(t, c, inner, hcl.ReportSNP)

	r := parseBound(t, c.Report())
	if err := verify.SnpReportSignature(r.SNPReport(), c.AMD().VCEK); err != nil {
		t.Fatalf("SNP report signature does not verify with the simulated VCEK: %v", err)
	}
	vcek, chain := c.VCEKChain()
	if !bytes.Contains(vcek, []byte("BEGIN CERTIFICATE")) || bytes.Count(chain, []byte("BEGIN CERTIFICATE")) != 2 {
		t.Fatalf("VCEKChain: want one VCEK and ASK+ARK as PEM, got %d and %d certificates",
			bytes.Count(vcek, []byte("BEGIN CERTIFICATE")), bytes.Count(chain, []byte("BEGIN CERTIFICATE")))
	}
	ark, ask := c.AMDRoots()
	if ark == nil || ask == nil || ask.CheckSignatureFrom(ark) != nil {
		t.Fatal("AMDRoots: the ASK is not signed by the ARK")
	}
	if c.TDReport() != nil {
		t.Error("TDReport of an SEV-SNP VM is not nil")
	}
}

func TestProvisionTDX(t *testing.T) {
	c, inner := provision(t, TEETDX, []byte("tdx test seed"))
	checkCVM(t, c, inner, hcl.ReportTDX)
	r := parseBound(t, c.Report())
	if !bytes.Equal(r.TDReport(), c.TDReport()) {
		t.Fatal("TDReport() is not the TDREPORT inside the current HCL report")
	}
	if err := c.TDX().VerifyTDReport(c.TDReport()); err != nil {
		t.Fatalf("the TDREPORT's MAC does not verify with the simulated TDX module: %v", err)
	}
	if c.AMD() != nil {
		t.Error("a TDX VM has simulated AMD roots")
	}
	if v, ch := c.VCEKChain(); v != nil || ch != nil {
		t.Error("a TDX VM returns a VCEK chain")
	}
}

func TestTrustedLaunchHasNoReportIndex(t *testing.T) {
	c, _ := provision(t, TEETrustedLaunch, []byte("tl test seed"))
	tpm := c.Transport()
	_, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(ReportIndex)}.Execute(tpm)
	if !errors.Is(err, tpm2.TPMRCHandle) {
		t.Fatalf("NV_ReadPublic 0x%08x on Trusted Launch: got %v, want TPM_RC_HANDLE", ReportIndex, err)
	}
	if c.Report() != nil {
		t.Error("a Trusted Launch VM has a report")
	}
	ak, _ := akPublic(t, tpm)
	verifyAKCert(t, c, readNV(t, tpm, AKCertIndex, 1024), ak)
	quoteAndVerify(t, tpm)
	replayLog(t, tpm, c.EventLog())
}

func TestSameSeedSameReport(t *testing.T) {
	seed := []byte("golden seed")
	c1, _ := provision(t, TEESEVSNP, seed)
	rep1, log1, cert1, id1 := c1.Report(), c1.EventLog(), c1.AKCert(), c1.VMID()
	c2, _ := provision(t, TEESEVSNP, seed)
	if !bytes.Equal(rep1, c2.Report()) {
		t.Errorf("two provisions with one seed gave different HCL reports (first difference at offset %d)", firstDiff(rep1, c2.Report()))
	}
	if !bytes.Equal(log1, c2.EventLog()) {
		t.Error("two provisions with one seed gave different event logs")
	}
	if !bytes.Equal(cert1, c2.AKCert()) {
		t.Error("two provisions with one seed and one Now gave different AK certificates")
	}
	if id1 != c2.VMID() || len(id1) != 36 || strings.ToUpper(id1) != id1 {
		t.Errorf("VM ids %q and %q: want equal upper-case GUIDs", id1, c2.VMID())
	}

	c3, _ := provision(t, TEESEVSNP, []byte("another seed"))
	if bytes.Equal(rep1, c3.Report()) || c3.VMID() == id1 {
		t.Error("a different seed gave the same report or VM id")
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestSecureBootOff(t *testing.T) {
	tpm := newSim(t, []byte("sb off"))
	opts := DefaultOptions()
	opts.Seed, opts.Now, opts.SecureBoot = []byte("sb off"), testNow, false
	c, err := Provision(tpm, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := parseBound(t, readNV(t, c.Transport(), ReportIndex, 1024))
	if sb := r.RuntimeClaims.VMConfig.SecureBoot; sb == nil || *sb {
		t.Fatalf(`runtime claims "secure-boot" = %v, want false`, sb)
	}
	if !bytes.Contains(r.Claims, []byte(`"secure-boot":false`)) {
		t.Fatalf("claims lack \"secure-boot\":false: %s", r.Claims)
	}
	authorities := 0
	for _, e := range replayLog(t, tpm, c.EventLog()) {
		if e.Type == tcg.EFIVariableAuthority {
			authorities++
		}
		if e.Type != tcg.EFIVariableDriverConfig {
			continue
		}
		v, err := tcg.ParseUEFIVariableData(bytes.NewReader(e.Data))
		if err != nil {
			t.Fatal(err)
		}
		if v.VarName() == "SecureBoot" && !bytes.Equal(v.VariableData, []byte{0}) {
			t.Fatalf("SecureBoot variable %x, want 00", v.VariableData)
		}
	}
	if authorities != 0 {
		t.Errorf("%d EV_EFI_VARIABLE_AUTHORITY events with Secure Boot off, want 0", authorities)
	}
}

func TestEventLogContent(t *testing.T) {
	c, tpm := provision(t, TEESEVSNP, []byte("log content"))
	events := replayLog(t, tpm, c.EventLog())
	count := map[tcg.EventType]int{}
	separators := map[int]bool{}
	var dbCerts int
	for _, e := range events {
		count[e.Type]++
		if e.Type == tcg.Separator {
			separators[e.Index] = true
		}
		if e.Type == tcg.EFIVariableDriverConfig {
			v, err := tcg.ParseUEFIVariableData(bytes.NewReader(e.Data))
			if err != nil {
				t.Fatalf("event %d: %v", e.Num(), err)
			}
			if v.VarName() == "db" {
				certs, _, err := v.SignatureData()
				if err != nil {
					t.Fatalf("db signature list: %v", err)
				}
				for _, cert := range certs {
					if simroots.IsSimulated(&cert) {
						dbCerts++
					}
				}
			}
		}
		if e.Type == tcg.EFIBootServicesApplication {
			if _, err := tcg.ParseEFIImageLoad(bytes.NewReader(e.Data)); err != nil {
				t.Fatalf("image load event %d: %v", e.Num(), err)
			}
		}
	}
	for pcr := 0; pcr <= 7; pcr++ {
		if !separators[pcr] {
			t.Errorf("no EV_SEPARATOR in PCR%d", pcr)
		}
	}
	if count[tcg.EFIBootServicesApplication] != 3 || count[tcg.EFIVariableAuthority] != 2 || count[tcg.Ipl] == 0 {
		t.Errorf("event counts %v: want 3 boot applications, 2 authorities, GRUB EV_IPL events", count)
	}
	if dbCerts != 1 {
		t.Errorf("db holds %d simulated certificates, want 1", dbCerts)
	}
}

func TestReprovisionIsIdempotent(t *testing.T) {
	seed := []byte("twice")
	c1, tpm := provision(t, TEESEVSNP, seed)
	ak1, _ := akPublic(t, tpm)
	pcrs1, err := readPCRs(tpm, bootPCRs)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Seed, opts.Now = seed, testNow
	c2, err := Provision(tpm, opts)
	if err != nil {
		t.Fatalf("second Provision on the same TPM: %v", err)
	}
	ak2, _ := akPublic(t, tpm)
	pcrs2, _ := readPCRs(tpm, bootPCRs)
	if !sameKey(ak1, ak2) {
		t.Error("re-provisioning replaced the AK")
	}
	for _, i := range bootPCRs {
		if !bytes.Equal(pcrs1[i], pcrs2[i]) {
			t.Errorf("re-provisioning changed PCR%d", i)
		}
	}
	if !bytes.Equal(c1.Report(), c2.Report()) {
		t.Error("re-provisioning changed the report")
	}
	replayLog(t, c2.Transport(), c2.EventLog())

	opts.Seed = []byte("a different seed")
	_, err = Provision(tpm, opts)
	if err == nil || !strings.Contains(err.Error(), "PCR") {
		t.Fatalf("provisioning another seed over extended PCRs: got %v, want an error naming the PCRs", err)
	}
}

func TestProvisionRejectsUnknownTEE(t *testing.T) {
	tpm := newSim(t, nil)
	opts := DefaultOptions()
	opts.TEE = "sgx"
	if _, err := Provision(tpm, opts); err == nil || !strings.Contains(err.Error(), `"sgx"`) {
		t.Fatalf("Provision with TEE sgx: got %v", err)
	}
}

func BenchmarkProvisionSim(b *testing.B) {
	for b.Loop() {
		tpm := newSim(b, nil)
		opts := DefaultOptions()
		opts.Now = testNow
		if _, err := Provision(tpm, opts); err != nil {
			b.Fatal(err)
		}
		closeSim()
	}
}

// TestClaimsShape pins the runtime claims to Azure's compact shape and key order (§2.6).
func TestClaimsShape(t *testing.T) {
	c, _ := provision(t, TEESEVSNP, []byte("claims shape"))
	r := parseBound(t, c.Report())
	claims := string(r.Claims)
	order := []string{
		`{"keys":[{"kid":"HCLAkPub","key_ops":["sign"],"kty":"RSA","e":"AQAB","n":"`,
		`"},{"kid":"HCLEkPub","key_ops":["encrypt"],"kty":"RSA","e":"AQAB","n":"`,
		`"}],"vm-configuration":{"console-enabled":true,"root-cert-thumbprint":"`,
		`","secure-boot":true,"tpm-enabled":true,"tpm-persisted":true,"vmUniqueId":"` + c.VMID() + `"},`,
		`"user-data":"` + strings.Repeat("0", 128) + `"}`,
	}
	rest := claims
	for _, part := range order {
		i := strings.Index(rest, part)
		if i < 0 {
			t.Fatalf("claims lack %s in order:\n%s", part, claims)
		}
		rest = rest[i+len(part):]
	}
	if rest != "" || strings.ContainsAny(claims, " \n") {
		t.Fatalf("claims are not compact JSON ending with user-data:\n%s", claims)
	}
	ek := r.RuntimeClaims.Key("HCLEkPub")
	if k, err := ek.RSA(); err != nil || !sameKey(k, c.EKPublic()) {
		t.Fatalf("HCLEkPub is not the EK: %v", err)
	}
}

func TestDebugFlag(t *testing.T) {
	for _, tee := range []string{TEESEVSNP, TEETDX} {
		tpm := newSim(t, []byte("debug"))
		opts := DefaultOptions()
		opts.TEE, opts.Seed, opts.Now, opts.Debug = tee, []byte("debug"), testNow, true
		c, err := Provision(tpm, opts)
		if err != nil {
			t.Fatal(err)
		}
		r := parseBound(t, c.Report())
		switch tee {
		case TEESEVSNP:
			if policy := binary.LittleEndian.Uint64(r.SNPReport()[0x08:]); policy&(1<<19) == 0 {
				t.Errorf("SNP policy 0x%x lacks the debug bit 19", policy)
			}
		case TEETDX:
			if attrs := binary.LittleEndian.Uint64(r.TDReport()[512:]); attrs&1 == 0 {
				t.Errorf("TD attributes 0x%x lack DEBUG (bit 0)", attrs)
			}
		}
	}
}
