package present

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// verb is one printf verb: flags, an optional explicit argument index, width, precision.
var verb = regexp.MustCompile(`%[-+# 0]*(\[(\d+)\])?[0-9*]*(\.[0-9*]+)?[a-zA-Z%]`)

// argsUsed is how many arguments a printf format consumes (an explicit index counts as far
// as it reaches).
func argsUsed(format string) int {
	n, next := 0, 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if strings.HasSuffix(m[0], "%") {
			continue
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		n = max(n, next)
		next++
	}
	return n
}

// TestBilingualFormatsTakeTheSameArguments: an English and a Korean text written side by
// side (present.T(en, ko), or a helper t/tr(…, en, ko)) are often one printf format in two
// languages, given the same arguments. When one of them uses fewer verbs, fmt prints
// "%!(EXTRA …)" in that language only, which no English test sees (`endorsements --lang ko`
// printed "%!(EXTRA string=MRTD)"). Every such pair in the module's code must consume the
// same number of arguments.
func TestBilingualFormatsTakeTheSameArguments(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	pairs := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			if name != "T" && name != "t" && name != "tr" {
				return true
			}
			en, ok1 := stringLit(call.Args[len(call.Args)-2])
			ko, ok2 := stringLit(call.Args[len(call.Args)-1])
			if !ok1 || !ok2 {
				return true
			}
			pairs++
			if a, b := argsUsed(en), argsUsed(ko); a != b {
				t.Errorf("%s: the English text takes %d arguments, the Korean %d:\n  %q\n  %q", fset.Position(call.Pos()), a, b, en, ko)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pairs < 100 {
		t.Fatalf("only %d bilingual pairs found under %s: is the walk looking in the right place?", pairs, root)
	}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
