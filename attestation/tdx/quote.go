package tdx

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"
)

// Layout of a DCAP TD quote v4 (Intel TDX DCAP Quote Generation Library, A.3).
const (
	quoteHeaderSize   = 48
	quoteBodyOff      = 48
	quoteBodySize     = 584
	quoteSigSizeOff   = 632
	quoteSignedOff    = 636
	signedCertTypeRel = 128 // after the 64-byte signature and 64-byte attestation key
	qeReportSize      = 384
	qeSigSize         = 64

	certTypeQEReport = 6 // certification data carries the QE report, its signature and the PCK chain
	certTypePCKChain = 5 // PEM PCK leaf || platform/processor CA || root CA
)

// Quote is a parsed DCAP TD quote v4 with its PCK certificate chain.
type Quote struct {
	// Raw is the quote without trailing zero padding.
	Raw []byte
	// Padding counts the zero bytes that followed the quote in the input.
	Padding int
	Proto   *pb.QuoteV4
	// PCK chain from the certification data: leaf, intermediate CA, root CA.
	PCK, Intermediate, Root *x509.Certificate
	// PCKExt holds the SGX extensions of the PCK certificate (FMSPC, PCE ID, TCB SVNs).
	PCKExt *pcs.PckExtensions
	// Offsets of the certification data and the PEM chain in Raw, for fields and messages.
	certDataOff, chainOff, chainLen int
}

// ParseQuote parses a TD quote v4 as returned by IMDS /acc/tdquote or a DCAP quote
// generation library. Zero padding after the quote is accepted (some tools store quotes in
// fixed-size buffers); any other trailing data is an error.
func ParseQuote(b []byte) (*Quote, error) {
	perr := func(field string, off int, en, ko string, a ...any) error {
		return newParseError("TD quote", field, off, fmt.Sprintf(en, a...), fmt.Sprintf(ko, a...))
	}
	le := binary.LittleEndian
	if len(b) < quoteSignedOff {
		return nil, perr("length", len(b), "need at least %d bytes for header, body and signed-data size, have %d; the quote is truncated",
			"헤더, 본문, 서명 데이터 크기에 최소 %d바이트가 필요하지만 %d바이트뿐입니다. 쿼트가 잘렸습니다", quoteSignedOff, len(b))
	}
	if v := le.Uint16(b[0:]); v != abi.QuoteVersion {
		return nil, perr("header.version", 0, "version %d is not supported (want 4); TDX 1.5 v5 quotes are not handled yet",
			"버전 %d은 지원하지 않습니다(4여야 합니다). TDX 1.5 v5 쿼트는 아직 처리하지 않습니다", v)
	}
	if t := le.Uint16(b[2:]); t != abi.AttestationKeyType {
		return nil, perr("header.att_key_type", 2, "attestation key type %d is not ECDSA-256-with-P-256 (2)", "증명 키 유형 %d이 ECDSA-256-with-P-256(2)이 아닙니다", t)
	}
	if t := le.Uint32(b[4:]); t != abi.TeeTDX {
		return nil, perr("header.tee_type", 4, "TEE type 0x%x is not TDX (0x81); an SGX quote is not TD evidence", "TEE 유형 0x%x이 TDX(0x81)가 아닙니다. SGX 쿼트는 TD 증거가 아닙니다", t)
	}
	sigLen := int(le.Uint32(b[quoteSigSizeOff:]))
	end := quoteSignedOff + sigLen
	if sigLen > len(b)-quoteSignedOff {
		return nil, perr("signed_data_size", quoteSigSizeOff, "signed data of %d bytes runs past the end of the %d-byte input; the quote is truncated",
			"%d바이트의 서명 데이터가 %d바이트 입력의 끝을 넘습니다. 쿼트가 잘렸습니다", sigLen, len(b))
	}
	// Walk the signed data with bounds checks; go-tdx-guest's abi slices without them.
	certOff := quoteSignedOff + signedCertTypeRel
	if end < certOff+6 {
		return nil, perr("signed_data_size", quoteSigSizeOff, "signed data of %d bytes cannot hold signature, attestation key and certification data header (%d bytes)",
			"%d바이트의 서명 데이터에 서명, 증명 키, 인증 데이터 헤더(%d바이트)가 들어가지 않습니다", sigLen, signedCertTypeRel+6)
	}
	if t := le.Uint16(b[certOff:]); t != certTypeQEReport {
		return nil, perr("certification_data.type", certOff, "type %d is not 6 (QE report certification data)", "유형 %d이 6(QE 보고서 인증 데이터)이 아닙니다", t)
	}
	certLen := int(le.Uint32(b[certOff+2:]))
	certDataOff := certOff + 6
	if certLen != end-certDataOff {
		return nil, perr("certification_data.size", certOff+2, "size %d does not match the %d bytes left in the signed data", "크기 %d가 서명 데이터에 남은 %d바이트와 맞지 않습니다", certLen, end-certDataOff)
	}
	authOff := certDataOff + qeReportSize + qeSigSize
	if end < authOff+2 {
		return nil, perr("qe_auth_data.size", authOff, "certification data too short for the QE report (384), its signature (64) and the auth data size",
			"인증 데이터가 QE 보고서(384), 그 서명(64), 인증 데이터 크기를 담기에 너무 짧습니다")
	}
	authLen := int(le.Uint16(b[authOff:]))
	pckOff := authOff + 2 + authLen
	if end < pckOff+6 {
		return nil, perr("qe_auth_data.size", authOff, "auth data of %d bytes leaves no room for the PCK certificate chain header",
			"%d바이트의 인증 데이터 뒤에 PCK 인증서 체인 헤더가 들어갈 자리가 없습니다", authLen)
	}
	if t := le.Uint16(b[pckOff:]); t != certTypePCKChain {
		return nil, perr("pck_cert_chain.type", pckOff, "type %d is not 5 (PEM PCK certificate chain)", "유형 %d이 5(PEM PCK 인증서 체인)가 아닙니다", t)
	}
	chainLen := int(le.Uint32(b[pckOff+2:]))
	if chainLen != end-(pckOff+6) {
		return nil, perr("pck_cert_chain.size", pckOff+2, "size %d does not match the %d bytes left in the certification data", "크기 %d가 인증 데이터에 남은 %d바이트와 맞지 않습니다", chainLen, end-(pckOff+6))
	}
	padding := 0
	for i, c := range b[end:] {
		if c != 0 {
			return nil, perr("trailing bytes", end+i, "non-zero byte 0x%02x after the %d-byte quote; the file holds more than one quote or is garbled",
				"%[2]d바이트 쿼트 뒤에 0이 아닌 바이트 0x%02[1]x가 있습니다. 파일에 쿼트가 둘 이상 있거나 손상되었습니다", c, end)
		}
		padding++
	}
	raw := append([]byte(nil), b[:end]...)
	q := &Quote{Raw: raw, Padding: padding, certDataOff: certDataOff, chainOff: pckOff + 6, chainLen: chainLen}
	parsed, err := quoteToProto(raw)
	if err != nil {
		return nil, perr("structure", 0, "%v", "go-tdx-guest가 쿼트를 거부합니다: %v", err)
	}
	q.Proto = parsed
	if err := q.parseChain(raw[q.chainOff:end]); err != nil {
		return nil, newParseError("TD quote", "pck_cert_chain", q.chainOff, err.Error(), inKorean(err))
	}
	return q, nil
}

