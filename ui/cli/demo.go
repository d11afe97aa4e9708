package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
)

// demoScene is a scene of --demo: a simulated TEE and the fault it stages, if any.
type demoScene struct {
	title    present.Text
	tee      string
	scenario string
	// tamper: the scene reads a real report from the simulated CVM, flips one byte of the
	// SEV-SNP report inside it and verifies the result offline, as inspect would.
	tamper bool
}

// demoScenes cycle through the three TEEs, then show what a refusal, a tampered report and
// a forged token look like; each fault is staged for real, so the checks that catch it
// are the ones that run on Azure.
var demoScenes = []demoScene{
	{title: present.T("AMD SEV-SNP · every check passes", "AMD SEV-SNP · 모든 검사 통과"), tee: "sevsnp"},
	{title: present.T("Intel TDX · every check passes", "Intel TDX · 모든 검사 통과"), tee: "tdx"},
	{title: present.T("Trusted Launch (vTPM only) · every check passes", "Trusted Launch (vTPM만) · 모든 검사 통과"), tee: "trustedlaunch"},
	{title: present.T("AMD SEV-SNP · Secure Boot off: MAA refuses the VM", "AMD SEV-SNP · 보안 부팅 꺼짐: MAA가 VM을 거부합니다"), tee: "sevsnp", scenario: "secureboot-off"},
	{title: present.T("AMD SEV-SNP · one byte of the hardware report changed: its signature fails", "AMD SEV-SNP · 하드웨어 보고서 1바이트 변조: 서명 검증이 실패합니다"), tee: "sevsnp", tamper: true},
	{title: present.T("Intel TDX · a token signed with a key MAA does not publish", "Intel TDX · MAA가 공개하지 않은 키로 서명한 토큰"), tee: "tdx", scenario: "unknown-key"},
	{title: present.T("Intel TDX · a debuggable guest: MAA refuses it", "Intel TDX · 디버그 가능한 게스트: MAA가 거부합니다"), tee: "tdx", scenario: "debug-enabled"},
}

// demoMisuse checks that --demo goes with what it needs: the TUI and the simulated CVM.
func (o *options) demoMisuse(tty bool) error {
	switch {
	case o.output != "" || !tty:
		return fault.Korean(errors.New("--demo plays the TUI by itself: run it in a terminal, without -o"),
			"--demo는 TUI를 스스로 재생합니다. -o 없이 터미널에서 실행합니다", "")
	case o.Platform == "azure":
		return fault.Korean(errors.New("--demo stages its scenes in the simulated CVM; it cannot be combined with --platform azure"),
			"--demo는 시뮬레이션 CVM에서 장면을 연출하므로 --platform azure와 함께 쓸 수 없습니다", "")
	case o.scenario != "":
		return fault.Korean(errors.New("--demo chooses its own scenarios; drop --scenario (cvmscope --scenario NAME runs one by hand)"),
			"--demo는 시나리오를 스스로 고릅니다. --scenario를 뺍니다(시나리오 하나는 cvmscope --scenario NAME으로 직접 실행합니다)", "")
	}
	return nil
}

// newDemo builds the demo's scenes from the run's options (seed, flow, language, knobs).
func newDemo(base workshop.LiveOptions) (*ui.Demo, error) {
	d := &ui.Demo{}
	for _, sc := range demoScenes {
		opts := base
		opts.Platform.Platform, opts.Platform.SimTEE = "sim", sc.tee
		opts.Platform.SecureBoot = true
		s, err := workshop.LookupScenario(sc.scenario)
		if err != nil {
			return nil, err
		}
		opts.Scenario = s
		sc := sc
		open := func(context.Context) (workshop.Runner, error) { return workshop.NewLive(opts), nil }
		if sc.tamper {
			open = func(ctx context.Context) (workshop.Runner, error) { return tamperedRun(ctx, opts) }
		}
		d.Scenes = append(d.Scenes, ui.DemoScene{Title: sc.title, Open: open})
	}
	return d, nil
}

// tamperedRun attests the simulated CVM, changes one byte of the SEV-SNP report (its
// MEASUREMENT, offset 0x90) wherever the evidence carries it, and returns the offline
// runner over the result: its checks find the signature broken, as they would on a
// report altered on its way from a VM.
func tamperedRun(ctx context.Context, opts workshop.LiveOptions) (workshop.Runner, error) {
	live := workshop.NewLive(opts)
	defer live.Close()
	if _, err := live.Run(ctx, workshop.VerifyJWT); err != nil {
		return nil, err
	}
	set := live.Evidence()
	const measurement = 0x90
	hw := set.SNPReport
	if len(hw) == 0 && len(set.HCLReport) > 0 {
		if r, err := hcl.Parse(set.HCLReport); err == nil {
			hw = r.HardwareReport
		}
	}
	if len(hw) <= measurement {
		return nil, fault.Korean(fmt.Errorf("demo: the simulated CVM returned no SEV-SNP report to tamper with"),
			"데모: 시뮬레이션 CVM이 변조할 SEV-SNP 보고서를 돌려주지 않았습니다", "")
	}
	// The same byte wherever the report is carried: alone, and inside the HCL report.
	orig := bytes.Clone(hw)
	for _, b := range []*[]byte{&set.SNPReport, &set.HCLReport} {
		if at := bytes.Index(*b, orig); at >= 0 {
			*b = bytes.Clone(*b)
			(*b)[at+measurement] ^= 0x01
		}
	}
	st, err := workshop.Simulated()
	if err != nil {
		return nil, err
	}
	v := opts.Verify
	v.Trust.AMD = append(v.Trust.AMD, st.Verify.AMD...)
	v.Trust.Intel = append(v.Trust.Intel, st.Verify.Intel...)
	set.Source = evidence.SourceSim
	return workshop.NewFiles(set, v, pages.Pager{}).WithToken(workshop.TokenOptions{Simulated: st, Leeway: opts.Leeway}), nil
}
