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

// TestCatalogIsConsistent walks the catalog data as shipped: no name is catalogued twice and
// every deprecated alias points at an entry. At run time such a mistake no longer panics, so
// this test is where it is caught.
func TestCatalogIsConsistent(t *testing.T) {
	cat, problems := buildCatalog(catalogGroups(), deprecatedAliases())
	for _, p := range problems {
		t.Errorf("claims catalog: %s", p)
	}
	if len(cat) < 100 {
		t.Fatalf("only %d names catalogued; the walk is broken", len(cat))
	}
}

// TestCatalogMistakesAreReportedNotPanicked feeds the builder the mistakes the test above
// looks for: each is reported, the first entry of a duplicate wins, and nothing panics.
func TestCatalogMistakesAreReportedNotPanicked(t *testing.T) {
	first := Entry{Name: "x-ms-dup", Meaning: "first"}
	groups := [][]Entry{{first, {Name: "x-ms-ok", Meaning: "ok"}}, {{Name: "x-ms-dup", Meaning: "second"}}}
	cat, problems := buildCatalog(groups, map[string]string{"old-dup": "x-ms-gone", "x-ms-ok": "x-ms-dup"})
	want := []string{"duplicate catalog entry x-ms-dup", "alias old-dup points at missing entry x-ms-gone", "alias x-ms-ok is also a catalog entry"}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if cat["x-ms-dup"].Meaning != "first" || cat["x-ms-ok"].Meaning != "ok" {
		t.Errorf("the first entry must win: %+v %+v", cat["x-ms-dup"], cat["x-ms-ok"])
	}
	if _, ok := cat["old-dup"]; ok {
		t.Error("an alias of a missing entry was catalogued")
	}
}