// quoteToProto recovers from panics in go-tdx-guest's parser, which slices without bounds
// checks; the walk in ParseQuote makes one unlikely, but a panic must never reach the UI.
func quoteToProto(raw []byte) (q *pb.QuoteV4, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, fmt.Errorf("malformed quote (parser stopped: %v)", r)
		}
	}()
	v, err := abi.QuoteToProto(raw)
	if err != nil {
		return nil, err
	}
	q4, ok := v.(*pb.QuoteV4)
	if !ok {
		return nil, fmt.Errorf("unexpected quote type %T", v)
	}
	return q4, nil
}

func (q *Quote) parseChain(chain []byte) error {
	chain = bytes.TrimRight(chain, "\x00")
	var certs []*x509.Certificate
	for len(bytes.TrimSpace(chain)) > 0 {
		var blk *pem.Block
		blk, chain = pem.Decode(chain)
		if blk == nil {
			return koErr("certificate %d is not PEM; the chain is garbled", "인증서 %d이 PEM이 아닙니다. 체인이 손상되었습니다", len(certs)+1)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
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

// Body returns the 584-byte TD quote body (the signed TD fields).
func (q *Quote) Body() []byte { return q.Raw[quoteBodyOff : quoteBodyOff+quoteBodySize] }

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
	f := []Field{
		{Name: "header.version", Offset: 0, Size: 2, Value: strconv.Itoa(int(h.GetVersion())), Note: "Quote format 4 (TDX 1.0/1.5 DCAP)."},
		{Name: "header.att_key_type", Offset: 2, Size: 2, Value: fmt.Sprintf("%d (ECDSA-256 with P-256)", h.GetAttestationKeyType())},
		{Name: "header.tee_type", Offset: 4, Size: 4, Value: fmt.Sprintf("0x%02x (TDX)", h.GetTeeType())},
		{Name: "header.qe_svn", Offset: 8, Size: 2, Value: hex.EncodeToString(h.GetQeSvn())},
		{Name: "header.pce_svn", Offset: 10, Size: 2, Value: hex.EncodeToString(h.GetPceSvn())},
		{Name: "header.qe_vendor_id", Offset: 12, Size: 16, Value: hex.EncodeToString(h.GetQeVendorId()), Note: qeVendorNote(h.GetQeVendorId())},
		{Name: "header.user_data", Offset: 28, Size: 20, Value: hex.EncodeToString(h.GetUserData()), Note: "QE-defined; the first 16 bytes are the QE platform ID on Intel's QE."},
	}
	for _, m := range measured {
		v := q.bodyField(m.quoteOff, m.size)
		f = append(f, Field{Name: m.name, Offset: quoteBodyOff + m.quoteOff, Size: m.size, Value: hex.EncodeToString(v), Claim: m.claim, Note: m.note})
		switch m.name {
		case "tee_tcb_svn":
			f = append(f, seamSVNField(v, quoteBodyOff+m.quoteOff))
		case "td_attributes":
			f = append(f, attributeFields(TDAttributes(binary.LittleEndian.Uint64(v)), quoteBodyOff+m.quoteOff)...)
		}
	}
	f = append(f,
		Field{Name: "signed_data_size", Offset: quoteSigSizeOff, Size: 4, Value: strconv.Itoa(int(q.Proto.GetSignedDataSize()))},
		Field{Name: "signature", Offset: quoteSignedOff, Size: 64, Value: hex.EncodeToString(q.Proto.GetSignedData().GetSignature()), Note: "ECDSA P-256 over header and body, by the attestation key."},
		Field{Name: "attestation_key", Offset: quoteSignedOff + 64, Size: 64, Value: hex.EncodeToString(q.Proto.GetSignedData().GetEcdsaAttestationKey()), Note: "Raw P-256 point; the QE report binds it (SHA-256 in QE REPORT_DATA)."},
		Field{Name: "qe_report.mr_enclave", Offset: q.certDataOff + 64, Size: 32, Value: hex.EncodeToString(qe.GetMrEnclave()), Note: "Quoting enclave measurement."},
		Field{Name: "qe_report.mr_signer", Offset: q.certDataOff + 128, Size: 32, Value: hex.EncodeToString(qe.GetMrSigner()), Note: "Quoting enclave signer; Intel's TD_QE identity names the expected value."},
		Field{Name: "qe_report.isv_svn", Offset: q.certDataOff + 258, Size: 2, Value: strconv.Itoa(int(qe.GetIsvSvn())), Note: "Quoting enclave SVN, judged by the QE identity."},
		Field{Name: "qe_report.report_data", Offset: q.certDataOff + 320, Size: 64, Value: hex.EncodeToString(qe.GetReportData()), Note: "SHA-256(attestation key || QE auth data), zero-padded."},
		Field{Name: "pck.fmspc", Offset: q.chainOff, Size: q.chainLen, Value: q.FMSPC(), Note: "Platform family (FMSPC) from the PCK certificate's SGX extension; selects Intel's TCB info."},
		Field{Name: "pck.pce_id", Offset: q.chainOff, Size: q.chainLen, Value: q.PCKExt.PCEID},
		Field{Name: "pck.cpu_svn", Offset: q.chainOff, Size: q.chainLen, Value: hex.EncodeToString(q.PCKExt.TCB.CPUSvnComponents), Note: "SGX TCB components certified in the PCK certificate."},
		Field{Name: "pck.pce_svn", Offset: q.chainOff, Size: q.chainLen, Value: strconv.Itoa(int(q.PCKExt.TCB.PCESvn))},
		Field{Name: "pck.leaf", Offset: q.chainOff, Size: q.chainLen, Value: q.PCK.Subject.CommonName, Note: "Issued by " + q.PCK.Issuer.CommonName + ", valid " + q.PCK.NotBefore.Format("2006-01-02") + " to " + q.PCK.NotAfter.Format("2006-01-02") + "."},
		Field{Name: "pck.intermediate", Offset: q.chainOff, Size: q.chainLen, Value: q.Intermediate.Subject.CommonName, Note: "Issued by " + q.Intermediate.Issuer.CommonName + "."},
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
