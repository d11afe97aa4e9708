package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// versionField describes header.version; v5 changes where the body starts.
func versionField(v int) Field {
	f := Field{Name: "header.version", Offset: 0, Size: 2, Value: strconv.Itoa(v), Note: "Quote format 4 (TDX 1.0/1.5 DCAP)."}
	if v >= 5 {
		f.Note = "Quote format 5 (TDX 1.5 DCAP): a body descriptor (type, size) follows the header, so the body starts at offset 54."
		f.NoteKO = "쿼트 형식 5(TDX 1.5 DCAP)입니다. 헤더 뒤에 본문 설명자(유형, 크기)가 있어 본문이 오프셋 54에서 시작합니다."
	}
	return f
}

// bodyTypeNames says what each v5 body type carries, in English and Korean.
var bodyTypeNames = map[int][2]string{
	BodyTDX10:   {"TD report of TDX 1.0 (sgx_report2_body_t)", "TDX 1.0의 TD 보고서(sgx_report2_body_t)"},
	BodyTDX15:   {"TD report of TDX 1.5 (sgx_report2_body_v1_5_t): the TDX 1.0 fields, tee_tcb_svn2 and mr_servicetd", "TDX 1.5의 TD 보고서(sgx_report2_body_v1_5_t): TDX 1.0 필드, tee_tcb_svn2, mr_servicetd"},
	BodyTDX15Ex: {"TD report of TDX 1.5 with service-TD and migration fields (sgx_report2_body_v1_5_ex_t; Microsoft's layout, not in Intel's QVL)", "서비스 TD와 마이그레이션 필드가 있는 TDX 1.5의 TD 보고서(sgx_report2_body_v1_5_ex_t. Microsoft의 배치이며 Intel QVL에는 없습니다)"},
}

// descriptorFields are the v5 body descriptor and, for a wrapped quote, its envelope.
func (q *Quote) descriptorFields() []Field {
	n := bodyTypeNames[q.BodyType]
	return []Field{
		{Name: "body.type", Offset: 48, Size: 2, Value: strconv.Itoa(q.BodyType), Note: n[0] + ".", NoteKO: n[1] + "입니다."},
		{Name: "body.size", Offset: 50, Size: 4, Value: strconv.Itoa(q.bodySize), Note: "Body size in bytes; the quote signature covers the descriptor too.", NoteKO: "본문 크기(바이트)입니다. 쿼트 서명은 이 설명자까지 덮습니다."},
	}
}

// v15Spec is one field of the TDX 1.5 body part, at its offset after the shared 584 bytes.
type v15Spec struct {
	name      string
	off, size int
	en, ko    string
}

var v15Specs = []v15Spec{
	{"tee_tcb_svn2", 0, 16, "TEE TCB SVN of the TDX module running now, after TD-preserving module updates; tee_tcb_svn is the one the TD was launched on. Intel's TCB evaluation uses it to advise relaunching the TD.",
		"TD를 유지한 채 모듈을 업데이트한 뒤 지금 실행 중인 TDX 모듈의 TEE TCB SVN입니다. tee_tcb_svn은 TD를 시작할 때의 값입니다. Intel의 TCB 평가는 이 값으로 TD 재시작 권고를 판단합니다."},
	{"mr_servicetd", 16, 48, "SHA-384 over the TDINFOs of the service TDs bound to this TD (e.g. a migration TD); zero when none is bound.",
		"이 TD에 묶인 서비스 TD(예: 마이그레이션 TD)들의 TDINFO에 대한 SHA-384입니다. 묶인 서비스 TD가 없으면 0입니다."},
}

// v15ExSpecs are the type-4 fields (offsets after the shared 584 bytes), read with the
// layout of Microsoft's verifier: Intel's QVL does not define type 4.
var v15ExSpecs = []v15Spec{
	{"ext.vmid", 64, 1, "Service-TD VM ID.", "서비스 TD의 VM ID입니다."},
	{"ext.td_id", 65, 32, "TD identifier.", "TD 식별자입니다."},
	{"ext.devinfo", 97, 48, "Hash of the TD's device information.", "TD 장치 정보의 해시입니다."},
	{"ext.init_servtd_hash", 145, 48, "Service-TD hash when the TD was initialized.", "TD를 초기화할 때의 서비스 TD 해시입니다."},
	{"ext.init_servtd_attr", 193, 8, "Service-TD attributes when the TD was initialized.", "TD를 초기화할 때의 서비스 TD 속성입니다."},
	{"ext.init_cpu_svn", 201, 16, "CPU SVN of the platform the TD was first initialized on (before migration).", "TD를 처음 초기화한 플랫폼의 CPU SVN입니다(마이그레이션 전)."},
	{"ext.init_tee_tcb_svn", 217, 16, "TEE TCB SVN of the platform the TD was first initialized on.", "TD를 처음 초기화한 플랫폼의 TEE TCB SVN입니다."},
	{"ext.init_tee_fmspc", 233, 12, "CPU model of the initial platform (a 12-byte encoding, not a 6-byte FMSPC).", "처음 플랫폼의 CPU 모델입니다(6바이트 FMSPC가 아니라 12바이트 인코딩)."},
	{"ext.curr_servtd_hash", 245, 48, "Service-TD hash now.", "현재의 서비스 TD 해시입니다."},
	{"ext.curr_servtd_attr", 293, 8, "Service-TD attributes now.", "현재의 서비스 TD 속성입니다."},
}

