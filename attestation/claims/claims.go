// Package claims explains every claim an MAA token for an Azure VM (and the SGX tokens the
// same service issues) can carry, in English and Korean, so that the UI can show each
// claim with its meaning, its healthy value and what an unexpected value implies.
//
// The catalog is Go data (catalog*.go). Names are either plain claim names, which match at
// any nesting level, or dotted paths for claims whose meaning depends on where they sit
// (the nested x-ms-runtime of x-ms-isolation-tee is the paravisor's, the top-level one is
// MAA's). A path segment "*" stands for any caller-chosen key.
package claims

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Entry explains one claim.
type Entry struct {
	Name string
	// Meaning says what the claim is and where its value comes from.
	Meaning string
	// Healthy is the value a healthy Azure VM shows ("true", "azure-compliant-cvm") or
	// "any" for purely informational claims.
	Healthy string
	// IfUnexpected says what another value implies and what to do.
	IfUnexpected string
	// The same three in Korean.
	MeaningKO, HealthyKO, IfUnexpectedKO string
}

// catalog is built when a claim is first looked up, not at every start of cvmscope.
var catalog = sync.OnceValue(func() map[string]Entry {
	cat, _ := buildCatalog(catalogGroups(), deprecatedAliases())
	return cat
})

// catalogGroups returns the catalog's entries. The groups are functions, not package
// variables: their entries are made by calls (info, entry, collateralHash), which Go runs
// at init for a variable, copying some fifteen kilobytes of entries at every start; as
// functions they are made only when the catalog is built.
func catalogGroups() [][]Entry {
	return [][]Entry{standardEntries(), azureVMEntries(), isolationEntries(), sevSNPEntries(), tdxEntries(), runtimeEntries(), runtimeNewEntries(), sgxEntries()}
}

// buildCatalog indexes the entries and adds the deprecated aliases. A mistake in the data (a
// name catalogued twice, an alias of a missing entry) is a bug that TestCatalogIsConsistent
// reports; at run time the first entry wins and the broken alias is left out, so a lookup
// never panics in front of someone.
func buildCatalog(groups [][]Entry, aliases map[string]string) (map[string]Entry, []string) {
	cat := map[string]Entry{}
	var problems []string
	for _, group := range groups {
		for _, e := range group {
			if _, dup := cat[e.Name]; dup {
				problems = append(problems, "duplicate catalog entry "+e.Name)
				continue
			}
			cat[e.Name] = e
		}
	}
	for _, name := range slices.Sorted(maps.Keys(aliases)) {
		target := aliases[name]
		t, ok := cat[target]
		if !ok {
			problems = append(problems, "alias "+name+" points at missing entry "+target)
			continue
		}
		if _, dup := cat[name]; dup {
			problems = append(problems, "alias "+name+" is also a catalog entry")
			continue
		}
		cat[name] = Entry{
			Name:           name,
			Meaning:        "Deprecated alias of " + target + ". " + t.Meaning,
			Healthy:        t.Healthy,
			IfUnexpected:   t.IfUnexpected,
			MeaningKO:      target + "의 이전(사용 중단된) 이름입니다. " + t.MeaningKO,
			HealthyKO:      t.HealthyKO,
			IfUnexpectedKO: t.IfUnexpectedKO,
		}
	}
	return cat, problems
}

// Lookup returns the catalog entry for a claim name or dotted path exactly as catalogued.
func Lookup(name string) (Entry, bool) {
	e, ok := catalog()[name]
	return e, ok
}

// Names lists every catalogued name, sorted.
func Names() []string {
	cat := catalog()
	out := make([]string, 0, len(cat))
	for n := range cat {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Resolve finds the entry that explains the claim at a dotted path: the most specific
// catalogued suffix of the path wins, and a "parent.*" entry covers caller-chosen keys.
func Resolve(path string) (Entry, bool) {
	segs := strings.Split(path, ".")
	for i := range segs {
		suffix := strings.Join(segs[i:], ".")
		if e, ok := catalog()[suffix]; ok {
			return e, true
		}
		if len(segs)-i >= 2 {
			if e, ok := catalog()[strings.Join(segs[i:len(segs)-1], ".")+".*"]; ok {
				return e, true
			}
		}
	}
	return Entry{}, false
}

// Walk calls fn for every claim, depth first, objects before their members, with dotted
// paths; keys are visited in sorted order. Arrays are reported as one value. Claims the
// catalog does not know are reported with known=false, never skipped.
func Walk(claims map[string]any, fn func(path string, value any, entry Entry, known bool)) {
	WalkOrdered(claims, nil, fn)
}

// WalkOrdered is Walk with a key order per object (path "" is the top level), such as the
// token's own order; keys it omits follow in sorted order. A nil keys sorts everything.
func WalkOrdered(claims map[string]any, keys func(path string) []string, fn func(path string, value any, entry Entry, known bool)) {
	walk("", claims, keys, fn)
}

func walk(parent string, obj map[string]any, keys func(string) []string, fn func(string, any, Entry, bool)) {
	for _, k := range orderedKeys(parent, obj, keys) {
		path := k
		if parent != "" {
			path = parent + "." + k
		}
		v := obj[k]
		e, known := Resolve(path)
		fn(path, v, e, known)
		if child, ok := v.(map[string]any); ok {
			walk(path, child, keys, fn)
		}
	}
}

func orderedKeys(path string, obj map[string]any, keys func(string) []string) []string {
	seen := map[string]bool{}
	var out []string
	if keys != nil {
		for _, k := range keys(path) {
			if _, ok := obj[k]; ok && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	var rest []string
	for k := range obj {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
