// Package compare holds what MAA said in its token against what cvmscope read from the
// evidence itself, claim by claim.
//
// A relying party that only verifies the token's signature trusts MAA to have looked at the
// right VM. Comparing the token's claims with the local report (REPORT_DATA, HCLAkPub, the
// launch measurement, the VM id, user-data, the quoted PCRs) shows that the token speaks of
// this VM and this report, and not of another one that MAA also attested.
//
// Each comparison is an Item, made only when the token or the evidence has the value; when
// just one side has it the item says so ("not in token", "no local evidence") and never
// counts as agreement.
package compare

import (
	"fmt"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// ID is the check id of the comparison.
const ID = "jwt.matches-evidence"

// Item is one claim compared with its local counterpart.
type Item struct {
	// Name is a short label ("REPORT_DATA", "launch measurement", "bootloader SVN").
	Name string `json:"name"`
	// Claim is the dotted claim path, as found in the token or, when absent, where this
	// kind of token carries it.
	Claim string `json:"claim"`
	// NameKO is Name in Korean; empty when the name is a claim or field name that stays
	// as it is (REPORT_DATA, mrtd, HCLAkPub).
	NameKO string `json:"nameKo,omitempty"`
	// Source names the local field the value was read from; SourceKO says it in Korean.
	Source   string `json:"source,omitempty"`
	SourceKO string `json:"sourceKo,omitempty"`
	// Token and Evidence are the two values as text; empty when that side lacks the value.
	Token    string `json:"token,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	// Verdict is Pass when both sides agree, Fail when they differ, Skip when one side
	// has no value.
	Verdict check.Verdict `json:"verdict"`
	// Note says why an item was skipped, or how it matched when that needs saying (an SVN
	// that equals the current TCB rather than the reported one).
	Note present.Text `json:"note,omitempty"`
	// Binding marks the items that tie a token to one VM and one report (REPORT_DATA,
	// HCLAkPub, the VM id, user-data, report_id, the request's ephemeral key) rather than to
	// a kind of VM.
	Binding bool `json:"binding,omitempty"`
}

var (
	notInToken = present.T("not in token", "토큰에 없음")
	noLocal    = present.T("no local evidence", "로컬 증거 없음")
)

// TokenVsEvidence compares the claims of an MAA token, AzureGuest (TEE claims nested in
// x-ms-isolation-tee) or platform (flat), with the evidence set and what verification
// parsed from it. It returns the jwt.matches-evidence check and every item compared:
// Fail names the first mismatches; Pass needs every item with both sides to agree and at
// least one binding item among them; otherwise Warn says there was too little to compare.
func TokenVsEvidence(c token.Claims, s *evidence.Set, r *verify.Result) (check.Check, []Item) {
	if s == nil {
		s = &evidence.Set{}
	}
	if r == nil {
		r = &verify.Result{}
	}
	t := newTokenView(c)
	var items []Item
	add := func(it Item) {
		if it.Token == "" && it.Evidence == "" {
			// Neither side knows this value (a TDX claim next to SEV-SNP evidence): there is
			// nothing to show, and nothing is hidden by leaving it out.
			return
		}
		items = append(items, finish(it))
	}
	add(teeItem(t, s, r))
	add(vmidItem(t, r))
	add(reportDataItem(t, r))
	for _, it := range snpItems(t, r) {
		add(it)
	}
	for _, it := range tdxItems(t, r) {
		add(it)
	}
	add(akItem(t, r))
	add(encKeyItem(t, s, r))
	add(userDataItem(t, s, r))
	add(vmConfigItem(t, r))
	add(pcrsItem(t, s, r))
	add(secureBootItem(t, r))
	return verdict(items), items
}

// finish sets the verdict of an item whose comparison has not already decided it.
func finish(it Item) Item {
	it.NameKO = itemNamesKO()[it.Name]
	switch {
	case it.Token == "":
		it.Verdict, it.Note = check.Skip, notInToken
	case it.Evidence == "":
		it.Verdict, it.Note = check.Skip, noLocal
	case it.Verdict == "":
		// Items that need no special rule compare as text, ignoring case: hex digests and
		// GUIDs are case-insensitive, and booleans and numbers have one spelling.
		it.Verdict = check.Fail
		if strings.EqualFold(it.Token, it.Evidence) {
			it.Verdict = check.Pass
		}
	}
	return it
}

func verdict(items []Item) check.Check {
	var fails, passes, skips []Item
	binding := 0
	for _, it := range items {
		switch it.Verdict {
		case check.Fail:
			fails = append(fails, it)
		case check.Pass:
			passes = append(passes, it)
			if it.Binding {
				binding++
			}
		default:
			skips = append(skips, it)
		}
	}
	var c check.Check
	switch {
	case len(fails) > 0:
		c = check.Failf(ID, "MAA's token disagrees with the local evidence on %s", names(fails, 3)).
			KO("MAA 토큰이 로컬 증거와 다른 항목: %s", namesKO(fails, 3))
	case len(passes) == 0:
		c = check.Warnf(ID, "nothing to compare: the token and the evidence share no value (%d items have one side only)", len(skips)).
			KO("비교할 것이 없습니다: 토큰과 증거가 함께 가진 값이 없습니다(한쪽에만 있는 항목 %d개)", len(skips))
	case binding == 0:
		c = check.Warnf(ID, "%d items agree (%s), but none ties the token to this VM or this request (REPORT_DATA, HCLAkPub, VM id, user-data, ephemeral key)", len(passes), names(passes, 4)).
			KO("항목 %d개가 일치하지만(%s) 토큰을 이 VM이나 이 요청에 묶는 항목(REPORT_DATA, HCLAkPub, VM ID, user-data, 임시 키)은 없습니다", len(passes), namesKO(passes, 4))
	default:
		c = check.Passf(ID, "all %d items MAA and the evidence both carry agree (%s); %d not compared", len(passes), names(passes, 4), len(skips)).
			KO("MAA와 증거가 모두 가진 항목 %d개가 모두 일치합니다(%s). %d개는 비교하지 않았습니다", len(passes), namesKO(passes, 4), len(skips))
	}
	for _, it := range fails {
		c = c.WithDetail(fmt.Sprintf("%s (%s): token %s, evidence %s (%s)", it.Name, it.Claim, it.Token, it.Evidence, it.Source),
			fmt.Sprintf("%s (%s): 토큰 %s, 증거 %s (%s)", it.nameIn(present.KO), it.Claim, it.Token, it.Evidence, it.sourceKO()))
	}
	for _, it := range skips {
		c = c.WithDetail(fmt.Sprintf("not compared: %s (%s): %s", it.Name, it.Claim, it.Note.EN),
			fmt.Sprintf("비교하지 않음: %s (%s): %s", it.nameIn(present.KO), it.Claim, it.Note.In(present.KO)))
	}
	return c
}

// nameIn is the item's name in lang.
func (it Item) nameIn(l present.Lang) string {
	return present.T(it.Name, it.NameKO).In(l)
}

func (it Item) sourceKO() string {
	if it.SourceKO != "" {
		return it.SourceKO
	}
	return it.Source
}

// itemNamesKO are the Korean names of the items whose names are words; the others are
// claim or field names (REPORT_DATA, VMPL, HCLAkPub, the tdx_* fields) and stay as they are.
// Built on first use, not at init: most processes compare nothing.
var itemNamesKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"TEE type": "TEE 유형", "VM id": "VM ID", "launch measurement": "시작 측정값", "guest SVN": "게스트 SVN",
		"debuggable": "디버그 가능", "SMT allowed": "SMT 허용", "migration allowed": "마이그레이션 허용",
		"family id": "패밀리 ID", "image id": "이미지 ID", "ID key digest": "ID 키 다이제스트",
		"author key digest": "작성자 키 다이제스트", "host data": "호스트 데이터", "report id": "보고서 ID",
		"bootloader SVN": "부트로더 SVN", "SNP firmware SVN": "SNP 펌웨어 SVN",
		"microcode SVN": "마이크로코드 SVN", "ephemeral key": "임시 키", "attested PCRs": "증명된 PCR",
		"Secure Boot": "보안 부팅 (Secure Boot)",
	}
})

// names lists up to n item names and counts the rest.
func names(items []Item, n int) string { return nameList(items, n, present.EN) }

// namesKO is names in Korean.
func namesKO(items []Item, n int) string { return nameList(items, n, present.KO) }

func nameList(items []Item, n int, l present.Lang) string {
	var out []string
	for i, it := range items {
		if i == n {
			more := fmt.Sprintf("%d more", len(items)-n)
			if l == present.KO {
				more = fmt.Sprintf("외 %d개", len(items)-n)
			}
			out = append(out, more)
			break
		}
		out = append(out, it.nameIn(l))
	}
	return strings.Join(out, ", ")
}
