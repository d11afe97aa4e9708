package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseLearnExamples parses every policy of Microsoft Learn's policy pages (rewritten
// in testdata/learn with their placeholders filled in), with the looseness the pages
// themselves have: `=` for `==`, rules without `;`, issue() in authorizationrules.
func TestParseLearnExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/learn/*.policy")
	if len(files) < 12 {
		t.Fatalf("found %d example policies, want at least 12", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(string(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(p.Rules) == 0 || !p.Has[Authorization] {
			t.Errorf("%s: parsed to %d rules, authorization %v", f, len(p.Rules), p.Has[Authorization])
		}
	}
}

func TestParseShapes(t *testing.T) {
	p, err := Parse(`version=1.2;
issuancerules { c:[type=="a"] => issue(type="b", value=NegateBool(c.value)); };
authorizationrules { ![type=="x", issuer=="AttestationService"] => permit(); };
configurationrules { => issueproperty(type="required_pcr_mask", value=0xFF); };`)
	if err != nil {
		t.Fatal(err)
	}
	// MAA's order, whatever the text's.
	var got []Section
	for _, r := range p.Rules {
		got = append(got, r.Section)
	}
	if len(got) != 3 || got[0] != Configuration || got[1] != Authorization || got[2] != Issuance {
		t.Fatalf("rule order %v", got)
	}
	if v := p.Rules[0].Action.Value.(*Lit).V; v != Int(255) {
		t.Errorf("hex literal read as %v", v)
	}
	if c := p.Rules[1].Conds[0]; !c.Not || len(c.Tests) != 2 || c.Tests[1].Prop != "issuer" {
		t.Errorf("negated condition parsed as %+v", c)
	}
	call := p.Rules[2].Action.Value.(*Call)
	if call.Name != "NegateBool" || call.Args[0].String() != "c.value" {
		t.Errorf("call parsed as %s", call)
	}
	if p.Rules[2].Text != `c:[type=="a"] => issue(type="b", value=NegateBool(c.value));` {
		t.Errorf("rule text %q", p.Rules[2].Text)
	}
}

func TestParseWarnings(t *testing.T) {
	p, err := Parse("version=1.0;\nauthorizationrules {\n c:[type=\"x\"] => permit()\n};")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 2 {
		t.Fatalf("warnings %v", p.Warnings)
	}
	if w := p.Warnings[0]; w.Pos.Line != 3 || w.Pos.Col != 9 || !strings.Contains(w.Msg.EN, "read as `==`") {
		t.Errorf("first warning %v", w)
	}
	if w := p.Warnings[1]; w.Pos.Line != 4 || !strings.Contains(w.Msg.EN, "no `;`") {
		t.Errorf("second warning %v", w)
	}
}

// TestParseErrors: each mistake is named at its line and column, in English and Korean.
func TestParseErrors(t *testing.T) {
	const head = "version=1.2;\nauthorizationrules {\n"
	for _, tc := range []struct {
		name, text string
		line, col  int
		want       string
	}{
		{"no version", "authorizationrules { => permit(); };", 1, 1, "starts with its version"},
		{"bad version", "version=2.0;", 1, 9, "version 2.0 is not one MAA knows"},
		{"missing authorization", "version=1.0;\nissuancerules { };", 2, 19, "no authorizationrules section"},
		{"config in 1.0", "version=1.0;\nconfigurationrules { };", 2, 1, "needs version=1.1"},
		{"function in 1.1", "version=1.1;\nauthorizationrules { => add(type=\"a\", value=NegateBool(true)); };", 2, 45, "needs version=1.2"},
		{"not in 1.0", "version=1.0;\nauthorizationrules { ![type==\"a\"] => permit(); };", 2, 22, "needs version=1.2"},
		{"placeholder", head + " [type==\"x-ms-sgx-product-id\", value==<product-id>] => permit();\n};", 3, 39, "expected a value"},
		{"unknown property", head + " [kind==\"a\"] => permit();\n};", 3, 3, "starts with type, value"},
		{"ordering on type", head + " [type<\"a\"] => permit();\n};", 3, 7, "compares integers"},
		{"undefined name", head + " [type==\"a\", value==c.value] => permit();\n};", 3, 21, "c is not the name of an earlier condition"},
		{"self reference", head + " c:[type==\"a\", value==c.value] => permit();\n};", 3, 23, "not the name of an earlier condition"},
		{"duplicate name", head + " c:[type==\"a\"] && c:[type==\"b\"] => permit();\n};", 3, 19, "names two conditions"},
		{"named negation", head + " !c:[type==\"a\"] => permit();\n};", 3, 3, "cannot be named"},
		{"permit in issuance", "version=1.0;\nauthorizationrules { };\nissuancerules { => permit(); };", 3, 20, "belongs in authorizationrules"},
		{"add without value", head + " => add(type=\"a\");\n};", 3, 17, "needs both type= and value="},
		{"positional argument", head + " => add(\"a\", value=1);\n};", 3, 9, "arguments are type=…"},
		{"wrong arity", head + " => add(type=\"a\", value=ContainsOnlyValue(100));\n};", 3, 25, "takes 2 argument(s), given 1"},
		{"unknown function", head + " => add(type=\"a\", value=Length(\"x\"));\n};", 3, 25, "not a policy function"},
		{"unclosed string", head + " [type==\"abc] => permit();\n};", 3, 9, "not closed before the end of the line"},
		{"unclosed section", head + " => permit();\n", 4, 1, "never closed"},
		{"unclosed comment", head + " /* note\n => permit(); };", 3, 2, "never closed"},
		{"missing &&", head + " [type==\"a\"] [type==\"b\"] => permit();\n};", 3, 14, "expected `&&`"},
		{"empty condition", head + " [] => permit();\n};", 3, 2, "empty condition"},
		{"duplicate section", "version=1.0;\nauthorizationrules { };\nauthorizationrules { };", 3, 1, "appears twice"},
		{"stray character", head + " [type==\"a\"] => permit(); #\n};", 3, 27, "unexpected character"},
		{"huge integer", head + " [value==99999999999999999999] => permit();\n};", 3, 10, "does not fit in 64 bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.text)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse = %v, want an *Error", err)
			}
			if e.Pos.Line != tc.line || e.Pos.Col != tc.col || !strings.Contains(e.Msg.EN, tc.want) {
				t.Errorf("got %v (at %d:%d), want %q at %d:%d", e, e.Pos.Line, e.Pos.Col, tc.want, tc.line, tc.col)
			}
			if e.Msg.KO == "" || !strings.ContainsAny(e.In("ko"), "가나다라마바사아자차카타파하합니다") {
				t.Errorf("no Korean message: %q", e.In("ko"))
			}
		})
	}
}

// TestParseBounds: deep nesting and huge inputs are refused with a message, quickly.
func TestParseBounds(t *testing.T) {
	deep := "version=1.2;\nauthorizationrules { => add(type=\"a\", value=" + strings.Repeat("NegateBool(", 100) + "true" + strings.Repeat(")", 100) + "); };"
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested more than 32 deep") {
		t.Errorf("deep nesting: %v", err)
	}
	huge := "version=1.0;\nauthorizationrules {" + strings.Repeat(" => permit();", MaxPolicyBytes/13+1) + "};"
	if _, err := Parse(huge); err == nil || !strings.Contains(err.Error(), "at most 1048576 are read") {
		t.Errorf("huge policy: %v", err)
	}
	if _, err := Parse("version=1.0;\xff"); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("binary input: %v", err)
	}
}

// TestSamplesParse: the shipped sample policies parse without warnings.
func TestSamplesParse(t *testing.T) {
	names := SampleNames()
	if strings.Join(names, ",") != "AzureGuest,SevSnpVm,TdxVm" {
		t.Fatalf("samples %v", names)
	}
	for _, n := range names {
		text, ok := Sample(strings.ToLower(n))
		if !ok {
			t.Fatalf("Sample(%s) missing", n)
		}
		p, err := Parse(text)
		if err != nil || len(p.Warnings) > 0 {
			t.Errorf("%s: %v %v", n, err, p.Warnings)
		}
	}
	if _, ok := Sample("SgxEnclave"); ok {
		t.Error("Sample found a policy for SgxEnclave")
	}
}
