package explain_test

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// imperative are the endings the glossary rules out: cvmscope's Korean is 합니다체 and a
// "조치 방법" is a declarative step ("보안 부팅을 켠 뒤 VM을 다시 시작합니다").
var imperative = []string{"하십시오", "하세요", "하십시요", "십시오", "세요", "십시요"}

func imperativeIn(s string) string {
	for _, w := range imperative {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// koreanLiterals returns every string literal with Hangul in the non-test Go files of dir,
// with its position: the whole catalog, whatever map, helper or format string holds it.
func koreanLiterals(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s (%v)", dir, err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && checktest.HasHangul(s) {
				out[fset.Position(lit.Pos()).String()] = s
			}
			return true
		})
	}
	return out
}

// TestKoreanIsDeclarative reads every Korean string of the explanation and claim catalogs
// (and of the token, compare and MAA/IMDS client messages) at the source, so that no entry
// added later escapes the rule by living in a map no accessor lists.
func TestKoreanIsDeclarative(t *testing.T) {
	root := repoRoot(t)
	total := 0
	for _, dir := range []string{"attestation/explain", "attestation/claims", "attestation/token", "attestation/compare",
		"attestation/maa", "attestation/imds", "attestation/internal/httpx"} {
		lits := koreanLiterals(t, filepath.Join(root, dir))
		if dir == "attestation/explain" || dir == "attestation/claims" {
			if len(lits) < 50 {
				t.Errorf("%s: only %d Korean strings found; the scan is not reading the catalog", dir, len(lits))
			}
		}
		total += len(lits)
		for pos, s := range lits {
			if w := imperativeIn(s); w != "" {
				t.Errorf("%s: %q ends in %q; write the step declaratively (-니다)", pos, s, w)
			}
		}
	}
	t.Logf("%d Korean strings read", total)
}

// TestCatalogTextIsDeclarative checks the assembled texts too, as the accessors return
// them: strings built from pieces are read whole.
func TestCatalogTextIsDeclarative(t *testing.T) {
	var texts []struct {
		what string
		txt  present.Text
	}
	add := func(what string, txt present.Text) {
		texts = append(texts, struct {
			what string
			txt  present.Text
		}{what, txt})
	}
	for _, id := range explain.CheckIDs() {
		m, h := explain.Check(id)
		add("check "+id, m)
		add("check "+id+" hint", h)
	}
	for _, n := range explain.TPMErrorNames() {
		m, h := explain.TPMError(n)
		add("TPM error "+n, m)
		add("TPM error "+n+" hint", h)
	}
	for _, n := range explain.MAAProblemNames() {
		m, h := explain.MAAProblem(n)
		add("MAA problem "+n, m)
		add("MAA problem "+n+" hint", h)
		add("MAA problem "+n+" short", explain.MAAProblemShort(n))
	}
	for _, id := range explain.LinkIDs() {
		add("link "+id, explain.Link(id))
	}
	for i := 0; i < 24; i++ {
		add("PCR", explain.PCR(i))
		add("PCR short", explain.PCRShort(i))
	}
	for _, target := range []string{"x-ms-azurevm-secureboot", "x-ms-azurevm-debuggersdisabled", "x-ms-azurevm-signingdisabled", "unknown-claim"} {
		why, fix := explain.PolicyClaim(target)
		add("policy claim "+target, why)
		add("policy claim "+target+" fix", fix)
	}
	if len(texts) < 100 {
		t.Fatalf("only %d texts collected", len(texts))
	}
	for _, x := range texts {
		if w := imperativeIn(x.txt.KO); w != "" {
			t.Errorf("%s: %q has %q; write it declaratively (-니다)", x.what, x.txt.KO, w)
		}
	}
}
