package eventlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-eventlog/tcg"
)

// CheckReplay is the ID of the per-PCR comparison between log replay and quoted PCRs.
const CheckReplay = "eventlog.replay"

// pcrReplay is the SHA-256 replay of one PCR.
type pcrReplay struct {
	value  []byte
	events int
	last   Event
	// noDigest is the first event for this PCR without a SHA-256 digest; the PCR then
	// cannot be replayed.
	noDigest *Event
}

// Replay extends the SHA-256 digests of every event into its PCR and returns the final
// values. PCRs whose events lack SHA-256 digests are left out. EV_NO_ACTION events are not
// extended; a StartupLocality event sets PCR0's starting value to the locality and an
// EV_EFI_HCRTM_EVENT starts PCR0 from 4, as a TPM does.
func (l *Log) Replay() map[int][]byte {
	out := map[int][]byte{}
	for pcr, r := range l.replay() {
		if r.noDigest == nil {
			out[pcr] = r.value
		}
	}
	return out
}

func (l *Log) replay() map[int]*pcrReplay {
	out := map[int]*pcrReplay{}
	h := sha256.New()
	for e := range l.Events() {
		if e.Type == uint32(tcg.NoAction) {
			continue
		}
		r := out[e.PCR]
		if r == nil {
			r = &pcrReplay{value: make([]byte, sha256.Size)}
			if e.PCR == 0 {
				r.value[sha256.Size-1] = l.locality
			}
			out[e.PCR] = r
		}
		if e.Type == uint32(tcg.EFIHCRTMEvent) && r.events == 0 {
			r.value[sha256.Size-1] = 4
		}
		r.events++
		r.last = e
		if len(e.Digest) != sha256.Size {
			if r.noDigest == nil {
				r.noDigest = &e
			}
			continue
		}
		h.Reset()
		h.Write(r.value)
		h.Write(e.Digest)
		r.value = h.Sum(r.value[:0])
	}
	return out
}

// Counts splits the log's events for one PCR, or for all PCRs when pcr is negative, into
// measured events (extended into the PCR, what a replay counts) and EV_NO_ACTION events,
// which only inform the reader (the Spec ID header, the startup locality) and are never
// extended.
func (l *Log) Counts(pcr int) (measured, noAction int) {
	if pcr >= 0 {
		c := l.counts[pcr]
		return c.measured, c.noAction
	}
	for _, c := range l.counts {
		measured, noAction = measured+c.measured, noAction+c.noAction
	}
	return measured, noAction
}

// CountText is Counts in words, in English and Korean: "4 measured events, 1 EV_NO_ACTION
// not extended into a PCR".
func CountText(measured, noAction int) (en, ko string) {
	en = fmt.Sprintf("%d measured event%s", measured, plural(measured))
	ko = fmt.Sprintf("측정된 이벤트 %d개", measured)
	if noAction > 0 {
		en += fmt.Sprintf(", %d EV_NO_ACTION not extended into a PCR", noAction)
		ko += fmt.Sprintf(", PCR에 확장되지 않는 EV_NO_ACTION %d개", noAction)
	}
	return en, ko
}

// resetValue is a PCR's value before anything extends it: the DRTM PCRs 17-22 start as
// all ones, every other PCR as zeros (TCG PC Client Platform TPM Profile).
func resetValue(pcr int) []byte {
	v := make([]byte, sha256.Size)
	if pcr >= 17 && pcr <= 22 {
		for i := range v {
			v[i] = 0xff
		}
	}
	return v
}

// Compare replays the log's SHA-256 bank and compares it with PCR values, typically
// from a verified TPM quote. It returns one eventlog.replay check per PCR that the log
// extends or the PCR set holds, in PCR order.
func Compare(l *Log, pcrs map[int][]byte) check.List { return CompareQuoted(l, pcrs, nil) }

// CompareQuoted is Compare for PCR values of which only quoted are covered by a signed
// quote: the others were read from the TPM and are called so, never "quoted". A nil
// quoted means every value came from the quote.
func CompareQuoted(l *Log, pcrs map[int][]byte, quoted []int) check.List {
	covered := map[int]bool{}
	for _, p := range quoted {
		covered[p] = true
	}
	return compare(l, pcrs, func(p int) source {
		if quoted != nil && !covered[p] {
			return source{"PCR%d as read from the TPM (not in the quote)", "TPM에서 읽은 PCR%d(쿼트에 포함되지 않음)"}
		}
		return source{"the quoted PCR%d", "쿼트된 PCR%d"}
	})
}

