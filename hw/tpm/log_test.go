package tpm

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

type echoTPM struct{}

// Send answers every command with a bare TPM_RC_SUCCESS header.
func (echoTPM) Send([]byte) ([]byte, error) {
	return []byte{0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0}, nil
}

// TestLoggingOnlyWhenDebug: -v (Debug) shows each command by name and response code; at
// the default level nothing is logged.
func TestLoggingOnlyWhenDebug(t *testing.T) {
	cmd := []byte{0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x7E} // TPM2_PCR_Read
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		var buf bytes.Buffer
		tr := NewLogging(echoTPM{}, slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))
		if _, err := tr.Send(cmd); err != nil {
			t.Fatal(err)
		}
		got := buf.String()
		if level == slog.LevelDebug && (!strings.Contains(got, "cmd=TPM2_PCR_Read") || !strings.Contains(got, "rc_name=TPM_RC_SUCCESS")) {
			t.Errorf("at Debug the log is %q, want the command and its response code", got)
		}
		if level == slog.LevelInfo && got != "" {
			t.Errorf("at Info the log is %q, want nothing", got)
		}
	}
}
