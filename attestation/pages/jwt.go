package pages

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// JWTView is what the Verify JWT page shows.
type JWTView struct {
	// Token is the parsed token; nil when the answer was not a JWT (Checks say why).
	Token *token.Token
	// Checks are jwt.*, jwt.matches-evidence and policy.expect.
	Checks check.List
	// KeySource names where the signing keys came from (a provider's /certs or a file).
	KeySource string
	// Compare is the claim-by-claim comparison behind jwt.matches-evidence.
	Compare []compare.Item
	// Now is when "expires in" is measured: the --now the lifetime check used. Zero means
	// the current time.
	Now time.Time
}

// VerifyJWT builds the "Verify JWT" page.
func (Pager) VerifyJWT(v JWTView) present.Page { return VerifyJWT(v) }

// VerifyJWT builds the "Verify JWT" page: the header, the signature and the key that made
// it, the lifetime, the caller's expectations, MAA's claims against the local evidence, and
// every claim with its meaning.
func VerifyJWT(v JWTView) present.Page {
	p := present.Page{Step: stepVerifyJWT, Title: present.T("Verify JWT", "JWT 검증"), Checks: v.Checks, Verdict: check.Fold(v.Checks)}
	add := func(sec present.Section) {
		if len(sec.Rows) > 0 {
			p.Sections = append(p.Sections, sec)
		}
	}
	what := present.T("MAA token", "MAA 토큰")
	if v.Token == nil {
		what = present.T("no token", "토큰 없음")
		if len(v.Checks) == 0 {
			p.Verdict = check.Skip
		}
	} else {
		if iss, ok := v.Token.Claims.String("iss"); ok {
			what = present.T("MAA token from "+iss, iss+"의 MAA 토큰")
		}
		add(headerSection(v))
		add(signatureSection(v))
		add(lifetimeSection(v))
	}
	add(expectSection(v))
	add(compareSection(v))
	if v.Token != nil {
		add(claimsTable(v))
	}
	add(Checks(v.Checks))
	p.Summary = countSummary(what, v.Checks)
	return p
}

func headerSection(v JWTView) present.Section {
	h := v.Token.Header
	alg := mrow(explain.KindJWT, "alg", h.Alg)
	alg.Verdict = check.Pass
	if h.Alg != "RS256" {
		alg.Verdict = check.Fail
		_, alg.Hint = explain.Check(token.IDSignature)
	}
	jku := mrow(explain.KindJWT, "jku", h.Jku)
	if h.Jku == "" {
		jku.Value, jku.ValueKO = "absent", "없음"
	} else if iss, ok := v.Token.Claims.String("iss"); ok {
		if strings.TrimSuffix(h.Jku, "/") == iss+"/certs" {
			jku.Detail = "equals the issuer's /certs; keys are still taken only from the configured source"
			jku.DetailKO = "발급자의 /certs와 같습니다. 그래도 키는 설정된 출처에서만 가져옵니다"
		} else {
			jku.Verdict = check.Warn
			jku.Detail = "differs from the issuer's /certs (" + iss + "/certs); it was not followed"
			jku.DetailKO = "발급자의 /certs(" + iss + "/certs)와 다릅니다. 따라가지 않았습니다"
			jku.Hint = present.T("A token whose jku points elsewhere than its issuer is suspicious; keys come only from the configured provider.",
				"jku가 발급자와 다른 곳을 가리키는 토큰은 의심스럽습니다. 키는 설정된 공급자에서만 가져옵니다.")
		}
	}
	rows := []present.Row{alg, mrow(explain.KindJWT, "kid", h.Kid), jku, mrow(explain.KindJWT, "typ", h.Typ)}
	if len(h.X5c) > 0 {
		x := ko(mrow(explain.KindJWT, "x5c", fmt.Sprintf("%d certificate%s, ignored", len(h.X5c), plural(len(h.X5c)))), "", fmt.Sprintf("인증서 %d개, 사용하지 않음", len(h.X5c)))
		rows = append(rows, x)
	}
	rows[0].Detail = string(h.Raw)
	return present.Section{ID: "header", Title: present.T("Header", "헤더"), Kind: present.Fields, Rows: rows}
}

