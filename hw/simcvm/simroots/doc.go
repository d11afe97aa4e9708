// Package simroots provides the simulated hardware roots of trust and hardware reports
// for cvmscope's simulated Azure Confidential VM.
//
// It builds, with real cryptography, everything a real Azure CVM's paravisor and Azure's
// services would hand a guest: an AMD-shaped ARK → ASK → VCEK chain and SEV-SNP reports
// signed by that VCEK (they verify with go-sev-guest when the simulated ARK/ASK is trusted),
// Intel TDX TDREPORTs MAC'd with a simulated report key, a vTPM CA that issues the AK
// certificate, and an MAA token-signing key.
//
// Nothing here is a vendor's: every certificate names itself SIMULATED in its subject
// (see [RootLabel], [LeafLabel] and [IsSimulated]), and a report signed here fails against
// AMD's real roots. The RSA keys of the roots are fixed test keys embedded from
// simulated_test_keys/; per-machine material (VCEK key, chip ID, TDX report key) is derived
// from a seed, so the same seed always gives byte-identical certificates and reports.
package simroots
