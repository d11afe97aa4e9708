package maaemu

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// TestAzureGuestEndToEnd: each simulated VM attests through the real client, the TPM
// decrypts the answer, every jwt.* check passes against the emulator's /certs, and the
// claims say what the evidence says.
func TestAzureGuestEndToEnd(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			c := newCVM(t, tee, true, false)
			s := start(t, Config{})
			jwt, ex, err := c.attestGuest(t, s, c.guestBody(t))
			if err != nil {
				t.Fatalf("attest: %v", err)
			}
			if len(ex.Attempts) != 1 {
				t.Errorf("%d attempts, want 1", len(ex.Attempts))
			}
			userData := platform.UserData(testNonce)
			opts := token.Options{Nonce: []byte(testNonce), ExpectCVM: tee != "trustedlaunch"}
			if tee != "trustedlaunch" {
				opts.UserData = userData
			}
			tok, checks := verifyToken(t, s, jwt, opts)
			for _, ck := range checks {
				t.Log(ck)
				want := check.Pass
				if tee == "trustedlaunch" && ck.ID == token.IDUserData {
					want = check.Skip
				}
				if ck.Verdict != want {
					t.Errorf("%s: %s, want %s", ck.ID, ck.Verdict, want)
				}
			}
			h := tok.Header
			if h.Alg != "RS256" || h.Typ != "JWT" || h.Jku != s.URL()+"/certs" || len(h.Kid) != 44 {
				t.Errorf("header %s", h.Raw)
			}
			m := payload(t, tok)
			claimsListed(t, m)
			for k, want := range map[string]any{
				"x-ms-attestation-type": "azurevm", "x-ms-ver": "1.0", "iss": s.URL(), "secureboot": true,
				"x-ms-azurevm-vmid": c.p.CVM.VMID(), "x-ms-azurevm-attestation-protocol-ver": "2.0",
				"x-ms-azurevm-ostype": "Linux", "x-ms-azurevm-osdistro": "Ubuntu", "x-ms-azurevm-osversion-major": 22.0,
				"x-ms-azurevm-osbuild": "NotApplication", "x-ms-azurevm-is-windows": false,
				"x-ms-azurevm-dbvalidated": true, "x-ms-azurevm-dbxvalidated": true, "x-ms-azurevm-default-securebootkeysvalidated": true,
				"x-ms-azurevm-debuggersdisabled": true, "x-ms-azurevm-kerneldebug-enabled": false, "x-ms-policy-hash": PolicyHash("AzureGuest"),
			} {
				if got := m[k]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if fmt.Sprint(m["x-ms-azurevm-attested-pcrs"]) != "[0 1 2 3 4 5 6 7]" {
				t.Errorf("attested PCRs %v", m["x-ms-azurevm-attested-pcrs"])
			}
			if iat, exp := m["iat"].(float64), m["exp"].(float64); exp-iat != 8*3600 || m["nbf"] != m["iat"] {
				t.Errorf("lifetime %v s, nbf %v iat %v", exp-iat, m["nbf"], m["iat"])
			}
			if jti, _ := m["jti"].(string); len(jti) != 64 {
				t.Errorf("jti %q, want 64 hex", jti)
			}
			rt := m["x-ms-runtime"].(map[string]any)
			if rt["client-payload"].(map[string]any)["nonce"] != base64.StdEncoding.EncodeToString([]byte(testNonce)) {
				t.Errorf("client-payload %v", rt["client-payload"])
			}
			keys := rt["keys"].([]any)
			k0 := keys[0].(map[string]any)
			wantN := base64.RawURLEncoding.EncodeToString(c.ek.PublicKey.N.Bytes())
			if len(keys) != 1 || k0["kid"] != "TpmEphemeralEncryptionKey" || k0["n"] != wantN || fmt.Sprint(k0["key_ops"]) != "[encrypt]" {
				t.Errorf("x-ms-runtime.keys %v", keys)
			}

			tee0, nested := m["x-ms-isolation-tee"].(map[string]any)
			if tee == "trustedlaunch" {
				if nested {
					t.Error("a Trusted Launch token must have no x-ms-isolation-tee")
				}
				return
			}
			if !nested {
				t.Fatal("no x-ms-isolation-tee")
			}
			if tee0["x-ms-compliance-status"] != "azure-compliant-cvm" {
				t.Errorf("compliance %v", tee0["x-ms-compliance-status"])
			}
			hclRT := tee0["x-ms-runtime"].(map[string]any)
			if !strings.EqualFold(hclRT["user-data"].(string), hex.EncodeToString(userData)) {
				t.Errorf("user-data %v", hclRT["user-data"])
			}
			var rc hcl.RuntimeClaims
			b, _ := json.Marshal(hclRT)
			json.Unmarshal(b, &rc)
			ak, err := rc.Key("HCLAkPub").RSA()
			if err != nil || !ak.Equal(c.p.CVM.AKPublic()) {
				t.Errorf("HCLAkPub in the token is not the AK: %v", err)
			}
			switch tee {
			case "sevsnp":
				r, err := snp.Parse(c.rep.SNPReport())
				if err != nil {
					t.Fatal(err)
				}
				for k, want := range map[string]any{
					"x-ms-attestation-type":           "sevsnpvm",
					"x-ms-sevsnpvm-launchmeasurement": hex.EncodeToString(r.Measurement()),
					"x-ms-sevsnpvm-reportdata":        hex.EncodeToString(r.ReportData()),
					"x-ms-sevsnpvm-hostdata":          strings.Repeat("00", 32),
					"x-ms-sevsnpvm-is-debuggable":     false,
					"x-ms-sevsnpvm-vmpl":              0.0,
					"x-ms-sevsnpvm-snpfw-svn":         float64(r.ReportedTCB().SNP),
					"x-ms-sevsnpvm-microcode-svn":     float64(r.ReportedTCB().Microcode),
					"x-ms-sevsnpvm-familyId":          "01" + strings.Repeat("00", 15),
					"x-ms-sevsnpvm-imageId":           "02" + strings.Repeat("00", 15),
				} {
					if tee0[k] != want {
						t.Errorf("%s = %v, want %v", k, tee0[k], want)
					}
				}
			case "tdx":
				q, err := tdx.ParseQuote(c.tdQuote(t))
				if err != nil {
					t.Fatal(err)
				}
				mrtd := c.p.CVM.MRTD()
				for k, want := range map[string]any{
					"x-ms-attestation-type": "tdxvm", "tdx_mrtd": hex.EncodeToString(mrtd[:]),
					"tdx_report_data": hex.EncodeToString(q.ReportData()), "tdx_td_attributes_debug": false,
					"dbgstat": "disabled", "tdx_rtmr0": hex.EncodeToString(c.rep.HardwareReport[720:768]), "attester_tcb_status": "UpToDate",
				} {
					if tee0[k] != want {
						t.Errorf("%s = %v, want %v", k, tee0[k], want)
					}
				}
			}
			// The attestation, then the relying party's key fetch.
			calls := s.Requests()
			if len(calls) != 3 || calls[0].Status != http.StatusOK || calls[0].Path != maa.PathAzureGuest ||
				calls[1].Path != "/.well-known/openid-configuration" || calls[2].Path != "/certs" || calls[2].Status != http.StatusOK {
				t.Errorf("call log %+v", calls)
			}
		})
	}
}

