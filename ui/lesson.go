package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// The guided lesson walks the Korean workshop's own path (../shared/seeds): what the
// attendee typed there, what it printed, and what cvmscope shows beyond it, ending on the
// workshop's claim table. The presenter drives it with one key.
func lessonChrome() map[string]present.Text {
	return map[string]present.Text{
		"lesson.head": present.T("Guided lesson %d of %d · space/→ next · ← back · esc to the steps",
			"따라 하기 강의 %d/%d · space/→ 다음 · ← 이전 · esc 단계 화면으로"),
		"lesson.typed":   present.T("In the workshop you typed", "워크샵에서 입력한 명령"),
		"lesson.printed": present.T("It printed", "출력된 결과"),
		"lesson.beyond":  present.T("What cvmscope shows beyond it", "cvmscope가 더 보여 주는 것"),
		"lesson.here":    present.T("Here", "여기서"),
		"lesson.sample":  present.T("(the workshop's sample output; run the steps, a, to see this VM's own)", "(워크샵의 출력 예시입니다. a로 단계를 실행하면 이 VM의 결과를 봅니다)"),

		"lesson.1.title": present.T("The workshop, in cvmscope", "cvmscope로 보는 워크샵"),
		"lesson.1.body": present.T("In steps 1 to 3 of the workshop you created a Confidential VM in Korea Central (Standard_DC2as_v6, AMD SEV-SNP), cloned the sample and built AttestationClient. "+
			"cvmscope needs none of that: it follows the same path, one stage at a time, and shows what the sample does not.",
			"워크샵 1~3단계에서는 한국 중부(Korea Central) 리전에 Confidential VM(Standard_DC2as_v6, AMD SEV-SNP)을 만들고, 샘플을 클론해 AttestationClient를 빌드했습니다. "+
				"cvmscope는 그 과정이 필요 없습니다. 같은 경로를 한 단계씩 따라가며 샘플이 보여 주지 않는 것을 보여 줍니다."),
		"lesson.1.beyond": present.T("One program with nothing to build: the five stages as five steps, each with every field explained, in Korean or English (L).",
			"빌드할 것이 없는 프로그램 하나로, 다섯 단계를 다섯 화면에서 모든 필드의 설명과 함께 한국어나 영어(L)로 봅니다."),

		"lesson.2.title": present.T("Workshop step 4: get the token", "워크샵 4단계: JWT 토큰 생성 및 출력"),
		"lesson.2.body": present.T("One command read the vTPM's report, built the request, called MAA and decrypted its answer, and printed only the token.",
			"명령 하나가 vTPM의 증명 보고서를 읽고, 요청을 만들고, MAA를 호출하고, 응답을 복호화한 뒤 토큰만 출력했습니다."),
		"lesson.2.beyond": present.T("Each of those stages as its own step: Read report (the hardware report and the PCRs), Build request (every field sent), Call MAA (the HTTP exchange, and how the encrypted answer is opened with the vTPM's key). "+
			"y on Call MAA's token row copies the whole token; cvmscope -o token prints it as the sample does.",
			"각 단계를 따로 봅니다. 증명 보고서 읽기(하드웨어 증명 보고서와 PCR), 요청 만들기(보내는 모든 필드), MAA 호출(HTTP 교환과 암호화된 응답을 vTPM 키로 여는 과정). "+
				"MAA 호출 화면의 토큰 행에서 y를 누르면 토큰 전체를 복사하고, `cvmscope -o token`은 샘플처럼 토큰을 출력합니다."),

		"lesson.3.title": present.T("Workshop step 5: decode the payload", "워크샵 5단계: JWT 페이로드 디코드 및 파싱"),
		"lesson.3.body": present.T("cut kept the token's second part, base64 -d decoded it and jq indented the JSON.",
			"cut이 토큰의 두 번째 부분을 잘라 내고, base64 -d가 디코딩하고, jq가 JSON을 정리해 보여 주었습니다."),
		"lesson.3.beyond": present.T("A JWT is base64url without padding, which base64 -d does not read: it can stop short or fail, and 2>/dev/null hides the error. "+
			"cvmscope decodes it exactly; J shows the header and the payload, coloured as jq colours them.",
			"JWT는 패딩 없는 base64url이라 base64 -d로는 제대로 읽지 못합니다. 중간에 멈추거나 실패할 수 있고, 2>/dev/null이 그 오류를 숨깁니다. "+
				"cvmscope는 정확히 디코딩하며, J로 헤더와 페이로드를 jq처럼 색을 입혀 봅니다."),

		"lesson.4.title": present.T("What jq cannot tell you: is the token genuine?", "jq가 알려 주지 않는 것: 이 토큰은 진짜인가?"),
		"lesson.4.body": present.T("jq shows what a token says, not who said it: anyone can write that JSON. A relying party accepts a token only after checking it.",
			"jq는 토큰의 내용을 보여 줄 뿐 누가 썼는지는 알려 주지 않습니다. 그 JSON은 누구나 쓸 수 있습니다. 신뢰 당사자는 검증한 뒤에만 토큰을 받아들입니다."),
		"lesson.4.beyond": present.T("Verify JWT checks what the relying party must: the RS256 signature with MAA's published key (<issuer>/certs), that the issuer is the MAA that was called, the lifetime (iat, nbf, exp), that the nonce sent came back, and each claim against the evidence read on this VM.",
			"JWT 검증 단계는 신뢰 당사자가 확인해야 할 것을 검증합니다. MAA가 게시한 키(<발급자>/certs)로 RS256 서명, 토큰 발급자가 호출한 MAA인지, 토큰 유효기간(iat, nbf, exp), 보낸 논스가 돌아왔는지, 그리고 각 클레임을 이 VM에서 읽은 증거와 대조합니다."),
		"lesson.4.typed": present.T("(nothing: the workshop does not check the signature)", "(없음: 워크샵은 서명을 검증하지 않습니다)"),

		"lesson.5.title": present.T("The chain of trust", "신뢰 체인"),
		"lesson.5.body": present.T("Why MAA can believe the VM: the AMD chip signs the hardware report with its VCEK key, which AMD's ASK signs, which AMD's root ARK signs (Intel TDX: the quote's PCK chain to Intel's root). "+
			"The report's REPORT_DATA binds the vTPM's key, that key signs the PCRs, and the event log replays to those PCRs: so the boot measurements are tied to the hardware.",
			"MAA가 VM을 믿을 수 있는 이유입니다. AMD 칩이 VCEK 키로 하드웨어 증명 보고서에 서명하고, AMD의 ASK가 VCEK에, AMD 루트 ARK가 ASK에 서명합니다(Intel TDX는 쿼트의 PCK 인증서 체인이 Intel 루트까지 이어집니다). "+
				"보고서의 REPORT_DATA가 vTPM 키를 묶고, 그 키가 PCR 값에 서명하며, 이벤트 로그를 재생하면 그 PCR 값이 나옵니다. 그래서 부팅 측정값이 하드웨어에 묶입니다."),
		"lesson.5.beyond": present.T("The workshop leaves this to MAA. cvmscope checks it on this VM too, link by link, on the Read report page, and says which roots it trusted.",
			"워크샵은 이 검증을 MAA에 맡깁니다. cvmscope는 증명 보고서 읽기 화면에서 이 VM에서도 한 고리씩 검증하고, 어떤 루트 인증서를 신뢰했는지 알려 줍니다."),
		"lesson.5.typed": present.T("(nothing: AttestationClient does not show the chain)", "(없음: AttestationClient는 체인을 보여 주지 않습니다)"),

		"lesson.6.title": present.T("The workshop's claim table, explained", "워크샵의 주요 필드 해석"),
		"lesson.6.body": present.T("The claims the workshop's table names, with this token's values and what each means. Verify JWT lists every other claim the same way.",
			"워크샵 표에 나온 클레임을 이 토큰의 값과 의미와 함께 보여 줍니다. JWT 검증 화면에는 나머지 클레임도 모두 같은 방식으로 나옵니다."),
		"lesson.6.none":  present.T("no token yet", "아직 토큰 없음"),
		"lesson.6.under": present.T("in the token under %s", "토큰에서 %s 아래"),
		"lesson.6.as":    present.T("in the token: %s", "토큰에서의 이름: %s"),
		"lesson.6.end": present.T("That is the whole workshop. esc returns to the steps; W opens this lesson again.",
			"워크샵 전체를 살펴보았습니다. esc로 단계 화면으로 돌아가고, W로 이 강의를 다시 엽니다."),
	}
}

