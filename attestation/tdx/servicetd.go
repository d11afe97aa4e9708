package tdx

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/go-tdx-guest/pcs"
)

// AttrServTDExt is TD_ATTRIBUTES bit 17 (SERVTD_EXT, per Microsoft's verifier and Intel's DCAP
// fork): the TD was initialized with a service TD bound, so the type-4 body records the
// platform it was first initialized on.
const AttrServTDExt TDAttributes = 1 << 17

// StatusNotEvaluated is Microsoft's initial-TCB status when it does not evaluate one
// (protocol §14.4); Intel's TCB info has no such status.
const StatusNotEvaluated = "NotEvaluated"

// ServiceTD is what a quote says about its service TDs (a migration TD, TDX 1.5) and the
// initial TCB status Microsoft's evaluator derives from them.
type ServiceTD struct {
	ServTDExt bool
	// MRServiceTD is the SHA-384 over the bound service TDs' TDINFOs (v5 bodies; nil for
	// TDX 1.0, zero when none is bound).
	MRServiceTD []byte
	// InitHash/InitAttr and CurrHash/CurrAttr are the service TD's hash and attributes when
	// the TD was initialized and now (type-4 bodies only).
	InitHash, InitAttr, CurrHash, CurrAttr []byte
	// Initial is the initial TCB status: NotEvaluated or a TCB info status; Why says how it
	// was reached, in English and Korean.
	Initial    string
	Why, WhyKO string
}

// type-4 fields, as offsets after the shared 584 bytes (v15ExSpecs).
const (
	extInitServTDHash = 145
	extInitServTDAttr = 193
	extInitCPUSVN     = 201
	extInitTeeTCBSVN  = 217
	extInitTeeFMSPC   = 233
	extCurrServTDHash = 245
	extCurrServTDAttr = 293
)

// initialFMSPCs are the FMSPCs for which Microsoft's evaluator judges the initial TCB
// (protocol §14.4).
var initialFMSPCs = []string{"90c06f000000", "b0c06f000000"}

// present reports whether the quote says anything about service TDs: SERVTD_EXT, a type-4
// body or a non-zero MR_SERVICETD.
func (s ServiceTD) present(q *Quote) bool {
	return s.ServTDExt || q.BodyType == BodyTDX15Ex || (s.MRServiceTD != nil && !allZero(s.MRServiceTD))
}

func allZero(b []byte) bool { return !bytes.ContainsFunc(b, func(r rune) bool { return r != 0 }) }

