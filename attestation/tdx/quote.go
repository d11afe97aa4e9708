package tdx

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	internalcerts "github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"
)

// Layout of a DCAP TD quote v4 (Intel TDX DCAP Quote Generation Library, A.3) and v5
// (TDX 1.5, protocol §13: a 6-byte body descriptor after the header, then the body).
const (
	quoteHeaderSize   = 48
	quoteBodyOff      = 48
	quoteBodySize     = 584
	signedCertTypeRel = 128 // after the 64-byte signature and 64-byte attestation key
	qeReportSize      = 384
	qeSigSize         = 64

	quoteV5DescSize = 6 // body type u16, body size u32
	// Body types of a v5 quote (sgx_quote_5.h). Type 4 (TDX 1.5 service-TD/migration
	// fields) is only in Microsoft's verifier and a DCAP fork, not in Intel's QVL: it is
	// parsed leniently here, with the layout Microsoft's verifier reads.
	BodyTDX10   = 2
	BodyTDX15   = 3
	BodyTDX15Ex = 4

	certTypeQEReport = 6 // certification data carries the QE report, its signature and the PCK chain
	certTypePCKChain = 5 // PEM PCK leaf || platform/processor CA || root CA
)

// bodySizes are the v5 body sizes by type; type 1 (an SGX enclave report) is not TD evidence.
var bodySizes = map[int]int{BodyTDX10: 584, BodyTDX15: 648, BodyTDX15Ex: 885}

// Quote is a parsed DCAP TD quote (v4 or v5) with its PCK certificate chain.
type Quote struct {
	// Raw is the quote without trailing zero padding and without a QGS wrapping.
	Raw []byte
	// Padding counts the zero bytes that followed the quote in the input.
	Padding int
	// Wrapped names the envelope the quote came in ("" for a bare quote) and WrapOffset
	// where in the input the quote starts.
	Wrapped    string
	WrapOffset int
	// Version is the quote format (4 or 5); BodyType the v5 body type (BodyTDX10 for v4).
	Version, BodyType int
	// Proto holds the fields v4 and v5 share, in go-tdx-guest's v4 shape (its parser
	// knows only v4): the header (version as read), the 584-byte TD body and the signed
	// data. Raw offsets differ for v5; Fields gives them.
	Proto *pb.QuoteV4
	// PCK chain from the certification data: leaf, intermediate CA, root CA.
	PCK, Intermediate, Root *x509.Certificate
	// PCKExt holds the SGX extensions of the PCK certificate (FMSPC, PCE ID, TCB SVNs).
	PCKExt *pcs.PckExtensions
	// Offsets in Raw: the body, the signed-data size, the certification data and the PEM chain.
	bodyOff, bodySize, sigSizeOff, certDataOff, authOff, chainOff, chainLen int
}

