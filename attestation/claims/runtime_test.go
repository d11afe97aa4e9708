package claims_test

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/explain"
)

// Every vm-configuration key OpenHCL writes today (protocol §18) is named and explained in
// both languages, nested members included; a key nobody knows stays unknown.
func TestRuntimeClaimsWrittenTodayExplained(t *testing.T) {
	for _, k := range []string{"current-time", "root-cert-thumbprint", "console-enabled", "interactive-console-enabled",
		"secure-boot", "tpm-enabled", "tpm-persisted", "filtered-vpci-devices-allowed", "vmUniqueId",
		"vmgs-provisioner", "vmgs-provisioner.id", "vmgs-provisioner.signer", "hardware-sealing-policy"} {
		e, ok := claims.Lookup(k)
		if !ok || e.Meaning == "" || !checktest.HasHangul(e.MeaningKO) {
			t.Errorf("%s: not catalogued in both languages (%v)", k, ok)
			continue
		}
		if txt, ok := explain.LookupField(explain.KindRuntime, "vm-configuration."+k); !ok || txt.Empty() {
			t.Errorf("vm-configuration.%s: no field explanation", k)
		}
	}
	for _, k := range []string{"HCLAkPub", "HCLEkPub", "HCLTransferKey", "user-data", "keys", "vm-configuration"} {
		if _, ok := explain.LookupField(explain.KindRuntime, k); !ok {
			t.Errorf("%s: no field explanation", k)
		}
	}
	// interactive-console-enabled says what its value means, in both languages.
	e, _ := claims.Lookup("interactive-console-enabled")
	on, onKO := e.For("true")
	off, _ := e.For("false")
	if on == off || on == e.Meaning || !checktest.HasHangul(onKO) {
		t.Errorf("value texts: %q / %q", on, off)
	}
	// tpm-persisted is a legacy name; its text must not claim the TPM state persists.
	if e, _ := claims.Lookup("tpm-persisted"); !strings.Contains(e.Meaning, "Legacy name") || !strings.Contains(e.Meaning, "stateful") {
		t.Errorf("tpm-persisted: %q", e.Meaning)
	}
	if _, ok := explain.LookupField(explain.KindRuntime, "vm-configuration.future-knob"); ok {
		t.Error("an unknown key is explained")
	}
}
