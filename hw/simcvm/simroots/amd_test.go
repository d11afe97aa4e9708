package simroots

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/validate"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"
)

var verifyTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func testParams() SNPParams {
	var p SNPParams
	fill(p.ReportData[:], 0x10)
	fill(p.Measurement[:], 0x40)
	fill(p.IDKeyDigest[:], 0x70)
	fill(p.ReportID[:], 0xA0)
	p.FamilyID[0], p.ImageID[0] = 1, 2
	p.GuestSVN = 10
	return p
}

func attestation(t *testing.T, a *AMD, report []byte) *spb.Attestation {
	t.Helper()
	rp, err := abi.ReportToProto(report)
	if err != nil {
		t.Fatalf("go-sev-guest cannot parse the simulated report: %v", err)
	}
	return &spb.Attestation{Report: rp, CertificateChain: &spb.CertificateChain{
		VcekCert: a.VCEK.Raw, AskCert: a.ASK.Raw, ArkCert: a.ARK.Raw,
	}}
}

func simOptions(a *AMD) *verify.Options {
	return &verify.Options{
		DisableCertFetching: true,
		TrustedRoots:        a.TrustedRoots(),
		Product:             &spb.SevProduct{Name: spb.SevProduct_SEV_PRODUCT_MILAN},
		Now:                 verifyTime,
	}
}

