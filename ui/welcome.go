package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// welcomeChrome is the first screen's text. The five stages follow the seed article's
// "Workflow"; what each step does says which of those stages it shows.
func welcomeChrome() map[string]present.Text {
	return map[string]present.Text{
		"welcome.title": present.T("Welcome to cvmscope: Azure Confidential VM attestation, step by step",
			"cvmscope에 오신 것을 환영합니다: Azure Confidential VM 어테스테이션을 단계별로 살펴봅니다"),
		"welcome.what": present.T("What attestation proves, and to whom", "어테스테이션은 무엇을, 누구에게 증명하는가"),
		"welcome.what.body": present.T(
			"A Confidential VM runs with its memory encrypted by the CPU (AMD SEV-SNP or Intel TDX), so not even the host or the hypervisor can read it. "+
				"Attestation proves that to someone outside who cannot look in: your application, a Key Vault or a policy server, called the relying party. "+
				"Microsoft Azure Attestation (MAA) checks the VM's evidence and signs a token (a JWT) that says what it found: genuine hardware, the firmware and OS the VM should have booted, Secure Boot on, no debugger. "+
				"The relying party trusts MAA's signature, not the VM's word.",
			"Confidential VM은 CPU(AMD SEV-SNP 또는 Intel TDX)가 메모리를 암호화한 상태로 실행되므로 호스트나 하이퍼바이저조차 그 안을 볼 수 없습니다. "+
				"어테스테이션은 안을 들여다볼 수 없는 외부, 즉 애플리케이션, Key Vault, 정책 서버 같은 신뢰 당사자(relying party)에게 이 사실을 증명합니다. "+
				"Microsoft Azure Attestation(MAA)은 VM의 증거를 검증하고, 확인한 내용(진짜 하드웨어, 부팅되어야 할 펌웨어와 OS, 보안 부팅(Secure Boot) 켜짐, 디버거 없음)을 담은 토큰(JWT)에 서명합니다. "+
				"신뢰 당사자는 VM의 말이 아니라 MAA의 서명을 믿습니다."),

		"welcome.stages": present.T("The five stages", "다섯 단계"),
		"welcome.stage1": present.T("Measured boot", "측정된 부팅"),
		"welcome.stage1.body": present.T("As the VM boots, the firmware and the OS loader are measured (hashed) into the vTPM's PCRs and written to the event log.",
			"VM이 부팅될 때 펌웨어와 OS 로더의 측정값(해시)이 vTPM의 PCR에 기록되고 이벤트 로그에 남습니다."),
		"welcome.stage2": present.T("Report", "증명 보고서"),
		"welcome.stage2.body": present.T("The CPU signs a hardware report (SEV-SNP or TDX) that binds the vTPM's key; the vTPM signs its PCRs with that key (a quote).",
			"CPU가 vTPM 키를 묶은 하드웨어 증명 보고서(SEV-SNP 또는 TDX)에 서명하고, vTPM은 그 키로 PCR 값에 서명합니다(쿼트)."),
		"welcome.stage3": present.T("Request", "요청"),
		"welcome.stage3.body": present.T("The report, the quote and the event log travel to MAA in one request.",
			"증명 보고서, 쿼트, 이벤트 로그가 하나의 요청에 담겨 MAA로 전송됩니다."),
		"welcome.stage4": present.T("MAA verifies and signs", "MAA의 검증과 서명"),
		"welcome.stage4.body": present.T("MAA checks the hardware's certificate chain and the measurements against Azure's policy, then issues a JWT it signs.",
			"MAA가 하드웨어 인증서 체인과 측정값을 Azure 정책에 비추어 검증한 뒤, 서명한 JWT 토큰을 발급합니다."),
		"welcome.stage5": present.T("The relying party verifies the token", "신뢰 당사자의 토큰 검증"),
		"welcome.stage5.body": present.T("Before it trusts the VM, the relying party checks MAA's signature, the issuer, the lifetime and the claims it requires.",
			"신뢰 당사자는 VM을 신뢰하기 전에 MAA의 서명, 토큰 발급자, 토큰 유효기간, 요구하는 클레임을 검증합니다."),

		"welcome.steps": present.T("What each step here does", "여기서 각 단계가 하는 일"),
		"welcome.step.preflight": present.T("Opens the TPM and checks what the run needs: the clock, a proxy, IMDS and the MAA endpoint.",
			"TPM을 열고 실행에 필요한 것(시계, 프록시, IMDS, MAA 엔드포인트)을 점검합니다."),
		"welcome.step.read-report": present.T("Stages 1 and 2: reads the hardware report from the vTPM, verifies its certificate chain up to AMD or Intel, and replays the event log against the PCRs.",
			"1·2단계: vTPM에서 하드웨어 증명 보고서를 읽고, AMD 또는 Intel까지 이어지는 인증서 체인을 검증하고, 이벤트 로그를 PCR 값과 대조해 재생합니다."),
		"welcome.step.build-request": present.T("Stage 3: builds the request MAA expects and shows every field in it.",
			"3단계: MAA가 받는 요청을 만들고 그 안의 모든 필드를 보여 줍니다."),
		"welcome.step.call-maa": present.T("Stage 4: sends the request, shows the HTTP exchange, and opens MAA's encrypted answer with the vTPM's key.",
			"4단계: 요청을 보내고 HTTP 교환을 보여 주며, 암호화된 MAA 응답을 vTPM 키로 엽니다."),
		"welcome.step.verify-jwt": present.T("Stage 5: checks the token as a relying party would: signature, issuer, lifetime, nonce, and each claim against the evidence.",
			"5단계: 신뢰 당사자처럼 토큰을 검증합니다. 서명, 토큰 발급자, 토큰 유효기간, 논스(nonce), 그리고 각 클레임을 증거와 대조합니다."),
		"welcome.step.policy": present.T("Runs your MAA attestation policy over the claims, rule by rule, and shows which rule and claim decided (cvmscope policy check).",
			"MAA 증명 정책을 클레임에 규칙 하나씩 실행하고, 어느 규칙과 클레임이 결과를 정했는지 보여 줍니다 (cvmscope policy check)."),
		"welcome.steps.order": present.T("Running a step runs the steps before it first, so every page shows what it was built from.",
			"어떤 단계를 실행하면 그 앞 단계가 먼저 실행되므로, 모든 화면에서 무엇을 바탕으로 만들어졌는지 볼 수 있습니다."),

		"welcome.source": present.T("Where the evidence comes from", "증거의 출처"),
		"welcome.source.sim": present.T("The simulated CVM built into cvmscope: a software vTPM and a hardware report signed with test keys, sent to a local MAA emulator. "+
			"Nothing here comes from Azure, AMD or Intel: a pass shows how attestation works, not that this machine is a Confidential VM. The banner above says SIMULATED throughout.",
			"cvmscope에 내장된 시뮬레이션 CVM입니다. 소프트웨어 vTPM과 테스트 키로 서명한 하드웨어 증명 보고서를 로컬 MAA 에뮬레이터로 보냅니다. "+
				"Azure, AMD, Intel에서 온 것은 하나도 없으므로 통과는 어테스테이션의 동작 방식을 보여 줄 뿐, 이 컴퓨터가 Confidential VM이라는 뜻이 아닙니다. 위 배너는 계속 시뮬레이션이라고 표시합니다."),
		"welcome.source.azure": present.T("This VM's vTPM (/dev/tpmrm0): the report Azure's firmware wrote for this VM, sent to the real MAA. Reading the TPM and the event log needs root, so run cvmscope with sudo.",
			"이 VM의 vTPM(/dev/tpmrm0)입니다. Azure 펌웨어가 이 VM을 위해 작성한 증명 보고서를 실제 MAA로 보냅니다. TPM과 이벤트 로그를 읽으려면 root 권한이 필요하므로 cvmscope를 sudo로 실행합니다."),
		"welcome.source.auto": present.T("Decided when the first step runs: this VM's vTPM if this is an Azure Confidential VM (/dev/tpmrm0 holding Azure's report), otherwise the simulated CVM built into cvmscope, with test keys and a local MAA emulator. The banner above then says which.",
			"첫 단계를 실행할 때 정해집니다. Azure Confidential VM(Azure 증명 보고서가 있는 /dev/tpmrm0)이면 이 VM의 vTPM을, 아니면 테스트 키와 로컬 MAA 에뮬레이터를 쓰는 cvmscope 내장 시뮬레이션 CVM을 사용합니다. 그때 위 배너가 어느 쪽인지 표시합니다."),
		"welcome.source.files": present.T("The files you named: nothing is measured on this machine; cvmscope verifies what the files hold.",
			"지정한 파일입니다. 이 컴퓨터에서는 아무것도 측정하지 않고, 파일에 담긴 내용을 검증합니다."),

		"welcome.keys": present.T("Keys", "키"),
		"welcome.close": present.T("esc closes this welcome and w opens it again. A step key (enter, a, tab) closes it and acts at once.",
			"esc로 이 안내를 닫고 w로 다시 엽니다. 단계 키(enter, a, tab)를 누르면 안내를 닫고 바로 동작합니다."),

		"banner.sim": present.T("cvmscope · the SIMULATED CVM will be used — test keys, not Azure",
			"cvmscope · 시뮬레이션 CVM을 사용합니다 — 테스트 키, Azure 아님"),
		"banner.azure": present.T("cvmscope · this VM's vTPM will be used — real Azure evidence",
			"cvmscope · 이 VM의 vTPM을 사용합니다 — 실제 Azure 증거"),
		"banner.auto": present.T("cvmscope · this VM's vTPM if it is an Azure CVM, otherwise the simulated CVM",
			"cvmscope · Azure CVM이면 이 VM의 vTPM을, 아니면 시뮬레이션 CVM을 사용합니다"),
	}
}

