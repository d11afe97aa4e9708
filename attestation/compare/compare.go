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
	// Source names the local field the value was read from.
	Source string `json:"source,omitempty"`
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
	add(encKeyItem(t, s))
	add(userDataItem(t, s, r))
	add(vmConfigItem(t, r))
	add(pcrsItem(t, s, r))
	add(secureBootItem(t, r))
	return verdict(items), items
}

// finish sets the verdict of an item whose comparison has not already decided it.
func finish(it Item) Item {
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
	var details []string
	for _, it := range fails {
		details = append(details, fmt.Sprintf("%s (%s): token %s, evidence %s (%s)", it.Name, it.Claim, it.Token, it.Evidence, it.Source))
	}
	for _, it := range skips {
		details = append(details, fmt.Sprintf("not compared: %s (%s): %s", it.Name, it.Claim, it.Note.EN))
	}
	switch {
	case len(fails) > 0:
		return check.Failf(ID, "MAA's token disagrees with the local evidence on %s", names(fails, 3)).WithDetails(details...)
	case len(passes) == 0:
		return check.Warnf(ID, "nothing to compare: the token and the evidence share no value (%d items have one side only)", len(skips)).WithDetails(details...)
	case binding == 0:
		return check.Warnf(ID, "%d items agree (%s), but none ties the token to this VM or this request (REPORT_DATA, HCLAkPub, VM id, user-data, ephemeral key)", len(passes), names(passes, 4)).WithDetails(details...)
	}
	return check.Passf(ID, "all %d items MAA and the evidence both carry agree (%s); %d not compared", len(passes), names(passes, 4), len(skips)).WithDetails(details...)
}

// names lists up to n item names and counts the rest.
func names(items []Item, n int) string {
	var out []string
	for i, it := range items {
		if i == n {
			out = append(out, fmt.Sprintf("%d more", len(items)-n))
			break
		}
		out = append(out, it.Name)
	}
	return strings.Join(out, ", ")
}
