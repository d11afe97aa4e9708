package policy

import (
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Result is what a policy made of a claim set, with every rule's trace.
type Result struct {
	Permitted bool
	// Rules are traced in the order MAA runs them; issuance rules are not run after a
	// denial (Ran false).
	Rules []*Trace
	// Outgoing are the claims issue() put in the token; Properties what issueproperty()
	// set; Incoming the final incoming set (evidence claims plus add()ed ones).
	Outgoing, Properties, Incoming []Claim
	// Denial says what decided a denial; nil when permitted.
	Denial *Denial
}

// Trace is one rule's evaluation.
type Trace struct {
	Rule  *Rule
	Ran   bool
	Fired bool
	// Conds holds a trace for each condition evaluated, up to the first that failed.
	Conds []CondTrace
	// Made are the claims the action added, issued or set.
	Made []Claim
	// Err is a function that failed (JsonToClaimValue of a fraction, a bad JmesPath query):
	// MAA fails the attestation then.
	Err *present.Text
}

// CondTrace is one condition's evaluation.
type CondTrace struct {
	Cond *Cond
	Held bool
	// Matched are the claims that passed every test (for a `!` condition, the ones that
	// made it fail).
	Matched []Claim
	// Near is, for a condition that failed, a claim of the wanted type that failed another
	// test: the claim that decided it.
	Near *Claim
	Why  present.Text
}

// Denial is why a policy denied: a deny() that fired, no permit() that fired, or a rule
// whose function failed.
type Denial struct {
	Rule  *Trace // nil when the policy has no permit() rule at all
	Claim *Claim // the claim that decided, when one did
	Why   present.Text
}

// Evaluate runs the policy over the incoming claims as MAA does: configuration rules,
// then authorization rules (a deny() that fires, or no permit() that fires, denies), then,
// when permitted, issuance rules in order.
func (pol *Policy) Evaluate(incoming []Claim) *Result {
	e := &evaluator{in: append([]Claim(nil), incoming...)}
	res := &Result{}
	var permits, denies []*Trace
	var failed *Trace
	for _, r := range pol.Rules {
		tr := &Trace{Rule: r}
		res.Rules = append(res.Rules, tr)
		if failed != nil || (r.Section == Issuance && (len(denies) > 0 || len(permits) == 0)) {
			continue // not run: the attestation is already decided
		}
		e.run(tr, res)
		switch {
		case tr.Err != nil:
			failed = tr
		case tr.Fired && r.Action.Verb == "permit":
			permits = append(permits, tr)
		case tr.Fired && r.Action.Verb == "deny":
			denies = append(denies, tr)
		}
	}
	res.Incoming = e.in
	switch {
	case failed != nil:
		res.Denial = &Denial{Rule: failed, Why: present.T(
			"rule "+failed.Rule.label()+" failed: "+failed.Err.EN+"; MAA answers such an error with PolicyEvaluationError",
			"규칙 "+failed.Rule.labelKO()+"이(가) 실패했습니다: "+failed.Err.KO+". MAA는 이런 오류에 PolicyEvaluationError로 답합니다")}
	case len(denies) > 0:
		d := denies[0]
		res.Denial = &Denial{Rule: d, Claim: decidingClaim(d),
			Why: present.T("rule "+d.Rule.label()+" fired deny()", "규칙 "+d.Rule.labelKO()+"이(가) deny()를 실행했습니다")}
	case len(permits) == 0:
		res.Denial = noPermit(res.Rules)
	default:
		res.Permitted = true
	}
	return res
}

// label is "authorizationrules #2 (line 5)"; labelKO says the line in Korean.
func (r *Rule) label() string {
	return fmt.Sprintf("%s #%d (line %d)", r.Section, r.Index, r.Pos.Line)
}

func (r *Rule) labelKO() string {
	return fmt.Sprintf("%s #%d (%d행)", r.Section, r.Index, r.Pos.Line)
}

// decidingClaim is the claim a fired deny rule matched on a value test, or its first match.
func decidingClaim(t *Trace) *Claim {
	var first *Claim
	for _, c := range t.Conds {
		if len(c.Matched) == 0 {
			continue
		}
		m := c.Matched[0]
		for _, test := range c.Cond.Tests {
			if test.Prop == "value" {
				return &m
			}
		}
		if first == nil {
			first = &m
		}
	}
	return first
}

// noPermit explains a denial for want of a permit(): the first permit rule's failing
// condition and the claim that failed it.
func noPermit(rules []*Trace) *Denial {
	for _, t := range rules {
		if t.Rule.Action.Verb != "permit" || !t.Ran {
			continue
		}
		d := &Denial{Rule: t}
		for _, c := range t.Conds {
			if !c.Held {
				d.Claim = c.Near
				d.Why = present.T("no permit() fired: rule "+t.Rule.label()+" needs "+c.Cond.Text+" and "+c.Why.EN,
					"permit()가 실행되지 않았습니다: 규칙 "+t.Rule.labelKO()+"은(는) "+c.Cond.Text+"이(가) 필요한데 "+c.Why.KO)
				return d
			}
		}
		d.Why = present.T("no permit() fired: rule "+t.Rule.label()+" did not fire", "permit()가 실행되지 않았습니다: 규칙 "+t.Rule.labelKO()+"이(가) 실행되지 않았습니다")
		return d
	}
	return &Denial{Why: present.T("No Permit claim was issued: authorizationrules has no permit() rule; add `=> permit();` or a conditional permit",
		"Permit 클레임이 발급되지 않았습니다: authorizationrules에 permit() 규칙이 없습니다. `=> permit();`나 조건부 permit을 추가합니다")}
}

type evaluator struct {
	in   []Claim
	vars map[string][]Claim
	work int // claim tests run so far, bounded by MaxWork
}

type evalError struct{ msg present.Text }

func (e *evalError) Error() string { return e.msg.EN }

func failf(en, ko string) *evalError { return &evalError{present.T(en, ko)} }

// run evaluates one rule and applies its action when every condition holds.
func (e *evaluator) run(tr *Trace, res *Result) {
	tr.Ran = true
	e.vars = map[string][]Claim{}
	r := tr.Rule
	for _, c := range r.Conds {
		ct, err := e.cond(c)
		if err != nil {
			tr.Err = &err.msg
			return
		}
		tr.Conds = append(tr.Conds, ct)
		if !ct.Held {
			return
		}
		if c.Var != "" {
			e.vars[c.Var] = ct.Matched
		}
	}
	tr.Fired = true
	made, err := e.act(r)
	if err != nil {
		tr.Err = &err.msg
		return
	}
	tr.Made = made
	verb := r.Action.Verb
	if verb == "issue" && r.Section == Authorization {
		verb = "add"
	}
	for _, c := range made {
		e.in = append(e.in, c)
		switch verb {
		case "issue":
			res.Outgoing = append(res.Outgoing, c)
		case "issueproperty":
			res.Properties = append(res.Properties, c)
		}
	}
	if len(e.in) > MaxClaims {
		tr.Err = &present.Text{EN: fmt.Sprintf("the incoming claim set grew past %d claims", MaxClaims),
			KO: fmt.Sprintf("들어오는 클레임 집합이 %d개를 넘었습니다", MaxClaims)}
	}
}

// cond finds the claims that pass all of c's tests.
func (e *evaluator) cond(c *Cond) (CondTrace, *evalError) {
	ct := CondTrace{Cond: c}
	var near *Claim
	var nearWhy present.Text
	if e.work += len(e.in) * len(c.Tests); e.work > MaxWork {
		return ct, failf(fmt.Sprintf("evaluation stopped after %d claim tests; the policy tests too many claims too many times", MaxWork),
			fmt.Sprintf("클레임 검사가 %d번을 넘어 평가를 멈췄습니다. 정책이 너무 많은 클레임을 너무 여러 번 검사합니다", MaxWork))
	}
	// A test's right-hand side depends only on the rule's earlier conditions, so it is
	// evaluated once, not once per claim (and not at all when there are no claims).
	var wants [][]Value
	if len(e.in) > 0 {
		for _, t := range c.Tests {
			w, err := e.eval(t.Value)
			if err != nil {
				return ct, err
			}
			wants = append(wants, w)
		}
	}
	for i := range e.in {
		cl := e.in[i]
		ok, typeOK, why := claimPasses(cl, c.Tests, wants, near == nil)
		if ok {
			ct.Matched = append(ct.Matched, cl)
		} else if typeOK && near == nil {
			near, nearWhy = &cl, why
		}
	}
	ct.Held = len(ct.Matched) > 0 != c.Not
	switch {
	case c.Not && !ct.Held:
		m := ct.Matched[0]
		ct.Why = present.T("a claim it must not find is there: "+m.String(), "없어야 할 클레임이 있습니다: "+m.String())
	case c.Not:
		ct.Why = present.T("no such claim, as wanted", "그런 클레임이 없습니다 (원하는 대로)")
	case ct.Held:
		ct.Why = present.T(fmt.Sprintf("%d claim(s) match: %s", len(ct.Matched), ct.Matched[0]),
			fmt.Sprintf("클레임 %d개가 맞습니다: %s", len(ct.Matched), ct.Matched[0]))
	case near != nil:
		ct.Near, ct.Why = near, nearWhy
	default:
		ct.Why = present.T("no claim "+describeWanted(c)+" is there", describeWanted(c)+"인 클레임이 없습니다")
	}
	return ct, nil
}

// describeWanted is the condition's type and issuer tests, for "no claim … is there".
func describeWanted(c *Cond) string {
	var parts []string
	for _, t := range c.Tests {
		if t.Prop == "type" || t.Prop == "issuer" {
			parts = append(parts, t.Prop+t.Op+t.Value.String())
		}
	}
	if len(parts) == 0 {
		return c.Text
	}
	return strings.Join(parts, ", ")
}

// claimPasses runs every test on one claim. typeOK says the claim passed its type tests
// (so a failure is about its value or issuer: a near miss worth naming); with explain, why
// says which test failed (only the first near miss is named, and words cost time).
func claimPasses(cl Claim, tests []*Test, wants [][]Value, explain bool) (ok, typeOK bool, why present.Text) {
	typeOK = true
	for i, t := range tests {
		want := wants[i]
		var got Value
		switch t.Prop {
		case "type":
			got = Str(cl.Type)
		case "value":
			got = cl.Value
		case "valueType":
			got = Str(cl.Value.Kind.String())
		case "issuer":
			got = Str(cl.Issuer)
		}
		if compareAny(got, t.Op, want) {
			continue
		}
		if t.Prop == "type" || !explain {
			return false, t.Prop != "type", why
		}
		wantS := setString(want)
		if t.Prop == "value" {
			return false, true, present.T(fmt.Sprintf("%s is %s; the condition wants value %s %s", cl.Type, got.Literal(), t.Op, wantS),
				fmt.Sprintf("%s 값이 %s인데 조건은 value %s %s를 요구합니다", cl.Type, got.Literal(), t.Op, wantS))
		}
		return false, true, present.T(fmt.Sprintf("%s has %s %s; the condition wants %s %s %s", cl.Type, t.Prop, got.Literal(), t.Prop, t.Op, wantS),
			fmt.Sprintf("%s의 %s 값이 %s인데 조건은 %s %s %s를 요구합니다", cl.Type, t.Prop, got.Literal(), t.Prop, t.Op, wantS))
	}
	return true, true, why
}

func setString(vs []Value) string {
	if len(vs) == 1 {
		return vs[0].Literal()
	}
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.Literal()
	}
	return "{" + strings.Join(s, ", ") + "}"
}

