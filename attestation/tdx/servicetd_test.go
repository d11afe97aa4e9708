package tdx

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// typeFour turns a simulated v5 type-3 quote into a type-4 one: the 237-byte extension
// after the TDX 1.5 body (offsets as in v15ExSpecs, less 64) and TD_ATTRIBUTES with
// SERVTD_EXT set when ext is asked. The signature no longer covers it; the TCB evaluation
// does not need it to.
func typeFour(t *testing.T, raw []byte, servTDExt bool, initCPU, initTee, model, initHash, currHash []byte) []byte {
	t.Helper()
	ext := make([]byte, 237)
	copy(ext[81:129], initHash)
	copy(ext[137:153], initCPU)
	copy(ext[153:169], initTee)
	copy(ext[169:181], model)
	copy(ext[181:229], currHash)
	out := append([]byte(nil), raw[:48]...)
	out = binary.LittleEndian.AppendUint16(out, BodyTDX15Ex)
	out = binary.LittleEndian.AppendUint32(out, 885)
	out = append(out, raw[54:54+648]...)
	out = append(out, ext...)
	out = append(out, raw[54+648:]...)
	if servTDExt {
		out[54+120+2] |= 0x02 // TD_ATTRIBUTES bit 17
	}
	return out
}

// knownModel is init_tee_fmspc for a CPU model Microsoft's evaluator judges.
var knownModel = binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0), 0x000C06F8), 0x80000000)

func TestServiceTDStatus(t *testing.T) {
	plat, err := simroots.NewTDX(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	plat.QuoteVersion = 5
	q3, opts, _ := simulatedQuote(t, [16]byte{2, 1, 6}, plat)
	cpu := q3.PCKExt.TCB.CPUSvnComponents
	hash := bytes.Repeat([]byte{0x5e}, 48)
	parse := func(raw []byte) *Quote {
		q, err := ParseQuote(raw)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	status := func(q *Quote) ServiceTD {
		s, err := ServiceTDStatus(q, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A quote that says nothing of service TDs: NotEvaluated, and tdx.tcb adds no line.
	if s := status(q3); s.Initial != StatusNotEvaluated || !strings.Contains(s.Why, "SERVTD_EXT (TD attribute bit 17) is clear") {
		t.Errorf("type 3 without SERVTD_EXT: %+v", s)
	}
	if c := EvaluateTCB(q3, opts); slices.ContainsFunc(c.Details, func(d string) bool { return strings.Contains(d, "service TD") }) {
		t.Errorf("service-TD lines for a quote without service TDs: %q", c.Details)
	}
	// SERVTD_EXT on a type-3 body: no initial fields to judge.
	raw3 := slices.Clone(q3.Raw)
	raw3[54+120+2] |= 0x02
	if s := status(parse(raw3)); s.Initial != StatusNotEvaluated || !strings.Contains(s.Why, "body is type 3") {
		t.Errorf("type 3 with SERVTD_EXT: %+v", s)
	}

	noCol := typeFour(t, q3.Raw, true, cpu, []byte{2, 1, 6}, knownModel, hash, hash)
	qNoCol := parse(noCol)
	qNoCol.PCKExt.FMSPC = "90C06F000000"
	if s, err := ServiceTDStatus(qNoCol, Options{}); err != nil || s.Initial != StatusNotEvaluated || !strings.Contains(s.Why, "no Intel TCB info") {
		t.Errorf("without collateral: %+v %v", s, err)
	}
	for _, c := range []struct {
		name          string
		fmspc         string
		tee, model    []byte
		want, why, ko string
	}{
		{"simulated FMSPC", "", []byte{2, 1, 6}, knownModel, StatusNotEvaluated, "only for FMSPC 90C06F000000 or B0C06F000000, not 00806F050000", "Microsoft 평가기는"},
		{"unknown model", "90C06F000000", []byte{2, 1, 6}, make([]byte, 12), StatusNotEvaluated, "is not a CPU model", "[UNSURE"},
		{"current initial platform", "90C06F000000", []byte{2, 1, 6}, knownModel, "UpToDate", "TCB level UpToDate dated 2024-03-13", "PCE SVN과 TDX 모듈 바인딩은 판단하지 않습니다"},
		{"older initial platform", "B0C06F000000", []byte{2, 0, 3}, knownModel, "OutOfDate", "TCB level OutOfDate dated 2023-08-09", "2023-08-09"},
		{"below every level", "90C06F000000", []byte{1, 0, 1}, knownModel, StatusNotEvaluated, "no platform TCB level matches", "[UNSURE"},
	} {
		q := parse(typeFour(t, q3.Raw, true, cpu, c.tee, c.model, hash, hash))
		if c.fmspc != "" {
			q.PCKExt.FMSPC = c.fmspc
		}
		s := status(q)
		if s.Initial != c.want || !strings.Contains(s.Why, c.why) || !strings.Contains(s.WhyKO, c.ko) {
			t.Errorf("%s: initial %s, why %q / %q; want %s, %q, %q", c.name, s.Initial, s.Why, s.WhyKO, c.want, c.why, c.ko)
		}
	}

	// tdx.tcb on a type-4 quote shows the service TD's identity, whether it changed since
	// initialization, and the initial status; its verdict stays the current TCB's.
	q4 := parse(typeFour(t, q3.Raw, true, cpu, []byte{2, 1, 6}, knownModel, hash, bytes.Repeat([]byte{0x77}, 48)))
	ck := EvaluateTCB(q4, opts)
	all := strings.Join(ck.Details, "\n")
	for _, want := range []string{"service TD: changed since initialization (hash 5e5e", "service TD: initial TCB status NotEvaluated: SERVTD_EXT is set, but Microsoft's evaluator judges the initial TCB only for FMSPC"} {
		if !strings.Contains(all, want) {
			t.Errorf("tdx.tcb details lack %q:\n%s", want, all)
		}
	}
	if ck.Verdict != check.Pass {
		t.Errorf("tdx.tcb on the type-4 quote: %s %s", ck.Verdict, ck.Summary)
	}
}
