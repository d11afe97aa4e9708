package tpm

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2"
)

// Error is a failed TPM operation, named and explained for a person. Every *Error
// returned by this package is wrapped in a fault.Device error carrying the same hint.
type Error struct {
	// Command is the TPM command or operation, e.g. "TPM2_NV_Read".
	Command string
	// Target is what the command acted on, e.g. "NV 0x01C101D0"; empty when none.
	Target string
	// Code is the response code as the TPM returned it, e.g. "0x18b"; empty for
	// device errors that never reached a TPM.
	Code string
	// Name is the TCG name of the code, e.g. "TPM_RC_HANDLE", or a cvmscope name such as
	// "NO_TPM_DEVICE".
	Name    string
	Meaning string
	Hint    string
	// MeaningKO and HintKO are Meaning and Hint in Korean. Empty ones are taken from the
	// explanation catalog by Name (attestation/explain), which holds both languages.
	MeaningKO, HintKO string
	err               error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Command)
	if e.Target != "" {
		b.WriteString(" " + e.Target)
	}
	b.WriteString(": ")
	b.WriteString(e.Name)
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.Meaning != "" {
		b.WriteString(": " + e.Meaning)
	}
	return b.String()
}

// fault classifies e as kind with its hint, in English and Korean.
func (e *Error) fault(kind fault.Kind) error {
	m, h := explain.TPMError(e.Name)
	meaning, hint := e.MeaningKO, e.HintKO
	if meaning == "" {
		meaning = m.KO
	}
	if meaning == "" {
		// A code the catalog does not know: go-tpm's English is the only meaning there is.
		meaning = "TPM이 이 응답 코드를 반환했습니다: " + e.Meaning
	}
	if hint == "" && e.Hint != "" {
		hint = h.KO
	}
	var b strings.Builder
	b.WriteString(e.Command)
	if e.Target != "" {
		b.WriteString(" " + e.Target)
	}
	b.WriteString(": " + e.Name)
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	b.WriteString(" — " + meaning)
	if ok, n := e.handle(); ok {
		fmt.Fprintf(&b, " (명령의 %d번째 핸들)", n)
	}
	return fault.Korean(fault.WithHint(kind, e, e.Hint), b.String(), hint)
}

func (e *Error) handle() (bool, int) {
	var rc tpm2.TPMRC
	if e.err == nil || !errors.As(e.err, &rc) {
		return false, 0
	}
	return handleOf(rc)
}

// Unwrap gives the underlying error, so errors.Is(err, tpm2.TPMRCHandle) keeps working.
func (e *Error) Unwrap() error { return e.err }

type explanation struct{ meaning, hint string }

