package cli

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"io"
	"iter"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// streamJSON writes v as json.MarshalIndent(v, "", "  ") followed by present.SafeJSON and a
// newline would, byte for byte, but without ever holding the whole document: the report of
// a 100,000-event log is about 100 MB of JSON, and building it in memory, indenting a copy
// and escaping another cost most of the run's time and memory. Structs are written field by
// field and slices of them element by element; what is left (strings, numbers, lists of
// strings) is marshalled on its own by encoding/json, so the escaping is exactly its own.
func streamJSON(w io.Writer, v any) error {
	s := &jsonStream{w: bufio.NewWriterSize(w, 64<<10)}
	if err := s.value(reflect.ValueOf(v), 0); err != nil {
		return err
	}
	s.w.WriteByte('\n')
	return s.w.Flush()
}

type jsonStream struct {
	w   *bufio.Writer
	ind bytes.Buffer
	num []byte
}

// jsonField is one struct field as encoding/json names it.
type jsonField struct {
	index int
	key   string // the quoted name, then ": "
	omit  bool   // omitempty
	kind  kind   // how the field's type is written (kindOf)
}

// fieldPlans caches each struct type's fields: reading tags for each of 100,000 rows
// would cost more than writing them.
var fieldPlans sync.Map // reflect.Type -> []jsonField

func fieldsOf(t reflect.Type) []jsonField {
	if p, ok := fieldPlans.Load(t); ok {
		return p.([]jsonField)
	}
	var fs []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		key, _ := json.Marshal(name)
		fs = append(fs, jsonField{index: i, key: string(key) + ": ", omit: strings.Contains(","+opts+",", ",omitempty,"), kind: kindOf(f.Type)})
	}
	fieldPlans.Store(t, fs)
	return fs
}

// custom reports whether t encodes itself (MarshalJSON or MarshalText), which only
// encoding/json may call.
func custom(t reflect.Type) bool {
	for _, i := range []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

// kinds caches how each type is written (the checks above are too slow to repeat for each
// of 100,000 rows).
var kinds sync.Map // reflect.Type -> kind

type kind int

const (
	leafKind   kind = iota // encoding/json writes it
	stringKind             // a plain string
	intKind                // a plain int
	streamKind             // a plain struct written field by field, or a slice of them or of plain strings
)

func kindOf(t reflect.Type) kind {
	if k, ok := kinds.Load(t); ok {
		return k.(kind)
	}
	k := leafKind
	switch {
	case custom(t):
	case t.Kind() == reflect.String:
		k = stringKind
	case t.Kind() == reflect.Int:
		k = intKind
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && kindOf(t.Elem()) == streamKind:
		k = streamKind
	case t.Kind() == reflect.Slice && kindOf(t.Elem()) == stringKind:
		k = streamKind // a list of plain strings (cells, details): element by element too
	case t.Kind() == reflect.Struct:
		k = streamKind
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous || strings.Contains(f.Tag.Get("json"), ",string") {
				k = leafKind // rules this writer does not copy; encoding/json writes these
			}
		}
	}
	kinds.Store(t, k)
	return k
}

func (s *jsonStream) value(v reflect.Value, depth int) error {
	switch kindOf(v.Type()) {
	case stringKind:
		return s.str(v.String())
	case intKind:
		s.num = strconv.AppendInt(s.num[:0], v.Int(), 10)
		_, err := s.w.Write(s.num)
		return err
	case leafKind:
		return s.leaf(v, depth)
	}
	if v.Kind() == reflect.Slice && v.Len() == 0 {
		return s.leaf(v, depth) // null or []
	}
	in, out := newline(depth+1), newline(depth)
	if v.Kind() == reflect.Slice {
		s.w.WriteString("[\n")
		for i := range v.Len() {
			if i > 0 {
				s.w.WriteString(",\n")
			}
			s.w.WriteString(in[1:])
			if err := s.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
		s.w.WriteString(out)
		return s.w.WriteByte(']')
	}
	s.w.WriteByte('{')
	var each iter.Seq[present.Row]
	if v.Type() == sectionType {
		each = v.Interface().(present.Section).Each
	}
	n := 0
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if each != nil && f.key == rowsKey {
			wrote, err := s.rows(each, f.key, depth, n == 0)
			if err != nil {
				return err
			}
			if wrote {
				n++
			}
			continue
		}
		if f.omit && isEmpty(fv) {
			continue
		}
		if n > 0 {
			s.w.WriteByte(',')
		}
		n++
		s.w.WriteString(in)
		s.w.WriteString(f.key)
		var err error
		if f.kind == stringKind { // most fields: no look-up of the kind again
			err = s.str(fv.String())
		} else {
			err = s.value(fv, depth+1)
		}
		if err != nil {
			return err
		}
	}
	if n > 0 {
		s.w.WriteString(out)
	}
	return s.w.WriteByte('}')
}

var sectionType = reflect.TypeFor[present.Section]()

const rowsKey = `"rows": `

