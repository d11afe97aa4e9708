package maaemu

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// TestPlatformFlows: SevSnpVm and TdxVm answer {"token":JWT} with flat claims from the
// hardware report and the runtime claims it binds.
func TestPlatformFlows(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx"} {
		t.Run(tee, func(t *testing.T) {
			c := newCVM(t, tee, true, false)
			s := start(t, Config{})
			var body []byte
			var err error
			path := maa.PathSevSnpVm
			if tee == "sevsnp" {
				body, err = maa.BuildSevSnpVm(c.rep.SNPReport(), c.vcekChain(), c.rep.Claims, testNonce)
			} else {
				path = maa.PathTdxVm
				body, err = maa.BuildTdxVm(c.tdQuote(t), c.rep.Claims, testNonce)
			}
			if err != nil {
				t.Fatal(err)
			}
			cl, _ := client(t, s)
			ex, err := cl.Attest(context.Background(), path, body)
			if err != nil {
				t.Fatalf("attest: %v (%s)", err, ex.ResponseBody)
			}
			jwt, err := maa.ParsePlatformResponse(ex.ResponseBody)
			if err != nil {
				t.Fatal(err)
			}
			tok, checks := verifyToken(t, s, jwt, token.Options{Nonce: []byte(testNonce), UserData: platform.UserData(testNonce)})
			for _, ck := range checks {
				t.Log(ck)
				if ck.Verdict != check.Pass {
					t.Errorf("%s", ck)
				}
			}
			m := payload(t, tok)
			claimsListed(t, m)
			if want := PolicyHash(map[string]string{"sevsnp": "SevSnpVm", "tdx": "TdxVm"}[tee]); m["x-ms-policy-hash"] != want || want == PolicyHash("AzureGuest") {
				t.Errorf("x-ms-policy-hash %v, want %s (the %s policy's own)", m["x-ms-policy-hash"], want, tee)
			}
			if _, nested := m["x-ms-isolation-tee"]; nested || m["secureboot"] != nil {
				t.Error("a platform token is flat and has no vTPM or OS claims")
			}
			if m["nonce"] != testNonce || m["x-ms-compliance-status"] != "azure-compliant-cvm" {
				t.Errorf("nonce %v compliance %v", m["nonce"], m["x-ms-compliance-status"])
			}
			rt, _ := m["x-ms-runtime"].(map[string]any)
			if vc, _ := rt["vm-configuration"].(map[string]any); vc["vmUniqueId"] != c.p.CVM.VMID() {
				t.Errorf("x-ms-runtime %v", rt)
			}
			if tee == "sevsnp" {
				r, _ := snp.Parse(c.rep.SNPReport())
				if m["x-ms-attestation-type"] != "sevsnpvm" || m["x-ms-sevsnpvm-launchmeasurement"] != hex.EncodeToString(r.Measurement()) {
					t.Errorf("type %v measurement %v", m["x-ms-attestation-type"], m["x-ms-sevsnpvm-launchmeasurement"])
				}
				return
			}
			mrtd := c.p.CVM.MRTD()
			if m["x-ms-attestation-type"] != "tdxvm" || m["tdx_mrtd"] != hex.EncodeToString(mrtd[:]) ||
				m["eat_profile"] != eatProfileTDX || m["dbgstat"] != "disabled" || m["tdx_tee_tcb_svn"] != "02010600000000000000000000000000" ||
				m["attester_tcb_status"] != "UpToDate" || m["tdx_mrseam"] == strings.Repeat("0", 96) {
				t.Errorf("TDX claims %v", m)
			}
		})
	}
}

func TestPlatformRejects(t *testing.T) {
	c := newCVM(t, "tdx", true, true)
	s := start(t, Config{})
	cl, _ := client(t, s)
	quote := c.tdQuote(t)
	ctx := context.Background()

	// A debuggable TD is denied by the policy, naming the claim.
	body, _ := maa.BuildTdxVm(quote, c.rep.Claims, "")
	ex, err := cl.Attest(ctx, maa.PathTdxVm, body)
	se := serviceError(t, ex, err)
	if !se.PolicyDenied() || len(se.Details) != 1 || se.Details[0].Target != "tdx_td_attributes_debug" {
		t.Errorf("debug TD: %s", ex.ResponseBody)
	}
	// Claims the quote does not bind.
	body, _ = maa.BuildTdxVm(quote, []byte(`{"keys":[]}`), "")
	ex, err = cl.Attest(ctx, maa.PathTdxVm, body)
	if se := serviceError(t, ex, err); se.Code != "AttestationFailed" || !strings.Contains(se.Message, "hcl.binding") {
		t.Errorf("unbound claims: %s", ex.ResponseBody)
	}
	// A quote altered after signing.
	bad := append([]byte(nil), quote...)
	bad[48+136] ^= 1 // MRTD in the quote body
	body, _ = maa.BuildTdxVm(bad, c.rep.Claims, "")
	ex, err = cl.Attest(ctx, maa.PathTdxVm, body)
	if se := serviceError(t, ex, err); se.Code != "AttestationFailed" || !strings.Contains(se.Message, "tdx.quote.signature") {
		t.Errorf("altered quote: %s", ex.ResponseBody)
	}
	// The raw TDREPORT instead of a quote, the classic mistake (protocol §8).
	body, _ = maa.BuildTdxVm(c.rep.TDReport(), c.rep.Claims, "")
	ex, err = cl.Attest(ctx, maa.PathTdxVm, body)
	if se := serviceError(t, ex, err); se.Status != http.StatusBadRequest || !strings.Contains(se.Message, "tdx.parse") {
		t.Errorf("TDREPORT sent: %s", ex.ResponseBody)
	}
	// A SevSnpVm bundle without a chain.
	ex, err = cl.Attest(ctx, maa.PathSevSnpVm, []byte(`{"report":"`+b64url(make([]byte, maa.SNPReportSize))+`"}`))
	if se := serviceError(t, ex, err); se.Code != "InvalidParameter" || !strings.Contains(se.Message, "VcekCertChain") {
		t.Errorf("no chain: %s", ex.ResponseBody)
	}
}
