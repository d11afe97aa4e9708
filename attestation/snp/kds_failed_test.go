package snp

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// KDSFailed is told of a VCEK fetch that found no answer, as a network failure (or an
// interruption) with Korean and what to do, so that the caller can end the run with exit 3
// instead of judging the evidence; a fetch that succeeded tells it nothing.
func TestKDSFailedKinds(t *testing.T) {
	_, r := hclSNP(t, "azsnp-hcl-trustee-911b0ef8.bin")
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		cancel  bool
		want    fault.Kind
	}{
		{"HTTP 503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, false, fault.Network},
		{"HTTP 429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }, false, fault.Network},
		{"cancelled", nil, true, fault.Interrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			h := tc.handler
			if tc.cancel {
				h = func(w http.ResponseWriter, r *http.Request) { cancel(); <-r.Context().Done() }
			}
			var got []error
			l := Verify(r, nil, Options{Now: when, AllowNetwork: true, KDSClient: kdsClient(t, h), Context: ctx,
				KDSFailed: func(err error) { got = append(got, err) }})
			cancel()
			wantVerdicts(t, l, check.Skip, check.Skip)
			if len(got) != 1 {
				t.Fatalf("KDSFailed called %d times, want once", len(got))
			}
			if k := fault.KindOf(got[0]); k != tc.want {
				t.Errorf("kind %v, want %v: %v", k, tc.want, got[0])
			}
			msg, hint := fault.MessageIn(got[0], "ko")
			if tc.want == fault.Network && (!strings.Contains(msg, "AMD KDS") || strings.Contains(msg, "오류 원문") || !strings.Contains(hint, "VCEK 인증서를 넘깁니다")) {
				t.Errorf("Korean message %q, hint %q", msg, hint)
			}
			if _, hint := fault.MessageIn(got[0], "en"); tc.want == fault.Network && !strings.Contains(hint, "kdsintf.amd.com") {
				t.Errorf("English hint %q", hint)
			}
		})
	}
}
