package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	jmespath "github.com/jmespath-community/go-jmespath"
)

// call runs a 1.2 function (claim-rule-functions.md) on evaluated arguments; the parser
// has checked the name and the number of arguments.
func call(name string, args [][]Value) ([]Value, *evalError) {
	switch name {
	case "JmesPath":
		doc, err := oneString(name, 1, args[0])
		if err != nil {
			return nil, err
		}
		query, err := oneString(name, 2, args[1])
		if err != nil {
			return nil, err
		}
		out, err := jmesPath(doc, query)
		if err != nil {
			return nil, err
		}
		return []Value{Str(out)}, nil
	case "JsonToClaimValue":
		doc, err := oneString(name, 1, args[0])
		if err != nil {
			return nil, err
		}
		return jsonToClaimValue(doc)
	case "IsSubsetOf":
		for _, a := range args[0] {
			if !contains(args[1], a) {
				return []Value{Bool(false)}, nil
			}
		}
		return []Value{Bool(true)}, nil
	case "AppendString":
		a, err := oneString(name, 1, args[0])
		if err != nil {
			return nil, err
		}
		b, err := oneString(name, 2, args[1])
		if err != nil {
			return nil, err
		}
		if len(a)+len(b) > MaxValueBytes {
			return nil, failf(fmt.Sprintf("AppendString would make a value of %d bytes (at most %d)", len(a)+len(b), MaxValueBytes),
				fmt.Sprintf("AppendString의 결과가 %d바이트가 됩니다 (최대 %d)", len(a)+len(b), MaxValueBytes))
		}
		return []Value{Str(a + b)}, nil
	case "NegateBool":
		if len(args[0]) != 1 || args[0][0].Kind != Boolean {
			return nil, failf("NegateBool needs one Boolean, got "+setString(args[0]), "NegateBool에는 Boolean 하나가 필요한데 "+setString(args[0])+"입니다")
		}
		return []Value{Bool(!args[0][0].B)}, nil
	case "ContainsOnlyValue":
		if len(args[1]) != 1 {
			return nil, failf("ContainsOnlyValue's second argument must be one value, got "+setString(args[1]),
				"ContainsOnlyValue의 두 번째 인수는 값 하나여야 하는데 "+setString(args[1])+"입니다")
		}
		only := len(args[0]) > 0
		for _, v := range args[0] {
			only = only && v == args[1][0]
		}
		return []Value{Bool(only)}, nil
	}
	return nil, failf("no function "+name, name+" 함수가 없습니다")
}

func contains(set []Value, v Value) bool {
	for _, w := range set {
		if w == v {
			return true
		}
	}
	return false
}

// oneString is a function argument that must be a single string.
func oneString(fn string, n int, vs []Value) (string, *evalError) {
	if len(vs) != 1 || vs[0].Kind != String {
		return "", failf(fmt.Sprintf("%s's argument %d must be one string, got %s", fn, n, setString(vs)),
			fmt.Sprintf("%s의 %d번째 인수는 문자열 하나여야 하는데 %s입니다", fn, n, setString(vs)))
	}
	return vs[0].S, nil
}

// jmesFunctions are MAA's additions to standard JMESPath, as its sample policies use them.
var jmesFunctions = []jmespath.FunctionEntry{{
	Name:      "equals_ignore_case",
	Arguments: []jmespath.ArgSpec{{Types: []jmespath.JpType{jmespath.JpString}}, {Types: []jmespath.JpType{jmespath.JpString}}},
	Handler: func(a []any) (any, error) {
		return strings.EqualFold(a[0].(string), a[1].(string)), nil
	},
}}

// jmesPath runs query over the JSON text doc and returns the result as JSON text.
func jmesPath(doc, query string) (string, *evalError) {
	if doc == "" || query == "" {
		return "", failf("JmesPath needs non-empty JSON and a non-empty query", "JmesPath에는 비어 있지 않은 JSON과 질의가 필요합니다")
	}
	var data any
	if err := json.Unmarshal([]byte(doc), &data); err != nil {
		return "", failf("JmesPath's first argument is not JSON: "+err.Error(), "JmesPath의 첫 번째 인수가 JSON이 아닙니다: "+err.Error())
	}
	out, err := jmespath.Search(query, data, jmesFunctions...)
	if err != nil {
		return "", failf(fmt.Sprintf("JmesPath query %q: %v", query, err), fmt.Sprintf("JmesPath 질의 %q: %v", query, err))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", failf("JmesPath result: "+err.Error(), "JmesPath 결과: "+err.Error())
	}
	if len(b) > MaxValueBytes {
		return "", failf("JmesPath's result is too large", "JmesPath 결과가 너무 큽니다")
	}
	return string(b), nil
}

// jsonToClaimValue converts JSON text to claim values: an integer, Boolean or string is
// one value, null none, an array of primitives a set; fractions and objects are errors.
func jsonToClaimValue(doc string) ([]Value, *evalError) {
	d := json.NewDecoder(bytes.NewReader([]byte(doc)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, failf("JsonToClaimValue's argument is not JSON: "+err.Error(), "JsonToClaimValue의 인수가 JSON이 아닙니다: "+err.Error())
	}
	if arr, ok := v.([]any); ok {
		var out []Value
		for _, el := range arr {
			if el == nil {
				continue
			}
			cv, err := primitive(el)
			if err != nil {
				return nil, err
			}
			out = append(out, cv)
		}
		return out, nil
	}
	if v == nil {
		return nil, nil
	}
	cv, err := primitive(v)
	if err != nil {
		return nil, err
	}
	return []Value{cv}, nil
}

func primitive(v any) (Value, *evalError) {
	switch v := v.(type) {
	case bool:
		return Bool(v), nil
	case string:
		return Str(v), nil
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return Value{}, failf("JsonToClaimValue: "+v.String()+" is not an integer (fractions are errors)",
				"JsonToClaimValue: "+v.String()+"는 정수가 아닙니다 (소수는 오류입니다)")
		}
		return Int(i), nil
	}
	return Value{}, failf("JsonToClaimValue takes primitives and arrays of primitives, not objects or nested arrays",
		"JsonToClaimValue는 기본값과 기본값 배열만 받습니다 (객체나 중첩 배열은 받지 않습니다)")
}