// compareAny says whether got op w holds for some w in want (== and the orderings) or for
// every w (!=). Values of different kinds are never equal: MAA's claims are typed, so
// value==true does not match the string "true". Orderings hold only between integers.
func compareAny(got Value, op string, want []Value) bool {
	if op == "!=" {
		for _, w := range want {
			if got == w {
				return false
			}
		}
		return true
	}
	for _, w := range want {
		switch {
		case op == "==" && got == w:
			return true
		case got.Kind != Integer || w.Kind != Integer:
		case op == "<" && got.I < w.I, op == "<=" && got.I <= w.I, op == ">" && got.I > w.I, op == ">=" && got.I >= w.I:
			return true
		}
	}
	return false
}

// act makes the action's claims; permit and deny make none.
func (e *evaluator) act(r *Rule) ([]Claim, *evalError) {
	a := r.Action
	switch {
	case a.Verb == "permit" || a.Verb == "deny":
		return nil, nil
	case a.Claim != "":
		var out []Claim
		for _, c := range e.vars[a.Claim] {
			out = append(out, c) // re-issued as it is, issuer kept
		}
		return out, nil
	}
	types, err := e.eval(a.Type)
	if err != nil {
		return nil, err
	}
	if len(types) != 1 || types[0].Kind != String {
		return nil, failf(fmt.Sprintf("%s's type= must be one string, got %s", a.Verb, setString(types)),
			fmt.Sprintf("%s의 type=은 문자열 하나여야 하는데 %s입니다", a.Verb, setString(types)))
	}
	vals, err := e.eval(a.Value)
	if err != nil {
		return nil, err
	}
	// An empty value (JsonToClaimValue of null) makes no claim; a set makes one claim per
	// value, all of the same type (claim-rule-functions.md).
	out := make([]Claim, 0, len(vals))
	for _, v := range vals {
		out = append(out, Claim{Type: types[0].S, Value: v, Issuer: IssuerPolicy})
	}
	return out, nil
}

// eval evaluates an expression to a set of values: a literal is one value, c.value the
// values of every claim c matched, a function what it returns.
func (e *evaluator) eval(x Expr) ([]Value, *evalError) {
	switch x := x.(type) {
	case *Lit:
		return []Value{x.V}, nil
	case *Ref:
		var out []Value
		for _, c := range e.vars[x.Var] {
			switch x.Prop {
			case "type":
				out = append(out, Str(c.Type))
			case "value":
				out = append(out, c.Value)
			case "valueType":
				out = append(out, Str(c.Value.Kind.String()))
			case "issuer":
				out = append(out, Str(c.Issuer))
			}
		}
		return out, nil
	case *Call:
		args := make([][]Value, len(x.Args))
		for i, a := range x.Args {
			v, err := e.eval(a)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		return call(x.Name, args)
	}
	return nil, failf("unknown expression", "알 수 없는 식입니다")
}
