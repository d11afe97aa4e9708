package pages

import (
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// mrow is a row of the MAA pages explained from one of explain's MAA field kinds.
func mrow(kind, key, value string) present.Row {
	return present.Row{Key: key, KeyKO: labelKO()[key], Value: value, Explain: explain.Field(kind, key), PCR: -1}
}

// labelKO names the MAA pages' own row labels in Korean. Wire names (Iv, Jwt,
// EncryptedInnerKey) and JWT header names (alg, kid, jku) are the protocol's and stay.
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var labelKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"url": "URL", "provider": "공급자", "status": "상태", "latency": "응답 시간", "attempts": "시도 횟수",
		"sent": "보낸 크기", "received": "받은 크기", "token": "토큰", "unwrap": "키 풀기",
		"what happened": "무슨 일이 있었나", "what to do": "조치 방법", "error code": "오류 코드",
		"message": "메시지", "inner code": "내부 오류 코드",
		"signature": "서명", "key source": "키 출처", "lifetime": "남은 유효기간",
		"body": "본문", "path": "경로", "flow": "흐름", "chosen by": "선택 근거",
	}
})

// withChecks gives a row the folded verdict of the checks with the given ids, their
// summaries as detail and, when one is not healthy, the catalog's advice. A row no check
// covers says so instead of showing a verdict.
func withChecks(row present.Row, l check.List, ids ...string) present.Row {
	var found check.List
	for _, id := range ids {
		found = append(found, l.Find(id)...)
	}
	var ls lines
	if row.Detail != "" {
		ls.add(row.Detail, row.DetailIn(present.KO))
	}
	if len(found) == 0 {
		ls.add("not checked: no "+strings.Join(ids, " or ")+" check was run",
			"검증하지 않음: "+strings.Join(ids, " 또는 ")+" 검사를 실행하지 않았습니다")
		ls.set(&row)
		return row
	}
	row.Verdict = check.Fold(found)
	for _, c := range found {
		ls.check(c)
		if row.Hint.Empty() {
			row.Hint = explain.HintFor(c)
		}
	}
	ls.set(&row)
	return row
}
