package claims

import (
	"strings"
	"testing"
)

// TestCatalogKoreanIsDeclarative reads every catalogued claim's Korean as the UI shows it
// (meaning, healthy value, what to do, and the true/false readings): 합니다체 throughout,
// never 하십시오 or 하세요.
func TestCatalogKoreanIsDeclarative(t *testing.T) {
	bad := []string{"하십시오", "하세요", "하십시요", "십시오", "세요", "십시요"}
	n := 0
	check := func(what, ko string) {
		n++
		for _, w := range bad {
			if strings.Contains(ko, w) {
				t.Errorf("%s: %q has %q; write it declaratively (-니다)", what, ko, w)
			}
		}
	}
	for _, name := range Names() {
		e, _ := Lookup(name)
		check(name+" meaning", e.MeaningKO)
		check(name+" healthy", e.HealthyKO)
		check(name+" if unexpected", e.IfUnexpectedKO)
		for _, v := range []string{"true", "false"} {
			_, ko := e.For(v)
			check(name+"="+v, ko)
		}
	}
	if n < 100 {
		t.Fatalf("only %d texts read; the catalog walk is broken", n)
	}
}