// v15Fields lists the TDX 1.5 body fields after the shared 584 bytes (none for TDX 1.0).
func (q *Quote) v15Fields() []Field {
	var f []Field
	specs := v15Specs
	if q.BodyType == BodyTDX15Ex {
		specs = append(slices.Clone(specs), v15ExSpecs...)
	}
	if q.BodyType < BodyTDX15 {
		specs = nil
	}
	for _, s := range specs {
		at := q.bodyOff + quoteBodySize + s.off
		v := q.Raw[at : at+s.size]
		f = append(f, Field{Name: s.name, Offset: at, Size: s.size, Value: hex.EncodeToString(v), Note: s.en, NoteKO: s.ko})
		if s.name == "tee_tcb_svn2" {
			m := seamSVNField(v, at)
			m.Name = "tee_tcb_svn2 (module SVN)"
			m.Note = fmt.Sprintf("Running TDX module: major SVN %d (module identity TDX_%02X), minor SVN %d.", v[1], v[1], v[0])
			m.NoteKO = fmt.Sprintf("실행 중인 TDX 모듈: 주 SVN %d(모듈 identity TDX_%02X), 부 SVN %d입니다.", v[1], v[1], v[0])
			m.Claim = ""
			f = append(f, m)
		}
	}
	if q.Wrapped != "" {
		f = append(f, Field{Name: "envelope", Value: q.Wrapped,
			Note:   fmt.Sprintf("The input held the quote inside this message; the quote starts at input offset %d and offsets here count from there.", q.WrapOffset),
			NoteKO: fmt.Sprintf("입력이 이 메시지 안에 쿼트를 담고 있었습니다. 쿼트는 입력 오프셋 %d에서 시작하며, 여기의 오프셋은 그곳부터 셉니다.", q.WrapOffset)})
	}
	return f
}

// verifySignatures checks the links between the PCK chain (chainErr) and the quote, v4 or v5
// alike: the QE report's signature by the PCK key, the QE report's binding of the attestation
// key and the quote signature over header ‖ body (v5: header ‖ descriptor ‖ body), in the
// order Intel's QVL and go-tdx-guest check them, so the first broken link is named. With the
// chain verified once by x509, this is each of the quote's four P-256 signatures verified
// once; go-tdx-guest's TdxQuote verified the chain twice more and the root's self-signature,
// and cannot verify a v5 quote at all (it signs v4's header ‖ body).
func verifySignatures(q *Quote, chainErr error) error {
	if chainErr != nil {
		return koErr("PCK certificate chain: %v", "PCK 인증서 체인 오류: %v", chainErr)
	}
	pck, ok := q.PCK.PublicKey.(*ecdsa.PublicKey)
	if !ok || pck.Curve != elliptic.P256() {
		return koErr("the PCK certificate's key is not ECDSA P-256", "PCK 인증서의 키가 ECDSA P-256이 아닙니다")
	}
	qeReport := q.Raw[q.certDataOff : q.certDataOff+qeReportSize]
	if !verifyRS(pck, qeReport, q.Raw[q.certDataOff+qeReportSize:q.authOff]) {
		return koErr("the QE report's signature does not verify with the PCK certificate", "QE 보고서의 서명이 PCK 인증서로 검증되지 않습니다")
	}
	signedOff := q.sigSizeOff + 4
	attKey := q.Raw[signedOff+64 : signedOff+128]
	authLen := int(binary.LittleEndian.Uint16(q.Raw[q.authOff:]))
	bind := sha256.Sum256(append(slices.Clone(attKey), q.Raw[q.authOff+2:q.authOff+2+authLen]...))
	rd := qeReport[320:384]
	if !bytes.Equal(rd[:32], bind[:]) || !bytes.Equal(rd[32:], make([]byte, 32)) {
		return koErr("the QE report does not bind the attestation key (SHA-256 in QE REPORT_DATA differs)",
			"QE 보고서가 증명 키를 묶지 않습니다(QE REPORT_DATA의 SHA-256이 다릅니다)")
	}
	x, y := new(big.Int).SetBytes(attKey[:32]), new(big.Int).SetBytes(attKey[32:])
	if !elliptic.P256().IsOnCurve(x, y) {
		return koErr("the attestation key is not a point on P-256", "증명 키가 P-256 위의 점이 아닙니다")
	}
	if !verifyRS(&ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}, q.Raw[:q.SignedRange()], q.Raw[signedOff:signedOff+64]) {
		if q.Version >= 5 {
			return koErr("the attestation key's signature over header, body descriptor and TD body is wrong; the quote was changed after signing",
				"헤더, 본문 설명자, TD 본문에 대한 증명 키의 서명이 틀립니다. 서명 후 쿼트가 변경되었습니다")
		}
		return koErr("the attestation key's signature over header and TD body is wrong; the quote was changed after signing",
			"헤더와 TD 본문에 대한 증명 키의 서명이 틀립니다. 서명 후 쿼트가 변경되었습니다")
	}
	return nil
}

