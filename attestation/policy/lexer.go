package policy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// Pos is a place in the policy text: line and column count from 1, columns in characters
// (not bytes), as an editor shows them.
type Pos struct {
	Line, Col int
	Off       int // byte offset, for slicing the source
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Error is a policy that does not parse, or a policy text refused before parsing. It names
// the line and column and says, in English and Korean, what to change.
type Error struct {
	Pos Pos
	Msg present.Text
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Col, e.Msg.EN)
}

// In is the message in a language, with its place.
func (e *Error) In(l present.Lang) string {
	if l == "ko" {
		return fmt.Sprintf("%d행 %d열: %s", e.Pos.Line, e.Pos.Col, e.Msg.In(l))
	}
	return e.Error()
}

func errAt(p Pos, en, ko string) *Error { return &Error{Pos: p, Msg: present.T(en, ko)} }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tInt
	tPunct
)

type token struct {
	kind tokKind
	text string // the source text; for tString the unescaped value
	num  int64
	pos  Pos
}

// describe names a token in messages: the text as written.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the policy"
	case tString:
		return strconv.Quote(t.text)
	}
	return "`" + t.text + "`"
}

func (t token) describeKO() string {
	if t.kind == tEOF {
		return "정책의 끝"
	}
	return t.describe()
}

// puncts are the operators and separators, longest first so "==" is not read as "=" "=".
var puncts = []string{"=>", "==", "!=", "<=", ">=", "&&", "=", "<", ">", "!", ";", ",", ":", "[", "]", "{", "}", "(", ")", ".", "-"}

// lex splits src into tokens. Comments are // to the end of the line and /* … */, as in
// Microsoft's sample policies.
func lex(src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for _, r := range src[i : i+n] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		i += n
	}
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		pos := Pos{Line: line, Col: col, Off: i}
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, errAt(pos, "the policy is not UTF-8 text (byte 0x"+strconv.FormatUint(uint64(src[i]), 16)+"); save it as UTF-8",
				"정책이 UTF-8 텍스트가 아닙니다 (바이트 0x"+strconv.FormatUint(uint64(src[i]), 16)+"). UTF-8로 저장합니다")
		case unicode.IsSpace(r) || r == '\uFEFF':
			advance(size)
		case strings.HasPrefix(src[i:], "//"):
			n := strings.IndexByte(src[i:], '\n')
			if n < 0 {
				n = len(src) - i
			}
			advance(n)
		case strings.HasPrefix(src[i:], "/*"):
			n := strings.Index(src[i+2:], "*/")
			if n < 0 {
				return nil, errAt(pos, "a /* comment is never closed; end it with */", "/* 주석이 닫히지 않았습니다. */로 끝냅니다")
			}
			advance(n + 4)
		case r == '"':
			s, n, err := lexString(src[i:], pos)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: s, pos: pos})
			advance(n)
		case r >= '0' && r <= '9':
			n, v, err := lexInt(src[i:], pos)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tInt, text: src[i : i+n], num: v, pos: pos})
			advance(n)
		case r == '_' || unicode.IsLetter(r):
			n := 0
			for n < len(src)-i {
				r2, s2 := utf8.DecodeRuneInString(src[i+n:])
				if r2 != '_' && !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				n += s2
			}
			toks = append(toks, token{kind: tIdent, text: src[i : i+n], pos: pos})
			advance(n)
		default:
			p := ""
			for _, c := range puncts {
				if strings.HasPrefix(src[i:], c) {
					p = c
					break
				}
			}
			if p == "" {
				return nil, errAt(pos, fmt.Sprintf("unexpected character %q", r), fmt.Sprintf("예상하지 못한 문자 %q입니다", r))
			}
			toks = append(toks, token{kind: tPunct, text: p, pos: pos})
			advance(len(p))
		}
		if len(toks) > maxTokens {
			return nil, errAt(pos, fmt.Sprintf("the policy has more than %d tokens; split it or remove unused rules", maxTokens),
				fmt.Sprintf("정책의 토큰이 %d개를 넘습니다. 쓰지 않는 규칙을 지웁니다", maxTokens))
		}
	}
	toks = append(toks, token{kind: tEOF, pos: Pos{Line: line, Col: col, Off: len(src)}})
	return toks, nil
}

// lexString reads a "…" literal. Backslash escapes \" and \\ (and \/ \n \t \r) as the
// JmesPath examples use them; a line break inside a string is refused, since it is almost
// always a missing quote.
func lexString(s string, pos Pos) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, nil
		case '\n':
			return "", 0, errAt(pos, "this string is not closed before the end of the line; add the closing \"",
				"이 문자열이 줄 끝까지 닫히지 않았습니다. 닫는 \"를 붙입니다")
		case '\\':
			if i+1 >= len(s) {
				break
			}
			i++
			switch e := s[i]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				// An unknown escape stays as written: JmesPath queries hold backslashes of
				// their own (Windows paths in raw strings).
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errAt(pos, "this string is never closed; add the closing \"", "이 문자열이 닫히지 않았습니다. 닫는 \"를 붙입니다")
}

// lexInt reads a decimal or 0x hexadecimal integer (required_pcr_mask is written in hex).
func lexInt(s string, pos Pos) (int, int64, error) {
	n := 0
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		base, n = 16, 2
	}
	start := n
	for n < len(s) && (s[n] >= '0' && s[n] <= '9' || base == 16 && strings.IndexByte("abcdefABCDEF", s[n]) >= 0) {
		n++
	}
	v, err := strconv.ParseInt(s[start:n], base, 64)
	if err != nil {
		return 0, 0, errAt(pos, fmt.Sprintf("integer %s does not fit in 64 bits", s[:n]), fmt.Sprintf("정수 %s가 64비트를 넘습니다", s[:n]))
	}
	return n, v, nil
}
