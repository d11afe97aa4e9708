package tpm

import (
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TargetTBS is the --tpm target for Windows' TPM Base Services (tbs.dll), which is how every
// Windows program, Azure's attestation clients included, reaches the vTPM. "auto" means it
// on Windows.
const TargetTBS = "tbs"

// TBS result codes cvmscope explains (winerror.h TBS_E_*). They are listed here, not taken
// from go-tpm's tbs package, because that package only builds on Windows and the advice
// must be testable everywhere.
const (
	tbsServiceNotRunning uint32 = 0x80284008
	tbsTPMNotFound       uint32 = 0x8028400F
	tbsServiceDisabled   uint32 = 0x80284010
	tbsNoEventLog        uint32 = 0x80284011
	tbsAccessDenied      uint32 = 0x80284012
)

// tbsError explains a failed TBS call (op, e.g. "Tbsi_Context_Create") that returned code,
// err being what go-tpm said of it. A TBS failure never reached the TPM, so it is a device
// error with Windows-specific advice.
func tbsError(op string, code uint32, err error) error {
	e := &Error{Command: op, Target: TargetTBS, Code: fmt.Sprintf("0x%08X", code), err: err}
	switch code {
	case tbsTPMNotFound:
		e.Name, e.Meaning, e.MeaningKO = "TBS_E_TPM_NOT_FOUND", "Windows found no TPM 2.0", "Windows가 TPM 2.0을 찾지 못했습니다"
		e.Hint = "this VM has no vTPM: turn on vTPM (Trusted Launch or Confidential VM security type) in the VM's settings, or use the simulated CVM with --platform sim"
		e.HintKO = "이 VM에는 vTPM이 없습니다. VM 설정에서 vTPM(Trusted Launch 또는 Confidential VM 보안 유형)을 켜거나 --platform sim으로 시뮬레이션 CVM을 사용합니다"
	case tbsAccessDenied:
		e.Name, e.Meaning, e.MeaningKO = "TBS_E_ACCESS_DENIED", "TBS refused this user the TPM command", "TBS가 이 사용자에게 TPM 명령을 허용하지 않았습니다"
		e.Hint = "run cvmscope from a terminal opened with \"Run as administrator\" (writing NV 0x01400002 and reading the boot log need it)"
		e.HintKO = "\"관리자 권한으로 실행\"으로 연 터미널에서 cvmscope를 실행합니다(NV 0x01400002 쓰기와 부팅 로그 읽기에 필요합니다)"
	case tbsServiceNotRunning, tbsServiceDisabled:
		e.Name, e.Meaning, e.MeaningKO = "TBS_E_SERVICE_NOT_RUNNING", "the TPM Base Services service (TBS) is not running", "TPM 기본 서비스(TBS)가 실행 중이 아닙니다"
		if code == tbsServiceDisabled {
			e.Name, e.Meaning, e.MeaningKO = "TBS_E_SERVICE_DISABLED", "the TPM Base Services service (TBS) is disabled", "TPM 기본 서비스(TBS)가 사용 안 함으로 설정되어 있습니다"
		}
		e.Hint = "start it as administrator: sc.exe config TBS start= auto, then sc.exe start TBS"
		e.HintKO = "관리자 권한으로 서비스를 시작합니다: sc.exe config TBS start= auto 다음에 sc.exe start TBS"
	case tbsNoEventLog:
		e.Name, e.Meaning, e.MeaningKO = "TBS_E_NO_EVENT_LOG", "Windows has no TCG log of this boot", "Windows에 이번 부팅의 TCG 로그가 없습니다"
		e.Hint = `pass a saved log with --event-log, e.g. the newest C:\Windows\Logs\MeasuredBoot\*.log`
		e.HintKO = `--event-log로 저장된 로그를 넘깁니다. 예: 가장 최근의 C:\Windows\Logs\MeasuredBoot\*.log`
	default:
		e.Name, e.Meaning = "TBS_ERROR", err.Error()
		e.MeaningKO = "TBS 호출이 실패했습니다 (" + err.Error() + ")"
		e.Hint = "check that the TPM shows as ready in tpm.msc, then retry as administrator"
		e.HintKO = "tpm.msc에서 TPM이 준비됨으로 표시되는지 확인한 뒤 관리자 권한으로 다시 실행합니다"
	}
	return e.fault(fault.Device)
}