// explanations is keyed by the canonical code (format-1 handle/parameter/session bits
// stripped), so 0x18b and 0x28b both find TPM_RC_HANDLE.
// Built on first use, not at init: only a failing TPM command reads it.
var explanations = sync.OnceValue(func() map[tpm2.TPMRC]explanation {
	return map[tpm2.TPMRC]explanation{
		tpm2.TPMRCNVUninitialized: {
			"the index exists but was never written — on Azure the AK certificate is not provisioned yet",
			"retry in a few minutes; `tpm2_nvreadpublic` shows the index without the written attribute"},
		tpm2.TPMRCHandle: {
			"the handle or NV index does not exist: this VM is not a Confidential VM or Trusted Launch VM, or 0x01400002 must be defined",
			"run on an Azure CVM or Trusted Launch size, or use the simulated CVM (--platform sim; --tpm sim alone is an empty TPM); cvmscope defines 0x01400002 itself when writing user data"},
		tpm2.TPMRCPolicyFail: {
			"a policy session's conditions were not met (for example PCR values changed since the key was bound to them)",
			"re-create the PCR-bound key and use it right away, before anything extends the PCRs"},
		tpm2.TPMRCPolicy: {
			"the authorization policy is malformed or does not match the object's authPolicy",
			"check that the key or index was created with the policy being satisfied"},
		tpm2.TPMRCPCRChanged: {
			"PCR values changed between the policy check and its use",
			"retry the operation"},
		tpm2.TPMRCLocality: {
			"the command is not allowed from this locality",
			"use the kernel resource manager /dev/tpmrm0; localities other than 0 are not reachable from user space"},
		tpm2.TPMRCNVLocked: {
			"the NV index is write- or read-locked until the next TPM reset",
			"the index was locked by firmware or another tool; it unlocks at reboot"},
		tpm2.TPMRCNVAuthorization: {
			"this kind of authorization is not allowed for the NV index (e.g. owner auth on an index without OWNERREAD)",
			"read it with the authorization its attributes allow (`tpm2_nvreadpublic` lists them)"},
		tpm2.TPMRCAuthFail: {
			"the authorization value (password or HMAC) is wrong",
			"cvmscope uses the empty owner password Azure sets; if the owner hierarchy has a password, clear it or use a VM where it is empty"},
		tpm2.TPMRCBadAuth: {
			"the authorization value is wrong for an entity without dictionary-attack protection",
			"check the password of the object or hierarchy"},
		tpm2.TPMRCLockout: {
			"the TPM is in dictionary-attack lockout after repeated authorization failures",
			"wait for the lockout to expire or reset it with the lockout authorization"},
		tpm2.TPMRCAuthMissing: {
			"the command needs an authorization session and none was given",
			"this is a cvmscope bug; please report it with the -v log"},
		tpm2.TPMRCNVRange: {
			"offset plus size is beyond the end of the NV index",
			"read no more than the size tpm2_nvreadpublic reports"},
		tpm2.TPMRCNVSize: {
			"the requested NV size is larger than the TPM allows",
			"this TPM's TPM_PT_NV_INDEX_MAX is smaller than the index needs"},
		tpm2.TPMRCNVSpace: {
			"the TPM has no room left for another NV index",
			"undefine an unused index"},
		tpm2.TPMRCNVDefined: {
			"the NV index is already defined",
			"use the existing index or undefine it first"},
		tpm2.TPMRCSize: {
			"a size is out of range for this TPM (for example an NV index larger than TPM_PT_NV_INDEX_MAX)",
			"use a smaller size; swtpm and the embedded simulator allow 2048-byte NV indices"},
		tpm2.TPMRCValue: {"a parameter value is out of range", "check the value named in the command"},
		tpm2.TPMRCAttributes: {
			"the object or NV attributes do not allow this use (e.g. quoting with a key that is not a signing key)",
			"check the key's attributes with tpm2_readpublic"},
		tpm2.TPMRCScheme: {
			"the signing scheme is not allowed for this key",
			"the AK must be a restricted RSASSA-SHA256 signing key"},
		tpm2.TPMRCKey: {"the key is not usable for this operation", "check the key type and attributes"},
		tpm2.TPMRCHierarchy: {
			"the hierarchy is disabled or not allowed here",
			"enable the hierarchy in the firmware TPM settings"},
		tpm2.TPMRCCommandCode: {
			"the TPM does not implement this command",
			"this TPM is too old or restricted for the operation"},
		tpm2.TPMRCInitialize: {
			"the TPM has not received TPM2_Startup",
			"start swtpm with --flags startup-clear, or run tpm2_startup -c"},
		tpm2.TPMRCFailure: {
			"the TPM is in failure mode and accepts no commands",
			"reboot the VM (or restart the simulator)"},
		tpm2.TPMRCRetry:         {"the TPM was busy", "retry the command"},
		tpm2.TPMRCNVRate:        {"NV writes are rate-limited right now", "wait a moment and retry"},
		tpm2.TPMRCNVUnavailable: {"NV memory is temporarily unavailable", "wait a moment and retry"},
		tpm2.TPMRCTesting:       {"the TPM is running its self test", "retry in a moment"},
		tpm2.TPMRCObjectMemory: {
			"the TPM is out of object slots",
			"use /dev/tpmrm0 so that the kernel flushes objects, or flush them with tpm2_flushcontext -t"},
		tpm2.TPMRCSessionMemory: {
			"the TPM is out of session slots",
			"use /dev/tpmrm0, or flush sessions with tpm2_flushcontext -s"},
	}
})

// canonical strips the handle/parameter/session number from a format-1 code.
func canonical(rc tpm2.TPMRC) tpm2.TPMRC {
	var f1 tpm2.TPMFmt1Error
	if rc.As(&f1) {
		for c := range explanations() {
			if rc.Is(c) {
				return c
			}
		}
		// Unknown format-1 code: drop the number bits the same way go-tpm does.
		if rc&0x040 != 0 {
			return (rc &^ 0x040) & 0xFFFFF0FF
		}
		return (rc &^ 0x800) & 0xFFFFF0FF
	}
	return rc
}

