package maaemu

import (
	"testing"

	"github.com/cvmscope/cvmscope/attestation/tdx"
)

// TestTDXCollateralAskedOnlyForTDQuotes: the emulator asks for its Intel collateral when
// it judges a TD quote's TCB, and not for a SEV-SNP or Trusted Launch request.
func TestTDXCollateralAskedOnlyForTDQuotes(t *testing.T) {
	for _, tc := range []struct {
		tee  string
		want int
	}{{"sevsnp", 0}, {"trustedlaunch", 0}, {"tdx", 1}} {
		t.Run(tc.tee, func(t *testing.T) {
			c := newCVM(t, tc.tee, true, false)
			cfg := withAnchors(t, Config{})
			made, asked := cfg.Anchors.TDXCollateral, 0
			cfg.Anchors.TDXCollateral = func() *tdx.Collateral {
				asked++
				return made()
			}
			s, err := Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, _, err := c.attestGuest(t, s, c.guestBody(t)); err != nil {
				t.Fatalf("attest: %v", err)
			}
			if asked != tc.want {
				t.Errorf("collateral asked for %d times, want %d", asked, tc.want)
			}
		})
	}
}