// ParseQuote parses a TD quote v4 or v5 as returned by IMDS /acc/tdquote, configfs-tsm or a
// DCAP quote generation library, bare or in an Intel QGS GET_QUOTE_RESP message. Zero
// padding after the quote is accepted (some tools store quotes in fixed-size buffers); any
// other trailing data is an error.
func ParseQuote(in []byte) (*Quote, error) {
	b, wrapped, wrapOff, err := unwrapQGS(in)
	if err != nil {
		return nil, err
	}
	perr := func(field string, off int, en, ko string, a ...any) error {
		return newParseError("TD quote", field, wrapOff+off, fmt.Sprintf(en, a...), fmt.Sprintf(ko, a...))
	}
	le := binary.LittleEndian
	if len(b) < quoteHeaderSize {
		return nil, perr("length", len(b), "need at least %d bytes for the header, have %d; the quote is truncated",
			"헤더에 최소 %d바이트가 필요하지만 %d바이트뿐입니다. 쿼트가 잘렸습니다", quoteHeaderSize, len(b))
	}
	q := &Quote{Wrapped: wrapped, WrapOffset: wrapOff, Version: int(le.Uint16(b[0:])), BodyType: BodyTDX10, bodyOff: quoteBodyOff, bodySize: quoteBodySize}
	switch q.Version {
	case 4:
	case 5:
		if len(b) < quoteHeaderSize+quoteV5DescSize {
			return nil, perr("length", len(b), "need at least %d bytes for the v5 header and body descriptor, have %d; the quote is truncated",
				"v5 헤더와 본문 설명자에 최소 %d바이트가 필요하지만 %d바이트뿐입니다. 쿼트가 잘렸습니다", quoteHeaderSize+quoteV5DescSize, len(b))
		}
		q.BodyType, q.bodySize = int(le.Uint16(b[48:])), int(le.Uint32(b[50:]))
		want, ok := bodySizes[q.BodyType]
		if !ok {
			return nil, perr("body.type", 48, "body type %d is not a TD report (2 = TDX 1.0, 3 = TDX 1.5, 4 = TDX 1.5 service TD; 1 is an SGX enclave)",
				"본문 유형 %d은 TD 보고서가 아닙니다(2 = TDX 1.0, 3 = TDX 1.5, 4 = TDX 1.5 서비스 TD이며, 1은 SGX 엔클레이브입니다)", q.BodyType)
		}
		if q.bodySize != want {
			return nil, perr("body.size", 50, "body size %d does not match body type %d (%d bytes)", "본문 크기 %d이 본문 유형 %d(%d바이트)과 맞지 않습니다", q.bodySize, q.BodyType, want)
		}
		q.bodyOff = quoteHeaderSize + quoteV5DescSize
	default:
		return nil, perr("header.version", 0, "version %d is not a TD quote version this tool reads (4 or 5)",
			"버전 %d은 이 도구가 읽는 TD 쿼트 버전(4 또는 5)이 아닙니다", q.Version)
	}
	q.sigSizeOff = q.bodyOff + q.bodySize
	signedOff := q.sigSizeOff + 4
	if len(b) < signedOff {
		return nil, perr("length", len(b), "need at least %d bytes for header, body and signed-data size, have %d; the quote is truncated",
			"헤더, 본문, 서명 데이터 크기에 최소 %d바이트가 필요하지만 %d바이트뿐입니다. 쿼트가 잘렸습니다", signedOff, len(b))
	}
	if t := le.Uint16(b[2:]); t != abi.AttestationKeyType {
		return nil, perr("header.att_key_type", 2, "attestation key type %d is not ECDSA-256-with-P-256 (2)", "증명 키 유형 %d이 ECDSA-256-with-P-256(2)이 아닙니다", t)
	}
	if t := le.Uint32(b[4:]); t != abi.TeeTDX {
		return nil, perr("header.tee_type", 4, "TEE type 0x%x is not TDX (0x81); an SGX quote is not TD evidence", "TEE 유형 0x%x이 TDX(0x81)가 아닙니다. SGX 쿼트는 TD 증거가 아닙니다", t)
	}
	sigLen := int(le.Uint32(b[q.sigSizeOff:]))
	end := signedOff + sigLen
	if sigLen > len(b)-signedOff {
		return nil, perr("signed_data_size", q.sigSizeOff, "signed data of %d bytes runs past the end of the %d-byte input; the quote is truncated",
			"%d바이트의 서명 데이터가 %d바이트 입력의 끝을 넘습니다. 쿼트가 잘렸습니다", sigLen, len(b))
	}
	// Walk the signed data with bounds checks; go-tdx-guest's abi slices without them.
	certOff := signedOff + signedCertTypeRel
	if end < certOff+6 {
		return nil, perr("signed_data_size", q.sigSizeOff, "signed data of %d bytes cannot hold signature, attestation key and certification data header (%d bytes)",
			"%d바이트의 서명 데이터에 서명, 증명 키, 인증 데이터 헤더(%d바이트)가 들어가지 않습니다", sigLen, signedCertTypeRel+6)
	}
	if t := le.Uint16(b[certOff:]); t != certTypeQEReport {
		return nil, perr("certification_data.type", certOff, "type %d is not 6 (QE report certification data)", "유형 %d이 6(QE 보고서 인증 데이터)이 아닙니다", t)
	}
	certLen := int(le.Uint32(b[certOff+2:]))
	q.certDataOff = certOff + 6
	if certLen != end-q.certDataOff {
		return nil, perr("certification_data.size", certOff+2, "size %d does not match the %d bytes left in the signed data", "크기 %d가 서명 데이터에 남은 %d바이트와 맞지 않습니다", certLen, end-q.certDataOff)
	}
	q.authOff = q.certDataOff + qeReportSize + qeSigSize
	if end < q.authOff+2 {
		return nil, perr("qe_auth_data.size", q.authOff, "certification data too short for the QE report (384), its signature (64) and the auth data size",
			"인증 데이터가 QE 보고서(384), 그 서명(64), 인증 데이터 크기를 담기에 너무 짧습니다")
	}
	authLen := int(le.Uint16(b[q.authOff:]))
	pckOff := q.authOff + 2 + authLen
	if end < pckOff+6 {
		return nil, perr("qe_auth_data.size", q.authOff, "auth data of %d bytes leaves no room for the PCK certificate chain header",
			"%d바이트의 인증 데이터 뒤에 PCK 인증서 체인 헤더가 들어갈 자리가 없습니다", authLen)
	}
	if t := le.Uint16(b[pckOff:]); t != certTypePCKChain {
		return nil, perr("pck_cert_chain.type", pckOff, "type %d is not 5 (PEM PCK certificate chain)", "유형 %d이 5(PEM PCK 인증서 체인)가 아닙니다", t)
	}
	q.chainLen = int(le.Uint32(b[pckOff+2:]))
	if q.chainLen != end-(pckOff+6) {
		return nil, perr("pck_cert_chain.size", pckOff+2, "size %d does not match the %d bytes left in the certification data", "크기 %d가 인증 데이터에 남은 %d바이트와 맞지 않습니다", q.chainLen, end-(pckOff+6))
	}
	q.chainOff = pckOff + 6
	for i, c := range b[end:] {
		if c != 0 {
			return nil, perr("trailing bytes", end+i, "non-zero byte 0x%02x after the %d-byte quote; the file holds more than one quote or is garbled",
				"%[2]d바이트 쿼트 뒤에 0이 아닌 바이트 0x%02[1]x가 있습니다. 파일에 쿼트가 둘 이상 있거나 손상되었습니다", c, end)
		}
		q.Padding++
	}
	q.Raw = append([]byte(nil), b[:end]...)
	parsed, err := quoteToProto(q.v4View())
	if err != nil {
		return nil, perr("structure", 0, "%v", "go-tdx-guest가 쿼트를 거부합니다: %v", err)
	}
	parsed.Header.Version = uint32(q.Version)
	q.Proto = parsed
	if err := q.parseChain(q.Raw[q.chainOff:end]); err != nil {
		return nil, newParseError("TD quote", "pck_cert_chain", wrapOff+q.chainOff, err.Error(), inKorean(err))
	}
	return q, nil
}