func TestSNPReportVerifiesWithGoSevGuest(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []uint32{2, 3} {
		p := testParams()
		p.Version = version
		report, err := a.NewReport(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(report) != SNPReportSize {
			t.Fatalf("v%d report is %d bytes, want %d", version, len(report), SNPReportSize)
		}
		att := attestation(t, a, report)
		if err := verify.SnpAttestation(att, simOptions(a)); err != nil {
			t.Fatalf("v%d: go-sev-guest rejects the simulated report and chain: %v", version, err)
		}
		// validate cross-checks the report against the VCEK's hwID and TCB extensions.
		vmpl := 0
		err = validate.SnpAttestation(att, &validate.Options{
			GuestPolicy:      abi.SnpPolicy{ABIMinor: 0x1F, SMT: true},
			MinimumGuestSvn:  10,
			ReportData:       p.ReportData[:],
			Measurement:      p.Measurement[:],
			FamilyID:         p.FamilyID[:],
			ImageID:          p.ImageID[:],
			ReportID:         p.ReportID[:],
			ChipID:           a.ChipID[:],
			VMPL:             &vmpl,
			MinimumTCB:       kds.DecomposeTCBVersion(kds.TCBVersion(a.ReportedTCB)),
			MinimumLaunchTCB: kds.DecomposeTCBVersion(kds.TCBVersion(a.ReportedTCB)),
		})
		if err != nil {
			t.Fatalf("v%d: go-sev-guest validate rejects the simulated report: %v", version, err)
		}
		if got := att.Report.GetPolicy(); got != 0x3001F {
			t.Errorf("policy = %#x, want 0x3001F", got)
		}
	}
}

func TestSNPDebugPolicyAndAuthorKey(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	p := testParams()
	p.Debug = true
	fill(p.AuthorKeyDigest[:], 0x33)
	report, err := a.NewReport(p)
	if err != nil {
		t.Fatal(err)
	}
	att := attestation(t, a, report)
	if got := att.Report.GetPolicy(); got != 0x3001F|1<<19 {
		t.Errorf("policy = %#x, want debug bit 19 set on 0x3001F", got)
	}
	info, err := abi.ParseSignerInfo(att.Report.GetSignerInfo())
	if err != nil || !info.AuthorKeyEn || info.SigningKey != abi.VcekReportSigner {
		t.Errorf("signer info = %+v (%v), want author key enabled, VCEK signer", info, err)
	}
	if err := verify.SnpAttestation(att, simOptions(a)); err != nil {
		t.Fatalf("debug report does not verify: %v", err)
	}
}

func TestSNPReportFailsAgainstRealAMDRoot(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	report, err := a.NewReport(testParams())
	if err != nil {
		t.Fatal(err)
	}
	opts := simOptions(a)
	opts.TrustedRoots = nil // go-sev-guest falls back on its embedded, real AMD Milan ARK/ASK
	err = verify.SnpAttestation(attestation(t, a, report), opts)
	if err == nil {
		t.Fatal("a report signed by the simulated VCEK verified against AMD's real Milan root")
	}
	t.Logf("rejected by the real AMD root as expected: %v", err)

	// The real ARK/ASK as published (shared sample), passed explicitly.
	realRoots := trust.AMDRootCertsProduct("Milan")
	if err := realRoots.FromKDSCertBytes(realSample(t, "amd-ask_ark_milan.pem")); err != nil {
		t.Fatal(err)
	}
	opts.TrustedRoots = map[string][]*trust.AMDRootCerts{"Milan": {realRoots}}
	if err := verify.SnpAttestation(attestation(t, a, report), opts); err == nil {
		t.Fatal("simulated report verified against the real ARK/ASK sample")
	}
}

func TestRealReportFailsAgainstSimulatedRoot(t *testing.T) {
	report := realSample(t, "snp-report-gosevguest.bin")
	vcek := realSample(t, "amd-milan-vcek-gosevguest.der")
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	rp, err := abi.ReportToProto(report)
	if err != nil {
		t.Fatal(err)
	}
	chain := func() *spb.Attestation {
		return &spb.Attestation{Report: rp, CertificateChain: &spb.CertificateChain{VcekCert: vcek}}
	}
	realOpts := &verify.Options{DisableCertFetching: true, Now: verifyTime,
		Product: &spb.SevProduct{Name: spb.SevProduct_SEV_PRODUCT_MILAN}}
	if err := verify.SnpAttestation(chain(), realOpts); err != nil {
		t.Fatalf("control: the real report should verify against AMD's real root: %v", err)
	}
	if err := verify.SnpAttestation(chain(), simOptions(a)); err == nil {
		t.Fatal("a real AMD-signed report verified against the simulated root")
	}
}

func TestSNPFlippedByteFails(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	report, err := a.NewReport(testParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		off  int
	}{{"guest_svn", 0x004}, {"report_data", 0x050}, {"measurement", 0x0A0}, {"chip_id", 0x1A0}, {"signature R", 0x2A0}, {"signature S", 0x2E8}} {
		bad := bytes.Clone(report)
		bad[c.off] ^= 0x01
		rp, err := abi.ReportToProto(bad)
		if err != nil {
			t.Fatalf("%s is not a reserved field, the flipped report should still parse: %v", c.name, err)
		}
		att := &spb.Attestation{Report: rp, CertificateChain: &spb.CertificateChain{
			VcekCert: a.VCEK.Raw, AskCert: a.ASK.Raw, ArkCert: a.ARK.Raw}}
		if err := verify.SnpAttestation(att, simOptions(a)); err == nil {
			t.Errorf("flipping a bit of %s at %#x still verifies", c.name, c.off)
		}
	}
}

func TestChainPEMAsTHIM(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	vcekPEM, chainPEM := a.ChainPEM()
	block, rest := pem.Decode(vcekPEM)
	if block == nil || len(rest) != 0 || !bytes.Equal(block.Bytes, a.VCEK.Raw) {
		t.Fatal("vcekCert PEM does not hold exactly the VCEK")
	}
	ask, ark, err := kds.ParseProductCertChain(chainPEM)
	if err != nil {
		t.Fatalf("go-sev-guest cannot parse certificateChain: %v", err)
	}
	if !bytes.Equal(ask, a.ASK.Raw) || !bytes.Equal(ark, a.ARK.Raw) {
		t.Fatal("certificateChain is not ASK then ARK")
	}
	// A THIM consumer trusts the chain it was given after pinning it; verify along that path.
	roots := trust.AMDRootCertsProduct(a.Product())
	if err := roots.FromKDSCertBytes(chainPEM); err != nil {
		t.Fatal(err)
	}
	report, err := a.NewReport(testParams())
	if err != nil {
		t.Fatal(err)
	}
	opts := simOptions(a)
	opts.TrustedRoots = map[string][]*trust.AMDRootCerts{a.Product(): {roots}}
	if err := verify.SnpAttestation(attestation(t, a, report), opts); err != nil {
		t.Fatalf("verification from the THIM-shaped PEM fails: %v", err)
	}
}

func TestAMDCertificateShape(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cert *x509.Certificate
		cn   string
	}{{a.ARK, "ARK-Milan"}, {a.ASK, "SEV-Milan"}, {a.VCEK, "SEV-VCEK"}} {
		if c.cert.Subject.CommonName != c.cn {
			t.Errorf("CN = %q, want %q", c.cert.Subject.CommonName, c.cn)
		}
		if !IsSimulated(c.cert) || !strings.Contains(SubjectLabel(c.cert), "not AMD") {
			t.Errorf("%s does not carry the SIMULATED label: %s", c.cn, c.cert.Subject)
		}
		if c.cert.SignatureAlgorithm != x509.SHA384WithRSAPSS {
			t.Errorf("%s signed with %v, want SHA384-RSAPSS", c.cn, c.cert.SignatureAlgorithm)
		}
		if !c.cert.NotBefore.Equal(NotBefore) || !c.cert.NotAfter.Equal(NotAfter) {
			t.Errorf("%s validity %v..%v", c.cn, c.cert.NotBefore, c.cert.NotAfter)
		}
	}
	exts, err := kds.VcekCertificateExtensions(a.VCEK)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(exts.HWID, a.ChipID[:]) || uint64(exts.TCBVersion) != a.ReportedTCB || exts.ProductName != "Milan-B0" {
		t.Errorf("VCEK extensions hwid=%x tcb=%#x product=%q do not match the platform", exts.HWID[:8], exts.TCBVersion, exts.ProductName)
	}
	if IsSimulated(trust.DefaultRootCerts["Milan"].ProductCerts.Ark) {
		t.Error("IsSimulated marks AMD's real Milan ARK as simulated")
	}
}

