// Package workshop runs the attestation workshop as steps: Preflight, Read report, Build
// request, Call MAA, Verify JWT. Each step does its I/O (TPM commands, HTTP calls) when Run
// is called, honours context cancellation, and returns a present.Page. The TUI runs steps
// from tea.Cmds; the headless commands run them in order.
package workshop

import (
	"context"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// StepID names a step.
type StepID string

const (
	Preflight    StepID = "preflight"
	ReadReport   StepID = "read-report"
	BuildRequest StepID = "build-request"
	CallMAA      StepID = "call-maa"
	VerifyJWT    StepID = "verify-jwt"
	// PolicyCheck is cvmscope policy check's one step, outside the workshop order.
	PolicyCheck StepID = "policy"
)

// AllSteps is the workshop order.
var AllSteps = []StepID{Preflight, ReadReport, BuildRequest, CallMAA, VerifyJWT}

// Title is a step's name in both languages.
func (s StepID) Title() present.Text {
	switch s {
	case Preflight:
		return present.T("Preflight", "사전 점검")
	case ReadReport:
		return present.T("Read report", "증명 보고서 읽기")
	case BuildRequest:
		return present.T("Build request", "요청 만들기")
	case CallMAA:
		return present.T("Call MAA", "MAA 호출")
	case VerifyJWT:
		return present.T("Verify JWT", "JWT 검증")
	case PolicyCheck:
		return present.T("Policy check", "정책 검사")
	}
	return present.T(string(s), string(s))
}

// Banner says where the evidence comes from; the UI always shows it.
type Banner struct {
	Source evidence.Source
	TEE    evidence.TEE
	// Text is the full line, e.g. "Simulated CVM (AMD SEV-SNP) — test roots, not Azure".
	Text present.Text
	// Detail is the device and endpoint, e.g. "embedded TPM simulator · MAA emulator 127.0.0.1:41234".
	// DetailKO says it in Korean; empty means Detail (file names read the same). See DetailIn.
	Detail, DetailKO string
}

// DetailIn returns the detail as shown in lang.
func (b Banner) DetailIn(l present.Lang) string {
	if l == present.KO && b.DetailKO != "" {
		return b.DetailKO
	}
	return b.Detail
}

// Runner runs the steps against one platform (Azure, the simulated CVM, or files).
type Runner interface {
	Banner() Banner
	// Steps lists the steps this runner offers, in order (inspect offers fewer).
	Steps() []StepID
	// Run performs a step. Later steps use what earlier ones gathered; running a step whose
	// inputs are missing runs the earlier steps first.
	Run(ctx context.Context, step StepID) (present.Page, error)
	// SetNonce sets the nonce for the next run: it is written to NV 0x01400002 as user data
	// (SHA-512 of the nonce) before the report is read again, and sent as the client payload.
	SetNonce(nonce string)
	// CanSetNonce reports whether SetNonce does anything: a live run reads a fresh report,
	// saved files cannot be re-read, so the UI must not offer a nonce for them.
	CanSetNonce() bool
	// Evidence is what has been gathered so far (a copy), for saving a bundle.
	Evidence() *evidence.Set
	// Close releases the TPM and stops emulators.
	Close() error
}
