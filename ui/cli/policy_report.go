package cli

import (
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// policyReport is `policy check`'s result, for -o json and, through text, for people.
type policyReport struct {
	Policy     policyInfo     `json:"policy"`
	Source     *claimSource   `json:"source"`
	Incoming   []policy.Claim `json:"incoming"`
	Rules      []ruleReport   `json:"rules"`
	Permitted  bool           `json:"permitted"`
	Denial     *denialReport  `json:"denial,omitempty"`
	Outgoing   []policy.Claim `json:"outgoing"`
	Properties []policy.Claim `json:"properties,omitempty"`
}

type policyInfo struct {
	File    string `json:"file"`
	Version string `json:"version"`
	// Hash is x-ms-policy-hash as MAA would compute it for this text.
	Hash     string       `json:"x-ms-policy-hash"`
	Warnings []posMessage `json:"warnings,omitempty"`
}

type posMessage struct {
	Line    int          `json:"line"`
	Column  int          `json:"column"`
	Message present.Text `json:"message"`
}

type ruleReport struct {
	Section    string         `json:"section"`
	Index      int            `json:"index"`
	Line       int            `json:"line"`
	Text       string         `json:"text"`
	Action     string         `json:"action"`
	Ran        bool           `json:"ran"`
	Fired      bool           `json:"fired"`
	Conditions []condReport   `json:"conditions,omitempty"`
	Made       []policy.Claim `json:"made,omitempty"`
	Error      *present.Text  `json:"error,omitempty"`
}

type condReport struct {
	Text    string         `json:"text"`
	Held    bool           `json:"held"`
	Matched []policy.Claim `json:"matched,omitempty"`
	Near    *policy.Claim  `json:"decidingClaim,omitempty"`
	Why     present.Text   `json:"why"`
}

type denialReport struct {
	Section string        `json:"section,omitempty"`
	Index   int           `json:"index,omitempty"`
	Line    int           `json:"line,omitempty"`
	Rule    string        `json:"rule,omitempty"`
	Claim   *policy.Claim `json:"decidingClaim,omitempty"`
	Why     present.Text  `json:"why"`
	MAA     maaAnswer     `json:"maa"`
}

// maaAnswer is the error MAA would send for this denial.
type maaAnswer struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
	Value   string `json:"value,omitempty"`
}

func newPolicyReport(file string, pol *policy.Policy, src *claimSource, res *policy.Result) *policyReport {
	r := &policyReport{
		Policy:   policyInfo{File: file, Version: pol.Version, Hash: policy.Hash(pol.Text)},
		Source:   src,
		Incoming: src.claims, Permitted: res.Permitted, Outgoing: res.Outgoing, Properties: res.Properties,
	}
	for _, w := range pol.Warnings {
		r.Policy.Warnings = append(r.Policy.Warnings, posMessage{w.Pos.Line, w.Pos.Col, w.Msg})
	}
	for _, t := range res.Rules {
		rr := ruleReport{Section: t.Rule.Section.String(), Index: t.Rule.Index, Line: t.Rule.Pos.Line, Text: t.Rule.Text, Action: t.Rule.Action.Verb,
			Ran: t.Ran, Fired: t.Fired, Made: t.Made, Error: t.Err}
		for _, c := range t.Conds {
			rr.Conditions = append(rr.Conditions, condReport{Text: c.Cond.Text, Held: c.Held, Matched: c.Matched, Near: c.Near, Why: c.Why})
		}
		r.Rules = append(r.Rules, rr)
	}
	if d := res.Denial; d != nil {
		dr := &denialReport{Claim: d.Claim, Why: d.Why}
		if d.Rule != nil {
			dr.Section, dr.Index, dr.Line, dr.Rule = d.Rule.Rule.Section.String(), d.Rule.Rule.Index, d.Rule.Rule.Pos.Line, d.Rule.Rule.Text
		}
		code, msg, claim := d.MAAError()
		dr.MAA = maaAnswer{Status: 400, Code: code, Message: msg}
		if claim != nil {
			dr.MAA.Target, dr.MAA.Value = claim.Type, claim.Value.Plain()
		}
		r.Denial = dr
	}
	return r
}