// TestPolicyDenials: Secure Boot off and a debuggable TEE are refused with MAA's policy
// error, which the client's explanation reads out naming the claim.
func TestPolicyDenials(t *testing.T) {
	for _, tc := range []struct {
		name, tee       string
		secureBoot, dbg bool
		claim, words    string
	}{
		{"secure boot off", "sevsnp", false, false, "secureboot", "Secure Boot is off"},
		{"snp debug", "sevsnp", true, true, "x-ms-sevsnpvm-is-debuggable", "x-ms-sevsnpvm-is-debuggable = true"},
		{"tdx debug", "tdx", true, true, "tdx_td_attributes_debug", "tdx_td_attributes_debug = true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCVM(t, tc.tee, tc.secureBoot, tc.dbg)
			s := start(t, Config{})
			_, ex, err := c.attestGuest(t, s, c.guestBody(t))
			se := serviceError(t, ex, err)
			if se.Status != http.StatusBadRequest || se.Code != "PolicyEvaluationError" || se.InnerCode != "PolicyValidationFailure" || !se.PolicyDenied() {
				t.Fatalf("answer %d %s/%s: %s", se.Status, se.Code, se.InnerCode, ex.ResponseBody)
			}
			t.Log(string(ex.ResponseBody))
			t.Log(se.Explain())
			var named bool
			for _, d := range se.Details {
				named = named || (d.Code == "PolicyFailureClaim" && d.Target == tc.claim)
			}
			if !named {
				t.Errorf("details %+v do not name %s", se.Details, tc.claim)
			}
			if ex := se.Explain(); !strings.Contains(ex, tc.words) {
				t.Errorf("explanation %q lacks %q", ex, tc.words)
			}
			if len(ex.Attempts) != 1 {
				t.Errorf("a policy denial must not be retried; %d attempts", len(ex.Attempts))
			}
		})
	}
}

