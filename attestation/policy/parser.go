package policy

import (
	"fmt"
	"sort"
	"strings"
)

// functions are 1.2's functions (claim-rule-functions.md) and their argument counts.
var functions = map[string]int{
	"JmesPath": 2, "JsonToClaimValue": 1, "IsSubsetOf": 2, "AppendString": 2, "NegateBool": 1, "ContainsOnlyValue": 2,
}

// Parse reads a policy. A policy that does not parse gives an *Error naming line and
// column; one MAA's own examples write loosely (`=` for `==` in a condition, a rule
// without its `;`) parses, with a warning.
func Parse(text string) (*Policy, error) {
	if len(text) > MaxPolicyBytes {
		return nil, errAt(Pos{Line: 1, Col: 1}, fmt.Sprintf("the policy is %d bytes; at most %d are read", len(text), MaxPolicyBytes),
			fmt.Sprintf("정책이 %d바이트입니다. 최대 %d바이트까지 읽습니다", len(text), MaxPolicyBytes))
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, src: text, pol: &Policy{Text: text}}
	if err := p.policy(); err != nil {
		return nil, err
	}
	// MAA runs configuration rules, then authorization, then issuance, whatever order the
	// sections are written in.
	sort.SliceStable(p.pol.Rules, func(i, j int) bool { return p.pol.Rules[i].Section < p.pol.Rules[j].Section })
	return p.pol, nil
}

type parser struct {
	toks []token
	i    int
	src  string
	pol  *Policy
	// vars are the names the current rule's earlier conditions bound.
	vars  map[string]bool
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) is(punct string) bool { t := p.peek(); return t.kind == tPunct && t.text == punct }

// isWord says whether the next token is the keyword w; keywords, verbs and property names
// are matched without regard to case.
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, w)
}

// expect consumes punct or fails with what was wanted and where.
func (p *parser) expect(punct, what, whatKO string) (token, error) {
	t := p.peek()
	if t.kind != tPunct || t.text != punct {
		return t, errAt(t.pos, fmt.Sprintf("expected `%s` %s, found %s", punct, what, t.describe()),
			fmt.Sprintf("%s `%s`가 와야 하는데 %s이(가) 있습니다", whatKO, punct, t.describeKO()))
	}
	return p.next(), nil
}

func (p *parser) warn(pos Pos, en, ko string) {
	p.pol.Warnings = append(p.pol.Warnings, errAt(pos, en, ko))
}

func (p *parser) atLeast(v string) bool { return p.pol.Version >= v }

func (p *parser) policy() error {
	t := p.peek()
	if !p.isWord("version") {
		return errAt(t.pos, "a policy starts with its version, e.g. `version=1.2;`, found "+t.describe(),
			"정책은 버전으로 시작합니다 (예: `version=1.2;`). 지금은 "+t.describeKO()+"입니다")
	}
	p.next()
	if _, err := p.expect("=", "after version", "version 다음에"); err != nil {
		return err
	}
	major := p.next()
	dot := p.next()
	minor := p.next()
	if major.kind != tInt || dot.text != "." || minor.kind != tInt {
		return errAt(major.pos, "the version is written MAJOR.MINOR: 1.0, 1.1 or 1.2", "버전은 MAJOR.MINOR로 씁니다: 1.0, 1.1 또는 1.2")
	}
	v := major.text + "." + minor.text
	switch v {
	case "1.0", "1.1", "1.2":
	default:
		return errAt(major.pos, fmt.Sprintf("version %s is not one MAA knows; use 1.0, 1.1 or 1.2", v),
			fmt.Sprintf("버전 %s는 MAA가 모르는 버전입니다. 1.0, 1.1 또는 1.2를 씁니다", v))
	}
	p.pol.Version = v
	if _, err := p.expect(";", "after the version", "버전 다음에"); err != nil {
		return err
	}
	for p.peek().kind != tEOF {
		if err := p.section(); err != nil {
			return err
		}
	}
	if !p.pol.Has[Authorization] {
		return errAt(p.peek().pos, "the policy has no authorizationrules section; without a permit() every attestation is denied. Add `authorizationrules { => permit(); };`",
			"정책에 authorizationrules 섹션이 없습니다. permit()이 없으면 모든 증명이 거부됩니다. `authorizationrules { => permit(); };`를 추가합니다")
	}
	return nil
}