// v4View is the quote in v4 layout for go-tdx-guest's parser, which reads only v4: a v5
// quote's header (version set to 4), its first 584 body bytes (the fields every body type
// shares) and its signed data. The view is never verified: v5 signs other bytes.
func (q *Quote) v4View() []byte {
	if q.Version == 4 {
		return q.Raw
	}
	v := make([]byte, 0, len(q.Raw))
	v = append(v, q.Raw[:quoteHeaderSize]...)
	binary.LittleEndian.PutUint16(v[0:], 4)
	v = append(v, q.Raw[q.bodyOff:q.bodyOff+quoteBodySize]...)
	return append(v, q.Raw[q.sigSizeOff:]...)
}

// QGS message framing (Intel DCAP qgs_msg_lib.h): a 16-byte header {major u16 = 1,
// minor u16 = 1, type u32, size u32 = whole message, error_code u32}, then for
// GET_QUOTE_RESP (type 1) selected_id_size u32, quote_size u32, the selected ID and the quote.
const (
	qgsHeaderSize   = 16
	qgsGetQuoteResp = 1
	qgsRespPrefix   = qgsHeaderSize + 8
)

// unwrapQGS returns the quote inside a QGS GET_QUOTE_RESP (optionally behind the 4-byte
// big-endian length the QGS socket and vsock transports put first), or the input as is
// when it is not one. It only unwraps what is unambiguously a QGS message: version 1.1,
// type 1, a size equal to the input and a quote starting with version 4 or 5, as
// Microsoft's verifier does.
func unwrapQGS(b []byte) (quote []byte, wrapped string, off int, err error) {
	le := binary.LittleEndian
	name, base := "Intel QGS GET_QUOTE_RESP", 0
	if len(b) >= 4+qgsRespPrefix && int(binary.BigEndian.Uint32(b)) == len(b)-4 && le.Uint16(b[4:]) == 1 {
		name, base = "Intel QGS GET_QUOTE_RESP (with its 4-byte transport length)", 4
	}
	m := b[base:]
	if len(m) < qgsRespPrefix || le.Uint16(m[0:]) != 1 || le.Uint16(m[2:]) != 1 || le.Uint32(m[4:]) != qgsGetQuoteResp || int(le.Uint32(m[8:])) != len(m) {
		return b, "", 0, nil
	}
	if code := le.Uint32(m[12:]); code != 0 {
		return nil, "", 0, newParseError("QGS message", "error_code", base+12,
			fmt.Sprintf("the quote generation service answered with error 0x%x instead of a quote; see Intel DCAP qgs_msg_lib.h for its meaning", code),
			fmt.Sprintf("쿼트 생성 서비스가 쿼트 대신 오류 0x%x를 돌려주었습니다. 의미는 Intel DCAP qgs_msg_lib.h에서 확인합니다", code))
	}
	idLen, qLen := int(le.Uint32(m[16:])), int(le.Uint32(m[20:]))
	start := qgsRespPrefix + idLen
	if idLen > len(m) || qLen > len(m) || start+qLen != len(m) {
		return nil, "", 0, newParseError("QGS message", "quote_size", base+20,
			fmt.Sprintf("selected ID (%d bytes) and quote (%d bytes) do not fill the %d-byte message", idLen, qLen, len(m)),
			fmt.Sprintf("선택 ID(%d바이트)와 쿼트(%d바이트)가 %d바이트 메시지를 채우지 않습니다", idLen, qLen, len(m)))
	}
	if v := m[start:]; len(v) < 2 || (le.Uint16(v) != 4 && le.Uint16(v) != 5) {
		return b, "", 0, nil
	}
	return m[start:], name, base + start, nil
}

