package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Claims is the decoded token payload. Values are as encoding/json produces them, except
// that numbers are json.Number so that large integers survive intact. The key order of
// every object outside arrays is kept for display.
type Claims struct {
	m     map[string]any
	order map[string][]string // dotted object path ("" = top level) -> keys as sent
	raw   []byte
}

// MaxDepth bounds the nesting of every JSON document cvmscope reads from a token or key
// set. MAA claims nest three or four levels; deeper input is refused before it costs
// memory or stack.
const MaxDepth = 64

// ParseClaims decodes a claims JSON object. Duplicate keys are rejected: a payload that
// says two things about one claim could be read differently by different verifiers.
func ParseClaims(b []byte) (Claims, error) {
	m, order, err := decodeStrict(b, "claims", true)
	if err != nil {
		return Claims{}, err
	}
	return Claims{m: m, order: order, raw: b}, nil
}

// strictDecoder decodes JSON with duplicate keys refused, nesting bounded by MaxDepth and
// numbers kept as json.Number. The path to the current value is a stack rendered only for
// errors and key-order records, so that cost stays linear in the input: building a path
// string per nested value, as an earlier version did, cost O(depth²) bytes (1.4 GB for an
// 80 KB token of 30,000 nested arrays).
type strictDecoder struct {
	d     *json.Decoder
	what  string // "claims", "header", "key set": the subject of error messages
	stack []pathElem
	// order records the key order of objects outside arrays, keyed by dotted path; nil
	// when not wanted. budget is how many path bytes it may still spend: a document of
	// many small objects nested deep would otherwise make the paths quadratic again.
	order  map[string][]string
	budget int
}

type pathElem struct {
	key   string
	index int // >= 0 for an array element, -1 for an object member
}

// decodeStrict decodes b, which must hold exactly one JSON object.
func decodeStrict(b []byte, what string, trackOrder bool) (map[string]any, map[string][]string, error) {
	j := &strictDecoder{d: json.NewDecoder(bytes.NewReader(b)), what: what}
	j.d.UseNumber()
	if trackOrder {
		j.order, j.budget = map[string][]string{}, len(b)
	}
	tok, err := j.d.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not JSON: %v", what, err)
	}
	if tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("%s: not a JSON object (starts with %v)", what, tok)
	}
	m, err := j.object(1, trackOrder)
	if err != nil {
		return nil, nil, err
	}
	if _, err := j.d.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("%s: trailing data after the JSON object at byte offset %d", what, j.d.InputOffset())
	}
	return m, j.order, nil
}

// failErr reports an error of the underlying decoder; running out of input is said plainly.
func (j *strictDecoder) failErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return j.fail("cut short: the input ends before the JSON is complete")
	}
	return j.fail("%v", err)
}

func (j *strictDecoder) fail(format string, args ...any) error {
	return fmt.Errorf("%s at %q (byte offset %d): %s", j.what, displayPath(j.path()), j.d.InputOffset(), fmt.Sprintf(format, args...))
}

// object decodes the members of an object whose opening brace was read; depth counts it.
func (j *strictDecoder) object(depth int, track bool) (map[string]any, error) {
	m := map[string]any{}
	var keys []string
	for j.d.More() {
		kt, err := j.d.Token()
		if err != nil {
			return nil, j.failErr(err)
		}
		k, ok := kt.(string)
		if !ok {
			return nil, j.fail("object key %v is not a string", kt)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%s: duplicate key %q in %q; a document that says two things about one key is read differently by different parsers", j.what, k, displayPath(j.path()))
		}
		j.stack = append(j.stack, pathElem{key: k, index: -1})
		v, err := j.value(depth, track)
		if err != nil {
			return nil, err
		}
		j.stack = j.stack[:len(j.stack)-1]
		m[k] = v
		keys = append(keys, k)
	}
	if _, err := j.d.Token(); err != nil { // closing brace
		return nil, j.failErr(err)
	}
	if track {
		if n := j.pathLen(); n <= j.budget {
			j.budget -= n
			j.order[j.path()] = keys
		}
	}
	return m, nil
}

