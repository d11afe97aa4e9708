// Package uitest is a workshop.Runner built from TEST DATA, for the UI's tests and its demo.
//
// Every page it returns is made of constants shaped like real evidence from an Azure
// SEV-SNP CVM in Korea Central (report fields under their MAA claim names, 24 PCRs, a chain
// of trust, an event log, a request JSON, token claims). Nothing is measured or verified:
// it exists so the UI can be driven and snapshot-tested before, and alongside, the real
// runner. It can fail a step, block a step until its context is cancelled, and take time.
package uitest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// Runner is the test-data runner. Set its fields before the UI starts.
type Runner struct {
	// Delay is how long each step takes.
	Delay time.Duration
	// Fail makes a step return its error.
	Fail map[workshop.StepID]error
	// Block makes a step wait until its context is cancelled.
	Block map[workshop.StepID]bool
	// Events is the number of event log entries (40 when zero).
	Events int
	// SecureBootOff is the fault scenario: the VM booted with Secure Boot disabled.
	SecureBootOff bool
	// Claims adds that many made-up claims to the Verify JWT page, for a large token.
	Claims int

	mu        sync.Mutex
	nonce     string
	calls     []workshop.StepID
	cancelled []workshop.StepID
	started   chan workshop.StepID
	closed    bool
}

// New returns a runner with no faults.
func New() *Runner { return &Runner{started: make(chan workshop.StepID, 64)} }

// Banner says, truthfully, that this is test data.
func (r *Runner) Banner() workshop.Banner {
	return workshop.Banner{
		Source: evidence.SourceSim, TEE: evidence.TEESEVSNP,
		Text:   present.T("TEST DATA — simulated CVM (AMD SEV-SNP), not Azure", "테스트 데이터 — 시뮬레이션 CVM (AMD SEV-SNP), Azure 아님"),
		Detail: "uitest runner · no TPM · no MAA",
	}
}

// Steps offers the whole workshop.
func (r *Runner) Steps() []workshop.StepID { return workshop.AllSteps }

// Run returns the step's test page after Delay, its Fail error, or, for a Block step, the
// context's error once it is cancelled.
func (r *Runner) Run(ctx context.Context, step workshop.StepID) (present.Page, error) {
	r.mu.Lock()
	r.calls = append(r.calls, step)
	block, err, nonce, n := r.Block[step], r.Fail[step], r.nonce, r.Events
	r.mu.Unlock()
	select {
	case r.started <- step:
	default:
	}
	if block {
		<-ctx.Done()
		r.mu.Lock()
		r.cancelled = append(r.cancelled, step)
		r.mu.Unlock()
		return present.Page{}, ctx.Err()
	}
	if r.Delay > 0 {
		select {
		case <-time.After(r.Delay):
		case <-ctx.Done():
			r.mu.Lock()
			r.cancelled = append(r.cancelled, step)
			r.mu.Unlock()
			return present.Page{}, ctx.Err()
		}
	}
	if err != nil {
		return present.Page{}, err
	}
	if n == 0 {
		n = 40
	}
	switch step {
	case workshop.Preflight:
		return PreflightPage(r.SecureBootOff), nil
	case workshop.ReadReport:
		return ReadReportPage(nonce, n, r.SecureBootOff), nil
	case workshop.BuildRequest:
		return BuildRequestPage(), nil
	case workshop.CallMAA:
		return CallMAAPage(), nil
	case workshop.VerifyJWT:
		pg := VerifyJWTPage(r.SecureBootOff)
		claims := &pg.Sections[len(pg.Sections)-1].Rows
		for i := range r.Claims {
			*claims = append(*claims, present.Row{
				Key: fmt.Sprintf("x-ms-custom-claim-%03d", i), Cells: []string{hexOf(fmt.Sprint("claim", i), 32), "사용자 지정 클레임"}, PCR: -1,
				Explain: t("A claim the provider's policy issued.", "공급자 정책이 발급한 클레임입니다."),
			})
		}
		return pg, nil
	}
	return present.Page{}, fmt.Errorf("uitest: no test page for step %q", step)
}

// SetNonce records the nonce; the next Read report shows it as user data.
func (r *Runner) SetNonce(nonce string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nonce = nonce
}

// CanSetNonce is true: the test runner takes a nonce as a live run does.
func (r *Runner) CanSetNonce() bool { return true }

// Evidence returns a set that says where it came from, and Token once Call MAA ran.
func (r *Runner) Evidence() *evidence.Set {
	s := &evidence.Set{Source: evidence.SourceSim, TEE: evidence.TEESEVSNP, Device: "uitest (test data)"}
	if slices.Contains(r.Calls(), workshop.CallMAA) && r.Fail[workshop.CallMAA] == nil {
		s.Token = Token
	}
	return s
}

// Close marks the runner closed.
func (r *Runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

// Calls lists the steps Run was called with, in order.
func (r *Runner) Calls() []workshop.StepID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]workshop.StepID(nil), r.calls...)
}

// Cancelled lists the steps whose Run saw its context cancelled.
func (r *Runner) Cancelled() []workshop.StepID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]workshop.StepID(nil), r.cancelled...)
}

// Nonce is the last nonce set.
func (r *Runner) Nonce() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nonce
}

// Started delivers each step as its Run begins.
func (r *Runner) Started() <-chan workshop.StepID { return r.started }
