package explain

import (
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/claims"
)

// A boolean field is explained for the value shown: "tsme_enabled false" must not read
// "… is on".
func TestBooleanFieldsExplainTheValueShown(t *testing.T) {
	for _, kind := range []string{KindSNP, KindTDReport} {
		for _, name := range BoolFieldNames(kind) {
			if _, ok := LookupField(kind, name); !ok {
				t.Errorf("%s %s has value texts but no catalog entry", kind, name)
			}
			yes, no := FieldValue(kind, name, "true"), FieldValue(kind, name, "false")
			if yes.EN == "" || yes.KO == "" || no.EN == "" || no.KO == "" || yes == no {
				t.Errorf("%s %s: true %+v, false %+v", kind, name, yes, no)
			}
		}
	}
	for _, tc := range []struct{ kind, name, value, says, never string }{
		{KindSNP, "platform_info.tsme_enabled", "false", "is off", "is on."},
		{KindSNP, "platform_info.tsme_enabled", "true", "is on", "is off"},
		{KindSNP, "platform_info.rapl_disabled", "false", "is on", "is off"},
		{KindSNP, "platform_info.ciphertext_hiding_enabled", "false", "is off", "cannot read"},
		{KindSNP, "platform_info.tio_enabled", "false", "is off", "is on"},
		{KindSNP, "policy.debug", "true", "not confidential", "may not"},
		{KindTDQuote, "td_attributes.DEBUG", "false", "Not a debug TD", "can read"},
		{KindRuntime, "vm-configuration.secure-boot", "false", "off", " on "},
	} {
		got := FieldValue(tc.kind, tc.name, tc.value)
		if !strings.Contains(got.EN, tc.says) || strings.Contains(got.EN, tc.never) {
			t.Errorf("%s = %s explained as %q", tc.name, tc.value, got.EN)
		}
	}
	if FieldValue(KindSNP, "vmpl", "0") != Field(KindSNP, "vmpl") {
		t.Error("a field that is not boolean lost its explanation")
	}
}

func TestBooleanClaimsExplainTheValueShown(t *testing.T) {
	for _, name := range claims.BoolClaims() {
		e, ok := claims.Lookup(name)
		if !ok {
			t.Errorf("%s has value texts but no catalog entry", name)
			continue
		}
		yEN, yKO := e.For("true")
		nEN, nKO := e.For("false")
		if yEN == "" || yKO == "" || nEN == "" || nKO == "" || yEN == nEN || yKO == nKO {
			t.Errorf("%s: true %q/%q false %q/%q", name, yEN, yKO, nEN, nKO)
		}
		if m, _ := e.For("other"); m != e.Meaning {
			t.Errorf("%s: a non-boolean value lost the general meaning", name)
		}
	}
	for _, tc := range []struct{ name, value, says string }{
		{"x-ms-azurevm-bootdebug-enabled", "false", "off"},
		{"x-ms-azurevm-kerneldebug-enabled", "false", "off"},
		{"x-ms-azurevm-elam-enabled", "false", "not loaded"},
		{"x-ms-azurevm-flightsigning-enabled", "false", "not accepted"},
		{"x-ms-azurevm-testsigning-enabled", "false", "off"},
		{"secureboot", "false", "off"},
		{"is-debuggable", "false", "production"}, // a deprecated alias
	} {
		e, _ := claims.Lookup(tc.name)
		if en, _ := e.For(tc.value); !strings.Contains(en, tc.says) {
			t.Errorf("%s = %s explained as %q", tc.name, tc.value, en)
		}
	}
	// Every catalogued boolean-looking claim ("Whether …", or healthy true/false) has value texts.
	have := map[string]bool{}
	for _, n := range claims.BoolClaims() {
		have[n] = true
	}
	for _, n := range claims.Names() {
		e, _ := claims.Lookup(n)
		if strings.HasPrefix(e.Meaning, "Deprecated") {
			continue
		}
		if (e.Healthy == "true" || e.Healthy == "false" || strings.HasPrefix(e.Meaning, "Whether")) && !have[n] {
			t.Errorf("%s looks boolean (healthy %q, %q) but has no true/false texts", n, e.Healthy, e.Meaning)
		}
	}
}
