package claims

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/token"
)

// protocolClaims are the claims listed in §6 of docs/azure-protocol.md (6.1 to 6.5).
var protocolClaims = []string{
	// 6.1
	"iss", "iat", "nbf", "exp", "jti", "x-ms-ver", "x-ms-attestation-type", "x-ms-policy-hash",
	"x-ms-policy-signer", "x-ms-runtime", "x-ms-inittime", "nonce",
	"ver", "tee", "policy_hash", "maa-policyHash", "policy_signer", "rp_data",
	// 6.2
	"secureboot", "x-ms-azurevm-attestation-protocol-ver", "x-ms-azurevm-attested-pcrs",
	"x-ms-azurevm-bootdebug-enabled", "x-ms-azurevm-dbvalidated", "x-ms-azurevm-dbxvalidated",
	"x-ms-azurevm-debuggersdisabled", "x-ms-azurevm-default-securebootkeysvalidated",
	"x-ms-azurevm-elam-enabled", "x-ms-azurevm-flightsigning-enabled", "x-ms-azurevm-hvci-policy",
	"x-ms-azurevm-hypervisordebug-enabled", "x-ms-azurevm-is-windows", "x-ms-azurevm-kerneldebug-enabled",
	"x-ms-azurevm-osbuild", "x-ms-azurevm-osdistro", "x-ms-azurevm-ostype", "x-ms-azurevm-osversion-major",
	"x-ms-azurevm-osversion-minor", "x-ms-azurevm-signingdisabled", "x-ms-azurevm-testsigning-enabled",
	"x-ms-azurevm-vmid", "x-ms-azurevm-os-provisioning", "x-ms-isolation-tee",
	"x-ms-runtime.client-payload", "x-ms-runtime.keys",
	// 6.3
	"x-ms-isolation-tee.x-ms-attestation-type", "x-ms-isolation-tee.x-ms-compliance-status",
	"x-ms-isolation-tee.x-ms-runtime",
	"x-ms-sevsnpvm-authorkeydigest", "x-ms-sevsnpvm-bootloader-svn", "x-ms-sevsnpvm-familyId",
	"x-ms-sevsnpvm-guestsvn", "x-ms-sevsnpvm-hostdata", "x-ms-sevsnpvm-idkeydigest", "x-ms-sevsnpvm-imageId",
	"x-ms-sevsnpvm-is-debuggable", "x-ms-sevsnpvm-launchmeasurement", "x-ms-sevsnpvm-microcode-svn",
	"x-ms-sevsnpvm-migration-allowed", "x-ms-sevsnpvm-reportdata", "x-ms-sevsnpvm-reportid",
	"x-ms-sevsnpvm-smt-allowed", "x-ms-sevsnpvm-snpfw-svn", "x-ms-sevsnpvm-tee-svn", "x-ms-sevsnpvm-vmpl",
	// 6.4
	"x-ms-isolation-tee.x-ms-runtime.vm-configuration", "console-enabled", "current-time",
	"root-cert-thumbprint", "secure-boot", "secure-boot-template-id", "tpm-enabled", "tpm-persisted",
	"filtered-vpci-devices-allowed", "vmUniqueId", "x-ms-isolation-tee.x-ms-runtime.user-data",
	"x-ms-isolation-tee.x-ms-runtime.keys", "x-ms-runtime.user-data", "x-ms-runtime.client-payload.nonce",
	// 6.5
	"x-ms-compliance-status", "attester_tcb_status", "dbgstat", "eat_profile", "intuse",
	"tdx_mrconfigid", "tdx_mrowner", "tdx_mrownerconfig", "tdx_mrseam", "tdx_mrsignerseam", "tdx_mrtd",
	"tdx_report_data", "tdx_rtmr0", "tdx_rtmr1", "tdx_rtmr2", "tdx_rtmr3", "tdx_seam_attributes",
	"tdx_seamsvn", "tdx_td_attributes", "tdx_td_attributes_debug", "tdx_td_attributes_key_locker",
	"tdx_td_attributes_perfmon", "tdx_td_attributes_protection_keys", "tdx_td_attributes_septve_disable",
	"tdx_tee_tcb_svn", "tdx_xfam",
}

func realDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = filepath.Dir(dir)
	}
	real := filepath.Join(dir, "..", "shared", "testdata", "real")
	if _, err := os.Stat(real); err != nil {
		t.Skipf("real samples not available at %s (they live beside the checkout, never in it)", real)
	}
	return real
}

