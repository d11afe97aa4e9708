package maaemu

import (
	"strings"

	"github.com/cvmscope/cvmscope/attestation/verify"
)

// IncomingClaims are the claims the emulator derives from evidence before a policy runs,
// built by the same code as its tokens, so `cvmscope policy check` can run a policy over
// evidence files. res is what verify.Evidence made of them. kind is the endpoint the
// claims are shaped for: AzureGuest when there is TPM evidence (a quote or an event log),
// else SevSnpVm or TdxVm; "" when the evidence holds no report. Claims only a request
// carries (time, keys, OS, client payload) are left out.
func IncomingClaims(res *verify.Result) (kind string, claims map[string]any) {
	var runtime []byte
	if res.HCL != nil {
		runtime = res.HCL.Claims
	}
	var tee map[string]any
	switch {
	case res.SNP != nil:
		tee = snpClaims(res.SNP)
		tee["x-ms-attestation-type"], kind = "sevsnpvm", "SevSnpVm"
	case res.TDQuote != nil:
		tee = tdxClaims(res.TDQuote)
		tee["x-ms-attestation-type"], kind = "tdxvm", "TdxVm"
	}
	if res.Attest == nil && res.Log == nil {
		if tee != nil {
			addRuntime(tee, runtime)
		}
		return kind, tee
	}
	c := bootClaims(res.Log, replayedPCRs(res.Checks))
	c["x-ms-attestation-type"] = "azurevm"
	if res.Claims != nil && res.Claims.VMConfig.VMUniqueID != "" {
		c["x-ms-azurevm-vmid"] = strings.ToUpper(res.Claims.VMConfig.VMUniqueID)
	}
	if tee != nil {
		addRuntime(tee, runtime)
		c["x-ms-isolation-tee"] = tee
	}
	return "AzureGuest", c
}