// serviceTD reads the service-TD fields and judges the initial TCB against the TCB info the
// way protocol §14.4 describes Microsoft's evaluator: only with SERVTD_EXT set and a type-4
// body, only for its two FMSPCs and an initial CPU model it knows, matching init_cpu_svn and
// init_tee_tcb_svn against the platform levels with the PCE SVN and the module binding
// skipped. Everything else is NotEvaluated, as there; no status is made up.
func serviceTD(q *Quote, ti *pcs.TcbInfo) ServiceTD {
	attrs := binary.LittleEndian.Uint64(q.Proto.GetTdQuoteBody().GetTdAttributes())
	s := ServiceTD{ServTDExt: TDAttributes(attrs)&AttrServTDExt != 0, MRServiceTD: q.MRServiceTD(), Initial: StatusNotEvaluated}
	if q.BodyType == BodyTDX15Ex {
		s.InitHash, s.InitAttr = q.v15Field(extInitServTDHash, 48), q.v15Field(extInitServTDAttr, 8)
		s.CurrHash, s.CurrAttr = q.v15Field(extCurrServTDHash, 48), q.v15Field(extCurrServTDAttr, 8)
	}
	switch {
	case !s.ServTDExt:
		s.Why = "SERVTD_EXT (TD attribute bit 17) is clear: the TD was not initialized with a service TD, so there is no initial TCB to judge"
		s.WhyKO = "SERVTD_EXT(TD 속성 비트 17)가 꺼져 있습니다. TD가 서비스 TD와 함께 초기화되지 않았으므로 판단할 초기 TCB가 없습니다"
		return s
	case q.BodyType != BodyTDX15Ex:
		s.Why = fmt.Sprintf("SERVTD_EXT is set but the quote's body is type %d, which carries no init_cpu_svn or init_tee_tcb_svn (type 4 does)", q.BodyType)
		s.WhyKO = fmt.Sprintf("SERVTD_EXT가 켜져 있지만 쿼트 본문이 유형 %d이라 init_cpu_svn과 init_tee_tcb_svn이 없습니다(유형 4에 있습니다)", q.BodyType)
		return s
	}
	fmspc := q.FMSPC()
	if !slices.Contains(initialFMSPCs, fmspc) {
		s.Why = fmt.Sprintf("SERVTD_EXT is set, but Microsoft's evaluator judges the initial TCB only for FMSPC 90C06F000000 or B0C06F000000, not %s", strings.ToUpper(fmspc))
		s.WhyKO = fmt.Sprintf("SERVTD_EXT가 켜져 있지만 Microsoft 평가기는 FMSPC 90C06F000000 또는 B0C06F000000에서만 초기 TCB를 판단하며, 이 쿼트는 %s입니다", strings.ToUpper(fmspc))
		return s
	}
	model := q.v15Field(extInitTeeFMSPC, 12)
	if !initialModelKnown(model) {
		s.Why = fmt.Sprintf("SERVTD_EXT is set, but init_tee_fmspc %x is not a CPU model Microsoft's evaluator judges (words 00000000, 000C06Fx, 80000000 [UNSURE: read from the protocol notes, not from a quote seen])", model)
		s.WhyKO = fmt.Sprintf("SERVTD_EXT가 켜져 있지만 init_tee_fmspc %x는 Microsoft 평가기가 판단하는 CPU 모델이 아닙니다(워드 00000000, 000C06Fx, 80000000 [UNSURE: 실제 쿼트가 아니라 프로토콜 문서에서 읽은 값])", model)
		return s
	}
	cpu, tee := q.v15Field(extInitCPUSVN, 16), q.v15Field(extInitTeeTCBSVN, 16)
	if ti == nil {
		s.Why = fmt.Sprintf("SERVTD_EXT is set (init_cpu_svn %s, init_tee_tcb_svn %s) but there is no Intel TCB info to judge them against: supply the collateral or use --network", byteList(cpu), byteList(tee))
		s.WhyKO = fmt.Sprintf("SERVTD_EXT가 켜져 있지만(init_cpu_svn %s, init_tee_tcb_svn %s) 비교할 Intel TCB info가 없습니다. collateral을 넘기거나 --network를 씁니다", byteList(cpu), byteList(tee))
		return s
	}
	level, ok := matchPlatform(ti.TcbLevels, cpu, math.MaxUint16, tee)
	if !ok {
		s.Why = fmt.Sprintf("no platform TCB level matches init_cpu_svn %s and init_tee_tcb_svn %s [UNSURE what Microsoft's evaluator reports then]", byteList(cpu), byteList(tee))
		s.WhyKO = fmt.Sprintf("init_cpu_svn %s와 init_tee_tcb_svn %s에 맞는 플랫폼 TCB 수준이 없습니다[UNSURE: 이때 Microsoft 평가기가 보고하는 값]", byteList(cpu), byteList(tee))
		return s
	}
	s.Initial = string(level.TcbStatus)
	s.Why = fmt.Sprintf("initial platform (init_cpu_svn %s, init_tee_tcb_svn %s) matches the TCB level %s dated %s; the PCE SVN and the TDX module binding are not judged for it, as in Microsoft's evaluator",
		byteList(cpu), byteList(tee), level.TcbStatus, level.TcbDate)
	s.WhyKO = fmt.Sprintf("초기 플랫폼(init_cpu_svn %s, init_tee_tcb_svn %s)이 %s 날짜의 TCB 수준 %s와 맞습니다. Microsoft 평가기처럼 PCE SVN과 TDX 모듈 바인딩은 판단하지 않습니다",
		byteList(cpu), byteList(tee), level.TcbDate, level.TcbStatus)
	return s
}