func (p *parser) section() error {
	t := p.next()
	sec := -1
	for i, n := range sectionNames {
		if t.kind == tIdent && strings.EqualFold(t.text, n) {
			sec = i
		}
	}
	if sec < 0 {
		return errAt(t.pos, "expected a section (configurationrules, authorizationrules or issuancerules), found "+t.describe(),
			"섹션(configurationrules, authorizationrules 또는 issuancerules)이 와야 하는데 "+t.describeKO()+"이(가) 있습니다")
	}
	s := Section(sec)
	if p.pol.Has[s] {
		return errAt(t.pos, s.String()+" appears twice; merge the two sections", s.String()+" 섹션이 두 번 나옵니다. 하나로 합칩니다")
	}
	if s == Configuration && !p.atLeast("1.1") {
		return errAt(t.pos, "configurationrules needs version=1.1 or later (this policy says "+p.pol.Version+")",
			"configurationrules는 version=1.1 이상에서 씁니다 (이 정책은 "+p.pol.Version+"입니다)")
	}
	p.pol.Has[s] = true
	if _, err := p.expect("{", "to open "+s.String(), s.String()+"를 여는"); err != nil {
		return err
	}
	n := 0
	for !p.is("}") {
		if p.peek().kind == tEOF {
			return errAt(p.peek().pos, s.String()+" (line "+fmt.Sprint(t.pos.Line)+") is never closed; add `};`",
				s.String()+" 섹션("+fmt.Sprint(t.pos.Line)+"행)이 닫히지 않았습니다. `};`를 붙입니다")
		}
		n++
		r, err := p.rule(s, n)
		if err != nil {
			return err
		}
		p.pol.Rules = append(p.pol.Rules, r)
	}
	p.next()
	if p.is(";") {
		p.next()
	}
	return nil
}

func (p *parser) rule(s Section, n int) (*Rule, error) {
	r := &Rule{Section: s, Index: n, Pos: p.peek().pos}
	p.vars = map[string]bool{}
	for !p.is("=>") {
		if len(r.Conds) > 0 {
			if _, err := p.expect("&&", "between conditions", "조건 사이에"); err != nil {
				return nil, err
			}
		}
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		r.Conds = append(r.Conds, c)
	}
	p.next()
	a, err := p.action(s)
	if err != nil {
		return nil, err
	}
	r.Action = a
	end := p.toks[p.i-1].pos.Off + len(p.toks[p.i-1].text)
	if p.is(";") {
		end = p.next().pos.Off + 1
	} else {
		t := p.peek()
		p.warn(t.pos, "the rule before this has no `;`; read as if it had one", "이 앞의 규칙에 `;`가 없습니다. 있는 것으로 읽습니다")
	}
	r.Text = squeeze(p.src[r.Pos.Off:min(end, len(p.src))])
	return r, nil
}

func (p *parser) cond() (*Cond, error) {
	c := &Cond{Pos: p.peek().pos}
	if p.is("!") {
		if !p.atLeast("1.2") {
			return nil, errAt(c.Pos, "`!` (no such claim) needs version=1.2", "`!`(그런 클레임 없음)는 version=1.2에서 씁니다")
		}
		p.next()
		c.Not = true
	}
	if t := p.peek(); t.kind == tIdent {
		p.next()
		if _, err := p.expect(":", "after the condition's name "+t.text, "조건 이름 "+t.text+" 다음에"); err != nil {
			return nil, err
		}
		if c.Not {
			return nil, errAt(t.pos, "a `!` condition matches no claim, so it cannot be named; remove "+t.text+":",
				"`!` 조건은 맞는 클레임이 없으므로 이름을 붙일 수 없습니다. "+t.text+":를 지웁니다")
		}
		if p.vars[t.text] {
			return nil, errAt(t.pos, t.text+" names two conditions of this rule; give each its own name",
				t.text+"가 이 규칙의 두 조건에 붙었습니다. 이름을 따로 붙입니다")
		}
		c.Var = t.text
	}
	if _, err := p.expect("[", "to open the condition", "조건을 여는"); err != nil {
		return nil, err
	}
	for !p.is("]") {
		if len(c.Tests) > 0 {
			if _, err := p.expect(",", "between claim tests", "클레임 검사 사이에"); err != nil {
				return nil, err
			}
		}
		t, err := p.test()
		if err != nil {
			return nil, err
		}
		c.Tests = append(c.Tests, t)
	}
	end := p.next()
	if len(c.Tests) == 0 {
		return nil, errAt(c.Pos, "an empty condition [] tests nothing; name a claim, e.g. [type==\"secureboot\"]",
			"빈 조건 []은 아무것도 검사하지 않습니다. 클레임을 지정합니다 (예: [type==\"secureboot\"])")
	}
	c.Text = squeeze(p.src[c.Pos.Off : end.pos.Off+1])
	// The name is bound after the condition: its own tests cannot use it.
	if c.Var != "" {
		p.vars[c.Var] = true
	}
	return c, nil
}

var props = []string{"type", "value", "valueType", "issuer"}

