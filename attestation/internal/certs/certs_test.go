package certs

import (
	"errors"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/realdata"
)

func TestFromPEM(t *testing.T) {
	chain := realdata.Read(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	got, err := FromPEM(chain)
	if err != nil || len(got) != 3 {
		t.Fatalf("%d certificates, %v; want VCEK, ASK, ARK", len(got), err)
	}
	if _, err := FromPEM([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")); !errors.Is(err, ErrNoCertificates) {
		t.Errorf("a key alone: %v", err)
	}
	bad := "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	if _, err := FromPEM(append(chain, bad...)); err == nil || !strings.Contains(err.Error(), "PEM block 4") {
		t.Errorf("broken fourth block: %v", err)
	}
}