// quoteToProto recovers from a panic in quoteV4Proto, which slices as go-tdx-guest's parser
// does, trusting the walk in ParseQuote: a panic must never reach the UI.
func quoteToProto(raw []byte) (q *pb.QuoteV4, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, fmt.Errorf("malformed quote (parser stopped: %v)", r)
		}
	}()
	return quoteV4Proto(raw)
}

// quoteV4Proto is abi.QuoteToProto for a quote in v4 layout that ParseQuote has walked:
// the same message, checked by the same abi.CheckQuoteV4, but with its byte fields cut out
// of v instead of copied. QuoteToProto copies the rest of the quote at each of its seven
// levels, about 70 KB for a 5 KB quote, a fifth of all an offline TDX inspect allocated.
// Each field is capped at its end, so that an append to one copies it rather than writing
// over the next. TestQuoteV4ProtoMatchesGoTDXGuest holds it to QuoteToProto.
func quoteV4Proto(v []byte) (*pb.QuoteV4, error) {
	le := binary.LittleEndian
	cut := func(b []byte, off, n int) []byte { return b[off : off+n : off+n] }
	u16 := func(b []byte, off int) uint32 { return uint32(le.Uint16(b[off:])) }

	h := v[:quoteHeaderSize]
	body := v[quoteBodyOff : quoteBodyOff+quoteBodySize]
	q := &pb.QuoteV4{
		Header: &pb.Header{
			Version:            u16(h, 0),
			AttestationKeyType: u16(h, 2),
			TeeType:            le.Uint32(h[4:]),
			PceSvn:             cut(h, 8, 2),
			QeSvn:              cut(h, 10, 2),
			QeVendorId:         cut(h, 12, abi.QeVendorIDSize),
			UserData:           cut(h, 28, 20),
		},
		TdQuoteBody: &pb.TDQuoteBody{
			TeeTcbSvn:      cut(body, 0, abi.TeeTcbSvnSize),
			MrSeam:         cut(body, 16, abi.MrSeamSize),
			MrSignerSeam:   cut(body, 64, 48),
			SeamAttributes: cut(body, 112, 8),
			TdAttributes:   cut(body, 120, abi.TdAttributesSize),
			Xfam:           cut(body, 128, abi.XfamSize),
			MrTd:           cut(body, 136, abi.MrTdSize),
			MrConfigId:     cut(body, 184, abi.MrConfigIDSize),
			MrOwner:        cut(body, 232, abi.MrOwnerSize),
			MrOwnerConfig:  cut(body, 280, abi.MrOwnerConfigSize),
			Rtmrs:          [][]byte{cut(body, 328, abi.RtmrSize), cut(body, 376, abi.RtmrSize), cut(body, 424, abi.RtmrSize), cut(body, 472, abi.RtmrSize)},
			ReportData:     cut(body, 520, abi.ReportDataSize),
		},
		SignedDataSize: le.Uint32(v[quoteBodyOff+quoteBodySize:]),
	}
	signedOff := quoteBodyOff + quoteBodySize + 4
	if uint64(q.SignedDataSize) > uint64(len(v)-signedOff) {
		return nil, fmt.Errorf("signed data of %d bytes runs past the quote's end", q.SignedDataSize)
	}
	// Capped too: cut and qe[:qeReportSize] slice up to a slice's capacity, and with the
	// signed data capped at its end no field cut from it can reach the bytes after it.
	signedEnd := signedOff + int(q.SignedDataSize)
	signed := v[signedOff:signedEnd:signedEnd]
	if extra := v[signedOff+len(signed):]; len(extra) > 0 {
		q.ExtraBytes = extra
	}

	// Signature and attestation key, then the certification data: its type and size, the
	// QE report and its signature, the QE auth data and the PCK chain.
	cert := signed[signedCertTypeRel:]
	qe := cert[6:]
	auth := qe[qeReportSize+qeSigSize:]
	authLen := int(le.Uint16(auth))
	pck := auth[2+authLen:]
	rep := qe[:qeReportSize]
	q.SignedData = &pb.Ecdsa256BitQuoteV4AuthData{
		Signature:           cut(signed, 0, 64),
		EcdsaAttestationKey: cut(signed, 64, 64),
		CertificationData: &pb.CertificationData{
			CertificateDataType: u16(cert, 0),
			Size:                le.Uint32(cert[2:]),
			QeReportCertificationData: &pb.QEReportCertificationData{
				QeReport: &pb.EnclaveReport{
					CpuSvn:     cut(rep, 0, 16),
					MiscSelect: le.Uint32(rep[16:]),
					Reserved1:  cut(rep, 20, 28),
					Attributes: cut(rep, 48, 16),
					MrEnclave:  cut(rep, 64, 32),
					Reserved2:  cut(rep, 96, 32),
					MrSigner:   cut(rep, 128, 32),
					Reserved3:  cut(rep, 160, 96),
					IsvProdId:  u16(rep, 256),
					IsvSvn:     u16(rep, 258),
					Reserved4:  cut(rep, 260, 60),
					ReportData: cut(rep, 320, 64),
				},
				QeReportSignature: cut(qe, qeReportSize, qeSigSize),
				QeAuthData:        &pb.QeAuthData{ParsedDataSize: uint32(authLen), Data: cut(auth, 2, authLen)},
				PckCertificateChainData: &pb.PCKCertificateChainData{
					CertificateDataType: u16(pck, 0),
					Size:                le.Uint32(pck[2:]),
					PckCertChain:        pck[6:len(pck):len(pck)],
				},
			},
		},
	}
	if int(q.SignedData.CertificationData.Size) != len(qe) {
		return nil, fmt.Errorf("size of certificate data is 0x%x. Expected size 0x%x", len(qe), q.SignedData.CertificationData.Size)
	}
	if err := abi.CheckQuoteV4(q); err != nil {
		return nil, fmt.Errorf("parsing QuoteV4 failed: %v", err)
	}
	return q, nil
}

