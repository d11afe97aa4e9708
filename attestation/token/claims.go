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

// ParseClaims decodes a claims JSON object. Duplicate keys are rejected: a payload that
// says two things about one claim could be read differently by different verifiers.
func ParseClaims(b []byte) (Claims, error) {
	c := Claims{order: map[string][]string{}, raw: b}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return Claims{}, fmt.Errorf("claims are not JSON: %v", err)
	}
	if tok != json.Delim('{') {
		return Claims{}, fmt.Errorf("claims are not a JSON object (starts with %v)", tok)
	}
	m, err := c.decodeObject(d, "", true)
	if err != nil {
		return Claims{}, err
	}
	if _, err := d.Token(); err != io.EOF {
		return Claims{}, fmt.Errorf("claims: trailing data after the JSON object")
	}
	c.m = m
	return c, nil
}

func (c *Claims) decodeObject(d *json.Decoder, path string, track bool) (map[string]any, error) {
	m := map[string]any{}
	var keys []string
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("claims at %q: %v", displayPath(path), err)
		}
		k := kt.(string)
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("claims: duplicate key %q in %q", k, displayPath(path))
		}
		v, err := c.decodeValue(d, joinPath(path, k), track)
		if err != nil {
			return nil, err
		}
		m[k] = v
		keys = append(keys, k)
	}
	if _, err := d.Token(); err != nil { // closing brace
		return nil, fmt.Errorf("claims at %q: %v", displayPath(path), err)
	}
	if track {
		c.order[path] = keys
	}
	return m, nil
}

func (c *Claims) decodeValue(d *json.Decoder, path string, track bool) (any, error) {
	t, err := d.Token()
	if err != nil {
		return nil, fmt.Errorf("claims at %q: %v", path, err)
	}
	switch t {
	case json.Delim('{'):
		return c.decodeObject(d, path, track)
	case json.Delim('['):
		var a []any
		for i := 0; d.More(); i++ {
			v, err := c.decodeValue(d, path+"["+strconv.Itoa(i)+"]", false)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		if _, err := d.Token(); err != nil {
			return nil, fmt.Errorf("claims at %q: %v", path, err)
		}
		if a == nil {
			a = []any{}
		}
		return a, nil
	}
	return t, nil
}

func joinPath(parent, k string) string {
	if parent == "" {
		return k
	}
	return parent + "." + k
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