// rows writes a section's rows made as they are written (present.Section.Each) where its
// "rows" field goes, at depth as value writes a struct's fields, byte for byte what
// MarshalIndent writes for the same rows listed in Rows; nothing at all when there are
// none, as omitempty leaves out an empty list. Only one row is held at a time.
func (s *jsonStream) rows(each iter.Seq[present.Row], key string, depth int, first bool) (wrote bool, err error) {
	in := newline(depth + 2)
	// Each row is written from this one variable: reflect.ValueOf(row) copied every row
	// to the heap (28 MB of garbage at 100,000 events).
	var cur present.Row
	for row := range each {
		if wrote {
			s.w.WriteByte(',')
		} else {
			if !first {
				s.w.WriteByte(',')
			}
			s.w.WriteString(newline(depth + 1))
			s.w.WriteString(key)
			s.w.WriteByte('[')
			wrote = true
		}
		s.w.WriteString(in)
		cur = row
		if err := s.value(reflect.ValueOf(&cur).Elem(), depth+2); err != nil {
			return wrote, err
		}
	}
	if wrote {
		s.w.WriteString(newline(depth + 1))
		s.w.WriteByte(']')
	}
	return wrote, nil
}

// newline is a line break and depth levels of indentation, cut from one string: building
// them for each field of 100,000 rows cost an allocation each.
func newline(depth int) string {
	const indents = "\n                                                                "
	if n := 1 + 2*depth; n <= len(indents) {
		return indents[:n]
	}
	return "\n" + strings.Repeat("  ", depth)
}

// str writes a string. Most are copied as they are, which is what encoding/json and
// SafeJSON would write: printable ASCII other than <, > and & (which encoding/json escapes
// for HTML), and valid UTF-8 away from C1 controls and the U+2000 block (where the line
// separators and bidi controls are). Quotes, backslashes and newlines get encoding/json's
// own short escapes. Any other string goes through encoding/json and SafeJSON.
func (s *jsonStream) str(v string) error {
	escapes := false
	for i := 0; i < len(v); {
		if i+8 <= len(v) && plain8(v[i:i+8]) {
			i += 8
			continue
		}
		switch asciiClass[v[i]] {
		case asciiCopy:
			i++
		case asciiEscape:
			escapes = true
			i++
		case asciiOther:
			r, n := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError || r < 0xa0 || r >= 0x2000 && r <= 0x206f || r == 0x061c {
				return s.leaf(reflect.ValueOf(v), 0)
			}
			i += n
		default:
			return s.leaf(reflect.ValueOf(v), 0)
		}
	}
	s.w.WriteByte('"')
	if !escapes { // most strings: one copy
		s.w.WriteString(v)
		return s.w.WriteByte('"')
	}
	start := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\n':
			esc = `\n`
		default:
			continue
		}
		s.w.WriteString(v[start:i])
		s.w.WriteString(esc)
		start = i + 1
	}
	s.w.WriteString(v[start:])
	return s.w.WriteByte('"')
}

// plain8 reports whether all 8 bytes of b are copied as they are (asciiCopy), testing
// them together: most of what -o json writes (digests, hex, English) passes a word at a
// time. A byte's high bit in some is set when it is not ASCII (w itself), a control
// character (below 0x20) or one of " \ < > & DEL (x-ones)&^x, "some byte of x is zero",
// with x = w XOR that byte everywhere); the tests are exact on a word of ASCII.
func plain8(b string) bool {
	w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs, lt, gt, amp, del := w^ones*'"', w^ones*'\\', w^ones*'<', w^ones*'>', w^ones*'&', w^ones*0x7f
	some := w | (w-ones*0x20)&^w | (q-ones)&^q | (bs-ones)&^bs | (lt-ones)&^lt | (gt-ones)&^gt | (amp-ones)&^amp | (del-ones)&^del
	return some&highs == 0
}

// asciiClass sorts each byte for str's first pass, one table look-up a byte.
var asciiClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '"' || c == '\\' || c == '\n':
			t[c] = asciiEscape
		case c >= 0x20 && c < 0x7f && c != '<' && c != '>' && c != '&':
			t[c] = asciiCopy
		case c >= 0x80:
			t[c] = asciiOther
		default:
			t[c] = asciiMarshal
		}
	}
	return t
}()

const (
	asciiMarshal = iota // encoding/json and SafeJSON write the string
	asciiCopy           // copied as it is
	asciiEscape         // a short escape: \" \\ \n
	asciiOther          // the start of a UTF-8 sequence, judged by its rune
)

// leaf marshals v, indents it as if it sat depth levels deep when it is an object or array,
// and escapes what a terminal would obey (see writeJSON).
func (s *jsonStream) leaf(v reflect.Value, depth int) error {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	if b[0] == '{' || b[0] == '[' {
		s.ind.Reset()
		if err := json.Indent(&s.ind, b, strings.Repeat("  ", depth), "  "); err != nil {
			return err
		}
		b = s.ind.Bytes()
	}
	_, err = s.w.Write(present.SafeJSON(b))
	return err
}

// isEmpty is encoding/json's notion of empty for omitempty; structs are never empty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return false
	}
	return v.IsZero()
}