// CompareUnsigned is Compare for PCR values that no quote signs (a PCR file given without
// one): they are called what they are, never "quoted".
func CompareUnsigned(l *Log, pcrs map[int][]byte) check.List {
	return compare(l, pcrs, func(int) source {
		return source{"PCR%d as given (no quote signs it)", "주어진 PCR%d(서명한 쿼트 없음)"}
	})
}

func compare(l *Log, pcrs map[int][]byte, srcOf func(p int) source) check.List {
	if l == nil {
		return check.List{check.Skipf(CheckReplay, "no event log, so no PCR could be replayed").
			KO("이벤트 로그가 없어 어떤 PCR도 재생할 수 없었습니다")}
	}
	replayed := l.replay()
	seen := map[int]bool{}
	for p := range replayed {
		seen[p] = true
	}
	for p := range pcrs {
		seen[p] = true
	}
	order := make([]int, 0, len(seen))
	for p := range seen {
		order = append(order, p)
	}
	sort.Ints(order)
	var out check.List
	for _, p := range order {
		value, inSet := pcrs[p]
		out = append(out, comparePCR(l, p, replayed[p], value, inSet, srcOf(p)).WithSubject(fmt.Sprintf("PCR%d", p)))
	}
	return out
}

// source names where a PCR value came from, in English and Korean: formats that take the
// PCR's number, so the number lands inside the name ("PCR8 as read from the TPM (not in
// the quote)"), not glued after it.
type source struct{ en, ko string }

func (s source) name(p int) string   { return fmt.Sprintf(s.en, p) }
func (s source) nameKO(p int) string { return fmt.Sprintf(s.ko, p) }

// comparePCR compares one PCR of l; src names where its value came from ("the quoted
// PCR%d").
func comparePCR(l *Log, p int, r *pcrReplay, quoted []byte, inQuote bool, src source) check.Check {
	switch {
	case r == nil && !inQuote:
		return check.Skipf(CheckReplay, "PCR%d is neither in the log nor in the PCR set", p).
			KO("PCR%d은(는) 로그에도 PCR 값 목록에도 없습니다", p)
	case r == nil:
		if bytes.Equal(quoted, resetValue(p)) {
			return check.Passf(CheckReplay, "no events, PCR is %s as %s shows", resetName(p), src.name(p)).
				KO("이벤트가 없고, %s이(가) 보여 주듯 PCR이 %s입니다", src.nameKO(p), resetNameKO(p))
		}
		return check.Warnf(CheckReplay, "PCR%d is not at its reset value but the log has no events for it: something outside this log extended it, so it cannot be checked", p).
			KO("PCR%d이(가) 초기값이 아닌데 로그에는 이 PCR의 이벤트가 없습니다. 이 로그 밖의 무언가가 확장했으므로 검증할 수 없습니다", p).
			WithDetail("quoted   "+hex.EncodeToString(quoted), "쿼트값   "+hex.EncodeToString(quoted))
	case !inQuote:
		return check.Skipf(CheckReplay, "the log extends PCR%d (%d events) but the PCR set has no value for it, so it was not compared", p, r.events).
			KO("로그는 PCR%d을(를) 확장하지만(이벤트 %d개) PCR 값 목록에 그 값이 없어 비교하지 않았습니다", p, r.events).
			WithDetail("replayed "+hex.EncodeToString(r.value), "재생값   "+hex.EncodeToString(r.value))
	case r.noDigest != nil:
		return check.Warnf(CheckReplay, "PCR%d cannot be replayed: event #%d (%s) has no SHA-256 digest", p, r.noDigest.Index, r.noDigest.TypeName).
			KO("PCR%d을(를) 재생할 수 없습니다. 이벤트 #%d(%s)에 SHA-256 다이제스트가 없습니다", p, r.noDigest.Index, r.noDigest.TypeName)
	case len(quoted) != sha256.Size:
		return check.Failf(CheckReplay, "%s is %d bytes, a SHA-256 PCR is %d", src.name(p), len(quoted), sha256.Size).
			KO("%s이(가) %d바이트입니다. SHA-256 PCR은 %d바이트입니다", src.nameKO(p), len(quoted), sha256.Size)
	case bytes.Equal(r.value, quoted):
		return check.Passf(CheckReplay, "SHA-256 replay of %d measured event%s matches %s", r.events, plural(r.events), src.name(p)).
			KO("측정된 이벤트 %d개의 SHA-256 재생 결과가 %s과(와) 일치합니다", r.events, src.nameKO(p))
	}
	lastEN, lastKO := l.Describe(r.last)
	return check.Failf(CheckReplay, "PCR%d: the log replays to %s but %s is %s; %d measured event%s, last #%d %s",
		p, shortHex(r.value), src.name(p), shortHex(quoted), r.events, plural(r.events), r.last.Index, r.last.TypeName).
		KO("PCR%d: 로그를 재생하면 %s인데 %s은(는) %s입니다. 측정된 이벤트 %d개, 마지막은 #%d %s",
			p, shortHex(r.value), src.nameKO(p), shortHex(quoted), r.events, r.last.Index, r.last.TypeName).
		WithDetail("replayed "+hex.EncodeToString(r.value), "재생값   "+hex.EncodeToString(r.value)).
		WithDetail("quoted   "+hex.EncodeToString(quoted), "쿼트값   "+hex.EncodeToString(quoted)).
		WithDetail(fmt.Sprintf("last event #%d %s: %s", r.last.Index, r.last.TypeName, lastEN),
			fmt.Sprintf("마지막 이벤트 #%d %s: %s", r.last.Index, r.last.TypeName, lastKO)).
		WithDetail("the log does not describe this PCR's measurements: an event is missing, altered or was added",
			"로그가 이 PCR의 측정값을 설명하지 못합니다. 이벤트가 빠졌거나, 변조되었거나, 추가되었습니다")
}

