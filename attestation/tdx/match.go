package tdx

import (
	"bytes"
	"encoding/hex"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// MatchReport checks that the quote's body carries the same TD fields as the TDREPORT from
// the HCL report, so that the signed quote vouches for that report (and, through
// REPORT_DATA, for the HCL runtime claims). Every differing field is named.
func MatchReport(q *Quote, r *TDReport) check.Check {
	if q == nil || r == nil {
		return check.Skipf(CheckMatchesReport, "quote body not compared with a TDREPORT; need both the TD quote and the HCL report").
			KO("쿼트 본문을 TDREPORT와 비교하지 않았습니다. TD 쿼트와 HCL 보고서가 모두 필요합니다")
	}
	var names []string
	var details []detail
	for _, m := range measured {
		got, want := q.bodyField(m.quoteOff, m.size), m.report(r)
		if !bytes.Equal(got, want) {
			names = append(names, m.name)
			g, w := hex.EncodeToString(got), hex.EncodeToString(want)
			details = append(details, detail{m.name + ": quote " + g + " vs TDREPORT " + w, m.name + ": 쿼트 " + g + ", TDREPORT " + w})
		}
	}
	n15, d15 := q.matchV15(r)
	names, details = append(names, n15...), append(details, d15...)
	if len(names) > 0 {
		return withDetails(check.Failf(CheckMatchesReport, "quote body differs from the HCL TDREPORT in %s; the quote was made for another report", strings.Join(names, ", ")).
			KO("쿼트 본문이 HCL TDREPORT와 %s에서 다릅니다. 다른 보고서로 만든 쿼트입니다", strings.Join(names, ", ")), details)
	}
	c := check.Passf(CheckMatchesReport, "quote body equals the HCL TDREPORT in all %d TD fields (report_data, mr_td, rtmr0-3, mr_seam, tee_tcb_svn, attributes, xfam, owner/config IDs)", len(measured)).
		KO("쿼트 본문이 HCL TDREPORT와 TD 필드 %d개 모두에서 같습니다(%s)", len(measured), measuredNames())
	if q.BodyType >= BodyTDX15 {
		c = c.WithDetail("TDX 1.5 body: tee_tcb_svn2 and mr_servicetd equal the TDREPORT's tee_tcb_svn2 and servtd_hash too",
			"TDX 1.5 본문: tee_tcb_svn2와 mr_servicetd도 TDREPORT의 tee_tcb_svn2, servtd_hash와 같습니다")
	}
	return c
}

// measuredNames lists the compared fields by their exact names, for the Korean summary:
// the English groups them in words ("owner/config IDs"), which Korean would have to
// translate around field names.
func measuredNames() string {
	names := make([]string, len(measured))
	for i, m := range measured {
		names[i] = m.name
	}
	return strings.Join(names, ", ")
}

// Verify runs the three checks: signature, match with the TDREPORT (skipped when report is
// nil) and TCB (skipped without collateral).
func Verify(q *Quote, report *TDReport, opts Options) check.List {
	return check.List{VerifyQuote(q, opts), MatchReport(q, report), EvaluateTCB(q, opts)}
}
