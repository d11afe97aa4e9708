package ui

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

// syncBuffer collects what the copy command writes from its own goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitText(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(hangGuard), teatest.WithCheckInterval(5*time.Millisecond))
}

func press(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		tm.Send(keyMsg(k))
	}
}

// TestDriveToVerifiedToken drives the program through its keys, as a presenter would:
// run everything, walk the steps, open help, switch to Korean and back, search, copy the
// token, set a nonce, and quit.
func TestDriveToVerifiedToken(t *testing.T) {
	r := uitest.New()
	clip := &syncBuffer{}
	m := New(r, Options{Lang: present.EN, NoColor: true, Output: clip, Width: 120, Height: 40})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))

	press(tm, "a")
	waitText(t, tm, "5 steps: 5 passed")
	press(tm, "shift+tab")
	waitText(t, tm, "HTTP exchange", "sharedkrc.krc.attest.azure.net")
	press(tm, "tab")
	waitText(t, tm, "Claims")

	press(tm, "?")
	waitText(t, tm, "Keys", "expand blobs")
	press(tm, "?")

	press(tm, "L")
	waitText(t, tm, "한국어로 표시합니다", "JWT 검증")
	press(tm, "L")
	waitText(t, tm, "English.")

	press(tm, "/")
	tm.Type("token")
	press(tm, "enter")
	waitText(t, tm, `for "token"`)
	press(tm, "y")
	waitText(t, tm, "Copied")
	if !strings.Contains(clip.String(), "\x1b]52;c;") {
		t.Errorf("y wrote no OSC 52 sequence: %q", clip.String())
	}

	press(tm, "n")
	waitText(t, tm, "nonce:")
	tm.Type("workshop-nonce-42")
	press(tm, "enter")
	sum := sha512.Sum512([]byte("workshop-nonce-42"))
	waitText(t, tm, "Read report passed")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))

	fm := tm.FinalModel(t).(*model)
	if got := r.Nonce(); got != "workshop-nonce-42" {
		t.Errorf("runner nonce = %q, want workshop-nonce-42", got)
	}
	_, row := func() (*present.Section, *present.Row) {
		p := fm.panes[fm.stepIndex(workshop.ReadReport)]
		for si, s := range p.page.Sections {
			for ri, rw := range s.Rows {
				if rw.Key == "user-data" {
					return &p.page.Sections[si], &p.page.Sections[si].Rows[ri]
				}
			}
		}
		return nil, nil
	}()
	if row == nil || row.Value != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Errorf("Read report after the nonce does not show SHA-512(nonce) as user data: %+v", row)
	}
	want := append(slices.Clone(workshop.AllSteps), workshop.ReadReport)
	if got := r.Calls(); !slices.Equal(got, want) {
		t.Errorf("runner calls = %v, want %v", got, want)
	}
	for i, run := range fm.runs {
		if run.state != passed {
			t.Errorf("step %s ended %s, want passed", fm.steps[i], stateWords[run.state])
		}
	}
	if !fm.wait(hangGuard) {
		t.Error("a run was still in flight after quitting")
	}
}

// TestDriveCancel runs all with Call MAA blocking until its context ends: Esc must
// cancel that context, the step must show as cancelled, and the queue must stop.
func TestDriveCancel(t *testing.T) {
	r := uitest.New()
	r.Block = map[workshop.StepID]bool{workshop.CallMAA: true}
	m := New(r, Options{Lang: present.EN, NoColor: true, Width: 100, Height: 30})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))

	press(tm, "a")
	for step := range r.Started() {
		if step == workshop.CallMAA {
			break
		}
	}
	waitText(t, tm, "running")
	press(tm, "esc")
	waitText(t, tm, "Call MAA cancelled.")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))

	fm := tm.FinalModel(t).(*model)
	if got := r.Cancelled(); !slices.Equal(got, []workshop.StepID{workshop.CallMAA}) {
		t.Errorf("runner saw cancellation of %v, want [call-maa]", got)
	}
	if st := fm.runs[fm.stepIndex(workshop.CallMAA)].state; st != cancelled {
		t.Errorf("Call MAA shows %s, want cancelled", stateWords[st])
	}
	if st := fm.runs[fm.stepIndex(workshop.VerifyJWT)].state; st != waiting {
		t.Errorf("Verify JWT ran after the cancel: %s", stateWords[st])
	}
	if slices.Contains(r.Calls(), workshop.VerifyJWT) {
		t.Error("the run-all queue went on after Esc")
	}
	if !fm.wait(hangGuard) {
		t.Error("the cancelled run's goroutine did not return")
	}
}

