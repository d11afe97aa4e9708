package pages_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/tpm"
)

// simGuest is an AzureGuest request built as the workshop builds it, on the simulated CVM:
// a real TPM simulator behind the simulated paravisor, a real ephemeral key certified by
// its AK, and the checks of that key.
type simGuest struct {
	p      *platform.Platform
	s      *evidence.Set
	r      *verify.Result
	enc    *tpm.EphemeralKey
	req    maa.GuestRequest
	body   []byte
	info   []byte
	chain  string
	quote  []byte
	checks check.List
}

func newSimGuest(t *testing.T, tee, nonce string) *simGuest {
	t.Helper()
	ctx := context.Background()
	p, err := platform.Open(ctx, platform.Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: true})
	if err != nil {
		t.Fatalf("open simulated CVM: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	s, err := p.ReadReport(ctx, nonce)
	if err != nil {
		t.Fatal(err)
	}
	g := &simGuest{p: p, s: s}
	switch tee {
	case "sevsnp":
		vcek, chain := p.CVM.VCEKChain()
		g.chain = string(vcek) + string(chain)
	case "tdx":
		q, err := p.CVM.TDX().Quote(p.CVM.TDReport())
		if err != nil {
			t.Fatal(err)
		}
		g.quote, s.TDQuote = q, q
	}
	g.r = verify.Evidence(s, verify.Options{Now: time.Now()})
	g.enc, err = p.TPM.CreateEphemeralKey(ctx, tpm.HandleAK, s.QuotePCRs)
	if err != nil {
		t.Fatal(err)
	}
	g.checks = append(g.checks, tpmquote.VerifyCertify(g.enc.CertifyInfo, g.enc.CertifySig, g.r.AK, g.enc.Public)...)
	g.checks = append(g.checks, tpmquote.EncKeyPolicyMatches(g.enc.Public, g.enc.PCRs, g.enc.Selection))
	pcrs := map[int][]byte{}
	for _, i := range s.QuotePCRs {
		pcrs[i] = s.PCRs[i]
	}
	g.req = maa.GuestRequest{
		TPM: maa.TPMInfo{AikCert: s.AKCert, AikPub: s.AKPub, PcrQuote: s.Quote.Msg, PcrSignature: s.Quote.Sig,
			PcrSet: s.QuotePCRs, PCRs: pcrs, EncKeyPub: g.enc.Public, EncKeyCertifyInfo: g.enc.CertifyInfo,
			EncKeyCertifyInfoSignature: g.enc.CertifySig},
		OS:            maa.OSInfo{Type: "Linux", Distro: "Ubuntu", VersionMajor: 22, VersionMinor: 4, Build: "NotApplication"},
		TcgLogs:       s.EventLog,
		ClientPayload: map[string]string{},
	}
	if nonce != "" {
		g.req.ClientPayload["nonce"] = nonce
	}
	switch tee {
	case "sevsnp":
		g.req.Isolation = maa.SevSnp{SnpReport: g.r.HCL.HardwareReport, VcekCertChain: g.chain, RuntimeData: g.r.HCL.Claims}
	case "tdx":
		g.req.Isolation = maa.Tdx{Quote: g.quote, RuntimeData: g.r.HCL.Claims}
	default:
		g.req.Isolation = maa.TrustedLaunch{}
	}
	g.body, g.info, err = maa.BuildGuest(g.req)
	if err != nil {
		t.Fatal(err)
	}
	g.checks = append(g.checks, check.Passf("maa.request", "AzureGuest request of %d bytes", len(g.body)))
	return g
}

func (g *simGuest) view() pages.RequestView {
	return pages.RequestView{Flow: "guest", Endpoint: "http://127.0.0.1:41234", EndpointReason: "simulated CVM: local MAA emulator",
		Path: maa.PathAzureGuest, TEE: g.s.TEE, Guest: &g.req, Body: g.body, Info: g.info, VCEKChain: g.chain, TDQuote: g.quote,
		Checks: g.checks}
}

func rowsByKey(sec present.Section) map[string]present.Row {
	m := map[string]present.Row{}
	for _, r := range sec.Rows {
		m[r.Key] = r
	}
	return m
}

func requireRow(t *testing.T, p present.Page, sec, key string) present.Row {
	t.Helper()
	r, ok := rowsByKey(section(t, p, sec))[key]
	if !ok {
		var keys []string
		for _, r := range section(t, p, sec).Rows {
			keys = append(keys, r.Key)
		}
		t.Fatalf("section %s has no row %q; rows %v", sec, key, keys)
	}
	return r
}

// requireValidCode: every Code section is complete JSON (the UI only shortens it on screen).
func requireValidCode(t *testing.T, p present.Page) {
	t.Helper()
	for _, s := range p.Sections {
		if s.Kind == present.Code && !json.Valid([]byte(s.Body)) {
			t.Errorf("code section %s is not valid JSON", s.ID)
		}
	}
}

func TestBuildRequestSimulatedCVM(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			g := newSimGuest(t, tee, "workshop-nonce")
			p := pages.Pager{}.BuildRequest(g.view())
			requireExplained(t, p)
			requireValidCode(t, p)
			if p.Step != "build-request" || p.Verdict != check.Pass {
				t.Errorf("page step %s verdict %s, want build-request pass; checks %v", p.Step, p.Verdict, g.checks)
			}
			if body := requireRow(t, p, "endpoint", "body"); body.Verdict != check.Pass || !strings.Contains(body.Detail, "base64url") {
				t.Errorf("body row %+v", body)
			}
			for key, id := range map[string]string{"policy": tpmquote.IDEncKeyPolicy, "TpmInfo.EncKeyCertifyInfo": tpmquote.IDEncKeyCertify} {
				row := requireRow(t, p, "enckey", key)
				if row.Verdict != check.Pass || !strings.Contains(row.Detail, id) {
					t.Errorf("%s row: %+v", key, row)
				}
			}
			if v := requireRow(t, p, "enckey", "policy").Value; !strings.Contains(v, "= PolicyPCR over PCRs 0-7 with the values sent") {
				t.Errorf("policy row %q", v)
			}
			if v := requireRow(t, p, "enckey", "TpmInfo.EncKeyPub").Value; !strings.Contains(v, "RSA-2048") || !strings.Contains(v, "0x00020432") {
				t.Errorf("EncKeyPub row %q", v)
			}
			if v := requireRow(t, p, "payload", "ClientPayload.nonce").Value; v != `"workshop-nonce", sent base64 as "d29ya3Nob3Atbm9uY2U="` {
				t.Errorf("nonce row %q", v)
			}
			if v := requireRow(t, p, "tpm", "TpmInfo.AikCert").Value; !strings.Contains(v, "SIMULATED") && !strings.Contains(v, "valid") {
				t.Errorf("AK certificate row %q", v)
			}
			iso := section(t, p, "isolation")
			switch tee {
			case "sevsnp":
				keys := rowsByKey(iso)
				for _, k := range []string{"SnpReport", "VcekCertChain", "VcekCertChain[0] VCEK", "VcekCertChain[1] ASK", "VcekCertChain[2] ARK", "RunTimeData"} {
					if _, ok := keys[k]; !ok {
						t.Errorf("isolation section lacks %q: %v", k, keys)
					}
				}
				section(t, p, "proof")
			case "tdx":
				if v := requireRow(t, p, "isolation", "quote.mr_td").Value; v != fmt.Sprintf("%x", g.r.TDQuote.MRTD()) {
					t.Errorf("MRTD row %q", v)
				}
			case "trustedlaunch":
				if v := requireRow(t, p, "isolation", "IsolationInfo.Type").Value; v != "TrustedLaunch" {
					t.Errorf("isolation type %q", v)
				}
			}
			// The decoded AttestationInfo shown is exactly the one sent.
			var shown, sent any
			json.Unmarshal([]byte(section(t, p, "attestation-info").Body), &shown)
			json.Unmarshal(g.info, &sent)
			if fmt.Sprint(shown) != fmt.Sprint(sent) {
				t.Error("the AttestationInfo shown is not the one sent")
			}
			if section(t, p, "body").Body != string(g.body) {
				t.Error("the body section is not the exact body")
			}
		})
	}
}