func (p *parser) test() (*Test, error) {
	t := p.next()
	prop := ""
	for _, n := range props {
		if t.kind == tIdent && strings.EqualFold(t.text, n) {
			prop = n
		}
	}
	if prop == "" {
		return nil, errAt(t.pos, "a claim test starts with type, value, valueType or issuer, found "+t.describe(),
			"클레임 검사는 type, value, valueType 또는 issuer로 시작합니다. 지금은 "+t.describeKO()+"입니다")
	}
	op := p.next()
	switch {
	case op.kind == tPunct && op.text == "=":
		// Microsoft's own samples write [type="…"]; MAA is taken to read it as ==.
		p.warn(op.pos, "`=` in a condition is read as `==` (Microsoft's examples write it so) [UNSURE whether MAA accepts it]",
			"조건의 `=`를 `==`로 읽습니다 (Microsoft 예제가 이렇게 씁니다) [MAA가 받는지 불확실]")
		op.text = "=="
	case op.kind == tPunct && (op.text == "==" || op.text == "!="):
	case op.kind == tPunct && (op.text == "<" || op.text == "<=" || op.text == ">" || op.text == ">="):
		if prop != "value" {
			return nil, errAt(op.pos, op.text+" compares integers; "+prop+" takes only == and !=",
				op.text+"는 정수를 비교합니다. "+prop+"에는 ==와 !=만 씁니다")
		}
	default:
		return nil, errAt(op.pos, "expected a comparison (== != < <= > >=) after "+prop+", found "+op.describe(),
			prop+" 다음에 비교 연산자(== != < <= > >=)가 와야 하는데 "+op.describeKO()+"이(가) 있습니다")
	}
	v, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &Test{Pos: t.pos, Prop: prop, Op: op.text, Value: v}, nil
}

func (p *parser) expr() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &Lit{P: t.pos, V: Str(t.text)}, nil
	case tInt:
		return &Lit{P: t.pos, V: Int(t.num)}, nil
	case tPunct:
		if t.text == "-" && p.peek().kind == tInt {
			n := p.next()
			return &Lit{P: t.pos, V: Int(-n.num)}, nil
		}
	case tIdent:
		switch {
		case strings.EqualFold(t.text, "true"), strings.EqualFold(t.text, "false"):
			return &Lit{P: t.pos, V: Bool(strings.EqualFold(t.text, "true"))}, nil
		case p.is("("):
			return p.call(t)
		case p.is("."):
			p.next()
			prop := p.next()
			name := ""
			for _, n := range props {
				if prop.kind == tIdent && strings.EqualFold(prop.text, n) {
					name = n
				}
			}
			if name == "" {
				return nil, errAt(prop.pos, t.text+"."+prop.text+": a claim has type, value, valueType and issuer",
					t.text+"."+prop.text+": 클레임에는 type, value, valueType, issuer가 있습니다")
			}
			if !p.vars[t.text] {
				return nil, errAt(t.pos, t.text+" is not the name of an earlier condition of this rule; name one, e.g. "+t.text+":[type==\"…\"]",
					t.text+"는 이 규칙의 앞선 조건 이름이 아닙니다. 조건에 이름을 붙입니다 (예: "+t.text+":[type==\"…\"])")
			}
			return &Ref{P: t.pos, Var: t.text, Prop: name}, nil
		}
	}
	return nil, errAt(t.pos, "expected a value (a \"string\", an integer, true, false, name.value or a function), found "+t.describe(),
		"값(\"문자열\", 정수, true, false, 이름.value 또는 함수)이 와야 하는데 "+t.describeKO()+"이(가) 있습니다")
}

func (p *parser) call(name token) (Expr, error) {
	fn := ""
	for f := range functions {
		if strings.EqualFold(f, name.text) {
			fn = f
		}
	}
	if fn == "" {
		return nil, errAt(name.pos, name.text+" is not a policy function; 1.2 has JmesPath, JsonToClaimValue, IsSubsetOf, AppendString, NegateBool and ContainsOnlyValue",
			name.text+"는 정책 함수가 아닙니다. 1.2에는 JmesPath, JsonToClaimValue, IsSubsetOf, AppendString, NegateBool, ContainsOnlyValue가 있습니다")
	}
	if !p.atLeast("1.2") {
		return nil, errAt(name.pos, fn+" needs version=1.2 (this policy says "+p.pol.Version+")",
			fn+"는 version=1.2에서 씁니다 (이 정책은 "+p.pol.Version+"입니다)")
	}
	if p.depth++; p.depth > MaxCallDepth {
		return nil, errAt(name.pos, fmt.Sprintf("functions are nested more than %d deep; simplify the expression", MaxCallDepth),
			fmt.Sprintf("함수가 %d단계보다 깊게 중첩되었습니다. 식을 단순하게 고칩니다", MaxCallDepth))
	}
	defer func() { p.depth-- }()
	p.next() // (
	c := &Call{P: name.pos, Name: fn}
	for !p.is(")") {
		if len(c.Args) > 0 {
			if _, err := p.expect(",", "between arguments", "인수 사이에"); err != nil {
				return nil, err
			}
		}
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, a)
	}
	p.next()
	if want := functions[fn]; len(c.Args) != want {
		return nil, errAt(name.pos, fmt.Sprintf("%s takes %d argument(s), given %d", fn, want, len(c.Args)),
			fmt.Sprintf("%s는 인수 %d개를 받는데 %d개가 주어졌습니다", fn, want, len(c.Args)))
	}
	return c, nil
}