func signatureSection(v JWTView) present.Section {
	sig := ko(mrow(explain.KindJWT, "signature", fmt.Sprintf("%d bytes RS256", len(v.Token.Signature))), "", "RS256 "+bytesKO(len(v.Token.Signature)))
	if l := v.Checks.Find(token.IDSignature); len(l) > 0 {
		sig.Value = l[0].Summary
		sig.ValueKO, _ = l[0].In(string(present.KO))
	}
	sig = withChecks(sig, v.Checks, token.IDSignature)
	src := ko(mrow(explain.KindJWT, "key source", v.KeySource), "", "")
	if v.KeySource == "" {
		src.Value, src.ValueKO = "none given", "주어지지 않음"
	}
	return present.Section{ID: "signature", Title: present.T("Signature", "서명"), Kind: present.Fields,
		Rows: []present.Row{sig, src}}
}

func lifetimeSection(v JWTView) present.Section {
	c := v.Token.Claims
	var rows []present.Row
	for _, k := range []string{"iat", "nbf", "exp"} {
		if n, ok := c.Int(k); ok {
			rows = append(rows, mrow(explain.KindJWT, k, unixTime(n)))
		} else if c.Get(k) != nil {
			rows = append(rows, ko(mrow(explain.KindJWT, k, token.FormatValue(c.Get(k))+" (not an integer)"), "", token.FormatValue(c.Get(k))+" (정수가 아님)"))
		}
	}
	now, judged, judgedKO := v.Now, "--now", "--now"
	if now.IsZero() {
		now, judged, judgedKO = time.Now(), "the clock", "시스템 시계"
	}
	// The row names each instant by its claim, so that the time it was judged at is never
	// read as exp: "expires in 7h0m0s (issued for 8h0m0s): iat … → exp …; now …".
	life := ko(mrow(explain.KindJWT, "lifetime", "no exp claim"), "", "exp 클레임 없음")
	if exp, ok := c.Int("exp"); ok {
		d := time.Unix(exp, 0).Sub(now).Round(time.Second)
		if d >= 0 {
			life.Value, life.ValueKO = "expires in "+d.String(), d.String()+" 뒤 만료"
		} else {
			life.Value, life.ValueKO = "expired "+(-d).String()+" ago", (-d).String()+" 전에 만료됨"
		}
		span := "exp " + stamp(exp)
		if iat, ok := c.Int("iat"); ok {
			life.Value += fmt.Sprintf(" (issued for %s)", time.Duration(exp-iat)*time.Second)
			life.ValueKO += fmt.Sprintf(" (발급 시 유효기간 %s)", time.Duration(exp-iat)*time.Second)
			span = "iat " + stamp(iat) + " → " + span
		}
		if nbf, ok := c.Int("nbf"); ok && now.Before(time.Unix(nbf, 0)) {
			left := time.Unix(nbf, 0).Sub(now).Round(time.Second).String()
			life.Value = "not valid for another " + left + "; " + life.Value
			life.ValueKO = left + " 뒤부터 유효; " + life.ValueKO
		}
		life.Value += ": " + span + "; now " + now.UTC().Format(stampLayout)
		life.ValueKO += ": " + span + "; 현재 " + now.UTC().Format(stampLayout)
		life.Detail = "time left = exp − now, with now from " + judged
		life.DetailKO = "남은 시간 = exp − 현재, 현재 시각은 " + judgedKO + " 기준"
	}
	rows = append(rows, withChecks(life, v.Checks, token.IDLifetime))
	return present.Section{ID: "lifetime", Title: present.T("Validity period", "토큰 유효기간"), Kind: present.Fields, Rows: rows}
}

func unixTime(n int64) string { return fmt.Sprintf("%d (%s)", n, stamp(n)) }

const stampLayout = "2006-01-02 15:04:05 UTC"

func stamp(n int64) string { return time.Unix(n, 0).UTC().Format(stampLayout) }

// claimText is a catalog entry's meaning in both languages.
// claimTextFor is the meaning for the value shown, so that "false" is never explained as on.
func claimTextFor(e claims.Entry, value string) present.Text { return present.T(e.For(value)) }

var notInCatalog = present.T("Not in catalog: cvmscope has no explanation for this claim; it is shown exactly as MAA sent it.",
	"카탈로그에 없음: cvmscope에 이 클레임의 설명이 없어 MAA가 보낸 그대로 보여 줍니다.")