// akPublicArea encodes an RSA key as the TPM2B_PUBLIC of an Azure AK, so that a request
// built from the trustee samples carries the real HCLAkPub the quote was signed with.
func akPublicArea(t *testing.T, n *big.Int) []byte {
	t.Helper()
	pub := tpm2.TPMTPublic{Type: tpm2.TPMAlgRSA, NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, UserWithAuth: true, Restricted: true, SignEncrypt: true, NoDA: true},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
			Scheme:  tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgRSASSA, Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgRSASSA, &tpm2.TPMSSigSchemeRSASSA{HashAlg: tpm2.TPMAlgSHA256})},
			KeyBits: 2048}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: n.Bytes()})}
	return tpm2.Marshal(tpm2.New2B(pub))
}

// TestBuildRequestRealEvidence builds the request from the trustee SEV-SNP samples (report,
// VCEK chain, runtime claims, quote, PCRs) with maa.BuildGuest. The samples hold no AK
// certificate and no ephemeral key, so those come from the simulated CVM, and the key's
// checks, run honestly against the real AK and PCRs, fail: the page must show that.
func TestBuildRequestRealEvidence(t *testing.T) {
	s, r, _ := load(t, "azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem",
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin")
	sim := newSimGuest(t, "sevsnp", "")
	chain := string(realdata.Read(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	set := []int{0, 1, 2, 3, 4, 5, 6, 7}
	pcrs := map[int][]byte{}
	for _, i := range set {
		pcrs[i] = s.PCRs[i]
	}
	req := maa.GuestRequest{
		TPM: maa.TPMInfo{AikCert: sim.s.AKCert, AikPub: akPublicArea(t, r.AK.N), PcrQuote: s.Quote.Msg, PcrSignature: s.Quote.Sig,
			PcrSet: set, PCRs: pcrs, EncKeyPub: sim.enc.Public, EncKeyCertifyInfo: sim.enc.CertifyInfo, EncKeyCertifyInfoSignature: sim.enc.CertifySig},
		Isolation:     maa.SevSnp{SnpReport: r.SNP.Raw, VcekCertChain: chain, RuntimeData: r.HCL.Claims},
		OS:            maa.OSInfoFromOSRelease([]byte("NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n")),
		TcgLogs:       realdata.Read(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"),
		ClientPayload: map[string]string{"nonce": "1234"},
	}
	body, info, err := maa.BuildGuest(req)
	if err != nil {
		t.Fatal(err)
	}
	checks := check.List{
		tpmquote.EncKeyPolicyMatches(sim.enc.Public, pcrs, set),
	}
	checks = append(checks, tpmquote.VerifyCertify(sim.enc.CertifyInfo, sim.enc.CertifySig, r.AK, sim.enc.Public)...)
	checks = append(checks, r.Checks.Find("snp.signature")...)
	checks = append(checks, r.Checks.Find("snp.chain")...)
	p := pages.BuildRequest(pages.RequestView{Flow: "guest", Endpoint: "https://sharedkrc.krc.attest.azure.net",
		EndpointReason: "region koreacentral from IMDS", Path: maa.PathAzureGuest, TEE: evidence.TEESEVSNP, Guest: &req,
		Body: body, Info: info, VCEKChain: chain, Checks: checks})
	requireExplained(t, p)
	requireValidCode(t, p)
	if p.Verdict != check.Fail || !strings.Contains(p.Summary.EN, "AzureGuest request") || !strings.Contains(p.Summary.KO, "첫 실패") {
		t.Errorf("page verdict %s summary %+v", p.Verdict, p.Summary)
	}
	if row := requireRow(t, p, "isolation", "SnpReport"); row.Verdict != check.Pass || !strings.Contains(row.Value, "1184 bytes, version 2, VMPL 0") {
		t.Errorf("SnpReport row %+v", row)
	}
	if row := requireRow(t, p, "isolation", "VcekCertChain[0] VCEK"); !strings.Contains(row.Value, "SEV-VCEK, issued by SEV-Milan") {
		t.Errorf("VCEK row %+v", row)
	}
	if row := requireRow(t, p, "isolation", "VcekCertChain[2] ARK"); !strings.HasPrefix(row.Value, "ARK-Milan, issued by ARK-Milan") {
		t.Errorf("ARK row %+v", row)
	}
	if v := requireRow(t, p, "isolation", "RunTimeData").Value; !strings.Contains(v, "vmUniqueId 911B0EF8-9DBA-48B0-B275-4E4DF2D39252") {
		t.Errorf("RunTimeData row %q", v)
	}
	if v := requireRow(t, p, "tpm", "TpmInfo.AikPub").Value; !strings.HasPrefix(v, "RSA-2048 attestation key") {
		t.Errorf("AikPub row %q", v)
	}
	if v := requireRow(t, p, "tpm", "TpmInfo.PcrQuote").Value; v != "122 bytes TPMS_ATTEST (quote)" {
		t.Errorf("PcrQuote row %q", v)
	}
	if v := requireRow(t, p, "tpm", "TcgLogs").Value; v != "36486 bytes of TCG event log" {
		t.Errorf("TcgLogs row %q", v)
	}
	// The simulator's key is bound to the simulator's PCRs, not to the real ones sent.
	policy := requireRow(t, p, "enckey", "policy")
	if policy.Verdict != check.Fail || !strings.Contains(policy.Value, "≠ PolicyPCR") || policy.Hint.KO == "" {
		t.Errorf("policy row %+v", policy)
	}
	if c := requireRow(t, p, "enckey", "TpmInfo.EncKeyCertifyInfo"); c.Verdict != check.Fail {
		t.Errorf("certify row %+v: the simulator's AK did not sign as the real AK", c)
	}
	if v := requireRow(t, p, "payload", "ClientPayload.nonce").Value; v != `"1234", sent base64 as "MTIzNA=="` {
		t.Errorf("nonce row %q", v)
	}
	for k, want := range map[string]string{"OSType": "Linux", "OSDistro": "Ubuntu", "OSVersionMajor": "22", "OSVersionMinor": "4", "OSBuild": "NotApplication", "AttestationProtocolVersion": "2.0"} {
		if v := requireRow(t, p, "os", k).Value; v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	var proof struct{ SnpReport, VcekCertChain string }
	if err := json.Unmarshal([]byte(section(t, p, "proof").Body), &proof); err != nil || proof.SnpReport != base64.RawURLEncoding.EncodeToString(r.SNP.Raw) {
		t.Errorf("proof section does not carry the report: %v", err)
	}
}

func TestBuildRequestPlatformBodies(t *testing.T) {
	_, r, _ := load(t, "azsnp-hcl-trustee-911b0ef8.bin")
	chain := string(realdata.Read(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	body, err := maa.BuildSevSnpVm(r.SNP.Raw, chain, r.HCL.Claims, "nonce-1")
	if err != nil {
		t.Fatal(err)
	}
	p := pages.BuildRequest(pages.RequestView{Flow: "platform", Endpoint: "https://sharedkrc.krc.attest.azure.net", EndpointReason: "-a",
		Path: maa.PathSevSnpVm, TEE: evidence.TEESEVSNP, Body: body})
	requireExplained(t, p)
	requireValidCode(t, p)
	if !strings.HasPrefix(p.Summary.EN, "SevSnpVm request") || hasSection(p, "tpm") || hasSection(p, "enckey") || hasSection(p, "os") {
		t.Errorf("platform page: summary %q, sections %v", p.Summary.EN, sectionIDs(p))
	}
	if v := requireRow(t, p, "payload", "nonce").Value; v != "nonce-1" {
		t.Errorf("nonce row %q", v)
	}
	if v := requireRow(t, p, "isolation", "VcekCertChain").Value; !strings.HasPrefix(v, "3 certificates") {
		t.Errorf("chain row %q", v)
	}
	if row := requireRow(t, p, "endpoint", "body"); row.Verdict != check.Pass {
		t.Errorf("body row %+v", row)
	}

	_, r, _ = load(t, "aztdx-hcl-trustee-6332533d.bin", "aztdx-tdquote-trustee-6332533d.bin")
	quote := realdata.Read(t, "aztdx-tdquote-trustee-6332533d.bin")
	body, err = maa.BuildTdxVm(quote, r.HCL.Claims, "")
	if err != nil {
		t.Fatal(err)
	}
	p = pages.BuildRequest(pages.RequestView{Flow: "platform", Endpoint: "https://sharedkrc.krc.attest.azure.net", EndpointReason: "-a",
		Path: maa.PathTdxVm, TEE: evidence.TEETDX, Body: body, TDQuote: quote})
	requireExplained(t, p)
	if v := requireRow(t, p, "isolation", "quote.mr_td").Value; v != fmt.Sprintf("%x", r.TDQuote.MRTD()) {
		t.Errorf("MRTD %q", v)
	}
	if v := requireRow(t, p, "isolation", "quote.version").Value; v != "4" {
		t.Errorf("quote version %q", v)
	}
	if v := requireRow(t, p, "isolation", "quote.pck").Value; !strings.HasPrefix(v, "Intel SGX PCK Certificate") {
		t.Errorf("PCK row %q", v)
	}
	if v := requireRow(t, p, "payload", "nonce").Value; !strings.HasPrefix(v, "none") {
		t.Errorf("no nonce shown as %q", v)
	}
}

// A body that does not carry the AttestationInfo shown must fail the page, never pass.
func TestBuildRequestBodyMismatchFails(t *testing.T) {
	g := newSimGuest(t, "sevsnp", "")
	v := g.view()
	var info map[string]any
	json.Unmarshal(g.info, &info)
	info["OSDistro"] = base64.StdEncoding.EncodeToString([]byte("NotWhatWasSent"))
	v.Info, _ = json.Marshal(info)
	p := pages.BuildRequest(v)
	requireExplained(t, p)
	body := requireRow(t, p, "endpoint", "body")
	if body.Verdict != check.Fail || !strings.Contains(body.Detail, "differs") || p.Verdict != check.Fail {
		t.Errorf("tampered info: body row %+v, page %s", body, p.Verdict)
	}
	if !strings.Contains(p.Summary.EN, "does not decode") {
		t.Errorf("summary %q does not say so", p.Summary.EN)
	}

	// A VCEK chain other than the one in the body is caught too.
	v = g.view()
	v.VCEKChain = strings.Replace(v.VCEKChain, "-----END CERTIFICATE-----", "-----END CERTIFICATE-----\n", 1)
	if body := requireRow(t, pages.BuildRequest(v), "endpoint", "body"); body.Verdict != check.Fail {
		t.Errorf("other VCEK chain: %+v", body)
	}
}

// Only the Guest request is given: the page encodes it, as the wire would carry it.
func TestBuildRequestFromGuestOnly(t *testing.T) {
	g := newSimGuest(t, "trustedlaunch", "")
	p := pages.BuildRequest(pages.RequestView{Flow: "guest", Endpoint: "https://sharedkrc.krc.attest.azure.net", Path: maa.PathAzureGuest, Guest: &g.req})
	requireExplained(t, p)
	if section(t, p, "body").Body != string(g.body) {
		t.Error("body rebuilt from the request differs from BuildGuest's")
	}
	if v := requireRow(t, p, "payload", "ClientPayload").Value; !strings.HasPrefix(v, "{}") {
		t.Errorf("empty client payload shown as %q", v)
	}
	// Nothing built at all: the page says so instead of inventing a verdict.
	p = pages.BuildRequest(pages.RequestView{Flow: "guest", Checks: check.List{check.Failf("imds.thim", "VCEK chain from THIM: connection refused")}})
	requireExplained(t, p)
	if p.Verdict != check.Fail || requireRow(t, p, "endpoint", "body").Verdict != check.Skip {
		t.Errorf("empty view: %s %+v", p.Verdict, requireRow(t, p, "endpoint", "body"))
	}
}

func sectionIDs(p present.Page) []string {
	var ids []string
	for _, s := range p.Sections {
		ids = append(ids, s.ID)
	}
	return ids
}
