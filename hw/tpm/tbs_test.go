package tpm

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TBS results are explained where the TPM is opened and where a command is refused; the
// advice is plain data, so it is checked here rather than only on a Windows VM.
func TestTBSErrorAdvice(t *testing.T) {
	for _, c := range []struct {
		code           uint32
		name, hint, ko string
	}{
		{tbsTPMNotFound, "TBS_E_TPM_NOT_FOUND", "turn on vTPM", "vTPM"},
		{tbsAccessDenied, "TBS_E_ACCESS_DENIED", "Run as administrator", "관리자 권한으로 실행"},
		{tbsServiceNotRunning, "TBS_E_SERVICE_NOT_RUNNING", "sc.exe start TBS", "sc.exe start TBS"},
		{tbsServiceDisabled, "TBS_E_SERVICE_DISABLED", "sc.exe config TBS start= auto", "서비스를 시작합니다"},
		{tbsNoEventLog, "TBS_E_NO_EVENT_LOG", `C:\Windows\Logs\MeasuredBoot`, "--event-log"},
		{0x80284006, "TBS_ERROR", "tpm.msc", "tpm.msc"},
	} {
		err := tbsError("Tbsi_Context_Create", c.code, errors.New("TBS Error"))
		if fault.KindOf(err) != fault.Device {
			t.Errorf("%s: kind %v, want device (exit 4)", c.name, fault.KindOf(err))
		}
		if !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), "Tbsi_Context_Create") {
			t.Errorf("%#x: %q does not name %s and the call", c.code, err, c.name)
		}
		if h := fault.HintOf(err); !strings.Contains(h, c.hint) {
			t.Errorf("%s: hint %q lacks %q", c.name, h, c.hint)
		}
		msg, hint := fault.MessageIn(err, "ko")
		if !strings.Contains(hint, c.ko) || !strings.Contains(msg, c.name) || msg == err.Error() {
			t.Errorf("%s in Korean: %q / %q", c.name, msg, hint)
		}
	}
}

func TestTBSTargetOffWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("tbs opens the real TPM on Windows")
	}
	_, err := Open(context.Background(), TargetTBS)
	if err == nil || !strings.Contains(err.Error(), "Windows") {
		t.Fatalf("Open(tbs) on %s: %v, want an error saying tbs is Windows'", runtime.GOOS, err)
	}
	if _, hint := fault.MessageIn(err, "en"); hint == "" {
		t.Errorf("no advice with %v", err)
	}
}

func TestDetectFindsOnlyExistingDevices(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows asks TBS")
	}
	saved := DefaultDevices
	defer func() { DefaultDevices = saved }()
	dir := t.TempDir()
	dev := dir + "/tpmrm0"
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	DefaultDevices = []string{dir + "/missing", dev}
	if target, found, ko, ok := Detect(); !ok || target != dev || found != dev || ko != dev+" 장치를" {
		t.Errorf("Detect = %q %q %q %v, want %s", target, found, ko, ok, dev)
	}
	DefaultDevices = []string{dir + "/missing"}
	if _, _, _, ok := Detect(); ok {
		t.Error("Detect found a device that does not exist")
	}
}
