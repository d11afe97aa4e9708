// Package tpm talks to the vTPM of an Azure Confidential VM or Trusted Launch VM, or to a
// stand-in (swtpm over TCP, the Microsoft simulator protocol, or go-tpm-tools' embedded
// simulator), with go-tpm's tpm2 API.
//
// It reads the Azure NV indices (HCL report, user data, AK certificate), PCRs and keys,
// makes quotes, and makes the AK-certified, PCR-bound ephemeral key that MAA encrypts
// its AzureGuest response to, and decrypts with it. Every failure is an *Error naming
// the command and TPM response code with what it means and what to do, wrapped as a
// fault.Device error (fault.Verification when the ciphertext given is at fault). Every
// command is logged at Debug level through log/slog.
package tpm

// Azure-reserved handles and NV indices (azure-protocol.md §1.2).
const (
	// NVHCLReport holds the HCL attestation report (2600 bytes on CVMs; absent on
	// Trusted Launch VMs).
	NVHCLReport uint32 = 0x01400001
	// NVUserData is the 64-byte index whose content the paravisor puts into the next
	// report's runtime claims as "user-data".
	NVUserData uint32 = 0x01400002
	// NVAKCert holds the vTPM AK certificate (DER, zero-padded).
	NVAKCert uint32 = 0x01C101D0
	// NVEKCert, NVEKNonce and NVEKTemplate are the TCG default EK indices.
	NVEKCert     uint32 = 0x01C00002
	NVEKNonce    uint32 = 0x01C00003
	NVEKTemplate uint32 = 0x01C00004

	// HandleAK is the persistent vTPM attestation key (RSA-2048 restricted signing).
	HandleAK uint32 = 0x81000003
	// HandleEK is where the Azure client library persists the EK.
	HandleEK uint32 = 0x81010001
	// HandleSRK is the storage root key's persistent handle.
	HandleSRK uint32 = 0x81000001

	// UserDataSize is the size of NVUserData.
	UserDataSize = 64
	// PCRCount is the number of PCRs in a PC-client TPM bank.
	PCRCount = 24
)
