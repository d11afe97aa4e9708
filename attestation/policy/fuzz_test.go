package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any text parses or is refused with a positioned error, never a panic; what
// parses also evaluates without one.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/learn/*.policy")
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		f.Add(string(b))
	}
	for _, n := range SampleNames() {
		s, _ := Sample(n)
		f.Add(s)
	}
	f.Add("version=1.2;authorizationrules{=>add(type=\"a\",value=JsonToClaimValue(\"[1,2,3]\"));c:[type==\"a\"]=>add(type=\"a\",value=c.value);};")
	incoming := []Claim{
		{Type: "secureboot", Value: Bool(true), Issuer: IssuerService},
		{Type: "x-ms-sevsnpvm-vmpl", Value: Int(0), Issuer: IssuerService},
		{Type: "events", Value: Str(`{"Events":[{"PcrIndex":7,"EventTypeString":"EV_SEPARATOR"}]}`), Issuer: IssuerService},
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg.EN == "" {
				t.Fatalf("error without a place or message: %#v", err)
			}
			return
		}
		res := p.Evaluate(incoming)
		if res.Permitted == (res.Denial != nil) {
			t.Fatalf("permitted %v with denial %v", res.Permitted, res.Denial)
		}
	})
}