// text is the report for people: the policy and the claims' source, each rule with its
// conditions as evaluated, then the verdict and what decided it.
func (r *policyReport) text(lang present.Lang) string {
	t := func(en, ko string) string { return present.T(en, ko).In(lang) }
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("%s %s: version %s, %s, x-ms-policy-hash %s\n", t("Policy", "정책"), r.Policy.File, r.Policy.Version,
		t(fmt.Sprintf("%d rules", len(r.Rules)), fmt.Sprintf("규칙 %d개", len(r.Rules))), r.Policy.Hash)
	from := t("from a token", "토큰에서")
	if r.Source.From == "evidence" {
		from = t("derived from evidence", "증거에서 만듦")
	}
	kind := r.Source.Kind
	if kind == "" {
		kind = t("type unknown", "종류 모름")
	}
	p("%s %d (%s, %s): %s\n", t("Incoming claims", "들어오는 클레임"), len(r.Incoming), from, kind, strings.Join(r.Source.Files, " "))
	for _, n := range r.Source.Notes {
		p("  %s: %s\n", t("note", "참고"), n.In(lang))
	}
	for _, w := range r.Policy.Warnings {
		p("%s %d:%d: %s\n", t("warning", "경고"), w.Line, w.Column, w.Message.In(lang))
	}
	section := ""
	for _, rr := range r.Rules {
		if rr.Section != section {
			section = rr.Section
			p("\n%s\n", section)
		}
		state := t("fired", "실행됨")
		switch {
		case rr.Error != nil:
			state = t("FAILED", "실패")
		case !rr.Ran:
			state = t("not run: the attestation was already decided", "실행하지 않음: 증명 결과가 이미 정해졌습니다")
		case !rr.Fired:
			state = t("did not fire", "실행되지 않음")
		}
		p("  #%d (%s %d) %s\n", rr.Index, t("line", "행"), rr.Line, state)
		p("     %s\n", rr.Text)
		for _, c := range rr.Conditions {
			mark := t("holds", "충족")
			if !c.Held {
				mark = t("fails", "불충족")
			}
			p("     %s %s: %s\n", mark, c.Text, c.Why.In(lang))
		}
		for _, m := range rr.Made {
			p("     → %s\n", m)
		}
		if rr.Fired && rr.Error == nil && len(rr.Made) == 0 && rr.Action != "permit" && rr.Action != "deny" {
			p("     → %s\n", t("no claim: the value was empty (a JmesPath result of null, or a condition's claims without values)",
				"클레임 없음: 값이 비어 있습니다 (JmesPath 결과가 null이거나 조건의 클레임에 값이 없음)"))
		}
		if rr.Error != nil {
			p("     %s: %s\n", t("error", "오류"), rr.Error.In(lang))
		}
	}
	p("\n")
	if len(r.Source.Failed) > 0 {
		// As the TUI page says it: the verdict below is over claims nothing vouches for.
		failed := strings.Join(r.Source.Failed, ", ")
		p("%s\n", t(fmt.Sprintf("NOT VERIFIED (%s failed): the verdict below proves nothing (exit %d whatever the policy decided)", failed, r.Source.code),
			fmt.Sprintf("검증되지 않음(%s 실패): 아래 결과는 아무것도 증명하지 않습니다(정책 결과와 관계없이 종료 코드 %d)", failed, r.Source.code)))
	}
	if d := r.Denial; d != nil {
		p("%s: %s\n", t("DENIED", "거부됨"), d.Why.In(lang))
		if d.Claim != nil {
			p("  %s: %s\n", t("deciding claim", "결정한 클레임"), d.Claim)
		}
		p("  %s: %d %s: %s\n", t("MAA would answer", "MAA의 응답"), d.MAA.Status, d.MAA.Code, d.MAA.Message)
		if d.MAA.Target != "" {
			p("  PolicyFailureClaim: target %s, value %s\n", d.MAA.Target, d.MAA.Value)
		}
		return b.String()
	}
	p("%s\n", t("PERMITTED: a permit() fired and no deny() did", "허용됨: permit()가 실행되었고 deny()는 실행되지 않았습니다"))
	if len(r.Outgoing) == 0 {
		p("  %s\n", t("the policy issues no claims of its own", "정책이 따로 발급하는 클레임은 없습니다"))
	}
	for _, c := range r.Outgoing {
		p("  %s: %s\n", t("issued", "발급"), c)
	}
	for _, c := range r.Properties {
		p("  %s: %s\n", t("property", "속성"), c)
	}
	return b.String()
}