// lessonPages is the number of pages; the last is the claim table.
const lessonPages = 6

// The workshop's commands and sample output, as its README prints them.
const (
	workshopTokenCmd  = "$ sudo ./AttestationClient -o token; echo"
	workshopDecodeCmd = "$ sudo ./AttestationClient -o token | cut -d '.' -f2 | base64 -d 2>/dev/null | jq ."
	workshopToken     = "eyJhbGciOiJSUzI1NiIsImprdSI6Imh0dHBzOi8vc2hhcmVkZXVzMi5ldXMyLmF0dGVzdC5henVyZS5uZXQvY2VydHMiLCJraWQiOiJKMHBBUGRmWFh..."
)

var workshopPayload = []string{
	"{",
	`  "iss": "https://sharedkrc.krc.attest.azure.net",`,
	`  "x-ms-attestation-type": "azurenvm",`,
	`  "x-ms-azurevm-vmid": "91055A8C-F759-42CE-B917-AC0B2E39B9F3",`,
	`  "x-ms-sevsnpvm-bootloader-svn": 10,`,
	`  "x-ms-sevsnpvm-firmware-svn": 23,`,
	`  "x-ms-sevsnpvm-reportid": "0174eba3fc786a52a610ec471927e75a1ad6e884c5a97a8d97672f79ba24d776",`,
	"  ...",
	"}",
}