// initialModelKnown is Microsoft's check of init_tee_fmspc, read as three little-endian
// words: 0, the CPU signature 0x000C06Fx (any stepping) and 0x80000000 (protocol §14.4;
// [UNSURE] whether each word is compared at its place, as here).
func initialModelKnown(m []byte) bool {
	if len(m) != 12 {
		return false
	}
	le := binary.LittleEndian
	return le.Uint32(m[0:]) == 0 && le.Uint32(m[4:])&^0xF == 0x000C06F0 && le.Uint32(m[8:]) == 0x80000000
}

// details are the lines tdx.tcb shows about service TDs: their identity as the quote gives
// it and the initial status. Nothing rates a service TD itself: Intel's TCB info and QE
// identity describe the platform, the TDX module and the quoting enclave only.
func (s ServiceTD) details() []detail {
	var d []detail
	if s.MRServiceTD != nil {
		if allZero(s.MRServiceTD) {
			d = append(d, detail{"service TD: MR_SERVICETD is zero, no service TD is bound now", "서비스 TD: MR_SERVICETD가 0이므로 지금 묶인 서비스 TD가 없습니다"})
		} else {
			h := hex.EncodeToString(s.MRServiceTD)
			d = append(d, detail{"service TD: bound, MR_SERVICETD " + h + " (SHA-384 over the service TDs' TDINFOs); the TCB info and QE identity rate no service TD, so its own status is not given: compare the hash with the service TD you expect",
				"서비스 TD: 묶여 있으며 MR_SERVICETD는 " + h + "입니다(서비스 TD들의 TDINFO에 대한 SHA-384). TCB info와 QE identity는 서비스 TD를 평가하지 않으므로 자체 상태는 없습니다. 이 해시를 기대하는 서비스 TD와 비교합니다"})
		}
	}
	if s.InitHash != nil {
		if bytes.Equal(s.InitHash, s.CurrHash) && bytes.Equal(s.InitAttr, s.CurrAttr) {
			d = append(d, detail{fmt.Sprintf("service TD: the one bound now is the one bound at initialization (hash %x, attributes %x)", s.CurrHash, s.CurrAttr),
				fmt.Sprintf("서비스 TD: 지금 묶인 서비스 TD가 초기화할 때 묶인 것과 같습니다(해시 %x, 속성 %x)", s.CurrHash, s.CurrAttr)})
		} else {
			d = append(d, detail{fmt.Sprintf("service TD: changed since initialization (hash %x attributes %x then, %x %x now)", s.InitHash, s.InitAttr, s.CurrHash, s.CurrAttr),
				fmt.Sprintf("서비스 TD: 초기화 이후 바뀌었습니다(당시 해시 %x 속성 %x, 지금 %x %x)", s.InitHash, s.InitAttr, s.CurrHash, s.CurrAttr)})
		}
	}
	d = append(d, detail{fmt.Sprintf("service TD: initial TCB status %s: %s", s.Initial, s.Why), fmt.Sprintf("서비스 TD: 초기 TCB 상태 %s. %s", s.Initial, s.WhyKO)})
	return d
}

// ServiceTDStatus returns the quote's service-TD identity and initial TCB status (see
// serviceTD), judged against opts.Collateral once verified; without collateral an initial
// TCB that would need it is NotEvaluated and says so.
func ServiceTDStatus(q *Quote, opts Options) (ServiceTD, error) {
	if opts.Collateral == nil {
		return serviceTD(q, nil), nil
	}
	sc, err := verifyCollateral(opts.Collateral, opts)
	if err != nil {
		return ServiceTD{}, err
	}
	return serviceTD(q, &sc.tcb.TcbInfo), nil
}