// expectSection lists the expectations, one per claim: the baseline's (policy.baseline)
// and the user's (policy.expect), each row saying which rule it is.
func expectSection(v JWTView) present.Section {
	sec := present.Section{ID: "expect", Title: present.T("Expectations", "기대값"), Kind: present.Fields,
		Note: present.T("The claims the policy requires: the Azure CVM baseline (policy.baseline, unless --no-baseline) and your --expect (policy.expect), which replaces the baseline on the same claim.",
			"정책이 요구하는 클레임입니다. Azure CVM 기준선(policy.baseline, --no-baseline이 없을 때)과 사용자의 --expect(policy.expect)이며, 같은 클레임에서는 --expect가 기준선을 대신합니다.")}
	for _, c := range token.PolicyChecks(v.Checks) {
		rule, _ := explain.Check(c.ID)
		row := present.Row{Key: c.Subject, Value: c.Summary, Verdict: c.Verdict, PCR: -1}
		row.ValueKO, _ = c.In(string(present.KO))
		var ls lines
		ls.add(c.ID+": "+rule.EN, c.ID+": "+rule.KO)
		_, dko := c.In(string(present.KO))
		for i, d := range c.Details {
			ls.add(d, dko[i])
		}
		ls.set(&row)
		var value string
		if x := v.Token.Claims.GetDotted(c.Subject); x != nil {
			value = token.FormatValue(x)
		}
		if e, ok := claims.Resolve(c.Subject); ok {
			row.Explain = claimTextFor(e, value)
			if c.Verdict == check.Fail {
				row.Hint = present.T(e.IfUnexpected, e.IfUnexpectedKO)
			}
		} else {
			row.Explain = rule
		}
		if row.Hint.Empty() {
			row.Hint = explain.HintFor(c)
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

// compareSection is the table of MAA's claims against the local evidence.
func compareSection(v JWTView) present.Section {
	sec := present.Section{ID: "compare", Title: present.T("MAA against the evidence", "MAA 대 증거"), Kind: present.Table,
		Columns: []present.Text{present.T("Item", "항목"), present.T("MAA token", "MAA 토큰"), present.T("Local evidence", "로컬 증거"), present.T("Result", "결과")}}
	if l := v.Checks.Find(compare.ID); len(l) > 0 {
		sec.Note = present.T(l[0].Summary, compareNoteKO(l[0].Verdict, v.Compare))
	}
	for _, it := range v.Compare {
		word := resultWord(it)
		// The value columns are claim values, data like digests: shown as they are in both
		// languages, with a Korean gloss for the few that are words.
		row := present.Row{Key: it.Name, KeyKO: it.NameKO, Value: it.Token, ValueKO: valueKO(it.Token), Verdict: it.Verdict, PCR: -1, Copy: it.Token,
			Cells:   []string{orDash(it.Token), orDash(it.Evidence), word.EN},
			CellsKO: []string{valueKO(it.Token), valueKO(it.Evidence), word.KO}}
		if e, ok := claims.Resolve(it.Claim); ok {
			row.Explain = claimTextFor(e, it.Token)
		} else {
			row.Explain, _ = explain.Check(compare.ID)
		}
		if it.Verdict == check.Fail {
			_, row.Hint = explain.Check(compare.ID)
		}
		var ls lines
		ls.add("claim: "+it.Claim, "클레임: "+it.Claim)
		ls.add("token: "+orDash(it.Token), "토큰: "+or(valueKO(it.Token), orDash(it.Token)))
		ls.add("evidence: "+orDash(it.Evidence), "증거: "+or(valueKO(it.Evidence), orDash(it.Evidence)))
		if it.Source != "" {
			ls.add("from: "+it.Source, "출처: "+or(it.SourceKO, it.Source))
		}
		if !it.Note.Empty() {
			ls.add("note: "+it.Note.EN, "참고: "+it.Note.KO)
		}
		ls.set(&row)
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

// compareNoteKO says in Korean what the jwt.matches-evidence summary says, naming the
// items that differ.
func compareNoteKO(v check.Verdict, items []compare.Item) string {
	switch v {
	case check.Pass:
		return "MAA와 증거가 모두 가진 항목이 모두 일치합니다"
	case check.Fail:
		var names []string
		for _, it := range items {
			if it.Verdict == check.Fail {
				names = append(names, or(it.NameKO, it.Name))
			}
		}
		return "MAA 토큰이 로컬 증거와 다른 항목: " + strings.Join(names, ", ")
	case check.Warn:
		return "비교할 수 있는 항목이 너무 적어 토큰이 이 VM의 것인지 확인할 수 없습니다"
	}
	return "비교하지 않았습니다"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// valueGlossKO glosses the claim values that are words rather than data.
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var valueGlossKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"true": "true (예)", "false": "false (아니요)",
		"sevsnpvm": "sevsnpvm (SEV-SNP 기밀 VM)", "tdxvm": "tdxvm (TDX 기밀 VM)", "sgx": "sgx (SGX 엔클레이브)",
		"sevsnp": "sevsnp (SEV-SNP 기밀 VM)", "tdx": "tdx (TDX 기밀 VM)", "trustedlaunch": "trustedlaunch (하드웨어 TEE 없음)",
		"azurevm, no x-ms-isolation-tee": "azurevm, x-ms-isolation-tee 없음 (Trusted Launch)",
	}
})

// unreadableKO are the prefixes package compare puts before a key it could not decode; the
// library's reason after them is quoted as it is.
var unreadableKO = map[string]string{"unreadable JWK: ": "읽을 수 없는 JWK: ", "unreadable EncKeyPub: ": "읽을 수 없는 EncKeyPub: "}

// valueKO is a compared value's Korean gloss, or "" when the value is data that reads the
// same in both languages.
func valueKO(s string) string {
	for en, ko := range unreadableKO {
		if rest, ok := strings.CutPrefix(s, en); ok {
			return ko + rest
		}
	}
	return valueGlossKO()[s]
}

// resultWord is the result column: match or mismatch, and why, or why not compared.
func resultWord(it compare.Item) present.Text {
	var w present.Text
	switch it.Verdict {
	case check.Pass:
		w = present.T("match", "일치")
	case check.Fail:
		w = present.T("mismatch", "불일치")
	default:
		return it.Note
	}
	if !it.Note.Empty() {
		w.EN += " (" + it.Note.EN + ")"
		w.KO += " (" + it.Note.KO + ")"
	}
	return w
}

// claimsTable shows every claim, nested ones flattened with dotted keys, in the order the
// claims catalog walks them (the token's own order). A claim the catalog does not know is
// shown and marked, never hidden.
func claimsTable(v JWTView) present.Section {
	c := v.Token.Claims
	verdicts := map[string]check.Check{}
	for _, ch := range token.PolicyChecks(v.Checks) {
		verdicts[ch.Subject] = ch
	}
	items := map[string]compare.Item{}
	for _, it := range v.Compare {
		if it.Verdict == check.Pass || it.Verdict == check.Fail {
			items[it.Claim] = it
		}
	}
	sec := present.Section{ID: "claims", Title: present.T("Claims", "클레임"), Kind: present.Fields}
	keys := func(path string) []string {
		if path == "" {
			return c.Keys()
		}
		return c.Keys(strings.Split(path, ".")...)
	}
	claims.WalkOrdered(c.Map(), keys, func(path string, value any, e claims.Entry, known bool) {
		row := present.Row{Key: path, Value: claimValueText(path, value), PCR: -1, Copy: token.FormatValue(value)}
		if _, ok := value.(map[string]any); ok {
			row.ValueKO = fmt.Sprintf("{키 %d개}", len(value.(map[string]any)))
		}
		var ls lines
		if known {
			row.Explain = claimTextFor(e, token.FormatValue(value))
			ls.add("healthy: "+e.Healthy, "정상 값: "+or(e.HealthyKO, e.Healthy))
		} else {
			row.Explain = notInCatalog
			ls.add("not in catalog", "카탈로그에 없음")
		}
		if it, ok := items[path]; ok {
			row.Verdict = it.Verdict
			ls.add(fmt.Sprintf("compared with %s: %s", it.Source, it.Verdict), fmt.Sprintf("%s와 비교: %s", or(it.SourceKO, it.Source), verdictKO[it.Verdict]))
		}
		if ch, ok := verdicts[path]; ok {
			row.Verdict = check.Fold(check.List{{Verdict: row.Verdict}, ch})
			ls.add(ch.String(), checkLineKO(ch))
		}
		ls.set(&row)
		if row.Verdict == check.Fail {
			if known && e.IfUnexpected != "" {
				row.Hint = present.T(e.IfUnexpected, e.IfUnexpectedKO)
			} else {
				_, row.Hint = explain.Check(compare.ID)
			}
		}
		sec.Rows = append(sec.Rows, row)
	})
	return sec
}

// claimValueText renders a claim: times get their date, objects their size (their members
// follow as rows of their own), everything else as MAA sent it.
func claimValueText(path string, v any) string {
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("{%d key%s}", len(x), plural(len(x)))
	case json.Number:
		switch path {
		case "iat", "nbf", "exp":
			if n, err := x.Int64(); err == nil {
				return unixTime(n)
			}
		}
	}
	return token.FormatValue(v)
}
