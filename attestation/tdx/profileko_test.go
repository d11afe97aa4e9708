package tdx

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// A PCK chain that breaks Intel's certificate profile is named by its level in both
// languages, with the names Intel gives that level; the Korean carries no English level name
// and no English "or".
func TestChainProfileErrorsInKorean(t *testing.T) {
	if err := checkChainProfile(azureQuote(t)); err != nil {
		t.Fatalf("Azure's quote breaks the profile: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(q *Quote)
		en, ko string
		notKO  []string
	}{
		"CA renamed": {func(q *Quote) { c := *q.Intermediate; c.Subject.CommonName = "Evil CA"; q.Intermediate = &c },
			`PCK CA certificate is named "Evil CA", not "Intel SGX PCK Platform CA" or "Intel SGX PCK Processor CA"`,
			`PCK CA 인증서: 이름이 "Intel SGX PCK Platform CA" 또는 "Intel SGX PCK Processor CA"가 아니라 "Evil CA"입니다`, []string{" or "}},
		"leaf v1": {func(q *Quote) { c := *q.PCK; c.Version = 1; q.PCK = &c },
			"PCK leaf certificate is X.509 version 1, not 3", "PCK 말단 인증서: X.509 버전 3이 아니라 1입니다", []string{"leaf"}},
		"root RSA-signed": {func(q *Quote) { c := *q.Root; c.SignatureAlgorithm = x509.SHA256WithRSA; q.Root = &c },
			"root certificate is signed with SHA256-RSA, not ECDSA with SHA-256", "루트 인증서: ECDSA SHA-256이 아니라 SHA256-RSA로 서명되었습니다", []string{"root"}},
	} {
		// Copies of the certificates: the parsed ones are shared with later parses.
		q := azureQuote(t)
		tc.change(q)
		err := checkChainProfile(q)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		ko, _ := fault.MessageIn(err, "ko")
		if err.Error() != tc.en || ko != tc.ko {
			t.Errorf("%s:\n en %q\n ko %q", name, err.Error(), ko)
		}
		for _, w := range tc.notKO {
			if strings.Contains(ko, w) {
				t.Errorf("%s: Korean holds %q: %q", name, w, ko)
			}
		}
	}
}
