package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// TestEndorsementsTCBErrorInKorean: when the TCB cannot be judged because the collateral's
// signature fails, the Korean message is Korean, and the library's own words
// ("x509: ECDSA verification failure") are quoted as received (오류 원문: 「…」), not left
// in the sentence as if cvmscope wrote them. English is unchanged.
func TestEndorsementsTCBErrorInKorean(t *testing.T) {
	dir := realdata.Dir(t)
	b, err := os.ReadFile(filepath.Join(dir, "intel-tdx-tcbinfo-00806f050000.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	doc["signature"] = json.RawMessage(`"` + strings.Repeat("00", 64) + `"`)
	forged, _ := json.Marshal(doc)
	tcb := filepath.Join(t.TempDir(), "tcbinfo.json")
	if err := os.WriteFile(tcb, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--from", filepath.Join(dir, "aztdx-tdquote-trustee-6332533d.bin"), "--from", tcb,
		"--from", filepath.Join(dir, "intel-tdx-qeidentity.json"), "--from", filepath.Join(dir, "intel-tcb-signing-chain.pem")}
	code, _, errs := endorse(t, append([]string{"--lang", "ko"}, args...)...)
	if code != 2 || !strings.Contains(errs, "TCB info 서명이") || !strings.Contains(errs, "오류 원문: 「x509: ECDSA verification failure」") {
		t.Fatalf("forged TCB info in Korean: exit %d\n%s", code, errs)
	}
	// Outside the quotation, only names stay Latin (TDX, TCB, Intel, the certificate's name).
	outside := regexp.MustCompile(`「[^」]*」|"[^"]*"|--[a-z-]+`).ReplaceAllString(errs, "")
	if strings.Contains(outside, "verification") || strings.Contains(outside, "x509") {
		t.Errorf("library text outside the quotation:\n%s", errs)
	}
	if code, _, errs := endorse(t, args...); code != 2 || !strings.Contains(errs, "TCB info signature does not verify with \"Intel SGX TCB Signing\": x509: ECDSA verification failure") {
		t.Errorf("in English: exit %d\n%s", code, errs)
	}
}
