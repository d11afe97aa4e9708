package pages_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/compare"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/token"
)

func realToken(t *testing.T, name string) *token.Token {
	t.Helper()
	tok, err := token.Parse(string(realdata.Read(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// realKeys is the JWKS captured with the SGX token, named by file so pages stay the same
// on every machine.
func realKeys(t *testing.T) *token.Keys {
	t.Helper()
	ks, err := token.ParseJWKS(realdata.Read(t, "maa-jwks-sharedeus-teaclave-2023.json"), "maa-jwks-sharedeus-teaclave-2023.json")
	if err != nil {
		t.Fatal(err)
	}
	return token.StaticKeys(ks)
}

// requireExplainedJWT is requireExplained for the Verify JWT page. The token and evidence
// columns of the comparison hold claim values, which are data like digests and stay as
// they are in Korean (words among them get a gloss, checked separately); only they are
// exempt from the Korean-cell rule.
func requireExplainedJWT(t *testing.T, p present.Page) {
	t.Helper()
	c := p
	c.Sections = append([]present.Section(nil), p.Sections...)
	for i, s := range c.Sections {
		if s.ID != "compare" {
			continue
		}
		rows := append([]present.Row(nil), s.Rows...)
		for j := range rows {
			cells := append([]string(nil), rows[j].Cells...)
			for k := 0; k < 2 && k < len(cells); k++ {
				if k >= len(rows[j].CellsKO) || rows[j].CellsKO[k] == "" {
					cells[k] = "-"
				}
			}
			rows[j].Cells = cells
		}
		c.Sections[i].Rows = rows
	}
	requireExplained(t, c)
}

// walkCount is how many rows the claims table must have: one per claim, nested included.
func walkCount(c token.Claims) (n int, unknown []string) {
	claims.Walk(c.Map(), func(path string, _ any, _ claims.Entry, known bool) {
		n++
		if !known {
			unknown = append(unknown, path)
		}
	})
	return n, unknown
}

func TestVerifyJWTRealSGXToken(t *testing.T) {
	tok := realToken(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	iat, _ := tok.Claims.Int("iat")
	at := time.Unix(iat, 0).Add(time.Hour)
	keys := realKeys(t)
	checks := token.Verify(tok, token.Options{Keys: keys, Issuer: "https://sharedeus.eus.attest.azure.net", Now: at})
	s, r, _ := load(t, "azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	cmp, items := compare.TokenVsEvidence(tok.Claims, s, r)
	checks = append(checks, cmp)
	checks = append(checks, token.CheckExpectations(tok.Claims, []token.Expect{{Claim: "x-ms-sgx-is-debuggable", Want: "false"}, {Claim: "x-ms-sgx-svn", Want: "2"}})...)
	p := pages.Pager{}.VerifyJWT(pages.JWTView{Token: tok, Checks: checks, KeySource: keys.Source(), Compare: items, Now: at})
	requireExplainedJWT(t, p)
	if p.Step != "verify-jwt" || p.Verdict != check.Fail || !strings.HasPrefix(p.Summary.EN, "MAA token from https://sharedeus.eus.attest.azure.net") {
		t.Errorf("page %s %s %+v", p.Step, p.Verdict, p.Summary)
	}
	if got := sectionIDs(p); strings.Join(got, " ") != "header signature lifetime expect compare claims checks" {
		t.Errorf("sections %v", got)
	}
	if row := requireRow(t, p, "header", "alg"); row.Value != "RS256" || row.Verdict != check.Pass {
		t.Errorf("alg %+v", row)
	}
	if row := requireRow(t, p, "header", "jku"); row.Verdict != "" || !strings.Contains(row.Detail, "equals the issuer") {
		t.Errorf("jku %+v", row)
	}
	if row := requireRow(t, p, "signature", "signature"); row.Verdict != check.Pass || !strings.Contains(row.Value, "rFl9xM") {
		t.Errorf("signature %+v", row)
	}
	if v := requireRow(t, p, "signature", "key source").Value; v != "maa-jwks-sharedeus-teaclave-2023.json" {
		t.Errorf("key source %q", v)
	}
	if v := requireRow(t, p, "lifetime", "iat").Value; v != "1695737747 (2023-09-26 14:15:47 UTC)" {
		t.Errorf("iat %q", v)
	}
	if row := requireRow(t, p, "lifetime", "lifetime"); row.Verdict != check.Pass || !strings.HasPrefix(row.Value, "expires in 7h0m0s (issued for 8h0m0s)") {
		t.Errorf("lifetime %+v", row)
	}
	svn := requireRow(t, p, "expect", "x-ms-sgx-svn")
	if svn.Verdict != check.Fail || svn.Hint.EN == "" || svn.Explain.KO == "" {
		t.Errorf("failed expectation %+v", svn)
	}
	if row := requireRow(t, p, "expect", "x-ms-sgx-is-debuggable"); row.Verdict != check.Pass {
		t.Errorf("met expectation %+v", row)
	}
	tee := requireRow(t, p, "compare", "TEE type")
	if tee.Verdict != check.Fail || tee.Cells[0] != "sgx" || tee.Cells[1] != "sevsnp" || tee.CellsKO[0] != "sgx (SGX 엔클레이브)" || tee.Cells[2] != "mismatch" || tee.CellsKO[2] != "불일치" {
		t.Errorf("TEE type row %+v", tee)
	}
	if row := requireRow(t, p, "compare", "REPORT_DATA"); row.Verdict != check.Skip || row.Cells[0] != "-" || row.Cells[2] != "not in token" || row.CellsKO[2] != "토큰에 없음" {
		t.Errorf("REPORT_DATA row %+v", row)
	}
	// Every claim has a row, nested ones with dotted keys, in the token's order.
	cl := section(t, p, "claims")
	n, _ := walkCount(tok.Claims)
	if len(cl.Rows) != n || cl.Rows[0].Key != "aas-ehd" {
		t.Errorf("claims table has %d rows for %d claims; first %q", len(cl.Rows), n, cl.Rows[0].Key)
	}
	rows := rowsByKey(cl)
	if row := rows["x-ms-sgx-collateral.qeidhash"]; row.Value != "7701f64700b7f505d7b4b7a93e45d5cde8cfc865b60f1dd49ecbee9790c3372e" || row.Explain.KO == "" {
		t.Errorf("nested claim row %+v", row)
	}
	if row := rows["x-ms-sgx-collateral"]; row.Value != "{7 keys}" {
		t.Errorf("object claim row %+v", row)
	}
	if row := rows["x-ms-sgx-svn"]; row.Verdict != check.Fail || row.Hint.KO == "" {
		t.Errorf("claim failing its expectation: %+v", row)
	}
	if row := rows["exp"]; !strings.Contains(row.Value, "2023-09-26 22:15:47 UTC") {
		t.Errorf("exp row %q", row.Value)
	}
}

func TestVerifyJWTTrustedLaunch2022AgainstSNPEvidence(t *testing.T) {
	tok := realToken(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	iat, _ := tok.Claims.Int("iat")
	at := time.Unix(iat, 0).Add(9 * time.Hour) // an hour after it expired
	keys := realKeys(t)
	checks := token.Verify(tok, token.Options{Keys: keys, Issuer: "https://sharedeus2.eus2.attest.azure.net", Now: at})
	s, r, _ := load(t, "azsnp-hcl-trustee-911b0ef8.bin", "azsnp-tpmquote-trustee-911b0ef8.msg.bin",
		"azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin")
	cmp, items := compare.TokenVsEvidence(tok.Claims, s, r)
	checks = append(checks, cmp)
	checks = append(checks, token.CheckExpectations(tok.Claims, token.AzureCVMBaseline(tok.Claims))...)
	p := pages.VerifyJWT(pages.JWTView{Token: tok, Checks: checks, KeySource: keys.Source(), Compare: items, Now: at})
	requireExplainedJWT(t, p)
	// Its signing key was never published: the signature must fail, never pass.
	sig := requireRow(t, p, "signature", "signature")
	if sig.Verdict != check.Fail || !strings.Contains(sig.Value, "not published") || sig.Hint.KO == "" {
		t.Errorf("signature row %+v", sig)
	}
	if row := requireRow(t, p, "lifetime", "lifetime"); row.Verdict != check.Fail || !strings.HasPrefix(row.Value, "expired 1h0m0s ago") {
		t.Errorf("lifetime %+v", row)
	}
	vmid := requireRow(t, p, "compare", "VM id")
	if vmid.Verdict != check.Fail || vmid.Cells[0] != "F7CEA813-4C44-436C-8537-5701999C4589" || vmid.Cells[1] != "911B0EF8-9DBA-48B0-B275-4E4DF2D39252" || vmid.Hint.KO == "" {
		t.Errorf("VM id row %+v", vmid)
	}
	if tee := requireRow(t, p, "compare", "TEE type"); tee.CellsKO[0] != "azurevm, x-ms-isolation-tee 없음 (Trusted Launch)" || tee.CellsKO[1] != "sevsnp (SEV-SNP 기밀 VM)" {
		t.Errorf("TEE type row %+v", tee)
	}
	if sb := requireRow(t, p, "compare", "Secure Boot"); sb.Verdict != check.Skip || sb.Cells[2] != "no local evidence" || sb.CellsKO[2] != "로컬 증거 없음" {
		t.Errorf("Secure Boot without an event log: %+v", sb)
	}
	pcrs := requireRow(t, p, "compare", "attested PCRs")
	if pcrs.Verdict != check.Pass || !strings.Contains(pcrs.Cells[2], "subset") || !strings.Contains(pcrs.CellsKO[2], "일부") {
		t.Errorf("attested PCRs row %+v", pcrs)
	}
	if note := section(t, p, "compare").Note; !strings.Contains(note.EN, "VM id") || !strings.Contains(note.KO, "다른 항목: TEE 유형, VM ID") {
		t.Errorf("compare note %+v", note)
	}
	rows := rowsByKey(section(t, p, "claims"))
	if row := rows["x-ms-azurevm-vmid"]; row.Verdict != check.Fail || !strings.Contains(row.Detail, "runtime claims") ||
		!strings.Contains(row.DetailKO, "런타임 클레임 vm-configuration.vmUniqueId와 비교: 실패") {
		t.Errorf("vmid claim row %+v", row)
	}
	if row := rows["x-ms-runtime.keys"]; !strings.Contains(row.Value, "TpmEphemeralEncryptionKey") || row.Explain.KO == "" {
		t.Errorf("keys claim row %+v", row)
	}
	if row := rows["secureboot"]; row.Verdict != check.Pass || !strings.Contains(row.Detail, "policy.baseline") {
		t.Errorf("secureboot claim row (baseline expectation) %+v", row)
	}
}

// A claim the catalog does not know is shown and marked, never hidden.
func TestVerifyJWTUnknownClaimShown(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(map[string]any{"iss": "https://sharedkrc.krc.attest.azure.net", "x-ms-ver": "1.0",
		"x-ms-future-claim": map[string]any{"depth": 2}, "exp": 1700000000})
	tok, err := token.Parse(enc([]byte(`{"alg":"HS256","typ":"JWT","jku":"https://evil.example/certs","x5c":["MIIB"]}`)) + "." + enc(payload) + "." + enc([]byte("sig")))
	if err != nil {
		t.Fatal(err)
	}
	checks := token.Verify(tok, token.Options{Issuer: "https://sharedkrc.krc.attest.azure.net", Now: time.Unix(1690000000, 0)})
	p := pages.VerifyJWT(pages.JWTView{Token: tok, Checks: checks, Now: time.Unix(1690000000, 0)})
	requireExplainedJWT(t, p)
	rows := rowsByKey(section(t, p, "claims"))
	for _, k := range []string{"x-ms-future-claim", "x-ms-future-claim.depth"} {
		row, ok := rows[k]
		if !ok || !strings.HasPrefix(row.Explain.EN, "Not in catalog") || !strings.HasPrefix(row.Explain.KO, "카탈로그에 없음") || row.Detail != "not in catalog" {
			t.Errorf("unknown claim %q: %+v", k, row)
		}
	}
	if row := requireRow(t, p, "header", "alg"); row.Verdict != check.Fail || row.Hint.KO == "" {
		t.Errorf("alg HS256 %+v", row)
	}
	if row := requireRow(t, p, "header", "jku"); row.Verdict != check.Warn || !strings.Contains(row.Detail, "not followed") {
		t.Errorf("foreign jku %+v", row)
	}
	if row := requireRow(t, p, "header", "x5c"); !strings.Contains(row.Value, "ignored") {
		t.Errorf("x5c %+v", row)
	}
	if hasSection(p, "compare") || hasSection(p, "expect") {
		t.Errorf("sections %v: nothing was compared or expected", sectionIDs(p))
	}
}

// In Korean the comparison speaks Korean around the data it quotes: a key that did not
// decode, the Trusted Launch token's missing TEE, and where each local value came from.
func TestVerifyJWTCompareRowsInKorean(t *testing.T) {
	tok := realToken(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")
	items := []compare.Item{
		{Name: "ephemeral key", Claim: "x-ms-runtime.keys", Token: "unreadable JWK: square/go-jose: bad n", Verdict: check.Skip,
			Note: present.T("no local evidence", "로컬 증거 없음")},
		{Name: "TEE type", NameKO: "TEE 유형", Claim: "x-ms-attestation-type", Token: "azurevm, no x-ms-isolation-tee", Evidence: "trustedlaunch",
			Source: "Trusted Launch (no hardware TEE): the kind of the evidence", SourceKO: "Trusted Launch (하드웨어 TEE 없음): 증거의 종류", Verdict: check.Pass},
	}
	p := pages.VerifyJWT(pages.JWTView{Token: tok, Compare: items, Now: time.Unix(1700000000, 0)})
	key := requireRow(t, p, "compare", "ephemeral key")
	if key.CellsKO[0] != "읽을 수 없는 JWK: square/go-jose: bad n" || !strings.Contains(key.DetailKO, "토큰: 읽을 수 없는 JWK: ") {
		t.Errorf("undecodable key in Korean: %q / %q", key.CellsKO, key.DetailKO)
	}
	tee := requireRow(t, p, "compare", "TEE type")
	if tee.ValueIn(present.KO) != "azurevm, x-ms-isolation-tee 없음 (Trusted Launch)" ||
		!strings.Contains(tee.DetailKO, "토큰: azurevm, x-ms-isolation-tee 없음") || !strings.Contains(tee.DetailKO, "출처: Trusted Launch (하드웨어 TEE 없음)") {
		t.Errorf("TEE type in Korean: %q / %q", tee.ValueIn(present.KO), tee.DetailKO)
	}
	if strings.Contains(tee.DetailKO, "no hardware") || strings.Contains(tee.DetailKO, "no x-ms") {
		t.Errorf("TEE type detail keeps English: %q", tee.DetailKO)
	}
}

// The answer was not a JWT: the page shows why and nothing else.
func TestVerifyJWTWithoutToken(t *testing.T) {
	p := pages.VerifyJWT(pages.JWTView{Checks: check.List{check.Failf(token.IDSignature, "the answer is not a JWT: token: 1 dot-separated parts")}})
	requireExplainedJWT(t, p)
	if p.Verdict != check.Fail || sectionIDs(p)[0] != "checks" || !strings.HasPrefix(p.Summary.EN, "no token") || !strings.HasPrefix(p.Summary.KO, "토큰 없음") {
		t.Errorf("no token: %s %v %+v", p.Verdict, sectionIDs(p), p.Summary)
	}
}

func BenchmarkVerifyJWT(b *testing.B) {
	tok, err := token.Parse(string(realdata.Read(b, "maa-sgx-sharedeus-teaclave-2023.jwt")))
	if err != nil {
		b.Fatal(err)
	}
	checks := token.CheckExpectations(tok.Claims, []token.Expect{{Claim: "x-ms-sgx-svn", Want: "1"}})
	for b.Loop() {
		pages.VerifyJWT(pages.JWTView{Token: tok, Checks: checks, Now: time.Unix(1695737747, 0)})
	}
}

// The lifetime line names iat, exp and now each by name, and the time left is exp − now:
// the time it was judged at must never stand where exp belongs.
func TestLifetimeLineNamesIatExpAndNow(t *testing.T) {
	tok := realToken(t, "maa-sgx-sharedeus-teaclave-2023.jwt")
	iat, _ := tok.Claims.Int("iat")
	exp, _ := tok.Claims.Int("exp")
	at := time.Unix(iat, 0).Add(time.Hour)
	checks := token.Verify(tok, token.Options{Keys: realKeys(t), Issuer: "https://sharedeus.eus.attest.azure.net", Now: at})
	p := pages.VerifyJWT(pages.JWTView{Token: tok, Checks: checks, Now: at})
	row := requireRow(t, p, "lifetime", "lifetime")
	want := "expires in 7h0m0s (issued for 8h0m0s): iat 2023-09-26 14:15:47 UTC → exp " +
		time.Unix(exp, 0).UTC().Format("2006-01-02 15:04:05 UTC") + "; now 2023-09-26 15:15:47 UTC"
	if row.Value != want || exp-iat != 8*3600 {
		t.Errorf("lifetime\n got %q\nwant %q", row.Value, want)
	}
	if !strings.Contains(row.Detail, "--now") {
		t.Errorf("detail does not say where now came from: %q", row.Detail)
	}
	before := time.Unix(iat, 0).Add(-time.Hour)
	nbf, hasNbf := tok.Claims.Int("nbf")
	p = pages.VerifyJWT(pages.JWTView{Token: tok, Now: before})
	if v := requireRow(t, p, "lifetime", "lifetime").Value; hasNbf && nbf <= iat && !strings.HasPrefix(v, "not valid for another 1h0m0s; expires in 9h0m0s") {
		t.Errorf("before nbf: %q", v)
	}
}