// lessonClaims are the workshop table's claims and the SEV-SNP ones it shows, by the name
// the workshop uses; AzureGuest tokens nest the hardware's under x-ms-isolation-tee.
var lessonClaims = []string{
	"iss", "x-ms-attestation-type", "x-ms-compliance-status", "x-ms-azurevm-vmid", "secureboot",
	"x-ms-sevsnpvm-bootloader-svn", "x-ms-sevsnpvm-firmware-svn", "x-ms-sevsnpvm-reportid",
	"x-ms-sevsnpvm-is-debuggable", "exp", "nbf",
}

// lessonRenamed are the names in the workshop's table that MAA's tokens spell otherwise:
// the workshop's x-ms-sevsnpvm-firmware-svn is the SEV-SNP firmware's SVN, which MAA sends
// as x-ms-sevsnpvm-snpfw-svn. The row keeps the workshop's name and, when the token has
// only MAA's, shows that one's value and name.
var lessonRenamed = map[string]string{"x-ms-sevsnpvm-firmware-svn": "x-ms-sevsnpvm-snpfw-svn"}

// openLesson starts the lesson at its first page.
func (m *model) openLesson() {
	m.lessonPage = 0
	m.openDoc(docLesson)
}

// turnLesson moves by dir pages and shows the new page from its top.
func (m *model) turnLesson(dir int) {
	m.lessonPage = min(max(m.lessonPage+dir, 0), lessonPages-1)
	m.doc.Refresh()
	m.doc.Top()
}

func (m *model) lessonLines(w int) []string {
	cat, st := m.c.cat, m.c.st
	n := m.lessonPage + 1
	id := fmt.Sprintf("lesson.%d.", n)
	b := &docText{c: m.c, w: w}
	b.para(cat.f("lesson.head", n, lessonPages), st.Summary, 0)
	b.blank()
	b.title(cat.t(id + "title"))
	b.blank()
	b.para(cat.t(id+"body"), st.Value, 0)
	switch n {
	case 1:
		b.heading(cat.t("lesson.typed"))
		b.code(st.Key, "$ git clone https://github.com/wonsungso/confidential-computing-cvm-guest-attestation.git",
			"$ cd confidential-computing-cvm-guest-attestation/cvm-attestation-sample-app/",
			"$ sudo bash ClientLibBuildAndInstall.sh", "$ cmake .", "$ make")
	case 2:
		b.heading(cat.t("lesson.typed"))
		b.code(st.Key, workshopTokenCmd)
		b.heading(cat.t("lesson.printed"))
		if m.token != "" {
			b.code(st.Value, fit(m.token, 3*w-6))
		} else {
			b.code(st.Value, workshopToken)
			b.para(cat.t("lesson.sample"), st.Summary, 0)
		}
	case 3:
		b.heading(cat.t("lesson.typed"))
		b.code(st.Key, workshopDecodeCmd)
		b.heading(cat.t("lesson.printed"))
		if j := decodeJWT(m.token); m.token != "" && j.err == nil {
			lines := strings.Split(j.payload, "\n")
			if len(lines) > 12 {
				lines = append(lines[:11], "  ...", "}")
			}
			b.add(m.jsonBlock(strings.Join(lines, "\n"), w)...)
		} else {
			b.add(m.jsonBlock(strings.Join(workshopPayload, "\n"), w)...)
			b.para(cat.t("lesson.sample"), st.Summary, 0)
		}
	case 4, 5:
		b.heading(cat.t("lesson.typed"))
		b.para(cat.t(id+"typed"), st.Summary, 0)
	case 6:
		m.claimTable(b)
		b.blank()
		b.para(cat.t("lesson.6.end"), st.Summary, 0)
		return b.lines
	}
	b.heading(cat.t("lesson.beyond"))
	b.para(cat.t(id+"beyond"), st.Explain, 0)
	if s := m.lessonStep(n); s >= 0 {
		b.blank()
		b.item(cat.t("lesson.here"), 0, st.Title, m.stepState(s), st.Value)
	}
	return b.lines
}

