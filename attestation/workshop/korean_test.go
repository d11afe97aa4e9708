package workshop_test

import (
	"context"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// steppingClock is a clock that moves on by step each time it is read, so that a call
// judged by it takes as long as the test says without anyone waiting.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// In --lang ko every check of every step reads in Korean and every step error has a Korean
// message: on each simulated CVM type, without a fault and with every staged scenario.
func TestEveryStepReadsInKorean(t *testing.T) {
	names := append([]string{""}, workshop.ScenarioNames()...)
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		for _, name := range names {
			t.Run(tee+"/"+name, func(t *testing.T) {
				t.Parallel()
				sc, err := workshop.LookupScenario(name)
				if err != nil {
					t.Fatal(err)
				}
				// The waits a scenario stages are judged, not waited out: retries sleep
				// on nothing, and the slow MAA's latency comes from a clock that moves
				// 1 s each time it is read instead of from a 3 s delay.
				clock := &steppingClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
				if sc.MAA.Delay > 0 {
					sc.MAA.Delay, clock.step = 0, time.Second
				}
				l := workshop.NewLive(workshop.LiveOptions{
					Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: true},
					Pager:    pages.Pager{}, Scenario: sc, Nonce: "n",
					TuneMAA: func(c *maa.Client) {
						c.Sleep = func(context.Context, time.Duration) error { return nil }
						if clock.step > 0 {
							c.Now = clock.Now
						}
					},
				})
				defer l.Close()
				if b := l.Banner(); !checktest.HasHangul(b.Text.KO) {
					t.Errorf("banner %q has no Korean", b.Text.KO)
				}
				checked := 0
				for _, step := range workshop.AllSteps {
					p, err := l.Run(t.Context(), step)
					for _, c := range p.Checks {
						checked++
						ko, details := c.In("ko")
						if !checktest.HasHangul(ko) {
							t.Errorf("%s: %s[%s] %s has no Korean summary: %q", step, c.ID, c.Subject, c.Verdict, c.Summary)
						}
						for i, d := range details {
							if d == c.Details[i] && strings.Contains(d, " ") && !checktest.HasHangul(d) && isSentence(d) {
								t.Errorf("%s: %s detail %d is English only: %q", step, c.ID, i, d)
							}
						}
					}
					if err != nil {
						msg, _ := fault.MessageIn(err, "ko")
						if !checktest.HasHangul(msg) {
							t.Errorf("%s: error without Korean: %v", step, err)
						}
						if strings.Contains(msg, "단계가 실패했습니다: ") {
							t.Logf("%s: only the step's name is Korean: %s", step, msg)
						}
						break
					}
				}
				if checked == 0 {
					t.Fatal("no step produced a check")
				}
				// Once open, the banner's detail names the TPM in Korean too (a scenario
				// this TEE does not support never opens it).
				if b := l.Banner(); b.Detail != "" && (!checktest.HasHangul(b.DetailIn(present.KO)) || strings.Contains(b.DetailIn(present.KO), "simulat")) {
					t.Errorf("banner detail in Korean: %q (English %q)", b.DetailIn(present.KO), b.Detail)
				}
			})
		}
	}
}

// isSentence tells a human sentence from a data line ("quoted   ab12…", "extraData 0x…"):
// a sentence has at least four words of letters.
func isSentence(s string) bool {
	words := 0
	for _, w := range strings.Fields(s) {
		letters := true
		for _, r := range w {
			if !unicode.IsLetter(r) && !strings.ContainsRune("',;:().-", r) {
				letters = false
				break
			}
		}
		if letters {
			words++
		}
	}
	return words >= 4
}

// Saved evidence inspected offline reads in Korean too, down to why the token's keys were
// not trusted (no key source was chosen) and the input-file checks.
func TestFilesReadInKorean(t *testing.T) {
	l := simRunner(t, "")
	defer l.Close()
	if _, err := l.Run(t.Context(), workshop.VerifyJWT); err != nil {
		t.Fatal(err)
	}
	f := workshop.NewFiles(l.Evidence(), verify.Options{}, pages.Pager{})
	if b := f.Banner(); !checktest.HasHangul(b.Text.KO) {
		t.Errorf("banner %q", b.Text.KO)
	}
	var sig string
	for _, step := range f.Steps() {
		p, err := f.Run(t.Context(), step)
		if err != nil {
			if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) {
				t.Errorf("%s: error without Korean: %v", step, err)
			}
		}
		for _, c := range p.Checks {
			ko, details := c.In("ko")
			if !checktest.HasHangul(ko) {
				t.Errorf("%s: %s has no Korean summary: %q", step, c.ID, c.Summary)
			}
			if c.ID == "jwt.signature" {
				sig = ko + " " + strings.Join(details, " ")
			}
		}
	}
	if !strings.Contains(sig, "--jwks FILE") || !strings.Contains(sig, "키는") {
		t.Errorf("jwt.signature in Korean does not say where keys come from: %q", sig)
	}
	// Preflight needs a live VM; a bundle's saved request and answer are shown, not re-run.
	if _, err := f.Run(t.Context(), workshop.Preflight); err == nil {
		t.Error("Preflight ran offline")
	} else if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) {
		t.Errorf("offline Preflight: %q", msg)
	}
}