func TestAMDDeterministic(t *testing.T) {
	a1, err := NewAMD([]byte("seed-1"))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := NewAMD([]byte("seed-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewAMD([]byte("seed-2"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a1.VCEK.Raw, a2.VCEK.Raw) || a1.ChipID != a2.ChipID {
		t.Error("same seed gave different VCEK certificates or chip IDs")
	}
	r1, _ := a1.NewReport(testParams())
	r2, _ := a2.NewReport(testParams())
	if !bytes.Equal(r1, r2) {
		t.Error("same seed and params gave different reports")
	}
	if bytes.Equal(a1.VCEK.Raw, b.VCEK.Raw) || a1.ChipID == b.ChipID || a1.VCEKPublicKey().Equal(b.VCEKPublicKey()) {
		t.Error("different seeds gave the same VCEK or chip ID")
	}
	if !bytes.Equal(a1.ARK.Raw, b.ARK.Raw) || !bytes.Equal(a1.ASK.Raw, b.ASK.Raw) {
		t.Error("the simulated ARK/ASK must not depend on the seed")
	}
	// Rebuilding the roots (not the cached copy) must give the same bytes: PSS salts come
	// from the deterministic reader.
	again, err := buildAMDRoots()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.ark.Raw, a1.ARK.Raw) || !bytes.Equal(again.ask.Raw, a1.ASK.Raw) {
		t.Error("rebuilding the ARK/ASK gave different bytes")
	}
	// A report from another chip must not verify under this chip's VCEK.
	opts := simOptions(b)
	att := attestation(t, a1, r1)
	att.CertificateChain.VcekCert = b.VCEK.Raw
	if err := verify.SnpAttestation(att, opts); err == nil {
		t.Error("report of seed-1 verified with the VCEK of seed-2")
	}
}

func TestAMDBadInput(t *testing.T) {
	if _, err := NewAMD(nil); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("NewAMD(nil) error = %v, want one naming the seed", err)
	}
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	p := testParams()
	p.VMPL = 4
	if _, err := a.NewReport(p); err == nil || !strings.Contains(err.Error(), "VMPL") {
		t.Errorf("VMPL 4 error = %v", err)
	}
	p = testParams()
	p.Version = 5
	if _, err := a.NewReport(p); err == nil || !strings.Contains(err.Error(), "Version") {
		t.Errorf("version 5 error = %v", err)
	}
}

func TestSNPReportInsideHCL(t *testing.T) {
	a, err := NewAMD(DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	claims := []byte(`{"keys":[],"vm-configuration":{"vmUniqueId":"00000000-0000-0000-0000-000000000001"}}`)
	p := testParams()
	p.ReportData = [64]byte{}
	h := sha256.Sum256(claims)
	copy(p.ReportData[:], h[:])
	report, err := a.NewReport(p)
	if err != nil {
		t.Fatal(err)
	}
	nv, err := hcl.Build(hcl.ReportSNP, report, hcl.HashSHA256, claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := hcl.Parse(nv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(parsed.SNPReport(), report) || !bytes.HasPrefix(parsed.ReportData(), h[:]) {
		t.Fatal("hcl.Parse does not give back the simulated SNP report and its REPORT_DATA")
	}
	if err := verify.SnpAttestation(attestation(t, a, parsed.SNPReport()), simOptions(a)); err != nil {
		t.Fatalf("SNP report taken from the HCL report does not verify: %v", err)
	}
}

// BenchmarkBuildAMDRoots is the once-per-process cost of the simulated ARK and ASK.
func BenchmarkBuildAMDRoots(b *testing.B) {
	for b.Loop() {
		if _, err := buildAMDRoots(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewAMDAndReport(b *testing.B) {
	p := testParams()
	if _, err := amdProductRoots(); err != nil { // the once-per-process ARK/ASK build
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		a, err := NewAMD([]byte{byte(i), byte(i >> 8), 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.NewReport(p); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNewAMDConcurrent(t *testing.T) {
	const n = 4
	reports := make(chan []byte, n)
	for range n {
		go func() {
			a, err := NewAMD(DefaultSeed())
			if err != nil {
				t.Error(err)
				reports <- nil
				return
			}
			r, err := a.NewReport(testParams())
			if err != nil {
				t.Error(err)
			}
			reports <- r
		}()
	}
	first := <-reports
	for range n - 1 {
		if r := <-reports; !bytes.Equal(r, first) {
			t.Error("concurrent NewAMD calls with one seed gave different reports")
		}
	}
}
