package workshop_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// boundTo checks that the runner's evidence is one consistent attestation for nonce: the
// HCL report's REPORT_DATA vouches for runtime claims carrying SHA-512(nonce) as user data,
// and the token echoes that nonce and that user data.
func boundTo(t *testing.T, l *workshop.Live, nonce string) {
	t.Helper()
	s := l.Evidence()
	if s == nil || s.Token == "" {
		t.Fatal("no evidence or no token")
	}
	want := hcl.UserDataHex(platform.UserData(nonce))
	r, err := hcl.Parse(s.HCLReport)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.BindingCheck(); c.Verdict != check.Pass {
		t.Fatalf("hcl.binding = %s: %s", c.Verdict, c.Summary)
	}
	if r.RuntimeClaims == nil || r.RuntimeClaims.UserData != want {
		t.Fatalf("report's runtime claims carry user data %v, want SHA-512(%q) = %s", r.RuntimeClaims, nonce, want)
	}
	if !bytes.Equal(s.UserData, platform.UserData(nonce)) || s.Nonce != nonce {
		t.Fatalf("evidence nonce %q and its user data, want %q and SHA-512 of it", s.Nonce, nonce)
	}
	tok, err := token.Parse(s.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := tok.Claims.String("x-ms-runtime", "client-payload", "nonce"); got != base64.StdEncoding.EncodeToString([]byte(nonce)) {
		t.Fatalf("token nonce %q, want base64(%q)", got, nonce)
	}
	ud, ok := tok.Claims.String("x-ms-isolation-tee", "x-ms-runtime", "user-data")
	if !ok {
		ud, _ = tok.Claims.String("x-ms-runtime", "user-data")
	}
	if !strings.EqualFold(ud, want) {
		t.Fatalf("token user-data %s, want %s (the report's)", ud, want)
	}
}

// A new nonce invalidates the report: Verify JWT right after SetNonce reads a new report
// bound to the new nonce instead of sending the new nonce with the old report.
func TestSetNonceBetweenStepsRereadsReport(t *testing.T) {
	l := simRunner(t, "")
	defer l.Close()
	ctx := t.Context()
	if _, err := l.Run(ctx, workshop.VerifyJWT); err != nil {
		t.Fatal(err)
	}
	boundTo(t, l, "n")
	before := l.Evidence().HCLReport

	l.SetNonce("second")
	p, err := l.Run(ctx, workshop.VerifyJWT)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{token.IDNonce, token.IDUserData} {
		if got := p.Checks.Verdict(id); got != check.Pass {
			t.Errorf("%s = %s", id, got)
		}
	}
	if bytes.Equal(l.Evidence().HCLReport, before) {
		t.Fatal("the HCL report was not read again after SetNonce")
	}
	boundTo(t, l, "second")
}

// Running an earlier step again drops what was built on its old result: the token of the
// last report is not kept next to a new one.
func TestRerunReportDropsLaterSteps(t *testing.T) {
	l := simRunner(t, "")
	defer l.Close()
	ctx := t.Context()
	if _, err := l.Run(ctx, workshop.VerifyJWT); err != nil {
		t.Fatal(err)
	}
	first := l.Evidence()
	if _, err := l.Run(ctx, workshop.ReadReport); err != nil {
		t.Fatal(err)
	}
	if s := l.Evidence(); s.Token != "" || s.MAA != nil || s.EncKey != nil {
		t.Fatalf("after Read report ran again the evidence still holds the old token (%t), exchange (%t) or key (%t)", s.Token != "", s.MAA != nil, s.EncKey != nil)
	}
	if _, err := l.Run(ctx, workshop.VerifyJWT); err != nil {
		t.Fatal(err)
	}
	if s := l.Evidence(); s.Token == first.Token || bytes.Equal(s.MAA.Request, first.MAA.Request) {
		t.Fatal("Verify JWT after a new report reused the old request or token")
	}
	boundTo(t, l, "n")
}

// Evidence may be called from another goroutine (the TUI saves while a step runs): every
// snapshot is consistent, and changing one changes neither the runner nor later snapshots.
// Run with -race: a step writing the set Evidence reads is reported there.
func TestEvidenceWhileStepRuns(t *testing.T) {
	l := simRunner(t, "")
	defer l.Close()
	done := make(chan struct{})
	var snaps, tokens int
	var bad error
	go func() {
		defer close(done)
		for {
			select {
			case <-t.Context().Done():
				return
			default:
			}
			s := l.Evidence()
			if s == nil {
				if snaps > 0 {
					bad = errors.New("the evidence went away while the step ran")
					return
				}
				continue
			}
			snaps++
			if !bytes.Equal(s.UserData, platform.UserData("n")) {
				bad = errors.New("a snapshot's user data is not SHA-512 of the nonce")
				return
			}
			if s.Token != "" {
				tokens++
				if s.MAA == nil || s.MAA.Status != 200 || len(s.MAA.Response) == 0 || s.EncKey == nil {
					bad = errors.New("a snapshot holds a token without the exchange and key that produced it")
					return
				}
				return
			}
			// Scribble over the copy: the runner must not see it.
			s.Certs = append(s.Certs, []byte("scribble"))
			s.PCRs[99] = []byte("scribble")
			if s.MAA != nil {
				s.MAA.Status = 999
			}
		}
	}()
	p, err := l.Run(t.Context(), workshop.VerifyJWT)
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if bad != nil {
		t.Fatal(bad)
	}
	if snaps == 0 {
		t.Fatal("Evidence never returned a snapshot")
	}
	if got := p.Checks.Verdict("jwt.signature"); got != check.Pass {
		t.Fatalf("jwt.signature = %s", got)
	}
	s := l.Evidence()
	if s.MAA.Status != 200 || s.PCRs[99] != nil {
		t.Fatal("a change to a snapshot reached the runner")
	}
	for _, c := range s.Certs {
		if string(c) == "scribble" {
			t.Fatal("a certificate appended to a snapshot reached the runner")
		}
	}
	boundTo(t, l, "n")
	t.Logf("%d snapshots while Verify JWT ran, %d with the token", snaps, tokens)
}

// blockingPager holds Call MAA's page until released, so a test can act while the step
// is running.
type blockingPager struct {
	pages.Pager
	entered, release chan struct{}
}

func (b blockingPager) CallMAA(v pages.CallView) present.Page {
	b.entered <- struct{}{}
	<-b.release
	return b.Pager.CallMAA(v)
}

// SetNonce while a step runs applies to the next run: the running step's result, built on
// the report for the old nonce, is discarded and Run says so with ErrStale; the next run
// reads a report bound to the new nonce.
func TestSetNonceDuringStep(t *testing.T) {
	bp := blockingPager{entered: make(chan struct{}), release: make(chan struct{})}
	l := workshop.NewLive(workshop.LiveOptions{
		Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
		Pager:    bp, Nonce: "first",
	})
	defer l.Close()
	type result struct {
		p   present.Page
		err error
	}
	ran := make(chan result)
	go func() {
		p, err := l.Run(t.Context(), workshop.VerifyJWT)
		ran <- result{p, err}
	}()
	<-bp.entered
	// Mid-step, the evidence is what the finished links hold: the request for "first".
	if s := l.Evidence(); s == nil || s.MAA == nil || s.Token != "" || !bytes.Equal(s.UserData, platform.UserData("first")) {
		t.Fatalf("evidence while Call MAA runs: %+v", s)
	}
	l.SetNonce("second")
	if s := l.Evidence(); s != nil {
		t.Fatal("SetNonce kept the evidence bound to the old nonce")
	}
	close(bp.release)
	r := <-ran
	if !errors.Is(r.err, workshop.ErrStale) || fault.KindOf(r.err) != fault.Internal {
		t.Fatalf("Run after SetNonce mid-step: err = %v, want ErrStale", r.err)
	}
	if len(r.p.Checks) != 0 {
		t.Fatalf("the stale step's page was returned: %d checks", len(r.p.Checks))
	}
	if s := l.Evidence(); s != nil {
		t.Fatal("the stale step published its evidence")
	}

	// The next run uses the new nonce throughout.
	go func() {
		for range bp.entered {
		}
	}()
	defer close(bp.entered)
	p, err := l.Run(t.Context(), workshop.VerifyJWT)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{token.IDNonce, token.IDUserData, "jwt.signature"} {
		if got := p.Checks.Verdict(id); got != check.Pass {
			t.Errorf("%s = %s", id, got)
		}
	}
	boundTo(t, l, "second")
}
