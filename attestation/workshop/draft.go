package workshop

import (
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// A draft run (--draft-policy FILE) asks MAA "would this policy permit this evidence?" by
// sending the policy as draftPolicyForAttestation. MAA answers a permit with an UNSIGNED
// token (alg none), which anybody could have written: it is a policy test, never an
// attestation. So the run labels it at each step (maa.draft), jwt.signature skips on it
// instead of passing, the baseline and --expect are not judged on its claims, and the
// command line refuses -o token and answers false to -o bool.

// IDDraft is the check that labels a draft evaluation.
const IDDraft = "maa.draft"

// DraftVerdict is the one line a draft run ends with, in both languages.
const (
	DraftVerdict   = "draft evaluation (unsigned), not an attestation"
	DraftVerdictKO = "초안 정책 평가(서명 없음)이며 증명이 아닙니다"
)

// draftBody adds the draft policy to a platform request and says what was sent.
func (l *Live) draftBody(flow, kind string, body []byte) ([]byte, check.Check, error) {
	if flow != "platform" || !maa.DraftKinds[kind] {
		err := fault.Korean(fault.Errorf(fault.Internal, "--draft-policy needs --flow platform (SevSnpVm or TdxVm): the %s request has no draftPolicyForAttestation field; check a policy against a saved token or bundle with cvmscope policy check", kind),
			fmt.Sprintf("`--draft-policy`에는 `--flow platform`(SevSnpVm 또는 TdxVm)이 필요합니다. %s 요청에는 draftPolicyForAttestation 필드가 없습니다. 저장한 토큰이나 번들에 대한 정책은 `cvmscope policy check`로 확인합니다", kind), "")
		return nil, check.Check{}, err
	}
	out, err := maa.WithDraftPolicy(body, l.opts.DraftPolicy)
	if err != nil {
		return nil, check.Check{}, fault.Korean(fault.Errorf(fault.Internal, "--draft-policy %s: %v", l.opts.DraftPolicyFile, err),
			fmt.Sprintf("`--draft-policy` %s를 요청에 넣지 못했습니다: %v", l.opts.DraftPolicyFile, err), "")
	}
	c := check.Warnf(IDDraft, "%s: draft policy %s sent as draftPolicyForAttestation (%d bytes); MAA evaluates it instead of the provider's policy and answers an unsigned token",
		DraftVerdict, l.opts.DraftPolicyFile, len(l.opts.DraftPolicy)).
		KO("%s: 초안 정책 %s를 draftPolicyForAttestation(%d바이트)으로 보냅니다. MAA는 공급자 정책 대신 이 정책으로 평가하고 서명 없는 토큰으로 응답합니다",
			DraftVerdictKO, l.opts.DraftPolicyFile, len(l.opts.DraftPolicy))
	if kind == "TdxVm" {
		c = c.WithDetail("[UNSURE] the TdxVm REST spec (2025-06-01) does not list draftPolicyForAttestation, though the .NET SDK sends it for TdxVm; a provider that ignores it answers a signed token under its own policy, and the Call MAA step says so",
			"[불확실] TdxVm REST 명세(2025-06-01)에는 draftPolicyForAttestation이 없지만 .NET SDK는 TdxVm에도 보냅니다. 공급자가 이를 무시하면 자기 정책으로 서명한 토큰을 돌려주며, MAA 호출 단계가 그렇게 알려 줍니다")
	}
	return out, c, nil
}

// draftAnswer labels MAA's answer to a draft: unsigned means the draft permitted; a signed
// token means the provider ignored the draft and applied its own policy.
func draftAnswer(compact string) check.Check {
	if maa.IsDraftAnswer(compact) {
		return check.Warnf(IDDraft, "%s: the draft policy permitted this evidence; MAA's answer is unsigned (alg none) and verifies nothing", DraftVerdict).
			KO("%s: 초안 정책이 이 증거를 허용했습니다. MAA 응답은 서명이 없어(alg none) 아무것도 검증하지 않습니다", DraftVerdictKO)
	}
	return check.Warnf(IDDraft, "the provider answered a signed token: it ignored the draft policy and applied its own, so the draft was not evaluated").
		KO("공급자가 서명한 토큰으로 응답했습니다. 초안 정책을 무시하고 자기 정책을 적용했으므로 초안은 평가되지 않았습니다")
}

// draftSignature replaces jwt.signature's failure on a draft answer with a skip that says
// what the token is: the failure is expected (nothing signed it), and the run is a policy
// test. It never passes.
func draftSignature(checks check.List) check.List {
	for i, c := range checks {
		if c.ID != token.IDSignature || c.Verdict != check.Fail {
			continue
		}
		checks[i] = check.Skipf(token.IDSignature, "%s: alg none, nothing to verify; this token proves nothing about who wrote it", DraftVerdict).
			KO("%s: alg none이라 검증할 서명이 없습니다. 이 토큰은 누가 썼는지 아무것도 증명하지 않습니다", DraftVerdictKO)
	}
	return checks
}

// draftPage heads a page of a draft run with what its result is, above everything the page
// says about the token, in the TUI as in text and JSON.
func draftPage(p present.Page) present.Page {
	head := present.T("DRAFT EVALUATION (unsigned), not an attestation", "초안 정책 평가(서명 없음), 증명이 아님")
	if p.Summary.Empty() {
		p.Summary = head
		return p
	}
	p.Summary = present.T(head.EN+" · "+p.Summary.EN, head.KO+" · "+p.Summary.In(present.KO))
	return p
}
