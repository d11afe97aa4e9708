package imds

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// VCEKCerts is THIM's answer for this host's AMD chip (protocol §3.1).
type VCEKCerts struct {
	// VCEK is the PEM VCEK certificate.
	VCEK string
	// Chain is the PEM ASK then ARK.
	Chain string
	// TCBM is the reported TCB the VCEK was issued for, 16 hex digits.
	TCBM         string
	CacheControl string
}

// VcekCertChain is the evidence value MAA wants: the two PEM strings concatenated with no
// separator, as every reference client sends it.
func (v *VCEKCerts) VcekCertChain() string { return v.VCEK + v.Chain }

const thimPath = "/metadata/THIM/amd/certification"

// THIMCertification fetches the VCEK and its chain from THIM.
func (c *Client) THIMCertification(ctx context.Context) (*VCEKCerts, error) {
	b, err := c.do(ctx, "GET", thimPath, nil, nil)
	if err != nil {
		return nil, err
	}
	return parseVCEKCerts(b)
}

// parseVCEKCerts reads THIM's JSON answer; the PEM inside is parsed by whoever uses it.
func parseVCEKCerts(b []byte) (*VCEKCerts, error) {
	var raw struct {
		VcekCert         string `json:"vcekCert"`
		TCBM             string `json:"tcbm"`
		CertificateChain string `json:"certificateChain"`
		CacheControl     string `json:"cacheControl"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fault.WithHint(fault.Network, fmt.Errorf("IMDS %s: answer is not JSON: %v", thimPath, err),
			"THIM should answer JSON with vcekCert and certificateChain; try again")
	}
	switch {
	case raw.VcekCert == "":
		return nil, fault.WithHint(fault.Network, fmt.Errorf("IMDS %s: empty vcekCert in THIM's answer", thimPath),
			"THIM has no VCEK for this host yet (or this is not a SEV-SNP CVM); retry later or fetch it from AMD KDS")
	case raw.CertificateChain == "":
		return nil, fault.WithHint(fault.Network, fmt.Errorf("IMDS %s: empty certificateChain in THIM's answer", thimPath),
			"THIM returned a VCEK without its ASK/ARK chain; retry later or fetch the chain from AMD KDS")
	}
	return &VCEKCerts{VCEK: raw.VcekCert, Chain: raw.CertificateChain, TCBM: raw.TCBM, CacheControl: raw.CacheControl}, nil
}
