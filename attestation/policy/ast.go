// Package policy reads and runs Microsoft Azure Attestation policies (policy language
// versions 1.0, 1.1 and 1.2: Microsoft Learn "Attestation policy version 1.x", "Claim rule
// grammar", "Claim rule functions"), and explains, rule by rule, why a policy permits or
// denies a set of incoming claims.
package policy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits that keep a hostile policy from costing unbounded time or memory. Microsoft's
// longest sample policy is about 20 KB and nests functions four deep.
const (
	MaxPolicyBytes = 1 << 20
	maxTokens      = 200_000
	MaxCallDepth   = 32
	// MaxClaims bounds the incoming claim set during evaluation: JsonToClaimValue can turn
	// one array into many claims.
	MaxClaims = 10_000
	// MaxValueBytes bounds one claim value: AppendString could otherwise double a value
	// rule after rule.
	MaxValueBytes = 4 << 20
	// MaxWork bounds the claim tests one evaluation runs (claims × tests, summed over
	// conditions): a policy of many rules over many claims stops with an error instead of
	// running for minutes. Microsoft's largest sample needs a few thousand.
	MaxWork = 5_000_000
)

// Section is one of a policy's rule blocks.
type Section int

const (
	Configuration Section = iota
	Authorization
	Issuance
)

var sectionNames = [...]string{"configurationrules", "authorizationrules", "issuancerules"}

func (s Section) String() string { return sectionNames[s] }

// Policy is a parsed policy.
type Policy struct {
	Version string // "1.0", "1.1" or "1.2"
	// Rules holds every rule in source order, configuration rules first as MAA runs them.
	Rules []*Rule
	// Has says which sections the text declares.
	Has [3]bool
	// Warnings are things MAA's own examples do that the grammar does not say, read leniently.
	Warnings []*Error
	Text     string // the policy as given
}

// Rule is `conditions => action;`.
type Rule struct {
	Section Section
	Index   int // 1-based within its section
	Pos     Pos
	Text    string // the rule's source, whitespace collapsed
	Conds   []*Cond
	Action  *Action
}

// Cond is `[name:][tests]` or 1.2's `![tests]`: it holds when some claim passes every
// test (or, negated, when none does).
type Cond struct {
	Pos   Pos
	Not   bool
	Var   string
	Tests []*Test
	Text  string
}

// Test is `property op value` inside a condition.
type Test struct {
	Pos   Pos
	Prop  string // type, value, valueType or issuer
	Op    string // == != < <= > >=
	Value Expr
}

// Expr is a literal, a claim reference (c.value) or a 1.2 function call.
type Expr interface {
	At() Pos
	String() string
}

// Lit is a string, integer or Boolean literal.
type Lit struct {
	P Pos
	V Value
}

// Ref is name.property, a property of the claims a named condition matched.
type Ref struct {
	P         Pos
	Var, Prop string
}

// Call is a 1.2 function call.
type Call struct {
	P    Pos
	Name string // as the documentation spells it
	Args []Expr
}

func (l *Lit) At() Pos  { return l.P }
func (r *Ref) At() Pos  { return r.P }
func (c *Call) At() Pos { return c.P }

func (l *Lit) String() string { return l.V.Literal() }
func (r *Ref) String() string { return r.Var + "." + r.Prop }
func (c *Call) String() string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.String()
	}
	return c.Name + "(" + strings.Join(args, ", ") + ")"
}

// Action is permit(), deny(), add(…), issue(…) or issueproperty(…).
type Action struct {
	Pos  Pos
	Verb string
	// Type and Value are the claim to make; Claim names a condition whose claims are
	// re-issued as they are (issue(claim=c)).
	Type, Value Expr
	Claim       string
}

// Kind is a claim value's type.
type Kind int

const (
	String Kind = iota
	Integer
	Boolean
)

func (k Kind) String() string { return [...]string{"String", "Integer", "Boolean"}[k] }

// Value is one claim value.
type Value struct {
	Kind Kind
	S    string
	I    int64
	B    bool
}

// Str, Int and Bool make values.
func Str(s string) Value { return Value{Kind: String, S: s} }
func Int(i int64) Value  { return Value{Kind: Integer, I: i} }
func Bool(b bool) Value  { return Value{Kind: Boolean, B: b} }
func (v Value) Any() any { // the JSON value
	switch v.Kind {
	case Integer:
		return v.I
	case Boolean:
		return v.B
	}
	return v.S
}

// Literal is the value as a policy writes it: strings quoted.
func (v Value) Literal() string {
	if v.Kind == String {
		return strconv.Quote(v.S)
	}
	return v.Plain()
}

// Plain is the value as a token shows it: strings bare.
func (v Value) Plain() string {
	switch v.Kind {
	case Integer:
		return strconv.FormatInt(v.I, 10)
	case Boolean:
		return strconv.FormatBool(v.B)
	}
	return v.S
}

// Claim issuers (claim-rule-grammar.md).
const (
	IssuerService = "AttestationService"
	IssuerPolicy  = "AttestationPolicy"
	IssuerCustom  = "CustomClaim"
)

// Claim is one claim of the incoming, outgoing or property set.
type Claim struct {
	Type   string `json:"type"`
	Value  Value  `json:"-"`
	Issuer string `json:"issuer"`
}

// String is the claim for people: a long value (the events JSON) is cut to its start and
// its size.
func (c Claim) String() string {
	lit := c.Value.Literal()
	if len(lit) > 100 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(lit[cut]) {
			cut--
		}
		lit = fmt.Sprintf("%s…(%d bytes)", lit[:cut], len(c.Value.Plain()))
	}
	return c.Type + " = " + lit
}