var verbs = []string{"permit", "deny", "add", "issue", "issueproperty"}

func (p *parser) action(s Section) (*Action, error) {
	t := p.next()
	verb := ""
	for _, v := range verbs {
		if t.kind == tIdent && strings.EqualFold(t.text, v) {
			verb = v
		}
	}
	if verb == "" {
		return nil, errAt(t.pos, "expected an action (permit, deny, add, issue or issueproperty) after =>, found "+t.describe(),
			"=> 다음에 동작(permit, deny, add, issue 또는 issueproperty)이 와야 하는데 "+t.describeKO()+"이(가) 있습니다")
	}
	a := &Action{Pos: t.pos, Verb: verb}
	switch {
	case (verb == "permit" || verb == "deny") && s != Authorization:
		return nil, errAt(t.pos, verb+"() belongs in authorizationrules, not "+s.String(), verb+"()는 "+s.String()+"가 아니라 authorizationrules에 씁니다")
	case verb == "issueproperty" && s == Authorization:
		return nil, errAt(t.pos, "issueproperty() belongs in configurationrules or issuancerules", "issueproperty()는 configurationrules나 issuancerules에 씁니다")
	case (verb == "add" || verb == "issue") && s == Configuration:
		return nil, errAt(t.pos, "configurationrules set engine properties with issueproperty(); move "+verb+"() to issuancerules",
			"configurationrules는 issueproperty()로 엔진 속성만 정합니다. "+verb+"()는 issuancerules로 옮깁니다")
	case verb == "issue" && s == Authorization:
		// Microsoft's key-attestation sample does this; claims from authorizationrules
		// never reach the token, so the claim is only added to the incoming set.
		p.warn(t.pos, "issue() in authorizationrules cannot put a claim in the token; read as add()",
			"authorizationrules의 issue()는 토큰에 클레임을 넣을 수 없습니다. add()로 읽습니다")
	}
	if _, err := p.expect("(", "after "+verb, verb+" 다음에"); err != nil {
		return nil, err
	}
	for !p.is(")") {
		if a.Type != nil || a.Value != nil || a.Claim != "" {
			if _, err := p.expect(",", "between arguments", "인수 사이에"); err != nil {
				return nil, err
			}
		}
		name := p.next()
		if name.kind != tIdent {
			return nil, errAt(name.pos, verb+"'s arguments are type=…, value=… or claim=NAME, found "+name.describe(),
				verb+"의 인수는 type=…, value=… 또는 claim=이름입니다. 지금은 "+name.describeKO()+"입니다")
		}
		if _, err := p.expect("=", "after "+name.text, name.text+" 다음에"); err != nil {
			return nil, err
		}
		switch strings.ToLower(name.text) {
		case "claim":
			v := p.next()
			if v.kind != tIdent || !p.vars[v.text] {
				return nil, errAt(v.pos, "claim= takes the name of an earlier condition of this rule, found "+v.describe(),
					"claim=에는 이 규칙의 앞선 조건 이름이 와야 하는데 "+v.describeKO()+"이(가) 있습니다")
			}
			a.Claim = v.text
		case "type", "value":
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if strings.EqualFold(name.text, "type") {
				a.Type = e
			} else {
				a.Value = e
			}
		default:
			return nil, errAt(name.pos, verb+" takes type=, value= or claim=, not "+name.text+"=",
				verb+"는 type=, value= 또는 claim=을 받습니다. "+name.text+"=는 받지 않습니다")
		}
	}
	closing := p.next()
	switch {
	case verb == "permit" || verb == "deny":
		if a.Type != nil || a.Value != nil || a.Claim != "" {
			return nil, errAt(t.pos, verb+"() takes no arguments", verb+"()는 인수를 받지 않습니다")
		}
	case a.Claim != "" && (a.Type != nil || a.Value != nil):
		return nil, errAt(t.pos, verb+"(claim=…) takes the whole claim; drop type= and value=", verb+"(claim=…)는 클레임 전체를 씁니다. type=와 value=를 지웁니다")
	case a.Claim == "" && (a.Type == nil || a.Value == nil):
		return nil, errAt(closing.pos, verb+" needs both type= and value= (or claim=NAME)", verb+"에는 type=와 value=가 모두 (또는 claim=이름이) 필요합니다")
	}
	return a, nil
}

// squeeze collapses runs of white space, for showing a rule on one line.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }
