//go:build windows

package tpm

import (
	"errors"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpm2/transport/windowstpm"
	"github.com/google/go-tpm/tpmutil/tbs"
)

// DefaultDevices are tried in order by the "auto" target. Windows has no TPM device files:
// TBS is the one way in, as for Azure's own clients.
var DefaultDevices = []string{TargetTBS}

// openDevice opens the TPM through TBS (go-tpm's windowstpm transport). A device path is
// Linux's and means nothing here.
func openDevice(path string) (*TPM, error) {
	if path != TargetTBS {
		return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("TPM device %s: Windows has no TPM device files; its TPM is reached through TBS", path),
			"pass --tpm tbs (or auto), or tcp://HOST:PORT for a TPM over TCP"),
			"TPM 장치 "+path+": Windows에는 TPM 장치 파일이 없습니다. TPM은 TBS를 통해 엽니다",
			"--tpm tbs(또는 auto)나 TCP로 연결된 TPM이면 tcp://HOST:PORT를 넘깁니다")
	}
	tr, err := windowstpm.Open()
	if err != nil {
		if tr != nil {
			tr.Close()
		}
		var code tbs.Error
		if errors.As(err, &code) {
			return nil, tbsError("Tbsi_Context_Create", uint32(code), err)
		}
		if errors.Is(err, windowstpm.ErrNotTPM20) {
			return nil, tbsError("Tbsi_GetDeviceInfo", tbsTPMNotFound, err)
		}
		return nil, tbsError("Tbsi_Context_Create", 0, err)
	}
	return Wrap(tbsTransport{tr}, "TPM Base Services (tbs.dll)").SetDescKO("TPM 기본 서비스(tbs.dll)"), nil
}

// tbsTransport explains the TBS errors of a command (a command TBS blocks for a standard
// user fails with TBS_E_ACCESS_DENIED before it reaches the TPM).
type tbsTransport struct{ tr transport.TPMCloser }

func (t tbsTransport) Send(cmd []byte) ([]byte, error) {
	rsp, err := t.tr.Send(cmd)
	var code tbs.Error
	if err != nil && errors.As(err, &code) {
		return rsp, tbsError("Tbsip_Submit_Command", uint32(code), err)
	}
	return rsp, err
}

func (t tbsTransport) Close() error { return t.tr.Close() }

// Detect says whether this machine has a TPM 2.0 to open, the target for it, and what was
// found in English and Korean (with its object particle): TBS reports one.
func Detect() (target, found, foundKO string, ok bool) {
	info, err := tbs.GetDeviceInfo()
	if err != nil || info.TPMVersion != tbs.TPMVersion20 {
		return "", "", "", false
	}
	return TargetTBS, "a TPM 2.0 through TBS", "TBS를 통한 TPM 2.0을", true
}
