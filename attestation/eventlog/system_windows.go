//go:build windows

package eventlog

import (
	"errors"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpmutil/tbs"
)

// SystemSource names where ReadSystem reads the log, for messages.
const SystemSource = "TBS (Tbsi_Get_TCG_Log)"

// maxSystemLog bounds the buffer asked of TBS: a Windows boot log is tens to hundreds of KiB.
const maxSystemLog = 16 << 20

// readSystem asks TBS for the current boot's log (the WBCL: firmware events, then Windows
// boot manager's), as Azure's C++ client and go-attestation do: once for the size, once
// for the bytes.
func readSystem() ([]byte, error) {
	ctx, err := tbs.CreateContext(tbs.TPMVersion20, tbs.IncludeTPM20)
	if err != nil {
		return nil, tbsLogError(err)
	}
	defer ctx.Close()
	n, err := ctx.GetTCGLog(nil)
	if err != nil && !errors.Is(err, tbs.ErrInsufficientBuffer) {
		return nil, tbsLogError(err)
	}
	if n == 0 || n > maxSystemLog {
		return nil, fault.Korean(fault.WithHint(fault.Device, fmt.Errorf("TBS reports a boot log of %d bytes", n), archivedHint),
			fmt.Sprintf("TBS가 부팅 로그 크기를 %d바이트로 알렸습니다", n), archivedHintKO)
	}
	buf := make([]byte, n)
	n, err = ctx.GetTCGLog(buf)
	if err != nil {
		return nil, tbsLogError(err)
	}
	return buf[:n], nil
}

const (
	archivedHint   = `pass a saved log with --event-log, e.g. the newest C:\Windows\Logs\MeasuredBoot\*.log`
	archivedHintKO = `--event-log로 저장된 로그를 넘깁니다. 예: 가장 최근의 C:\Windows\Logs\MeasuredBoot\*.log`
)

func tbsLogError(err error) error {
	msg, msgKO := "reading the boot log through TBS: "+err.Error(), "TBS로 부팅 로그를 읽을 수 없습니다: "+err.Error()
	hint, hintKO := archivedHint, archivedHintKO
	if errors.Is(err, tbs.ErrAccessDenied) {
		hint = "run cvmscope from a terminal opened with \"Run as administrator\", or " + archivedHint
		hintKO = "\"관리자 권한으로 실행\"으로 연 터미널에서 cvmscope를 실행하거나, " + archivedHintKO
	}
	return fault.Korean(fault.WithHint(fault.Device, errors.New(msg), hint), msgKO, hintKO)
}
