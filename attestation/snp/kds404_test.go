package snp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// TestKDSNotFoundIsNoNetworkFailure: AMD KDS answering 404 (it knows no such chip, as for a
// made-up report) is an answer, not a network failure: KDSFailed is not told (the run is not
// ended with exit 3 and "check network access"), and the signature stays unchecked with the
// status named, for evidence.unverified to fail.
func TestKDSNotFoundIsNoNetworkFailure(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	var got []error
	l := Verify(r, nil, Options{Now: when, AllowNetwork: true, KDSClient: kdsClient(t, http.NotFound), Context: t.Context(),
		KDSFailed: func(err error) { got = append(got, err) }})
	wantVerdicts(t, l, check.Skip, check.Skip)
	if len(got) != 0 {
		t.Errorf("KDSFailed told of a 404: %v", got)
	}
	if s := l[0].Summary; !strings.Contains(s, "HTTP 404") {
		t.Errorf("skip reason does not name the status: %q", s)
	}
}
