package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

func jwtChrome() map[string]present.Text {
	return map[string]present.Text{
		"json.title": present.T("The token MAA issued, decoded as jq shows it",
			"MAA가 발급한 토큰을 jq처럼 디코딩한 내용"),
		"json.note": present.T("Decoding is not verifying: anyone can write this JSON. The Verify JWT step checks MAA's signature over it, the issuer, the lifetime and the claims.",
			"디코딩은 검증이 아닙니다. 이 JSON은 누구나 쓸 수 있습니다. JWT 검증 단계에서 이 내용에 대한 MAA의 서명, 토큰 발급자, 토큰 유효기간, 클레임을 검증합니다."),
		"json.header":    present.T("Header (part 1 of 3)", "헤더 (3개 중 1번째 부분)"),
		"json.payload":   present.T("Payload: the claims (part 2 of 3)", "페이로드: 클레임 (3개 중 2번째 부분)"),
		"json.signature": present.T("Signature (part 3 of 3): %d bytes, not JSON; y copies the decoded header and payload, y on the token row the whole JWT.", "서명 (3개 중 3번째 부분): %d바이트, JSON 아님. y는 디코딩한 헤더와 페이로드를, 토큰 행에서 y는 JWT 전체를 복사합니다."),
		"json.bad":       present.T("Part %d of the token is not base64url JSON: %v", "토큰의 %d번째 부분이 base64url JSON이 아닙니다: %v"),
		"status.notoken": present.T("No token yet: run Call MAA (step 4) first; J then shows it as JSON.", "아직 토큰이 없습니다. 먼저 MAA 호출(4단계)을 실행하면 J로 JSON을 봅니다."),
		"status.tokencopied": present.T("Copied the whole token, %d bytes, to the clipboard (OSC 52).",
			"토큰 전체(%d바이트)를 클립보드에 복사함 (OSC 52)."),
	}
}

// jwtParts is a compact JWT's header and payload, decoded and indented as jq prints them,
// and its signature's length. err names the part that did not decode.
type jwtParts struct {
	header, payload string
	sigBytes        int
	part            int
	err             error
}

func decodeJWT(compact string) jwtParts {
	segs := strings.Split(strings.TrimSpace(compact), ".")
	if len(segs) != 3 {
		return jwtParts{part: len(segs), err: fmt.Errorf("%d dot-separated parts, want 3", len(segs))}
	}
	var out jwtParts
	for i, seg := range segs {
		// Unpadded base64url, as JWS writes it; padding is tolerated so that a pasted token
		// still shows.
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
		if err != nil {
			return jwtParts{part: i + 1, err: err}
		}
		if i == 2 {
			out.sigBytes = len(raw)
			continue
		}
		var b bytes.Buffer
		if err := json.Indent(&b, raw, "", "  "); err != nil {
			return jwtParts{part: i + 1, err: err}
		}
		if i == 0 {
			out.header = b.String()
		} else {
			out.payload = b.String()
		}
	}
	return out
}

// jsonText is what y copies in the JSON view: the two decoded parts, as shown.
func (j jwtParts) jsonText() string { return j.header + "\n.\n" + j.payload + "\n" }

// jsonLines is the JSON view: the header and the payload of the token in hand, coloured
// as jq colours them, long values broken at the width under their own indentation.
func (m *model) jsonLines(w int) []string {
	cat, st := m.c.cat, m.c.st
	b := &docText{c: m.c, w: w}
	b.title(cat.t("json.title"))
	b.para(cat.t("json.note"), st.Summary, 0)
	j := decodeJWT(m.token)
	if j.err != nil {
		b.blank()
		b.para(cat.f("json.bad", j.part, j.err), st.StatusErr, 0)
		return b.lines
	}
	b.heading(cat.t("json.header"))
	b.add(m.jsonBlock(j.header, w)...)
	b.add(".")
	b.heading(cat.t("json.payload"))
	b.add(m.jsonBlock(j.payload, w)...)
	b.blank()
	b.para(cat.f("json.signature", j.sigBytes), st.Summary, 0)
	return b.lines
}

// jsonBlock colours indented JSON line by line; a line wider than w continues below,
// indented two more than itself.
func (m *model) jsonBlock(indented string, w int) []string {
	var out []string
	for _, l := range strings.Split(indented, "\n") {
		// The token came from the network: its strings may hold terminal controls.
		l = present.Safe(l)
		ind := len(l) - len(strings.TrimLeft(l, " "))
		styled := m.c.st.jsonLine(l)
		if cells(l) <= w {
			out = append(out, styled)
			continue
		}
		cont := min(ind+2, w/2)
		body := ansi.Hardwrap(styled, w-cont, true)
		for i, part := range strings.Split(body, "\n") {
			if i > 0 {
				part = spaces(cont) + part
			}
			out = append(out, part)
		}
	}
	return out
}

// jsonLine colours one line of indented JSON: object keys, strings, numbers and booleans,
// null, each as jq does. It scans tokens rather than matching patterns, so a string that
// holds `": ` or digits keeps one colour.
func (s Styles) jsonLine(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(line))
			st := s.JSONString
			if strings.HasPrefix(strings.TrimLeft(line[j:], " "), ":") {
				st = s.JSONKey
			}
			b.WriteString(st.Render(line[i:j]))
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(line) && strings.IndexByte("0123456789.eE+-", line[j]) >= 0 {
				j++
			}
			b.WriteString(s.JSONNumber.Render(line[i:j]))
			i = j
		case strings.HasPrefix(line[i:], "true"), strings.HasPrefix(line[i:], "false"):
			n := 4
			if c == 'f' {
				n = 5
			}
			b.WriteString(s.JSONNumber.Render(line[i : i+n]))
			i += n
		case strings.HasPrefix(line[i:], "null"):
			b.WriteString(s.JSONNull.Render("null"))
			i += 4
		default:
			j := i + 1
			for j < len(line) && strings.IndexByte(`"-0123456789tfn`, line[j]) < 0 {
				j++
			}
			b.WriteString(s.JSONPunct.Render(line[i:j]))
			i = j
		}
	}
	return b.String()
}

// openJSON shows the token as JSON, or says why there is none yet.
func (m *model) openJSON() {
	if m.token == "" {
		m.setStatus(statusErr, m.c.cat.t("status.notoken"))
		return
	}
	m.openDoc(docJSON)
}

// withToken gives the token rows of the Call MAA and Verify JWT pages the compact JWT to
// copy: the page says "opened: a compact JWT", and y there must copy the token itself.
func withToken(step workshop.StepID, page present.Page, tok string) present.Page {
	if tok == "" || (step != workshop.CallMAA && step != workshop.VerifyJWT) {
		return page
	}
	secs := make([]present.Section, len(page.Sections))
	for i, s := range page.Sections {
		rows := make([]present.Row, len(s.Rows))
		for j, r := range s.Rows {
			if r.Key == "token" && r.Copy == "" && s.Kind == present.Fields {
				r.Copy = tok
			}
			rows[j] = r
		}
		s.Rows = rows
		secs[i] = s
	}
	page.Sections = secs
	return page
}
