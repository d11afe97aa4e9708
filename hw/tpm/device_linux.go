package tpm

import "github.com/google/go-tpm/tpm2/transport/linuxtpm"

// openDevice opens a Linux TPM character device (/dev/tpmrm0, /dev/tpm0).
func openDevice(path string) (*TPM, error) {
	tr, err := linuxtpm.Open(path)
	if err != nil {
		return nil, deviceError(path, err)
	}
	return Wrap(tr, path), nil
}