// lessonStep is the step a lesson page is about, -1 for none.
func (m *model) lessonStep(page int) int {
	switch page {
	case 2:
		return m.stepIndex(workshop.CallMAA)
	case 3, 4:
		return m.stepIndex(workshop.VerifyJWT)
	case 5:
		return m.stepIndex(workshop.ReadReport)
	}
	return -1
}

// stepState is "4 Call MAA: passed" for the lesson's "Here" line.
func (m *model) stepState(i int) string {
	return stepLabel(i, m.steps[i], m.c.lang()) + ": " + m.c.cat.t(stateWords[m.runs[i].state])
}

// claimTable is the workshop's "주요 필드 해석" with this token's values and each claim's
// meaning from the claims catalog.
func (m *model) claimTable(b *docText) {
	st, cat, lang := m.c.st, m.c.cat, m.c.lang()
	payload := tokenClaims(m.token)
	labelW := 0
	for _, c := range lessonClaims {
		labelW = max(labelW, cells(c))
	}
	if labelW > b.w/2 {
		labelW = 0
	}
	b.blank()
	for _, name := range lessonClaims {
		claim := name
		if n, ok := lessonRenamed[name]; ok && payload != nil {
			if _, _, found := findClaim(payload, name); !found {
				claim = n
			}
		}
		value, path := cat.t("lesson.6.none"), claim
		if payload != nil {
			v, p, ok := findClaim(payload, claim)
			switch {
			case ok:
				value, path = claimString(v), p
			default:
				value = "—"
			}
		}
		text := value
		switch {
		case claim != name:
			text += " (" + cat.f("lesson.6.as", path) + ")"
		case path != name:
			text += " (" + cat.f("lesson.6.under", strings.TrimSuffix(path, "."+name)) + ")"
		}
		if e, ok := claims.Resolve(path); ok {
			meaning := e.Meaning
			if lang == present.KO && e.MeaningKO != "" {
				meaning = e.MeaningKO
			}
			text += "\n" + meaning
		}
		first, rest, _ := strings.Cut(text, "\n")
		b.item(name, labelW, st.JSONKey, first, st.Value)
		if rest != "" {
			// Under the value when there is room for it, else under the name.
			ind := labelW + 2
			if labelW == 0 || b.w < 100 {
				ind = 3
			}
			b.para(rest, st.Explain, ind)
		}
	}
}

// tokenClaims decodes a compact JWT's payload, numbers kept as written; nil when there is
// no token or it does not decode.
func tokenClaims(compact string) map[string]any {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var out map[string]any
	if d.Decode(&out) != nil {
		return nil
	}
	return out
}

// findClaim finds name at the top of the payload or under x-ms-isolation-tee, where
// AzureGuest tokens keep the hardware's claims; path is where it was.
func findClaim(payload map[string]any, name string) (any, string, bool) {
	if v, ok := payload[name]; ok {
		return v, name, true
	}
	if tee, ok := payload["x-ms-isolation-tee"].(map[string]any); ok {
		if v, ok := tee[name]; ok {
			return v, "x-ms-isolation-tee." + name, true
		}
	}
	return nil, "", false
}

func claimString(v any) string {
	if s, ok := v.(string); ok {
		return present.Safe(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return present.Safe(string(b))
}