// value decodes one value inside a container at depth.
func (j *strictDecoder) value(depth int, track bool) (any, error) {
	t, err := j.d.Token()
	if err != nil {
		return nil, j.failErr(err)
	}
	if t == json.Delim('{') || t == json.Delim('[') {
		if depth >= MaxDepth {
			return nil, j.fail("nested deeper than %d levels; MAA documents nest a few levels, so this is not one", MaxDepth)
		}
	}
	switch t {
	case json.Delim('{'):
		return j.object(depth+1, track)
	case json.Delim('['):
		a := []any{}
		for i := 0; j.d.More(); i++ {
			j.stack = append(j.stack, pathElem{index: i})
			v, err := j.value(depth+1, false)
			if err != nil {
				return nil, err
			}
			j.stack = j.stack[:len(j.stack)-1]
			a = append(a, v)
		}
		if _, err := j.d.Token(); err != nil {
			return nil, j.failErr(err)
		}
		return a, nil
	}
	return t, nil
}

// path renders the stack as a dotted path with [i] for array elements.
func (j *strictDecoder) path() string {
	var b strings.Builder
	b.Grow(j.pathLen())
	for i, e := range j.stack {
		if e.index >= 0 {
			b.WriteString("[" + strconv.Itoa(e.index) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return b.String()
}

// pathLen is len(j.path()) without building it.
func (j *strictDecoder) pathLen() int {
	n := 0
	for i, e := range j.stack {
		if e.index >= 0 {
			n += 2 + len(strconv.Itoa(e.index))
			continue
		}
		if i > 0 {
			n++
		}
		n += len(e.key)
	}
	return n
}

func displayPath(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

// Map returns the claims as a map (shared, do not modify).
func (c Claims) Map() map[string]any { return c.m }

// Raw returns the payload JSON as signed.
func (c Claims) Raw() []byte { return c.raw }

// Keys returns the keys of the object at path in the order the token sent them; objects
// inside arrays, which are not tracked, come back sorted.
func (c Claims) Keys(path ...string) []string {
	if ks, ok := c.order[strings.Join(path, ".")]; ok {
		return ks
	}
	obj, _ := c.Get(path...).(map[string]any)
	ks := make([]string, 0, len(obj))
	for k := range obj {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Get returns the value at path (one element per nesting level), or nil when absent.
func (c Claims) Get(path ...string) any {
	var cur any = c.m
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = obj[p]; !ok {
			return nil
		}
	}
	return cur
}

// GetDotted returns the value at a dotted path such as "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl".
func (c Claims) GetDotted(path string) any { return c.Get(strings.Split(path, ".")...) }

// String returns the string at path and whether it is present and a string.
func (c Claims) String(path ...string) (string, bool) {
	s, ok := c.Get(path...).(string)
	return s, ok
}

// Bool returns the boolean at path and whether it is present and a boolean.
func (c Claims) Bool(path ...string) (bool, bool) {
	b, ok := c.Get(path...).(bool)
	return b, ok
}

// Int returns the integer at path and whether it is present and an integer.
func (c Claims) Int(path ...string) (int64, bool) {
	switch v := c.Get(path...).(type) {
	case json.Number:
		i, err := v.Int64()
		return i, err == nil
	case float64:
		if v == float64(int64(v)) {
			return int64(v), true
		}
	}
	return 0, false
}

// IsolationTEE returns the x-ms-isolation-tee object of an AzureGuest token from a
// Confidential VM, or nil (Trusted Launch VMs and platform tokens have none).
func (c Claims) IsolationTEE() map[string]any {
	m, _ := c.Get("x-ms-isolation-tee").(map[string]any)
	return m
}

// AttestationType returns the top-level x-ms-attestation-type ("azurevm", "sevsnpvm",
// "tdxvm", "sgx", ...).
func (c Claims) AttestationType() string {
	s, _ := c.String("x-ms-attestation-type")
	return s
}

// FormatValue renders a claim value the way expectations and summaries compare it:
// strings as they are, booleans and numbers in JSON form, objects and arrays as JSON.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
