//go:build !linux && !windows

package tpm

import (
	"errors"
	"runtime"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// openDevice: TPM device paths are Linux's. Elsewhere (macOS, the BSDs; Windows has
// device_windows.go) a TPM is reached over TCP; the files a VM produced can be read with inspect.
func openDevice(path string) (*TPM, error) {
	return nil, fault.Korean(fault.WithHint(fault.Device, errors.New("TPM device "+path+": this build for "+runtime.GOOS+" opens no TPM devices, only TPMs over TCP"),
		"pass --tpm tcp://HOST:PORT (swtpm) or mssim://HOST:PORT, or run cvmscope on the Linux CVM and read its saved evidence here with cvmscope inspect"),
		"TPM 장치 "+path+": 이 "+runtime.GOOS+"용 빌드는 TPM 장치를 열지 않고 TCP로 연결된 TPM만 씁니다",
		"--tpm tcp://HOST:PORT(swtpm)나 mssim://HOST:PORT를 넘기거나, Linux CVM에서 cvmscope를 실행해 저장한 증거를 여기서 cvmscope inspect로 읽습니다")
}
