package verify

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/google/go-sev-guest/verify/trust"
)

// TestKDSBadAnswerNotCached: a KDS answer that is not what its path asks for (a proxy's page
// where the ASK/ARK chain belongs) fails the fetch, says so, and is asked for again by the
// next run instead of being served from the cache for an hour.
func TestKDSBadAnswerNotCached(t *testing.T) {
	trust.ClearProductCertCache()
	t.Cleanup(trust.ClearProductCertCache)
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>sign in to continue</html>"))
	})
	hclFile := filepath.Join(realdata.Dir(t), "azsnp-hcl-trustee-911b0ef8.bin")
	ctx := FetchOnce(context.Background()) // a cache of its own, not the process-wide one
	for range 2 {
		set, err := evidence.LoadFiles([]string{hclFile})
		if err != nil {
			t.Fatal(err)
		}
		r := Evidence(set, Options{AllowNetwork: true, KDSBaseURL: srv.URL, Context: ctx})
		if c := r.Checks.Find(snp.IDSignature); len(c) == 0 || c[0].Verdict != check.Skip || !strings.Contains(c[0].Summary, "AMD KDS failed") {
			t.Fatalf("snp.signature: %v", c)
		}
	}
	if n.Load() != 2 {
		t.Errorf("KDS asked %d times for two runs; a page that is no certificate chain must not be kept", n.Load())
	}
}