// rcName is the TCG name of a code, taken from go-tpm's message ("TPM_RC_X: ..." or
// "TPM_RC_X (handle 1): ...").
func rcName(rc tpm2.TPMRC) string {
	s := rc.Error()
	if i := strings.IndexAny(s, " :"); i > 0 && strings.HasPrefix(s, "TPM_RC_") {
		return s[:i]
	}
	return fmt.Sprintf("TPM_RC 0x%x", uint32(rc))
}

// newRCError explains a response code from a command.
func newRCError(command, target string, rc tpm2.TPMRC) *Error {
	e := &Error{Command: command, Target: target, Code: fmt.Sprintf("0x%x", uint32(rc)),
		Name: rcName(rc), err: rc}
	if ex, ok := explanations()[canonical(rc)]; ok {
		e.Meaning, e.Hint = ex.meaning, ex.hint
	} else {
		e.Meaning = rc.Error()
		if i := strings.Index(e.Meaning, ": "); i > 0 {
			e.Meaning = e.Meaning[i+2:]
		}
	}
	if ok, n := handleOf(rc); ok {
		e.Meaning += fmt.Sprintf(" (handle %d of the command)", n)
	}
	return e
}

func handleOf(rc tpm2.TPMRC) (bool, int) {
	var f1 tpm2.TPMFmt1Error
	if !rc.As(&f1) {
		return false, 0
	}
	return f1.Handle()
}

// commandError turns whatever a command returned into a classified, explained error.
func commandError(command, target string, err error) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	var rc tpm2.TPMRC
	if errors.As(err, &rc) {
		return newRCError(command, target, rc).fault(fault.Device)
	}
	e := &Error{Command: command, Target: target, Name: "TRANSPORT_ERROR",
		Meaning: err.Error(), Hint: "the connection to the TPM failed; check the --tpm target and that the TPM (or swtpm) is running", err: err,
		MeaningKO: "TPM과의 연결이 실패했습니다 (" + err.Error() + ")"}
	return e.fault(fault.Device)
}

// deviceError explains why a TPM device could not be opened.
func deviceError(path string, err error) error {
	e := &Error{Command: "open", Target: path, err: err}
	switch {
	case errors.Is(err, os.ErrNotExist):
		e.Name = "NO_TPM_DEVICE"
		e.Meaning = path + " does not exist"
		e.MeaningKO = path + "이(가) 없습니다. TPM 장치가 없습니다"
		e.Hint = "no TPM device: this is not an Azure CVM or Trusted Launch VM; use the simulated CVM with --platform sim"
	case errors.Is(err, os.ErrPermission):
		e.Name = "PERMISSION_DENIED"
		e.Meaning = "no permission to open " + path
		e.MeaningKO = path + "을(를) 열 권한이 없습니다"
		e.Hint = fault.RootHint(path)
	default:
		e.Name = "DEVICE_ERROR"
		e.Meaning = err.Error()
		e.MeaningKO = path + "을(를) 열 수 없습니다 (" + err.Error() + ")"
		e.Hint = "check that " + path + " is a TPM character device (ls -l " + path + ")"
		e.HintKO = path + "이(가) TPM 문자 장치인지 ls -l " + path + "로 확인합니다"
	}
	return e.fault(fault.Device)
}

// Explain names an error and says what it means and what to do. It understands errors
// from this package, bare go-tpm response codes and device open errors; for anything
// else name is empty, meaning is the error text and hint the first fault hint.
func Explain(err error) (name, meaning, hint string) {
	if err == nil {
		return "", "", ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Name, e.Meaning, e.Hint
	}
	var rc tpm2.TPMRC
	if errors.As(err, &rc) {
		e := newRCError("", "", rc)
		return e.Name, e.Meaning, e.Hint
	}
	// Only errors about a device path: a missing input file is not a missing TPM.
	var pe *os.PathError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Path, "/dev/") &&
		(errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission)) {
		errors.As(deviceError(pe.Path, err), &e)
		return e.Name, e.Meaning, e.Hint
	}
	return "", err.Error(), fault.HintOf(err)
}
