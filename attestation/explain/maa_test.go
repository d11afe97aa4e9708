package explain_test

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/explain"
)

func TestMAAExplanationsHaveEnglishAndKorean(t *testing.T) {
	for _, k := range []string{explain.KindRequest, explain.KindCall, explain.KindJWT} {
		names := explain.FieldNames(k)
		if len(names) < 10 {
			t.Errorf("field kind %s has only %d entries", k, len(names))
		}
		for _, n := range names {
			txt := explain.Field(k, n)
			requireBoth(t, "field "+k+"/"+n, txt)
			if checktest.HasHangul(txt.EN) {
				t.Errorf("field %s/%s: English text %q has Korean in it", k, n, txt.EN)
			}
		}
	}
	if len(explain.MAAProblemNames()) < 15 {
		t.Errorf("only %d MAA problems catalogued", len(explain.MAAProblemNames()))
	}
	for _, n := range explain.MAAProblemNames() {
		m, h := explain.MAAProblem(n)
		requireBoth(t, "MAA problem "+n+" meaning", m)
		requireBoth(t, "MAA problem "+n+" hint", h)
		requireBoth(t, "MAA problem "+n+" short name", explain.MAAProblemShort(n))
	}
	if m, _ := explain.MAAProblem("no-such-problem"); !m.Empty() {
		t.Errorf("unknown problem explained: %+v", m)
	}
	for _, id := range []string{"maa.request", "maa.call", "maa.decrypt", "maa.endpoint", "imds.reachable", "imds.thim", "imds.tdquote"} {
		m, h := explain.Check(id)
		requireBoth(t, "check "+id, m)
		requireBoth(t, "check "+id+" hint", h)
	}
}

func TestPolicyClaimNamesTheFix(t *testing.T) {
	why, fix := explain.PolicyClaim("X-MS-AZUREVM-DBXVALIDATED")
	requireBoth(t, "dbx why", why)
	requireBoth(t, "dbx fix", fix)
	if want := "enable Secure Boot on the VM (or use a custom provider and policy)"; fix.EN != want {
		t.Errorf("dbx fix %q, want %q", fix.EN, want)
	}
	why, fix = explain.PolicyClaim("x-ms-some-future-claim")
	requireBoth(t, "unknown claim why", why)
	requireBoth(t, "unknown claim fix", fix)
}