func realToken(t *testing.T, name string) *token.Token {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := token.Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEveryRealClaimIsCatalogued(t *testing.T) {
	for _, name := range []string{"maa-sgx-sharedeus-teaclave-2023.jwt", "maa-azureguest-sharedeus2-cvmga-2022.jwt"} {
		tok := realToken(t, name)
		n := 0
		Walk(tok.Claims.Map(), func(path string, _ any, e Entry, known bool) {
			n++
			if !known {
				t.Errorf("%s: claim %s has no catalog entry", name, path)
			}
		})
		if n < 20 {
			t.Errorf("%s: walked only %d claims", name, n)
		}
	}
}

func TestEveryProtocolClaimIsCatalogued(t *testing.T) {
	for _, p := range protocolClaims {
		if _, ok := Resolve(p); !ok {
			t.Errorf("protocol §6 claim %s has no catalog entry", p)
		}
	}
}

func TestEntriesAreComplete(t *testing.T) {
	names := Names()
	if len(names) < 120 {
		t.Errorf("only %d entries", len(names))
	}
	for _, n := range names {
		e, _ := Lookup(n)
		if e.Name != n {
			t.Errorf("entry %q has Name %q", n, e.Name)
		}
		for field, v := range map[string]string{"Meaning": e.Meaning, "Healthy": e.Healthy, "IfUnexpected": e.IfUnexpected} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty %s", n, field)
			}
		}
		for field, v := range map[string]string{"MeaningKO": e.MeaningKO, "HealthyKO": e.HealthyKO, "IfUnexpectedKO": e.IfUnexpectedKO} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty %s", n, field)
			}
		}
		// Healthy values like "true" or "sevsnpvm" stay Latin in Korean; explanations must not.
		if !checktest.HasHangul(e.MeaningKO) || !checktest.HasHangul(e.IfUnexpectedKO) {
			t.Errorf("%s: Korean text is not Korean: %q / %q", n, e.MeaningKO, e.IfUnexpectedKO)
		}
	}
}

func TestResolvePicksTheMostSpecificEntry(t *testing.T) {
	cases := map[string]string{
		"x-ms-isolation-tee.x-ms-runtime":    "x-ms-isolation-tee.x-ms-runtime",
		"x-ms-runtime":                       "x-ms-runtime",
		"x-ms-runtime.client-payload.nonce":  "client-payload.nonce",
		"x-ms-runtime.client-payload.tenant": "client-payload.*",
		"nonce":                              "nonce",
		"x-ms-isolation-tee.x-ms-runtime.vm-configuration.secure-boot": "secure-boot",
		"x-ms-isolation-tee.x-ms-attestation-type":                     "x-ms-isolation-tee.x-ms-attestation-type",
		"x-ms-policy.is-debuggable":                                    "is-debuggable",
		"maa-attestationcollateral.tcbinfohash":                        "tcbinfohash",
		"x-ms-isolation-tee.x-ms-sevsnpvm-vmpl":                        "x-ms-sevsnpvm-vmpl",
	}
	for path, want := range cases {
		if e, ok := Resolve(path); !ok || e.Name != want {
			t.Errorf("Resolve(%s) = %q %v, want %q", path, e.Name, ok, want)
		}
	}
	if e, _ := Lookup("aas-ehd"); !strings.HasPrefix(e.Meaning, "Deprecated alias of x-ms-sgx-ehd") {
		t.Errorf("alias meaning: %q", e.Meaning)
	}
}

func TestWalkReportsUnknownAndKeepsOrder(t *testing.T) {
	c, err := token.ParseClaims([]byte(`{"zeta-custom":1,"iss":"x","x-ms-isolation-tee":{"x-ms-sevsnpvm-vmpl":0,"new-claim":true},"x-ms-runtime":{"keys":[{"kid":"a"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	WalkOrdered(c.Map(), func(p string) []string { return c.Keys(strings.Split(p, ".")...) }, func(path string, _ any, _ Entry, known bool) {
		if !known {
			path += "?"
		}
		got = append(got, path)
	})
	want := "zeta-custom? iss x-ms-isolation-tee x-ms-isolation-tee.x-ms-sevsnpvm-vmpl x-ms-isolation-tee.new-claim? x-ms-runtime x-ms-runtime.keys"
	if strings.Join(got, " ") != want {
		t.Errorf("walk order\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	got = nil
	Walk(c.Map(), func(path string, _ any, _ Entry, _ bool) { got = append(got, path) })
	if got[0] != "iss" {
		t.Errorf("Walk without an order sorts keys: %v", got)
	}
}

// TestProtocolDocClaimsAreCatalogued guards against the protocol notes gaining claims the
// hand-kept list above misses: every x-ms-* and tdx_* name quoted in §6 must resolve.
func TestProtocolDocClaimsAreCatalogued(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(realDir(t), "..", "..", "docs", "azure-protocol.md"))
	if err != nil {
		t.Skipf("protocol notes not available: %v", err)
	}
	s := string(doc)
	start, end := strings.Index(s, "\n## 6."), strings.Index(s, "\n## 7.")
	if start < 0 || end < start {
		t.Fatal("§6 not found in azure-protocol.md")
	}
	name := regexp.MustCompile("`(x-ms-[A-Za-z0-9-]+|tdx_[a-z0-9_]+|_[a-z_]+)`")
	n := 0
	for _, m := range name.FindAllStringSubmatch(s[start:end], -1) {
		claim := m[1]
		if strings.HasPrefix(claim, "_") { // "tdx_td_attributes_debug`/`_key_locker" shorthand
			claim = "tdx_td_attributes" + claim
		}
		n++
		if _, ok := Resolve(claim); !ok {
			t.Errorf("§6 names %s, which has no catalog entry", claim)
		}
	}
	if n < 60 {
		t.Errorf("found only %d claim names in §6; has the document changed shape?", n)
	}
}
