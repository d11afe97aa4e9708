package maa

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TestEmulatorCAForAzureSaysDropIt: a private root offered for an Azure provider is refused
// with the hint to drop --emulator-ca, in English and Korean.
func TestEmulatorCAForAzureSaysDropIt(t *testing.T) {
	_, err := NewClient("https://sharedkrc.krc.attest.azure.net", x509.NewCertPool())
	if err == nil {
		t.Fatal("a private root was accepted for an Azure provider")
	}
	for lang, want := range map[string]string{"en": "drop --emulator-ca", "ko": "--emulator-ca를 뺍니다"} {
		if _, hint := fault.MessageIn(err, lang); !strings.Contains(hint, want) {
			t.Errorf("%s hint %q, want %q", lang, hint, want)
		}
	}
}
