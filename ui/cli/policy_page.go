package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// policyStep is the one step a policy check shows in the TUI.
const policyStep = workshop.PolicyCheck

// policyRunner shows a finished policy evaluation as a one-step workshop, so the TUI pages
// through it as through any step (rows, details, search, Korean).
type policyRunner struct {
	rep   *policyReport
	files []string
}

func (r *policyRunner) Banner() workshop.Banner {
	files := strings.Join(r.files, " ")
	return workshop.Banner{Source: evidence.SourceFiles,
		Text:   present.T("Policy check: "+r.rep.Policy.File, "정책 검사: "+r.rep.Policy.File),
		Detail: files}
}
func (r *policyRunner) Steps() []workshop.StepID { return []workshop.StepID{policyStep} }
func (r *policyRunner) Run(context.Context, workshop.StepID) (present.Page, error) {
	return r.rep.page(), nil
}
func (r *policyRunner) SetNonce(string)         {}
func (r *policyRunner) CanSetNonce() bool       { return false }
func (r *policyRunner) Evidence() *evidence.Set { return &evidence.Set{Source: evidence.SourceFiles} }
func (r *policyRunner) Close() error            { return nil }

// ruleState is a rule's verdict and state for its row: the rule that decided a denial
// fails, one that fired passes, the others are skipped.
func (r *policyReport) ruleState(rr ruleReport) (check.Verdict, present.Text) {
	switch {
	case rr.Error != nil:
		return check.Fail, present.T("failed: "+rr.Error.EN, "실패: "+rr.Error.KO)
	case r.Denial != nil && r.Denial.Section == rr.Section && r.Denial.Index == rr.Index:
		return check.Fail, present.T("decided the denial", "거부를 결정했습니다")
	case !rr.Ran:
		return check.Skip, present.T("not run: the attestation was already decided", "실행하지 않음: 증명 결과가 이미 정해졌습니다")
	case !rr.Fired:
		return check.Skip, present.T("did not fire", "실행되지 않음")
	}
	return check.Pass, present.T("fired", "실행됨")
}