// TestRejectsBadEvidence changes one thing at a time in a good request: each is caught by
// the check that owns it, and MAA's 400 says which.
func TestRejectsBadEvidence(t *testing.T) {
	c := newCVM(t, "sevsnp", true, false)
	s := start(t, Config{})
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	realChain := string(readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	other := newCVMKeyCert(t, c)
	for _, tc := range []struct {
		name string
		mut  func(r *maa.GuestRequest)
		want string
	}{
		{"quote altered", func(r *maa.GuestRequest) { r.TPM.PcrQuote = flip(r.TPM.PcrQuote, len(r.TPM.PcrQuote)-1) }, "tpm.quote.signature"},
		{"PCR value altered", func(r *maa.GuestRequest) {
			r.TPM.PCRs = clonePCRs(r.TPM.PCRs)
			r.TPM.PCRs[4] = flip(r.TPM.PCRs[4], 0)
		}, "tpm.quote.pcr-digest"},
		{"event log altered", func(r *maa.GuestRequest) { r.TcgLogs = flipDigest(t, r.TcgLogs, 0) }, "eventlog.replay[PCR0]"},
		{"AMD's real chain sent", func(r *maa.GuestRequest) {
			iso := r.Isolation.(maa.SevSnp)
			iso.VcekCertChain = realChain
			r.Isolation = iso
		}, "snp.signature"},
		{"report altered", func(r *maa.GuestRequest) {
			iso := r.Isolation.(maa.SevSnp)
			iso.SnpReport = flip(iso.SnpReport, 0x90)
			r.Isolation = iso
		}, "snp.signature"},
		{"runtime claims altered", func(r *maa.GuestRequest) {
			iso := r.Isolation.(maa.SevSnp)
			iso.RuntimeData = bytes.Replace(iso.RuntimeData, []byte(`"secure-boot":true`), []byte(`"secure-boot":false`), 1)
			r.Isolation = iso
		}, "hcl.binding"},
		{"AK certificate from another CA", func(r *maa.GuestRequest) { r.TPM.AikCert = other }, "does not chain to the simulated vTPM CA"},
		{"encryption key swapped", func(r *maa.GuestRequest) { r.TPM.EncKeyPub = c.set.AKPub }, "tpm.enckey.certify"},
		{"PCR set differs from quote", func(r *maa.GuestRequest) { r.TPM.PcrSet = []int{0, 1, 2, 3, 4, 5, 6} }, "differs from the PCRs the quote selects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.guestRequest(t)
			tc.mut(&r)
			_, ex, err := c.attestGuest(t, s, buildGuest(t, r))
			se := serviceError(t, ex, err)
			if se.Status != http.StatusBadRequest || se.Code != "AttestationFailed" || se.PolicyDenied() {
				t.Fatalf("answer %d %s: %s", se.Status, se.Code, ex.ResponseBody)
			}
			t.Log(se.Message)
			if !strings.Contains(se.Message, tc.want) {
				t.Errorf("message %q does not name %q", se.Message, tc.want)
			}
			if !strings.Contains(se.Explain(), "rejected the evidence") {
				t.Errorf("explanation %q", se.Explain())
			}
		})
	}
	// Undecodable requests are InvalidParameter and name the field.
	cl, _ := client(t, s)
	ex, err := cl.Attest(t.Context(), maa.PathAzureGuest, []byte(`{"AttestationInfo":"e30"}`))
	se := serviceError(t, ex, err)
	if se.Code != "InvalidParameter" || !strings.Contains(se.Message, "TpmInfo is missing") {
		t.Errorf("undecodable request: %d %s %q", se.Status, se.Code, se.Message)
	}
}

// TestLogDataMustMatchItsDigest: a log whose SecureBoot event says "on" while the digest
// extended into PCR7 says "off" replays fine, so the data itself must be checked; Secure
// Boot stays off and the policy still denies.
func TestLogDataMustMatchItsDigest(t *testing.T) {
	c := newCVM(t, "trustedlaunch", false, false)
	s := start(t, Config{})
	r := c.guestRequest(t)
	// UEFI_VARIABLE_DATA of SecureBoot: the name in UTF-16 followed by the 1-byte value.
	name := []byte{'S', 0, 'e', 0, 'c', 0, 'u', 0, 'r', 0, 'e', 0, 'B', 0, 'o', 0, 'o', 0, 't', 0}
	i := bytes.Index(r.TcgLogs, name)
	if i < 0 || r.TcgLogs[i+len(name)] != 0 {
		t.Fatal("no SecureBoot=0 event in the simulated log")
	}
	r.TcgLogs = bytes.Clone(r.TcgLogs)
	r.TcgLogs[i+len(name)] = 1
	_, ex, err := c.attestGuest(t, s, buildGuest(t, r))
	se := serviceError(t, ex, err)
	if !se.PolicyDenied() || len(se.Details) == 0 || se.Details[0].Target != "secureboot" || se.Details[0].Value != "false" {
		t.Errorf("answer %s", ex.ResponseBody)
	}
}

func clonePCRs(m map[int][]byte) map[int][]byte {
	out := map[int][]byte{}
	for k, v := range m {
		out[k] = bytes.Clone(v)
	}
	return out
}

// flipDigest changes the recorded digest of the first event of a PCR in a raw log.
func flipDigest(t *testing.T, raw []byte, pcr int) []byte {
	t.Helper()
	l, err := parseLog(raw)
	if err != nil {
		t.Fatal(err)
	}
	for e := range l.Events() {
		if e.PCR == pcr && len(e.Digest) == 32 {
			i := bytes.Index(raw[e.Offset:], e.Digest)
			if i < 0 {
				break
			}
			out := bytes.Clone(raw)
			out[e.Offset+i] ^= 0xff
			return out
		}
	}
	t.Fatalf("no event with a digest for PCR%d", pcr)
	return nil
}