// lastChain keeps the last PCK chain parsed with its certificates: inspect parses the same
// quote to recognise the file, to verify it and to judge CRLs beside it, and the three
// certificates with the PCK's SGX extensions were most of each parse. Certificates are
// shared between quotes read from the same bytes (nothing changes a parsed certificate);
// the extensions are copied.
var lastChain struct {
	sync.Mutex
	pem                     []byte
	pck, intermediate, root *x509.Certificate
	ext                     *pcs.PckExtensions
}

func (q *Quote) parseChain(chain []byte) error {
	lastChain.Lock()
	if lastChain.pem != nil && bytes.Equal(lastChain.pem, chain) {
		q.PCK, q.Intermediate, q.Root = lastChain.pck, lastChain.intermediate, lastChain.root
		q.PCKExt = copyExt(lastChain.ext)
		lastChain.Unlock()
		return nil
	}
	// Parsed outside the lock: inspect --each parses many quotes at once, on every core.
	lastChain.Unlock()
	if err := q.parseChainPEM(chain); err != nil {
		return err
	}
	lastChain.Lock()
	lastChain.pem = slices.Clone(chain)
	lastChain.pck, lastChain.intermediate, lastChain.root, lastChain.ext = q.PCK, q.Intermediate, q.Root, copyExt(q.PCKExt)
	lastChain.Unlock()
	return nil
}

