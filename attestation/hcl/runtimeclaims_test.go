package hcl

import (
	"testing"
)

// Claims as OpenHCL writes them today (protocol §18): the newer vm-configuration keys
// decode, lower-case user-data decodes, and a key nobody knows stays in the raw maps.
func TestRuntimeClaimsOpenHCLFields(t *testing.T) {
	js := `{"keys":[{"kid":"HCLTransferKey","key_ops":["encrypt"],"kty":"RSA","e":"AQAB","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw"}],
"vm-configuration":{"current-time":1764979200,"root-cert-thumbprint":"","console-enabled":true,"interactive-console-enabled":false,"secure-boot":true,"tpm-enabled":true,"tpm-persisted":true,"filtered-vpci-devices-allowed":false,"vmUniqueId":"6332533D-0000-4000-8000-000000000000",
"vmgs-provisioner":{"id":"0F3B1C2D-1111-2222-3333-444455556666","signer":"did:x509:0:sha256:ab12:subject:CN=Provisioner"},"hardware-sealing-policy":"hash","future-knob":7},
"user-data":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff","unknown-top":{"x":1}}`
	rc, err := ParseRuntimeClaims([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	vc := rc.VMConfig
	if vc.InteractiveConsoleEnabled == nil || *vc.InteractiveConsoleEnabled || vc.HardwareSealingPolicy != "hash" {
		t.Errorf("interactive-console-enabled %v, hardware-sealing-policy %q", vc.InteractiveConsoleEnabled, vc.HardwareSealingPolicy)
	}
	if p := vc.VMGSProvisioner; p == nil || p.ID != "0F3B1C2D-1111-2222-3333-444455556666" || p.Signer != "did:x509:0:sha256:ab12:subject:CN=Provisioner" {
		t.Errorf("vmgs-provisioner %+v", p)
	}
	if vc.CurrentTime == nil || *vc.CurrentTime != 1764979200 {
		t.Errorf("current-time %v", vc.CurrentTime)
	}
	if rc.Key("HCLTransferKey") == nil {
		t.Error("HCLTransferKey not found")
	}
	if b, err := rc.UserDataBytes(); err != nil || len(b) != 64 {
		t.Errorf("lower-case user-data: %d bytes, %v", len(b), err)
	}
	if rc.VMConfigRaw["future-knob"] != float64(7) || rc.Raw["unknown-top"] == nil {
		t.Errorf("unknown keys dropped: vm-configuration %v, top %v", rc.VMConfigRaw["future-knob"], rc.Raw["unknown-top"])
	}
}
