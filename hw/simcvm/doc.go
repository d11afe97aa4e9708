// Package simcvm simulates an Azure confidential VM on any TPM 2.0: go-tpm-tools' embedded
// simulator or swtpm.
//
// Provision makes the TPM look like an Azure vTPM (protocol §1): an EK at 0x81010001, an AK
// at 0x81000003 with its certificate from a simulated vTPM CA in NV 0x01C101D0, NV
// 0x01400002 for user data, and SHA-1, SHA-256 and SHA-384 PCRs extended from a generated TCG2 event log that
// replays exactly. The returned CVM's Transport() puts a simulated paravisor in front of the
// TPM that answers NV 0x01400001 itself with an HCL report holding an SEV-SNP report signed
// by a simulated VCEK, or a TDX TDREPORT; a Trusted Launch VM has no such index.
//
// The paravisor owns the report index because stock TPMs cap NV indices at 2048 bytes
// (TPM_PT_NV_INDEX_MAX) while Azure's is 2600, and because Azure's paravisor owns it too.
// Whenever NV 0x01400002 changed, the next read of the report at offset 0 (or its
// NV_ReadPublic) regenerates it with the new user data bound into REPORT_DATA.
//
// Everything derives from a seed, so a seed gives byte-identical reports for golden tests;
// every simulated root names itself SIMULATED.
package simcvm
