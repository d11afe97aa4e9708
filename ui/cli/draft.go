package cli

import (
	"fmt"
	"io"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// draftPolicy reads --draft-policy FILE for a live run. A draft run is a policy test: its
// answer is unsigned, so -o token (which prints a verified token) is refused, and only
// the platform flow carries the field. The text is sent as written: MAA, not cvmscope,
// parses a draft, and a policy cvmscope's parser would refuse may still be one MAA takes.
func (o *options) draftPolicy() (string, error) {
	if o.draftFile == "" {
		return "", nil
	}
	if o.output == "token" {
		return "", fault.Korean(fmt.Errorf("--draft-policy %s with -o token: a draft evaluation's token is unsigned (alg none) and never a verified token; use -o text or json", o.draftFile),
			fmt.Sprintf("`--draft-policy` %s와 `-o token`은 함께 쓸 수 없습니다. 초안 평가의 토큰은 서명이 없어(alg none) 검증된 토큰이 아닙니다. `-o text`나 `json`을 씁니다", o.draftFile), "")
	}
	if o.flow != "platform" {
		return "", fault.Korean(fmt.Errorf("--draft-policy %s needs --flow platform: MAA takes draftPolicyForAttestation in SevSnpVm and TdxVm requests; the AzureGuest request has no field for it (check a guest policy with cvmscope policy check)", o.draftFile),
			fmt.Sprintf("`--draft-policy` %s에는 `--flow platform`이 필요합니다. MAA는 SevSnpVm과 TdxVm 요청에서만 draftPolicyForAttestation을 받으며 AzureGuest 요청에는 그 필드가 없습니다(게스트 정책은 `cvmscope policy check`로 확인합니다)", o.draftFile), "")
	}
	text, err := readPolicy(o.draftFile)
	if err != nil {
		return "", policyFileError("--draft-policy", o.draftFile, err)
	}
	return text, nil
}

// draftExit keeps a draft run from exiting 0: its answer is unsigned (or, when the provider
// ignored the draft, not the draft's), so nothing it says is a verdict a script may act on.
// A run that already failed keeps its code (a denying draft: 5).
func (o *options) draftExit(code int, set *evidence.Set, all check.List, runErr error, lang present.Lang, stderr io.Writer) int {
	if o.draftFile == "" || code != 0 {
		return code
	}
	_, v := draftVerdict(set, all, runErr)
	eprintf(stderr, "cvmscope: %s\n", present.T(
		"exit 2: "+v.EN+"; a draft evaluation is never a verdict (its token is unsigned): upload the policy, then attest without --draft-policy and verify the signed token",
		"종료 코드 2: "+v.KO+". 초안 평가는 판정이 아닙니다(토큰에 서명이 없습니다). 정책을 올린 뒤 --draft-policy 없이 증명하고 서명된 토큰을 검증합니다").In(lang))
	return fault.Verification.ExitCode()
}

// draftJSON is -o json's "draft" object for a draft run.
type draftJSON struct {
	Policy    string `json:"policy"`
	Permitted bool   `json:"permitted"`
	Verdict   string `json:"verdict"`
}

// draftVerdict is the line a draft run ends with: what the draft decided, and that the
// result is not an attestation whatever it decided.
func draftVerdict(set *evidence.Set, all check.List, runErr error) (bool, present.Text) {
	permitted := runErr == nil && set != nil && maa.IsDraftAnswer(set.Token)
	what, whatKO := "the draft policy permitted this evidence", "초안 정책이 이 증거를 허용했습니다"
	switch {
	case permitted:
	case fault.KindOf(runErr) == fault.Policy:
		what, whatKO = "the draft policy denied this evidence (the failing rule is above)", "초안 정책이 이 증거를 거부했습니다(실패한 규칙은 위에 있습니다)"
	case runErr == nil && set != nil && set.Token != "":
		what, whatKO = "the provider ignored the draft and signed a token under its own policy", "공급자가 초안을 무시하고 자기 정책으로 토큰에 서명했습니다"
	default:
		what, whatKO = "the draft was not evaluated (the run stopped before MAA answered)", "초안을 평가하지 못했습니다(MAA가 응답하기 전에 실행이 멈췄습니다)"
	}
	return permitted, present.T("verdict: "+workshop.DraftVerdict+": "+what, "판정: "+workshop.DraftVerdictKO+": "+whatKO)
}
