// Package tdx parses and verifies Intel TDX evidence as it appears on Azure TDX
// confidential VMs: the 1024-byte TDREPORT inside the HCL report, the DCAP TD quote (v4)
// that IMDS makes from it, and Intel's signed TCB collateral that judges the quote's TCB.
//
// On Azure the trust domain belongs to the paravisor (the HCL), not to the guest OS: MRTD
// and RTMR0..3 measure Microsoft's paravisor image and its configuration, and the guest's
// own boot measurements live only in the vTPM PCRs. Field notes say so, so that nobody
// compares a guest kernel hash with an RTMR.
//
// Verification is offline by default. Three checks come out of it, each naming its scope:
//
//	tdx.quote.signature      quote signature, QE report signature and binding, PCK chain to the root
//	tdx.quote.matches-report quote body == TDREPORT from the HCL report, field by field
//	tdx.tcb                  TCB level and status from Intel's signed TCB info and QE identity
//
// The DCAP primitives come from github.com/google/go-tdx-guest (abi, verify, pcs). Its
// verifier only obtains collateral over HTTP from Intel PCS, so the collateral evaluation
// here is this package's own, following Intel's TCB-level matching rules.
package tdx