// page is the report as a page: the verdict as its check, the policy, each section's rules
// (a row per rule, its conditions in the detail), then the issued and incoming claims.
func (r *policyReport) page() present.Page {
	p := present.Page{Step: string(policyStep), Title: present.T("Policy check", "정책 검사")}
	var verdict check.Check
	if d := r.Denial; d != nil {
		verdict = check.Failf("policy.result", "denied: %s", d.Why.EN).KO("거부됨: %s", d.Why.KO)
		if d.Claim != nil {
			verdict = verdict.WithDetail("deciding claim: "+d.Claim.String(), "결정한 클레임: "+d.Claim.String())
		}
		verdict = verdict.WithDetail(fmt.Sprintf("MAA would answer %d %s: %s", d.MAA.Status, d.MAA.Code, d.MAA.Message),
			fmt.Sprintf("MAA의 응답: %d %s: %s", d.MAA.Status, d.MAA.Code, fault.QuoteKO("", d.MAA.Message)))
	} else {
		verdict = check.Passf("policy.result", "permitted: a permit() fired and no deny() did; %d claim(s) issued", len(r.Outgoing)).
			KO("허용됨: permit()가 실행되었고 deny()는 실행되지 않았습니다. 발급한 클레임 %d개", len(r.Outgoing))
	}
	p.Checks = check.List{verdict}
	p.Verdict = verdict.Verdict
	p.Summary = present.T(verdict.Summary, verdict.SummaryKO)
	// The verification that failed comes first: a permit over claims nothing vouches for is
	// no verdict, and the page must not read as a pass.
	ver := present.Section{ID: "verification", Title: present.T("Verification of the files", "파일 검증"), Kind: present.Fields}
	for _, c := range r.Source.Checks {
		if c.Verdict == check.Fail && slices.Contains(r.Source.Failed, c.ID) {
			p.Checks = append(p.Checks, c)
			p.Verdict = check.Fail
			sum, details := c.In("en")
			sumKO, detailsKO := c.In("ko")
			ver.Rows = append(ver.Rows, present.Row{Key: c.ID, Value: sum, ValueKO: sumKO, Verdict: check.Fail, PCR: -1,
				Detail: strings.Join(details, "\n"), DetailKO: strings.Join(detailsKO, "\n")})
		}
	}
	if len(ver.Rows) > 0 {
		failed := strings.Join(r.Source.Failed, ", ")
		p.Summary = present.T(fmt.Sprintf("not verified (%s failed), so this proves nothing (exit %d): %s", failed, r.Source.code, verdict.Summary),
			fmt.Sprintf("검증되지 않았으므로(%s 실패) 아무것도 증명하지 않습니다(종료 코드 %d): %s", failed, r.Source.code, verdict.SummaryKO))
	}

	info := present.Section{ID: "policy", Title: present.T("Policy", "정책"), Kind: present.Fields, Rows: []present.Row{
		{Key: "file", KeyKO: "파일", Value: r.Policy.File, PCR: -1,
			Explain: present.T("the policy file that was read", "읽은 정책 파일입니다")},
		{Key: "version", KeyKO: "버전", Value: r.Policy.Version, PCR: -1,
			Explain: present.T("the policy's first line, version=...;: which edition of MAA's policy language it is written in",
				"정책의 첫 줄(version=...;)로, MAA 정책 언어의 어느 판으로 썼는지 나타냅니다")},
		{Key: "x-ms-policy-hash", Value: r.Policy.Hash, PCR: -1,
			Explain: present.T("base64url(SHA-256(base64url(policy text))): the hash MAA puts in the token", "base64url(SHA-256(base64url(정책 텍스트))): MAA가 토큰에 넣는 해시")},
		{Key: "incoming", KeyKO: "들어오는 클레임", PCR: -1,
			Value:   fmt.Sprintf("%d claims from %s (%s)", len(r.Incoming), r.Source.From, r.Source.Kind),
			ValueKO: fmt.Sprintf("클레임 %d개 (%s, %s)", len(r.Incoming), map[string]string{"token": "토큰", "evidence": "증거"}[r.Source.From], r.Source.Kind)},
	}}
	for _, n := range r.Source.Notes {
		info.Rows = append(info.Rows, present.Row{Key: "note", KeyKO: "참고", Value: n.EN, ValueKO: n.KO, PCR: -1})
	}
	for _, w := range r.Policy.Warnings {
		info.Rows = append(info.Rows, present.Row{Key: fmt.Sprintf("warning %d:%d", w.Line, w.Column), KeyKO: fmt.Sprintf("경고 %d:%d", w.Line, w.Column),
			Value: w.Message.EN, ValueKO: w.Message.KO, Verdict: check.Warn, PCR: -1})
	}
	p.Sections = append(p.Sections, info)
	if len(ver.Rows) > 0 {
		p.Sections = append(p.Sections, ver)
	}

	var sec *present.Section
	for _, rr := range r.Rules {
		if sec == nil || sec.ID != rr.Section {
			p.Sections = append(p.Sections, present.Section{ID: rr.Section, Title: present.T(rr.Section, rr.Section), Kind: present.Fields})
			sec = &p.Sections[len(p.Sections)-1]
		}
		v, state := r.ruleState(rr)
		var en, ko []string
		for _, c := range rr.Conditions {
			mark, markKO := "holds", "충족"
			if !c.Held {
				mark, markKO = "fails", "불충족"
			}
			en = append(en, mark+" "+c.Text+": "+c.Why.EN)
			ko = append(ko, markKO+" "+c.Text+": "+c.Why.KO)
		}
		for _, m := range rr.Made {
			en = append(en, "→ "+m.String())
			ko = append(ko, "→ "+m.String())
		}
		sec.Rows = append(sec.Rows, present.Row{
			Key: fmt.Sprintf("#%d (line %d)", rr.Index, rr.Line), KeyKO: fmt.Sprintf("#%d (%d행)", rr.Index, rr.Line),
			Value: rr.Text, Verdict: v, Explain: state, PCR: -1,
			Detail: strings.Join(en, "\n"), DetailKO: strings.Join(ko, "\n"),
		})
	}
	out := present.Section{ID: "issued", Title: present.T("Issued claims", "발급한 클레임"), Kind: present.Fields}
	for _, c := range r.Outgoing {
		out.Rows = append(out.Rows, present.Row{Key: c.Type, Value: c.Value.Plain(), PCR: -1})
	}
	for _, c := range r.Properties {
		out.Rows = append(out.Rows, present.Row{Key: c.Type, Value: c.Value.Plain(), PCR: -1,
			Explain: present.T("a property (issueproperty), not a token claim", "토큰 클레임이 아닌 속성(issueproperty)입니다")})
	}
	if len(out.Rows) > 0 {
		p.Sections = append(p.Sections, out)
	}
	in := present.Section{ID: "incoming", Title: present.T("Incoming claims", "들어오는 클레임"), Kind: present.Fields}
	for _, c := range r.Incoming {
		in.Rows = append(in.Rows, present.Row{Key: c.Type, Value: c.Value.Plain(), PCR: -1,
			Explain: present.T("issuer "+c.Issuer+", "+c.Value.Kind.String(), "발급자 "+c.Issuer+", "+c.Value.Kind.String())})
	}
	p.Sections = append(p.Sections, in)
	return p
}