// askedFor is the evidence source a run will use: the banner's, once the platform is open;
// before that, the --platform the runner names in its banner text ("(sim)", "(azure)"),
// since Banner carries no field for it. Anything else is auto.
func askedFor(b workshop.Banner) evidence.Source {
	if b.Source != "" {
		return b.Source
	}
	for _, s := range []evidence.Source{evidence.SourceSim, evidence.SourceAzure} {
		if strings.Contains(b.Text.EN, "("+string(s)+")") {
			return s
		}
	}
	return "auto"
}

// welcomeLines is the first screen: what attestation proves and to whom, the five stages,
// what each step here does, where the evidence will come from, and the keys.
func (m *model) welcomeLines(w int) []string {
	cat := m.c.cat
	st := m.c.st
	b := &docText{c: m.c, w: w}
	b.title(cat.t("welcome.title"))
	b.heading(cat.t("welcome.what"))
	b.para(cat.t("welcome.what.body"), st.Value, 0)

	b.heading(cat.t("welcome.stages"))
	var flow []string
	for i := 1; i <= 5; i++ {
		flow = append(flow, cat.t(stageID(i)))
	}
	b.flow(flow, st.Key)
	b.blank()
	for i := 1; i <= 5; i++ {
		b.item(stageLabel(cat, i), 0, st.Title, cat.t(stageID(i)+".body"), st.Explain)
	}

	b.heading(cat.t("welcome.steps"))
	labelW := 0
	for i, s := range m.steps {
		labelW = max(labelW, cells(stepLabel(i, s, m.c.lang())))
	}
	if labelW > w/3 {
		labelW = 0
	}
	for i, s := range m.steps {
		b.item(stepLabel(i, s, m.c.lang()), labelW, st.StepActive, cat.t("welcome.step."+string(s)), st.Explain)
	}
	b.blank()
	b.para(cat.t("welcome.steps.order"), st.Summary, 0)

	b.heading(cat.t("welcome.source"))
	b.para(cat.t("welcome.source."+string(askedFor(m.banner))), st.Value, 0)

	b.heading(cat.t("welcome.keys"))
	k := m.c.keys
	bindings := []key.Binding{k.Run, k.RunAll, k.NextStep, k.Down, k.NextSection, k.Copy, k.JSON, k.Lesson, k.Lang, k.Help, k.Quit}
	kw := 0
	for _, kb := range bindings {
		kw = max(kw, cells(kb.Help().Key))
	}
	for _, kb := range bindings {
		b.item(kb.Help().Key, kw, st.Help.FullKey, kb.Help().Desc, st.Help.FullDesc)
	}
	b.blank()
	b.para(cat.t("welcome.close"), st.Summary, 0)
	return b.lines
}

func stageID(i int) string { return "welcome.stage" + string(rune('0'+i)) }

func stageLabel(cat catalog, i int) string {
	return string(rune('0'+i)) + ". " + cat.t(stageID(i))
}

func stepLabel(i int, s workshop.StepID, l present.Lang) string {
	return string(rune('1'+i)) + " " + s.Title().In(l)
}
