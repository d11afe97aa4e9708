package eventlog

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

func TestReadLogErrors(t *testing.T) {
	dir := t.TempDir()
	unmounted := filepath.Join(dir, "security")
	if err := os.Mkdir(unmounted, 0o755); err != nil {
		t.Fatal(err)
	}
	mounted := filepath.Join(dir, "mounted")
	if err := os.MkdirAll(filepath.Join(mounted, "ima"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.bin")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want, hint string
	}{
		{filepath.Join(unmounted, "tpm0", "binary_bios_measurements"), "securityfs is not mounted", "mount -t securityfs"},
		{filepath.Join(mounted, "tpm0", "binary_bios_measurements"), "no TPM", "(v)TPM"},
		{empty, "is empty", "TPM is enabled"},
	}
	for _, tc := range tests {
		_, err := readLog(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(fault.HintOf(err), tc.hint) {
			t.Errorf("%s: %v (hint %q), want %q / hint %q", tc.path, err, fault.HintOf(err), tc.want, tc.hint)
		}
		if fault.KindOf(err) != fault.Device || fault.ExitCode(err) != 4 {
			t.Errorf("%s: kind %v, want device (exit 4)", tc.path, fault.KindOf(err))
		}
	}
}

func TestReadLogPermissionDenied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "binary_bios_measurements")
	if err := os.WriteFile(path, []byte{1}, 0o000); err != nil {
		t.Fatal(err)
	}
	_, err := readLog(path)
	if os.Geteuid() == 0 {
		// root reads mode-000 files, so check the classification on the error the
		// kernel gives an unprivileged reader.
		_, err = classify(path, nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	}
	old := fault.Euid
	defer func() { fault.Euid = old }()
	fault.Euid = func() int { return 1000 }
	_, err = classify(path, nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	if err == nil || !strings.Contains(fault.HintOf(err), "run cvmscope with sudo") || fault.KindOf(err) != fault.Device {
		t.Errorf("permission: %v (hint %q)", err, fault.HintOf(err))
	}
	fault.Euid = func() int { return 0 }
	_, err = classify(path, nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	if h := fault.HintOf(err); strings.Contains(h, "sudo") || !strings.Contains(h, "already runs as root") {
		t.Errorf("permission as root: hint %q tells root to run as root", h)
	}
}

func TestReadSystemOnThisMachine(t *testing.T) {
	raw, err := ReadSystem()
	if err != nil {
		if fault.KindOf(err) != fault.Device {
			t.Errorf("kind %v: %v", fault.KindOf(err), err)
		}
		t.Skipf("no event log here: %v", err)
	}
	if _, err := Parse(raw); err != nil {
		t.Errorf("this machine's log does not parse: %v", err)
	}
}