// copyExt gives each quote its own extensions: a caller may change them (a test of another
// FMSPC) without changing the next quote's.
func copyExt(e *pcs.PckExtensions) *pcs.PckExtensions {
	c := *e
	c.TCB.CPUSvn, c.TCB.CPUSvnComponents = slices.Clone(e.TCB.CPUSvn), slices.Clone(e.TCB.CPUSvnComponents)
	return &c
}

func (q *Quote) parseChainPEM(chain []byte) error {
	chain = bytes.TrimRight(chain, "\x00")
	var certs []*x509.Certificate
	for len(bytes.TrimSpace(chain)) > 0 {
		var blk *pem.Block
		blk, chain = pem.Decode(chain)
		if blk == nil {
			return koErr("certificate %d is not PEM; the chain is garbled", "인증서 %d이 PEM이 아닙니다. 체인이 손상되었습니다", len(certs)+1)
		}
		if blk.Type != "CERTIFICATE" {
			// Intel's QVL looks for CERTIFICATE blocks only and go-tdx-guest refuses others.
			return koErr("certificate %d is a PEM %q block, not CERTIFICATE; the chain was not written by a quoting enclave",
				"인증서 %d이 CERTIFICATE가 아니라 PEM %q 블록입니다. 쿼팅 엔클레이브가 쓴 체인이 아닙니다", len(certs)+1, blk.Type)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err == nil {
			err = internalcerts.Oversized(c)
		}
		if err != nil {
			return koErr("certificate %d: %v", "인증서 %d을 해석할 수 없습니다: %v", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) != 3 {
		return koErr("want 3 certificates (PCK, PCK CA, root CA), found %d", "인증서 3개(PCK, PCK CA, 루트 CA)가 필요하지만 %d개입니다", len(certs))
	}
	q.PCK, q.Intermediate, q.Root = certs[0], certs[1], certs[2]
	ext, err := pcs.PckCertificateExtensions(q.PCK)
	if err != nil {
		return koErr("PCK certificate SGX extensions: %v", "PCK 인증서의 SGX 확장을 읽을 수 없습니다: %v", err)
	}
	q.PCKExt = ext
	return nil
}

// Body returns the 584 TD quote body bytes every quote version and body type shares.
func (q *Quote) Body() []byte { return q.Raw[q.bodyOff : q.bodyOff+quoteBodySize] }

// SignedRange is the end of the bytes the attestation key signs: header and body, and for
// v5 the body descriptor between them.
func (q *Quote) SignedRange() int { return q.sigSizeOff }

// TeeTCBSVN2 is the TEE TCB SVN of the running TDX module after TD-preserving updates (v5
// body type 3 and 4); nil for a TDX 1.0 body.
func (q *Quote) TeeTCBSVN2() []byte { return q.v15Field(0, 16) }

// MRServiceTD is the SHA-384 over the TDINFOs of service TDs bound to the TD (v5 body type
// 3 and 4; zero when none is bound); nil for a TDX 1.0 body.
func (q *Quote) MRServiceTD() []byte { return q.v15Field(16, 48) }

// v15Field returns bytes of the TDX 1.5 body part, off bytes after the shared 584.
func (q *Quote) v15Field(off, size int) []byte {
	if q.BodyType < BodyTDX15 {
		return nil
	}
	at := q.bodyOff + quoteBodySize + off
	return q.Raw[at : at+size : at+size]
}

// ReportData returns the quote's REPORT_DATA.
func (q *Quote) ReportData() []byte { return q.Proto.GetTdQuoteBody().GetReportData() }

// MRTD returns the quote's MRTD.
func (q *Quote) MRTD() []byte { return q.Proto.GetTdQuoteBody().GetMrTd() }

// TeeTCBSVN returns the quote's TEE_TCB_SVN.
func (q *Quote) TeeTCBSVN() []byte { return q.Proto.GetTdQuoteBody().GetTeeTcbSvn() }

// FMSPC returns the platform's FMSPC from the PCK certificate, lower-case hex.
func (q *Quote) FMSPC() string { return strings.ToLower(q.PCKExt.FMSPC) }

// bodyField returns a TD quote body field by its offset in the body.
func (q *Quote) bodyField(off, size int) []byte {
	b := q.Body()
	return b[off : off+size]
}

// Fields lists the header, body and signing fields of the quote with offsets in the quote.
func (q *Quote) Fields() []Field {
	h := q.Proto.GetHeader()
	qe := q.Proto.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport()
	f := make([]Field, 0, 64) // 44 for a v4 quote, a few more for v5
	f = append(f, versionField(q.Version))
	from, to := q.PCK.NotBefore.Format(time.DateOnly), q.PCK.NotAfter.Format(time.DateOnly)
	f = append(f, []Field{
		{Name: "header.att_key_type", Offset: 2, Size: 2, Value: fmt.Sprintf("%d (ECDSA-256 with P-256)", h.GetAttestationKeyType())},
		{Name: "header.tee_type", Offset: 4, Size: 4, Value: fmt.Sprintf("0x%02x (TDX)", h.GetTeeType())},
		{Name: "header.qe_svn", Offset: 8, Size: 2, Value: hex.EncodeToString(h.GetQeSvn())},
		{Name: "header.pce_svn", Offset: 10, Size: 2, Value: hex.EncodeToString(h.GetPceSvn())},
		{Name: "header.qe_vendor_id", Offset: 12, Size: 16, Value: hex.EncodeToString(h.GetQeVendorId()), Note: qeVendorNote(h.GetQeVendorId())},
		{Name: "header.user_data", Offset: 28, Size: 20, Value: hex.EncodeToString(h.GetUserData()), Note: "QE-defined; the first 16 bytes are the QE platform ID on Intel's QE."},
	}...)
	if q.Version >= 5 {
		f = append(f, q.descriptorFields()...)
	}
	for _, m := range measured {
		v := q.bodyField(m.quoteOff, m.size)
		f = append(f, Field{Name: m.name, Offset: q.bodyOff + m.quoteOff, Size: m.size, Value: hex.EncodeToString(v), Claim: m.claim, Note: m.note})
		switch m.name {
		case "tee_tcb_svn":
			f = append(f, seamSVNField(v, q.bodyOff+m.quoteOff))
		case "td_attributes":
			f = append(f, attributeFields(TDAttributes(binary.LittleEndian.Uint64(v)), q.bodyOff+m.quoteOff)...)
		}
	}
	f = append(f, q.v15Fields()...)
	signedOff := q.sigSizeOff + 4
	sigNote := "ECDSA P-256 over header and body, by the attestation key."
	var sigNoteKO string
	if q.Version >= 5 {
		sigNote = fmt.Sprintf("ECDSA P-256 by the attestation key over bytes 0-%d: header, body descriptor and body.", q.sigSizeOff-1)
		sigNoteKO = fmt.Sprintf("증명 키가 바이트 0-%d(헤더, 본문 설명자, 본문)에 대해 만든 ECDSA P-256 서명입니다.", q.sigSizeOff-1)
	}
	f = append(f,
		Field{Name: "signed_data_size", Offset: q.sigSizeOff, Size: 4, Value: strconv.Itoa(int(q.Proto.GetSignedDataSize()))},
		Field{Name: "signature", Offset: signedOff, Size: 64, Value: hex.EncodeToString(q.Proto.GetSignedData().GetSignature()), Note: sigNote, NoteKO: sigNoteKO},
		Field{Name: "attestation_key", Offset: signedOff + 64, Size: 64, Value: hex.EncodeToString(q.Proto.GetSignedData().GetEcdsaAttestationKey()), Note: "Raw P-256 point; the QE report binds it (SHA-256 in QE REPORT_DATA)."},
		Field{Name: "qe_report.mr_enclave", Offset: q.certDataOff + 64, Size: 32, Value: hex.EncodeToString(qe.GetMrEnclave()), Note: "Quoting enclave measurement."},
		Field{Name: "qe_report.mr_signer", Offset: q.certDataOff + 128, Size: 32, Value: hex.EncodeToString(qe.GetMrSigner()), Note: "Quoting enclave signer; Intel's TD_QE identity names the expected value."},
		Field{Name: "qe_report.isv_svn", Offset: q.certDataOff + 258, Size: 2, Value: strconv.Itoa(int(qe.GetIsvSvn())), Note: "Quoting enclave SVN, judged by the QE identity."},
		Field{Name: "qe_report.report_data", Offset: q.certDataOff + 320, Size: 64, Value: hex.EncodeToString(qe.GetReportData()), Note: "SHA-256(attestation key || QE auth data), zero-padded."},
		Field{Name: "pck.fmspc", Offset: q.chainOff, Size: q.chainLen, Value: q.FMSPC(), Note: "Platform family (FMSPC) from the PCK certificate's SGX extension; selects Intel's TCB info."},
		Field{Name: "pck.pce_id", Offset: q.chainOff, Size: q.chainLen, Value: q.PCKExt.PCEID},
		Field{Name: "pck.cpu_svn", Offset: q.chainOff, Size: q.chainLen, Value: hex.EncodeToString(q.PCKExt.TCB.CPUSvnComponents), Note: "SGX TCB components certified in the PCK certificate."},
		Field{Name: "pck.pce_svn", Offset: q.chainOff, Size: q.chainLen, Value: strconv.Itoa(int(q.PCKExt.TCB.PCESvn))},
		Field{Name: "pck.leaf", Offset: q.chainOff, Size: q.chainLen, Value: q.PCK.Subject.CommonName, Note: "Issued by " + q.PCK.Issuer.CommonName + ", valid " + from + " to " + to + ".",
			NoteKO: "발급자 \"" + q.PCK.Issuer.CommonName + "\", " + from + "부터 " + to + "까지 유효합니다."},
		Field{Name: "pck.intermediate", Offset: q.chainOff, Size: q.chainLen, Value: q.Intermediate.Subject.CommonName, Note: "Issued by " + q.Intermediate.Issuer.CommonName + ".",
			NoteKO: "발급자 \"" + q.Intermediate.Issuer.CommonName + "\"."},
		Field{Name: "pck.root", Offset: q.chainOff, Size: q.chainLen, Value: q.Root.Subject.CommonName, Note: "Self-signed; trusted only if it is Intel's SGX root (or a configured root)."},
	)
	if q.Padding > 0 {
		f = append(f, Field{Name: "padding", Offset: len(q.Raw), Size: q.Padding, Value: strconv.Itoa(q.Padding) + " zero bytes", Note: "Ignored zero padding after the quote."})
	}
	return f
}

func qeVendorNote(id []byte) string {
	if hex.EncodeToString(id) == "939a7233f79c4ca9940a0db3957f0607" {
		return "Intel's quoting enclave."
	}
	return "Not Intel's quoting enclave vendor ID."
}
