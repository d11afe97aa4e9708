package tpm

import (
	"errors"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2/transport/linuxtpm"
)

// openDevice opens a Linux TPM character device (/dev/tpmrm0, /dev/tpm0).
func openDevice(path string) (*TPM, error) {
	if path == TargetTBS {
		return nil, fault.Korean(fault.WithHint(fault.Internal, errors.New("--tpm tbs is Windows' TPM Base Services; Linux reaches its TPM through /dev/tpmrm0"),
			"pass --tpm auto or /dev/tpmrm0"),
			"--tpm tbs는 Windows의 TPM 기본 서비스입니다. Linux는 /dev/tpmrm0로 TPM을 엽니다", "--tpm auto나 /dev/tpmrm0을 넘깁니다")
	}
	tr, err := linuxtpm.Open(path)
	if err != nil {
		return nil, deviceError(path, err)
	}
	return Wrap(tr, path), nil
}
