package pages

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// pcrCount is the size of a PC-client PCR bank; the table always shows all of them.
const pcrCount = 24

// pcrSection is the PCR table: value, what measures it, and how the event log's replay
// compares. The words (what measures it, the replay outcome) have Korean cells; digests are
// the same in both languages, so their Korean cell is left empty to fall back.
func pcrSection(s *evidence.Set, r *verify.Result) present.Section {
	quoted := map[int]bool{}
	if r.Attest != nil {
		for _, b := range r.Attest.Selection {
			for _, p := range b.PCRs {
				quoted[p] = true
			}
		}
	}
	// Replay counts only measured events; EV_NO_ACTION ones are counted apart, so "N
	// events" here agrees with "replay of N events" in the check.
	events, noAction := map[int]int{}, map[int]int{}
	if r.Log != nil {
		for i := 0; i < pcrCount; i++ {
			events[i], noAction[i] = r.Log.Counts(i)
		}
	}
	// A Windows guest's log: PCRs 4 and 11-14 are Windows boot manager's and loader's.
	windows := r.Log != nil && eventlog.IsWindows(r.Log)
	// A log given without PCR values: the table shows what it computes, in every bank.
	var computed []eventlog.Bank
	if len(s.PCRs) == 0 && r.Log != nil {
		computed, _ = eventlog.ReplayBanks(s.EventLog)
	}
	other, replayed := otherBanks(s, r)
	title := present.T("PCRs (SHA-256)", "PCR (SHA-256)")
	if len(other) > 0 {
		title = present.T("PCRs (SHA-256; also read: "+strings.Join(other, ", ")+")", "PCR (SHA-256. 함께 읽은 뱅크: "+strings.Join(other, ", ")+")")
	}
	sec := present.Section{ID: "pcrs", Title: title, Kind: present.Table,
		Columns: []present.Text{present.T("PCR", "PCR"), present.T("Value", "값"), present.T("Measured by", "측정 대상"), present.T("Replay", "재생")}}
	for i := 0; i < pcrCount; i++ {
		value, valueKO := "not read", "읽지 않음"
		if v, ok := s.PCRs[i]; ok {
			value, valueKO = hex.EncodeToString(v), ""
		}
		replay := withSubject(r.Checks.Find(eventlog.CheckReplay), fmt.Sprintf("PCR%d", i))
		verdict, word := replayWord(replay, r.Log != nil, events[i])
		counted, countedKO := eventlog.CountText(events[i], noAction[i])
		var ls lines
		for _, b := range computed {
			if v, ok := b.Values[i]; ok && b.Name == "sha256" {
				value, valueKO = hex.EncodeToString(v), ""
				ls.add("computed from the event log: not read from a TPM, not verified", "이벤트 로그로 계산한 값: TPM에서 읽지 않았고 검증되지 않았습니다")
			}
		}
		for _, b := range computed {
			if v, ok := b.Values[i]; ok && b.Name != "sha256" {
				ls.add(fmt.Sprintf("%s (computed from the log): %x", b.Name, v), fmt.Sprintf("%s(로그로 계산): %x", b.Name, v))
			}
		}
		for _, name := range other {
			v, ok := s.PCRBanks[name][i]
			if !ok {
				continue
			}
			en, ko := fmt.Sprintf("%s (read, not quoted): %x", name, v), fmt.Sprintf("%s(읽은 값, 쿼트 안 됨): %x", name, v)
			switch want, logged := replayed[name][i]; {
			case logged && bytes.Equal(want, v):
				en, ko = en+"; the log's replay matches", ko+". 로그 재생 값과 일치"
			case logged:
				en, ko = en+fmt.Sprintf("; the log's replay gives %x", want), ko+fmt.Sprintf(". 로그 재생 값은 %x", want)
			}
			ls.add(en, ko)
		}
		ls.add("in the log: "+counted, "로그에 있는 이벤트: "+countedKO)
		if quoted[i] {
			ls.add("covered by the TPM quote", "TPM 쿼트에 포함됨")
		} else if r.Attest != nil {
			ls.add("not covered by the TPM quote", "TPM 쿼트에 포함되지 않음")
		}
		for _, c := range replay {
			ls.check(c)
		}
		measured, long := explain.PCRShort(i), explain.PCR(i)
		if windows {
			measured, long = explain.WindowsPCRShort(i), explain.WindowsPCR(i)
		}
		row := present.Row{Key: strconv.Itoa(i), Value: value,
			Cells:   []string{value, measured.EN, word.EN},
			CellsKO: []string{valueKO, measured.KO, word.KO},
			Verdict: verdict, Explain: long, PCR: i, Copy: value}
		ls.set(&row)
		if verdict == check.Fail || verdict == check.Warn {
			_, row.Hint = explain.Check(eventlog.CheckReplay)
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

func withSubject(l check.List, subject string) check.List {
	var out check.List
	for _, c := range l {
		if c.Subject == subject {
			out = append(out, c)
		}
	}
	return out
}

// replayWord says in a word, in both languages, how PCR i fared in the replay.
func replayWord(l check.List, haveLog bool, events int) (check.Verdict, present.Text) {
	if len(l) == 0 {
		if !haveLog {
			return check.Skip, present.T("no log", "로그 없음")
		}
		if events == 0 {
			return check.Skip, present.T("not in log", "로그에 없음")
		}
		return check.Skip, present.T("not compared", "비교 안 함")
	}
	v := check.Fold(l)
	switch v {
	case check.Pass:
		if events == 0 {
			return v, present.T("reset value", "리셋 값")
		}
		return v, present.T("match", "일치")
	case check.Fail:
		return v, present.T("mismatch", "불일치")
	case check.Warn:
		return v, present.T("unexplained", "설명 안 됨")
	}
	return v, present.T("not compared", "비교 안 함")
}

// eventsSection lists every event of the log, one row each, filterable by PCR. stream makes
// the rows as they are written (Pager.Stream).
func eventsSection(r *verify.Result, stream bool) present.Section {
	sec := present.Section{ID: "events", Title: present.T("Event log", "이벤트 로그"), Kind: present.Events,
		Note: eventsNote(r.Log)}
	l := r.Log
	if stream {
		sec.Each = func(yield func(present.Row) bool) {
			for e := range l.Events() {
				if !yield(eventRow(l, e)) {
					return
				}
			}
		}
		return sec
	}
	sec.Rows = make([]present.Row, 0, l.Len())
	for e := range l.Events() {
		sec.Rows = append(sec.Rows, eventRow(l, e))
	}
	return sec
}

// eventRow is one event's row, described as it is made. Its text is joined with + rather
// than Sprintf: -o json makes a row for each of up to 100,000 events, and formatting was a
// fifth of the time.
func eventRow(l *eventlog.Log, e eventlog.Event) present.Row {
	digest, digestKO := "none", "없음"
	if e.Digest != nil {
		digest = hex.EncodeToString(e.Digest)
		digestKO = digest
	}
	offset, typ, size, data := strconv.Itoa(e.Offset), hex32(e.Type), strconv.Itoa(len(e.Data)), dataPreview(e.Data)
	description, descriptionKO := l.Describe(e)
	row := present.Row{
		Key:      "#" + strconv.Itoa(e.Index) + " PCR" + strconv.Itoa(e.PCR) + " " + e.TypeName,
		Value:    description,
		ValueKO:  descriptionKO,
		Explain:  explain.EventType(e.TypeName),
		Detail:   "offset " + offset + ", type " + typ + "\nsha256 digest " + digest + "\ndata (" + size + " bytes) " + data,
		DetailKO: "오프셋 " + offset + ", 유형 " + typ + "\nsha256 다이제스트 " + digestKO + "\n데이터 (" + size + "바이트) " + data,
		PCR:      e.PCR,
		Copy:     digest,
	}
	if e.IsErrorSeparator() {
		row.Verdict = check.Warn
	}
	return row
}

// hex32 is an event type as 0x and eight hex digits (fmt's 0x%08x), in one allocation.
func hex32(v uint32) string {
	b := [10]byte{'0', 'x'}
	for i := 9; i >= 2; i-- {
		b[i] = "0123456789abcdef"[v&0xf]
		v >>= 4
	}
	return string(b[:])
}

// dataPreview shows the first bytes of an event's data; the description already decodes it.
func dataPreview(b []byte) string {
	const max = 48
	if len(b) <= max {
		return hex.EncodeToString(b)
	}
	return hex.EncodeToString(b[:max]) + "…"
}

// eventsNote counts the log's events the way replay does: measured events are extended
// into PCRs, EV_NO_ACTION events only inform the reader and are counted apart.
func eventsNote(l *eventlog.Log) present.Text {
	en, ko := eventlog.CountText(l.Counts(-1))
	banks := strings.Join(l.Banks, ", ")
	return present.T(fmt.Sprintf("%d events: %s; banks %s. The replay extends only the measured events.", l.Len(), en, banks),
		fmt.Sprintf("이벤트 %d개: %s, 뱅크 %s. 재생에는 측정된 이벤트만 확장합니다.", l.Len(), ko, banks))
}

// otherBanks names the banks besides SHA-256 the TPM gave, and what the event log replays
// to in each bank it carries, for the PCR table.
func otherBanks(s *evidence.Set, r *verify.Result) ([]string, map[string]map[int][]byte) {
	var names []string
	for n, v := range s.PCRBanks {
		if n != "sha256" && len(v) > 0 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	replayed := map[string]map[int][]byte{}
	if len(names) > 0 && r.Log != nil {
		banks, _ := eventlog.ReplayBanks(s.EventLog)
		for _, b := range banks {
			replayed[b.Name] = b.Values
		}
	}
	return names, replayed
}
