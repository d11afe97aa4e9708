package tpm

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// logging shows every command at Debug level; this is what -v prints.
type logging struct {
	next transport.TPM
	// log is nil to mean slog.Default() at the time of each command, so that turning
	// on -v after opening still works.
	log *slog.Logger
}

// NewLogging wraps a transport so that each command's name and response code are
// logged at Debug level to l (slog.Default() when l is nil).
func NewLogging(next transport.TPM, l *slog.Logger) transport.TPM {
	return &logging{next: next, log: l}
}

func (l *logging) Send(cmd []byte) ([]byte, error) {
	start := time.Now()
	rsp, err := l.next.Send(cmd)
	log := l.log
	if log == nil {
		log = slog.Default()
	}
	// Without -v nothing is written; the attributes (a Sprintf and a few allocations) would
	// be built for every command of every run only to be dropped.
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		return rsp, err
	}
	cc := uint32(0)
	if len(cmd) >= 10 {
		cc = binary.BigEndian.Uint32(cmd[6:10])
	}
	attrs := []any{"cmd", CommandName(cc), "in", len(cmd), "took", time.Since(start).Round(time.Microsecond)}
	switch {
	case err != nil:
		log.Debug("tpm command", append(attrs, "error", err)...)
	case len(rsp) >= 10:
		rc := tpm2.TPMRC(binary.BigEndian.Uint32(rsp[6:10]))
		name := "TPM_RC_SUCCESS"
		if rc != tpm2.TPMRCSuccess {
			name = rcName(rc)
		}
		log.Debug("tpm command", append(attrs, "rc", fmt.Sprintf("0x%x", uint32(rc)), "rc_name", name, "out", len(rsp))...)
	default:
		log.Debug("tpm command", append(attrs, "error", "short response", "out", len(rsp))...)
	}
	return rsp, err
}

// commandNames has the commands cvmscope sends and the ones tools around it commonly do.
// Built on first use, not at init: only logging and error messages name a command.
var commandNames = sync.OnceValue(func() map[tpm2.TPMCC]string {
	return map[tpm2.TPMCC]string{
		tpm2.TPMCCStartup:            "TPM2_Startup",
		tpm2.TPMCCShutdown:           "TPM2_Shutdown",
		tpm2.TPMCCSelfTest:           "TPM2_SelfTest",
		tpm2.TPMCCGetCapability:      "TPM2_GetCapability",
		tpm2.TPMCCGetRandom:          "TPM2_GetRandom",
		tpm2.TPMCCNVDefineSpace:      "TPM2_NV_DefineSpace",
		tpm2.TPMCCNVUndefineSpace:    "TPM2_NV_UndefineSpace",
		tpm2.TPMCCNVReadPublic:       "TPM2_NV_ReadPublic",
		tpm2.TPMCCNVRead:             "TPM2_NV_Read",
		tpm2.TPMCCNVWrite:            "TPM2_NV_Write",
		tpm2.TPMCCNVCertify:          "TPM2_NV_Certify",
		tpm2.TPMCCPCRRead:            "TPM2_PCR_Read",
		tpm2.TPMCCPCRExtend:          "TPM2_PCR_Extend",
		tpm2.TPMCCQuote:              "TPM2_Quote",
		tpm2.TPMCCCertify:            "TPM2_Certify",
		tpm2.TPMCCReadPublic:         "TPM2_ReadPublic",
		tpm2.TPMCCCreatePrimary:      "TPM2_CreatePrimary",
		tpm2.TPMCCCreate:             "TPM2_Create",
		tpm2.TPMCCCreateLoaded:       "TPM2_CreateLoaded",
		tpm2.TPMCCLoad:               "TPM2_Load",
		tpm2.TPMCCLoadExternal:       "TPM2_LoadExternal",
		tpm2.TPMCCFlushContext:       "TPM2_FlushContext",
		tpm2.TPMCCEvictControl:       "TPM2_EvictControl",
		tpm2.TPMCCStartAuthSession:   "TPM2_StartAuthSession",
		tpm2.TPMCCPolicyPCR:          "TPM2_PolicyPCR",
		tpm2.TPMCCPolicySecret:       "TPM2_PolicySecret",
		tpm2.TPMCCPolicyGetDigest:    "TPM2_PolicyGetDigest",
		tpm2.TPMCCPolicyCommandCode:  "TPM2_PolicyCommandCode",
		tpm2.TPMCCPolicyAuthValue:    "TPM2_PolicyAuthValue",
		tpm2.TPMCCPolicyPassword:     "TPM2_PolicyPassword",
		tpm2.TPMCCPolicyOR:           "TPM2_PolicyOR",
		tpm2.TPMCCRSADecrypt:         "TPM2_RSA_Decrypt",
		tpm2.TPMCCSign:               "TPM2_Sign",
		tpm2.TPMCCVerifySignature:    "TPM2_VerifySignature",
		tpm2.TPMCCActivateCredential: "TPM2_ActivateCredential",
		tpm2.TPMCCUnseal:             "TPM2_Unseal",
		tpm2.TPMCCHash:               "TPM2_Hash",
		tpm2.TPMCCContextSave:        "TPM2_ContextSave",
		tpm2.TPMCCContextLoad:        "TPM2_ContextLoad",
		tpm2.TPMCCReadClock:          "TPM2_ReadClock",
		tpm2.TPMCCClear:              "TPM2_Clear",
	}
})

// CommandName is the TCG name of a command code, e.g. "TPM2_NV_Read".
func CommandName(cc uint32) string {
	if n, ok := commandNames()[tpm2.TPMCC(cc)]; ok {
		return n
	}
	return fmt.Sprintf("TPM_CC 0x%x", cc)
}
