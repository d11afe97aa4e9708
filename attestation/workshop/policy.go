package workshop

import (
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// authenticators are the token checks that must pass before its claims say anything: the
// signature proves who wrote them, the issuer that it is the provider you trust.
var authenticators = []string{token.IDSignature, token.IDIssuer}

// policyChecks judges the Azure CVM baseline (unless noBaseline; policy.baseline) and the
// user's expectations (policy.expect, replacing the baseline's on the same claim) against the token's claims, but only when verified shows those claims
// authenticated. Otherwise every expectation skips with the reason: a forged token must
// fail as forged (exit 2), never as a policy denial (exit 5) decided on claims an attacker
// wrote.
func policyChecks(claims token.Claims, verified check.List, expect []token.Expect, noBaseline bool) check.List {
	exps := token.Expectations(claims, expect, noBaseline)
	if len(exps) == 0 {
		return nil
	}
	var why, whyKO []string
	for _, id := range authenticators {
		if v := verified.Verdict(id); v != check.Pass {
			why = append(why, id+" "+string(v))
			whyKO = append(whyKO, id+" "+verdictKO[v])
		}
	}
	if len(why) == 0 {
		return token.CheckExpectations(claims, exps)
	}
	out := make(check.List, 0, len(exps))
	for _, e := range exps {
		out = append(out, check.Skipf(e.ID(), "%s not judged: the claims are not authenticated (%s)", e.Claim, strings.Join(why, ", ")).
			KO("클레임(%s)은 판단하지 않았습니다. 클레임이 인증되지 않았습니다 (%s)", e.Claim, strings.Join(whyKO, ", ")).
			WithSubject(e.Claim))
	}
	return out
}

// verdictKO names a verdict in Korean, as the pages do ("jwt.signature 실패").
var verdictKO = map[check.Verdict]string{check.Pass: "통과", check.Fail: "실패", check.Warn: "경고", check.Skip: "건너뜀"}
