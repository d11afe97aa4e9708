package eventlog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// SystemPath is where Linux exposes the firmware event log of the first TPM.
const SystemPath = "/sys/kernel/security/tpm0/binary_bios_measurements"

// ReadSystem reads this machine's event log of the current boot: from securityfs on Linux,
// through TBS's Tbsi_Get_TCG_Log on Windows (system_windows.go). Errors are fault.Device
// with a hint saying what to do.
func ReadSystem() ([]byte, error) {
	return readSystem()
}

func readLog(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	return classify(path, raw, err)
}

// classify turns a read result into a classified error with advice.
func classify(path string, raw []byte, err error) ([]byte, error) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		securityfs := filepath.Dir(filepath.Dir(path))
		if entries, _ := os.ReadDir(securityfs); len(entries) == 0 {
			return nil, fault.WithHint(fault.Device, fmt.Errorf("no TPM event log at %s: securityfs is not mounted at %s", path, securityfs),
				"mount it with 'mount -t securityfs securityfs "+securityfs+"' (containers need it bind-mounted), or pass a log file")
		}
		return nil, fault.WithHint(fault.Device, fmt.Errorf("no TPM event log at %s: this machine has no TPM, or its firmware published no log", path),
			"run on a VM with a (v)TPM, or pass a saved log file")
	case errors.Is(err, fs.ErrPermission):
		return nil, fault.WithHint(fault.Device, fmt.Errorf("reading the TPM event log %s: permission denied", path),
			fault.RootHint(path))
	case err != nil:
		return nil, fault.WithHint(fault.Device, fmt.Errorf("reading the TPM event log %s: %w", path, err), "check that the TPM driver is loaded")
	case len(raw) == 0:
		return nil, fault.WithHint(fault.Device, fmt.Errorf("the TPM event log %s is empty", path),
			"the firmware recorded no measurements; check that the TPM is enabled in the firmware settings")
	}
	return raw, nil
}
