package compare_test

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"regexp"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// requireKorean: the check's summary and every detail line are Korean, and every item
// with a source says it in Korean; the names that are words have their Korean name.
func requireKorean(t *testing.T, what string, c check.Check, items []compare.Item) {
	t.Helper()
	if !checktest.HasHangul(c.SummaryKO) {
		t.Errorf("%s: %s has no Korean summary", what, c)
	}
	_, ko := c.In("ko")
	for i, d := range c.Details {
		if !checktest.HasHangul(ko[i]) {
			t.Errorf("%s: detail %q has no Korean line (%q)", what, d, ko[i])
		}
	}
	for _, it := range items {
		if it.Source != "" && !checktest.HasHangul(it.SourceKO) {
			t.Errorf("%s: item %s source %q has no Korean (%q)", what, it.Name, it.Source, it.SourceKO)
		}
		if w := sourceEnglish.FindString(it.SourceKO); w != "" {
			t.Errorf("%s: item %s Korean source %q still says %q", what, it.Name, it.SourceKO, w)
		}
		if it.Verdict != check.Pass && it.Verdict != check.Fail && it.Note.KO == "" {
			t.Errorf("%s: skipped item %s has no Korean note", what, it.Name)
		}
		// A name made of words gets a Korean one; claim and field names (REPORT_DATA,
		// HCLAkPub, user-data, the tdx_* fields) stay as they are.
		if wordNames[it.Name] && !checktest.HasHangul(it.NameKO) {
			t.Errorf("%s: item %q has no Korean name (%q)", what, it.Name, it.NameKO)
		}
		if (it.Name == "VM id" || it.Name == "family id" || it.Name == "image id") && !strings.HasSuffix(it.NameKO, " ID") {
			t.Errorf("%s: item %q has Korean name %q, want ... ID", what, it.Name, it.NameKO)
		}
	}
}

// sourceEnglish are the words the English sources are written in, around the field names
// they quote (report_data, tee_tcb_svn, vmUniqueId), which stay.
var sourceEnglish = regexp.MustCompile(`\b(user data|written|before|offset|report|module|hardware|kind|of|the|this|run's|runtime claims|certificate|public key|selection|measured|variable|event log)\b`)

var wordNames = map[string]bool{"TEE type": true, "launch measurement": true, "guest SVN": true, "debuggable": true,
	"SMT allowed": true, "migration allowed": true, "ID key digest": true, "author key digest": true, "host data": true,
	"report id": true, "bootloader SVN": true, "SNP firmware SVN": true, "microcode SVN": true, "ephemeral key": true,
	"attested PCRs": true, "Secure Boot": true}

func TestKoreanCompareChecks(t *testing.T) {
	sgx, err := token.Parse(string(realdata.Read(t, "maa-sgx-sharedeus-teaclave-2023.jwt")))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := token.Parse(string(realdata.Read(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")))
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[check.Verdict]bool{}
	run := func(what string, c token.Claims, s *evidence.Set, r *verify.Result) {
		t.Helper()
		ch, items := compare.TokenVsEvidence(c, s, r)
		requireKorean(t, what, ch, items)
		verdicts[ch.Verdict] = true
	}
	snpSet, snpRes := load(t, snpFiles...)
	run("real SGX token vs SEV-SNP evidence", sgx.Claims, snpSet, snpRes)
	run("real SGX token vs nothing", sgx.Claims, &evidence.Set{}, &verify.Result{})
	tlSet, tlRes := load(t, "azvtpm-akpub-kinvolk-2024.pem", "azvtpm-quote-kinvolk-2024.msg.bin", "azvtpm-quote-kinvolk-2024.sig.bin", "azvtpm-quote-kinvolk-2024.pcrs-sha256.bin")
	run("real Trusted Launch token vs a quote without AK certificate", tl.Claims, tlSet, tlRes)
	sim := guestToken(t, snpRes, "sevsnpvm", snpClaims(snpRes.SNP.Raw))
	run("simulated SEV-SNP token", claimsOf(t, sim), snpSet, snpRes)
	sim["x-ms-azurevm-attested-pcrs"] = []int{0, 1, 30}
	sim["x-ms-isolation-tee"].(map[string]any)["x-ms-sevsnpvm-bootloader-svn"] = "x"
	run("simulated SEV-SNP token, mismatches", claimsOf(t, sim), snpSet, snpRes)
	tdSet, tdRes := load(t, tdxFiles...)
	run("simulated SEV-SNP token vs TDX evidence", claimsOf(t, sim), tdSet, tdRes)
	for _, v := range []check.Verdict{check.Pass, check.Fail, check.Warn} {
		if !verdicts[v] {
			t.Errorf("no %s comparison was built", v)
		}
	}
}