// TestDriveFault runs the Secure Boot scenario and checks that the explanation and what
// to do are on screen where the failure is.
func TestDriveFault(t *testing.T) {
	r := uitest.New()
	r.SecureBootOff = true
	m := New(r, Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	press(tm, "a")
	waitText(t, tm, "Verify JWT failed")
	press(tm, "shift+tab", "shift+tab", "shift+tab", "/")
	tm.Type("secure-boot")
	press(tm, "enter")
	waitText(t, tm, "Enable Secure Boot for the VM and reboot", "[FAIL]")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
	fm := tm.FinalModel(t).(*model)
	if st := fm.runs[fm.stepIndex(workshop.ReadReport)].state; st != failed {
		t.Errorf("Read report shows %s, want failed", stateWords[st])
	}
}

// TestSpinnerWhileRunning checks that a slow step shows its spinner and elapsed time.
func TestSpinnerWhileRunning(t *testing.T) {
	r := uitest.New()
	r.Delay = 400 * time.Millisecond
	tm := teatest.NewTestModel(t, New(r, Options{Lang: present.EN, NoColor: true, Width: 120, Height: 30}), teatest.WithInitialTermSize(120, 30))
	press(tm, "enter")
	waitText(t, tm, "running ", "Running…")
	waitText(t, tm, "Preflight passed")
	tm.Send(tea.Quit())
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
}

// TestDriveSimulatedCVMToVerifiedToken drives the real program, not test data: the Live
// runner over the simulated SEV-SNP CVM, the IMDS and MAA emulators, real TPM commands
// and real cryptography, from the first key to a verified token.
func TestDriveSimulatedCVMToVerifiedToken(t *testing.T) {
	r := newLiveRunner(t)
	m := New(r, Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	press(tm, "a")
	waitText(t, tm, "5 steps: 5 passed")
	// The claims section is on the Verify JWT page, reached with ].
	press(tm, "G")
	waitText(t, tm, "x-ms-ver")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
	fm := tm.FinalModel(t).(*model)
	for i, run := range fm.runs {
		if run.state != passed {
			t.Errorf("step %s ended %s, want passed", fm.steps[i], stateWords[run.state])
		}
	}
	p := fm.panes[fm.stepIndex(workshop.VerifyJWT)].page
	for _, id := range []string{"jwt.signature", "jwt.issuer", "jwt.lifetime", "jwt.nonce", "jwt.user-data", "jwt.matches-evidence"} {
		if got := p.Checks.Verdict(id); got != "pass" {
			t.Errorf("%s = %s on the Verify JWT page", id, got)
		}
	}
	if s := r.Evidence(); s == nil || s.Token == "" {
		t.Error("no token gathered")
	}
}

// TestDriveSimulatedSecureBootOff runs the secureboot-off scenario through the keys: the
// run stops at Call MAA, and the screen says why (the policy claim) and what to do.
func TestDriveSimulatedSecureBootOff(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
	sc, err := workshop.LookupScenario("secureboot-off")
	if err != nil {
		t.Fatal(err)
	}
	r := workshop.NewLive(workshop.LiveOptions{
		Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
		Pager:    pages.Pager{}, Scenario: sc,
	})
	t.Cleanup(func() { r.Close() })
	m := New(r, Options{Lang: present.EN, NoColor: true, Width: 120, Height: 40})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	press(tm, "a")
	waitText(t, tm, "Call MAA failed", "PolicyEvaluationError", "What to do", "enable Secure Boot")
	press(tm, "L")
	waitText(t, tm, "MAA 호출")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
	fm := tm.FinalModel(t).(*model)
	if st := fm.runs[fm.stepIndex(workshop.CallMAA)].state; st != failed {
		t.Errorf("Call MAA shows %s, want failed", stateWords[st])
	}
	if st := fm.runs[fm.stepIndex(workshop.VerifyJWT)].state; st != waiting {
		t.Errorf("Verify JWT ran after the denial: %s", stateWords[st])
	}
	if st := fm.runs[fm.stepIndex(workshop.Preflight)].state; st != warned {
		t.Errorf("Preflight shows %s, want warned (it reads secure-boot=false from the runtime claims)", stateWords[st])
	}
}

// TestDriveWelcome: the first screen is the welcome, in the language asked for; it
// scrolls to its end at 80x24, where the keys and how to close it are, and a step key
// closes it and acts.
func TestDriveWelcome(t *testing.T) {
	for _, c := range []struct {
		lang present.Lang
		top  []string
		end  []string
		ran  string
	}{
		{present.EN, []string{"Welcome to cvmscope", "What attestation proves, and to whom", "more below"},
			[]string{"closes it and acts at once"}, "Preflight passed"},
		{present.KO, []string{"cvmscope에 오신 것을 환영합니다", "어테스테이션은 무엇을, 누구에게 증명하는가", "아래에 더 있음"},
			[]string{"바로 동작합니다"}, "사전 점검: 통과"},
	} {
		t.Run(string(c.lang), func(t *testing.T) {
			r := uitest.New()
			tm := teatest.NewTestModel(t, New(r, Options{Lang: c.lang, NoColor: true, Width: 80, Height: 24}), teatest.WithInitialTermSize(80, 24))
			waitText(t, tm, c.top...)
			press(tm, "G")
			waitText(t, tm, c.end...)
			press(tm, "enter")
			waitText(t, tm, c.ran)
			press(tm, "q")
			tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
			fm := tm.FinalModel(t).(*model)
			if fm.doc != nil {
				t.Error("enter left the welcome open")
			}
			if got := r.Calls(); !slices.Equal(got, []workshop.StepID{workshop.Preflight}) {
				t.Errorf("enter on the welcome ran %v, want the selected step, Preflight", got)
			}
		})
	}
}

// osc52Payload decodes the clipboard text of the last OSC 52 sequence written to out.
func osc52Payload(t *testing.T, out string) string {
	t.Helper()
	i := strings.LastIndex(out, "\x1b]52;c;")
	if i < 0 {
		t.Fatalf("no OSC 52 sequence written: %q", out)
	}
	rest := out[i+len("\x1b]52;c;"):]
	end := strings.IndexAny(rest, "\x07\x1b")
	if end < 0 {
		t.Fatalf("OSC 52 sequence not terminated: %q", rest)
	}
	b, err := base64.StdEncoding.DecodeString(rest[:end])
	if err != nil {
		t.Fatalf("OSC 52 payload is not base64: %v", err)
	}
	return string(b)
}

// TestDriveCopyTokenAndJSON runs the simulated CVM to a token, then: y on Call MAA's token
// row puts the whole compact JWT on the clipboard (not the row's description), J shows
// the decoded header and payload as JSON, and y there copies that JSON.
func TestDriveCopyTokenAndJSON(t *testing.T) {
	r := newLiveRunner(t)
	clip := &syncBuffer{}
	m := New(r, Options{Lang: present.EN, NoColor: true, Output: clip, Width: 120, Height: 40})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	press(tm, "a")
	waitText(t, tm, "5 steps: 5 passed")
	press(tm, "shift+tab", "/")
	tm.Type("opened: a compact")
	press(tm, "enter")
	waitText(t, tm, `for "opened: a compact"`)
	press(tm, "y")
	waitText(t, tm, "Copied the whole token")
	tok := r.Evidence().Token
	if tok == "" || strings.Count(tok, ".") != 2 {
		t.Fatalf("the runner holds no compact JWT: %q", tok)
	}
	if got := osc52Payload(t, clip.String()); got != tok {
		t.Errorf("y on the token row copied %d bytes %.60q…, want the whole %d-byte JWT", len(got), got, len(tok))
	}

	press(tm, "J")
	waitText(t, tm, "decoded as jq shows it", `"alg": "RS256"`, `"x-ms-azurevm-attested-pcrs": [`)
	press(tm, "y")
	waitText(t, tm, "Copied")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
	copied := osc52Payload(t, clip.String())
	header, payload, ok := strings.Cut(copied, "\n.\n")
	if !ok {
		t.Fatalf("y in the JSON view copied %q, want header . payload", copied)
	}
	var h, p map[string]any
	if err := json.Unmarshal([]byte(header), &h); err != nil || h["alg"] != "RS256" {
		t.Errorf("copied header is not the token's: %v %v", h, err)
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil || p["iss"] == nil {
		t.Errorf("copied payload is not the token's claims: %v %v", err, p["iss"])
	}
}

// TestDriveLesson: with Options.Workshop (--workshop) the program opens on the guided
// lesson; the presenter walks it with space and ←, from the workshop's commands to its
// claim table, each claim explained with this token's value.
func TestDriveLesson(t *testing.T) {
	for _, c := range []struct {
		lang  present.Lang
		run   bool // run the steps first, so the lesson shows this token's values
		pages [][]string
	}{
		{present.EN, true, [][]string{
			{"Guided lesson 1 of 6", "$ sudo bash ClientLibBuildAndInstall.sh"},
			{"Guided lesson 2 of 6", "$ sudo ./AttestationClient -o token; echo", uitest.Token[:60]},
			{"Guided lesson 3 of 6", "cut -d '.' -f2 | base64 -d 2>/dev/null | jq .", "base64url without padding"},
			{"Guided lesson 4 of 6", "is the token genuine?", "RS256 signature"},
			{"Guided lesson 5 of 6", "The chain of trust", "ARK"},
			{"Guided lesson 6 of 6", "x-ms-compliance-status", "azure-compliant-cvm", "x-ms-sevsnpvm-bootloader-svn"},
		}},
		{present.KO, false, [][]string{
			{"따라 하기 강의 1/6", "cvmscope로 보는 워크샵"},
			{"따라 하기 강의 2/6", "워크샵 4단계: JWT 토큰 생성 및 출력", "워크샵의 출력 예시입니다"},
			{"따라 하기 강의 3/6", "워크샵 5단계: JWT 페이로드 디코드 및 파싱"},
			{"따라 하기 강의 4/6", "이 토큰은 진짜인가?"},
			{"따라 하기 강의 5/6", "신뢰 체인"},
			{"따라 하기 강의 6/6", "워크샵의 주요 필드 해석", "x-ms-azurevm-vmid", "아직 토큰 없음"},
		}},
	} {
		t.Run(string(c.lang), func(t *testing.T) {
			r := uitest.New()
			tm := teatest.NewTestModel(t, New(r, Options{Lang: c.lang, NoColor: true, Width: 120, Height: 40, Workshop: true}), teatest.WithInitialTermSize(120, 40))
			if c.run {
				press(tm, "esc", "a")
				waitText(t, tm, "5 steps: 5 passed")
				press(tm, "W")
			}
			for i, want := range c.pages {
				if i > 0 {
					press(tm, " ")
				}
				waitText(t, tm, want...)
			}
			press(tm, "left")
			waitText(t, tm, c.pages[4][0])
			press(tm, "q")
			tm.WaitFinished(t, teatest.WithFinalTimeout(hangGuard))
			fm := tm.FinalModel(t).(*model)
			if fm.lessonPage != 4 || fm.view != docLesson {
				t.Errorf("after ← the lesson is on page %d (view %d), want 5 of 6", fm.lessonPage+1, fm.view)
			}
			if !c.run && len(r.Calls()) != 0 {
				t.Errorf("the lesson ran steps by itself: %v", r.Calls())
			}
			// The last page ends by saying so, at 80x24 after scrolling to its end.
			m := newTestModel(t, uitest.New(), 80, 24, false, c.lang)
			keys(m, "W", " ", " ", " ", " ", " ", " ", "G")
			end := map[present.Lang]string{present.EN: "That is the whole workshop", present.KO: "워크샵 전체를 살펴보았습니다"}[c.lang]
			if frame := m.View(); m.lessonPage != lessonPages-1 || !strings.Contains(frame, end) {
				t.Errorf("the lesson's last page (page %d) does not end with %q:\n%s", m.lessonPage+1, end, frame)
			}
		})
	}
}