func resetNameKO(p int) string {
	if p >= 17 && p <= 22 {
		return "모두 1(초기값)"
	}
	return "0"
}

// shortHex keeps both ends of a digest so that two values differing anywhere usually
// still look different in a one-line summary.
func shortHex(b []byte) string {
	h := hex.EncodeToString(b)
	if len(h) <= 20 {
		return h
	}
	return h[:8] + "…" + h[len(h)-8:]
}

func resetName(p int) string {
	if p >= 17 && p <= 22 {
		return "all ones (its reset value)"
	}
	return "zero"
}

// ReplaySummary folds the eventlog.replay checks of a Compare result into one line.
func ReplaySummary(l check.List) string {
	matched, compared, bad, open := tally(l)
	if compared == 0 && len(open) == 0 {
		return "no PCR compared with the event log"
	}
	s := fmt.Sprintf("%d of %d compared PCRs match the event log replay", matched, compared)
	if len(bad) > 0 {
		s += "; mismatch: " + strings.Join(bad, ", ")
	}
	if len(open) > 0 {
		s += "; not compared: " + strings.Join(open, ", ")
	}
	return s
}

// tally counts the replay checks: matched and compared PCRs, the mismatched and the ones
// not compared.
func tally(l check.List) (matched, compared int, bad, open []string) {
	for _, c := range l.Find(CheckReplay) {
		switch c.Verdict {
		case check.Pass:
			matched++
			compared++
		case check.Fail:
			compared++
			bad = append(bad, c.Subject)
		default:
			if c.Subject != "" {
				open = append(open, c.Subject)
			}
		}
	}
	return matched, compared, bad, open
}

// ReplaySummaryKO is ReplaySummary in Korean.
func ReplaySummaryKO(l check.List) string {
	matched, compared, bad, open := tally(l)
	if compared == 0 && len(open) == 0 {
		return "이벤트 로그와 비교한 PCR이 없습니다"
	}
	s := fmt.Sprintf("비교한 PCR %d개 중 %d개가 이벤트 로그 재생 결과와 일치합니다", compared, matched)
	if len(bad) > 0 {
		s += ". 불일치: " + strings.Join(bad, ", ")
	}
	if len(open) > 0 {
		s += ". 비교하지 않음: " + strings.Join(open, ", ")
	}
	return s
}
