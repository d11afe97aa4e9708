package imdsemu

import (
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// FromCVM is the Config that makes the emulator answer as IMDS answers inside c: its VM id,
// TEE and VM size, its VCEK chain (SEV-SNP) or its TD quote service (TDX), and THIM
// endorsing its paravisor MRTD (TDX). Change the result to stage other cases (another
// location, an unendorsed MRTD, faults).
func FromCVM(c *simcvm.CVM) (Config, error) {
	cfg := Config{TEE: c.TEE(), VMID: c.VMID(), SecureBoot: true}
	// Secure Boot is in the runtime claims the paravisor serves; Trusted Launch has no
	// report and keeps the default (on, as simcvm.DefaultOptions).
	if rep := c.Report(); len(rep) > 0 {
		parsed, err := hcl.Parse(rep)
		if err != nil {
			return Config{}, fmt.Errorf("IMDS emulator: the CVM's HCL report: %w", err)
		}
		if rc := parsed.RuntimeClaims; rc != nil && rc.VMConfig.SecureBoot != nil {
			cfg.SecureBoot = *rc.VMConfig.SecureBoot
		}
	}
	switch c.TEE() {
	case simcvm.TEESEVSNP:
		vcek, chain := c.VCEKChain()
		cfg.VCEKCert, cfg.CertChain = string(vcek), string(chain)
		cfg.TCBM = fmt.Sprintf("%016X", c.AMD().ReportedTCB)
	case simcvm.TEETDX:
		cfg.TDX = c.TDX()
		mrtd := c.MRTD()
		cfg.MRTDs = [][]byte{mrtd[:]}
		en, err := simroots.NewEndorser(c.Seed())
		if err != nil {
			return Config{}, fmt.Errorf("IMDS emulator: simulated paravisor endorser: %w", err)
		}
		cfg.Endorser = en
		cfg.EndorsementSVN = 1
	}
	return cfg, nil
}