// Common names of Intel's PCK PKI (Intel SGX PCK Certificate and Certificate Revocation List
// Profile), which go-tdx-guest and Intel's QVL also require.
const (
	rootCN         = "Intel SGX Root CA"
	pckCN          = "Intel SGX PCK Certificate"
	platformCACN   = "Intel SGX PCK Platform CA"
	processorCACN  = "Intel SGX PCK Processor CA"
	certVersionPCK = 3
)

// checkChainProfile holds the PCK chain to Intel's certificate profile, as go-tdx-guest's
// verifier does beyond x509 path validation: X.509 v3, ECDSA with SHA-256 signatures, P-256
// keys and the names Intel gives each level. A chain that validates but breaks the profile
// did not come from Intel's PCK PKI (nor from cvmscope's simulation of it, which follows it).
func checkChainProfile(q *Quote) error {
	for _, c := range []struct {
		cert           *x509.Certificate
		level, levelKO string
		names          []string
	}{{q.PCK, "PCK leaf", "PCK 말단", []string{pckCN}}, {q.Intermediate, "PCK CA", "PCK CA", []string{platformCACN, processorCACN}}, {q.Root, "root", "루트", []string{rootCN}}} {
		k, _ := c.cert.PublicKey.(*ecdsa.PublicKey)
		var en, ko string
		switch {
		case c.cert.Version != certVersionPCK:
			en, ko = fmt.Sprintf("X.509 version %d, not 3", c.cert.Version), fmt.Sprintf("X.509 버전 3이 아니라 %d입니다", c.cert.Version)
		case c.cert.SignatureAlgorithm != x509.ECDSAWithSHA256:
			en, ko = fmt.Sprintf("signed with %v, not ECDSA with SHA-256", c.cert.SignatureAlgorithm), fmt.Sprintf("ECDSA SHA-256이 아니라 %v로 서명되었습니다", c.cert.SignatureAlgorithm)
		case k == nil || k.Curve != elliptic.P256():
			en, ko = "not for an ECDSA P-256 key", "ECDSA P-256 키의 인증서가 아닙니다"
		case !slices.Contains(c.names, c.cert.Subject.CommonName):
			quoted := make([]string, len(c.names))
			for i, n := range c.names {
				quoted[i] = strconv.Quote(n)
			}
			en = fmt.Sprintf("named %q, not %s", c.cert.Subject.CommonName, strings.Join(quoted, " or "))
			ko = fmt.Sprintf("이름이 %s가 아니라 %q입니다", strings.Join(quoted, " 또는 "), c.cert.Subject.CommonName)
		default:
			continue
		}
		return fault.Korean(fmt.Errorf("%s certificate is %s", c.level, en), c.levelKO+" 인증서: "+ko, "")
	}
	return nil
}

// verifyRS checks an ECDSA signature in the r ‖ s form DCAP quotes carry over SHA-256(msg).
func verifyRS(pub *ecdsa.PublicKey, msg, rs []byte) bool {
	h := sha256.Sum256(msg)
	r, s := new(big.Int).SetBytes(rs[:32]), new(big.Int).SetBytes(rs[32:64])
	return ecdsa.Verify(pub, h[:], r, s)
}

// matchV15 compares the TDX 1.5 body fields with the TDREPORT they come from:
// tee_tcb_svn2 with TEE_TCB_INFO.tee_tcb_svn2 and mr_servicetd with TDINFO.servtd_hash.
func (q *Quote) matchV15(r *TDReport) (names []string, details []detail) {
	if q.BodyType < BodyTDX15 {
		return nil, nil
	}
	for _, f := range []struct {
		name      string
		got, want []byte
	}{{"tee_tcb_svn2", q.TeeTCBSVN2(), r.at(offTeeTCBSVN2, 16)}, {"mr_servicetd", q.MRServiceTD(), r.at(offServTDHash, 48)}} {
		if !bytes.Equal(f.got, f.want) {
			g, w := hex.EncodeToString(f.got), hex.EncodeToString(f.want)
			names = append(names, f.name)
			details = append(details, detail{f.name + ": quote " + g + " vs TDREPORT " + w, f.name + ": 쿼트 " + g + ", TDREPORT " + w})
		}
	}
	return names, details
}
