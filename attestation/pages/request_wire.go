package pages

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// wireInfo is AttestationInfo as it travels (protocol §4.2). Numbers stay raw because
// AZ-PY sends the OS versions as strings.
type wireInfo struct {
	AttestationProtocolVersion string            `json:"AttestationProtocolVersion"`
	OSType                     string            `json:"OSType"`
	OSDistro                   string            `json:"OSDistro"`
	OSVersionMajor             json.RawMessage   `json:"OSVersionMajor"`
	OSVersionMinor             json.RawMessage   `json:"OSVersionMinor"`
	OSBuild                    string            `json:"OSBuild"`
	TcgLogs                    string            `json:"TcgLogs"`
	ClientPayload              map[string]string `json:"ClientPayload"`
	TpmInfo                    struct {
		AikCert, AikPub, PcrQuote, PcrSignature string
		PcrSet                                  []int
		PCRs                                    []struct {
			Index  int
			Digest string
		}
		EncKeyPub, EncKeyCertifyInfo, EncKeyCertifyInfoSignature string
	} `json:"TpmInfo"`
	IsolationInfo struct {
		Type     string `json:"Type"`
		Evidence *struct {
			Proof       string `json:"Proof"`
			RunTimeData string `json:"RunTimeData"`
		} `json:"Evidence"`
	} `json:"IsolationInfo"`
}

// request is the body taken apart again.
type request struct {
	body        []byte
	info        *wireInfo
	isoType     string
	snpReport   []byte
	chain       string
	quote       []byte
	runtime     []byte
	nonce       string // platform flow
	bodyVerdict check.Verdict
	bodyDetail  lines // how the body decoded, or why it did not, in both languages
	code        []present.Section
}

// decodeRequest undoes the encodings of the body, layer by layer, and notes whether the
// body carries the AttestationInfo the builder says it does. The decoders are lenient
// (either base64 alphabet, padded or not) because the reference clients mix them.
func decodeRequest(v RequestView) request {
	r := request{body: v.Body}
	info := v.Info
	if len(info) == 0 && v.Guest != nil {
		// Rebuilding is deterministic: the same request gives the same bytes.
		if body, built, err := maa.BuildGuest(*v.Guest); err == nil {
			info = built
			if len(r.body) == 0 {
				r.body = body
			}
		} else {
			r.bodyDetail.add("the request cannot be encoded: "+err.Error(), "요청을 인코딩할 수 없습니다: "+errKO(err))
		}
	}
	if len(r.body) == 0 && len(info) == 0 {
		r.bodyVerdict = check.Skip
		r.bodyDetail.add("no request body was built", "요청 본문을 만들지 않았습니다")
		return r
	}
	if v.Flow == "platform" || (len(info) == 0 && !bytes.Contains(r.body, []byte(`"AttestationInfo"`))) {
		r.decodePlatform()
	} else {
		r.decodeGuest(info)
	}
	if r.chain == "" {
		r.chain = v.VCEKChain
	} else if v.VCEKChain != "" && v.VCEKChain != r.chain {
		r.fail("the VCEK chain in the body differs from the one fetched", "본문의 VCEK 체인이 받아 온 체인과 다릅니다")
	}
	if len(r.quote) == 0 {
		r.quote = v.TDQuote
	} else if len(v.TDQuote) > 0 && !bytes.Equal(v.TDQuote, r.quote) {
		r.fail("the TD quote in the body differs from the one fetched", "본문의 TD 쿼트가 받아 온 쿼트와 다릅니다")
	}
	if r.bodyVerdict == "" {
		r.bodyVerdict = check.Pass
	}
	return r
}

// fail marks the body as not decoding to the evidence shown, saying why in both languages.
func (r *request) fail(en, ko string) {
	r.bodyVerdict = check.Fail
	r.bodyDetail.add(en, ko)
}

// errKO is an error's message in Korean where it has one (fault.Korean), else as it is.
func errKO(err error) string {
	m, _ := fault.MessageIn(err, string(present.KO))
	return m
}

func (r *request) decodeGuest(info []byte) {
	var outer struct {
		AttestationInfo string `json:"AttestationInfo"`
	}
	switch {
	case len(r.body) == 0:
		r.fail("no HTTP body: only the AttestationInfo is shown", "HTTP 본문 없음: AttestationInfo만 보여 줍니다")
	case json.Unmarshal(r.body, &outer) != nil || outer.AttestationInfo == "":
		r.fail("the body is not {\"AttestationInfo\": …}", "본문이 {\"AttestationInfo\": …} 형태가 아닙니다")
	default:
		inner, err := hcl.DecodeB64(outer.AttestationInfo)
		switch {
		case err != nil:
			r.fail(fmt.Sprintf("AttestationInfo is not base64url: %v", err), "AttestationInfo가 base64url이 아닙니다: "+errKO(err))
		case len(info) > 0 && !bytes.Equal(inner, info):
			r.fail("the body's AttestationInfo differs from the one shown", "본문의 AttestationInfo가 표시된 것과 다릅니다")
		default:
			info = inner
			r.bodyDetail.add(fmt.Sprintf("body = {\"AttestationInfo\": base64url of the %d-byte JSON below}", len(inner)),
				fmt.Sprintf("본문 = {\"AttestationInfo\": 아래 %d바이트 JSON의 base64url}", len(inner)))
		}
	}
	var wi wireInfo
	if err := json.Unmarshal(info, &wi); err != nil {
		r.fail(fmt.Sprintf("AttestationInfo is not the JSON object MAA expects: %v", err), "AttestationInfo가 MAA가 기대하는 JSON 객체가 아닙니다: "+errKO(err))
		return
	}
	r.info = &wi
	r.isoType = wi.IsolationInfo.Type
	r.code = append(r.code,
		codeSection("attestation-info", present.T("AttestationInfo (decoded)", "AttestationInfo (디코딩)"), info,
			present.T("The JSON inside the body. Byte values are base64; the SEV-SNP Proof is itself base64url JSON.",
				"본문 안의 JSON입니다. 바이트 값은 base64이며, SEV-SNP 증거(IsolationInfo.Evidence.Proof)는 그 자체가 base64url로 인코딩된 JSON입니다.")))
	if ev := wi.IsolationInfo.Evidence; ev != nil {
		r.runtime = r.b64("IsolationInfo.Evidence.RunTimeData", ev.RunTimeData)
		proof := r.b64("IsolationInfo.Evidence.Proof", ev.Proof)
		switch wi.IsolationInfo.Type {
		case "SevSnp":
			r.snpProof(proof, "IsolationInfo.Evidence.Proof")
		case "Tdx":
			r.quote = proof
		}
	}
	if len(r.body) > 0 {
		r.code = append(r.code, present.Section{ID: "body", Title: present.T("HTTP body, exactly as sent", "HTTP 본문 (보내는 그대로)"),
			Kind: present.Code, Body: string(r.body)})
	}
}

// snpProof decodes {"SnpReport": b64url, "VcekCertChain": b64url(PEM)}.
func (r *request) snpProof(proof []byte, field string) {
	if proof == nil {
		return
	}
	var p struct{ SnpReport, VcekCertChain string }
	if err := json.Unmarshal(proof, &p); err != nil {
		r.fail(fmt.Sprintf("%s is not the SnpReport/VcekCertChain JSON: %v", field, err),
			fmt.Sprintf("%s이(가) SnpReport/VcekCertChain JSON이 아닙니다: %s", field, errKO(err)))
		return
	}
	r.snpReport = r.b64(field+".SnpReport", p.SnpReport)
	r.chain = string(r.b64(field+".VcekCertChain", p.VcekCertChain))
	r.code = append(r.code, codeSection("proof", present.T("SEV-SNP Proof (decoded)", "SEV-SNP 증거 (디코딩)"), proof,
		present.T("The SEV-SNP report and the VCEK chain, each base64url.", "SEV-SNP 보고서와 VCEK 체인으로, 각각 base64url입니다.")))
}

func (r *request) b64(field, s string) []byte {
	if s == "" {
		return nil
	}
	b, err := hcl.DecodeB64(s)
	if err != nil {
		r.fail(fmt.Sprintf("%s is not base64: %v", field, err), fmt.Sprintf("%s이(가) base64가 아닙니다: %s", field, errKO(err)))
		return nil
	}
	return b
}

func (r *request) decodePlatform() {
	var pb struct {
		Report      string `json:"report"`
		Quote       string `json:"quote"`
		RuntimeData struct {
			Data     string `json:"data"`
			DataType string `json:"dataType"`
		} `json:"runtimeData"`
		Nonce string `json:"nonce"`
	}
	if err := json.Unmarshal(r.body, &pb); err != nil {
		r.fail(fmt.Sprintf("the body is not JSON: %v", err), "본문이 JSON이 아닙니다: "+errKO(err))
		return
	}
	r.nonce = pb.Nonce
	r.runtime = r.b64("runtimeData.data", pb.RuntimeData.Data)
	switch {
	case pb.Report != "":
		r.isoType = "SevSnp"
		r.snpProof(r.b64("report", pb.Report), "report")
	case pb.Quote != "":
		r.isoType = "Tdx"
		r.quote = r.b64("quote", pb.Quote)
	default:
		r.fail("the body carries neither report (SevSnpVm) nor quote (TdxVm)", "본문에 report(SevSnpVm)도 quote(TdxVm)도 없습니다")
	}
	if pb.RuntimeData.DataType != "JSON" {
		r.fail(fmt.Sprintf("runtimeData.dataType is %q; with anything but JSON MAA does not parse the claims into x-ms-runtime", pb.RuntimeData.DataType),
			fmt.Sprintf("runtimeData.dataType이 %q입니다. JSON이 아니면 MAA가 클레임을 x-ms-runtime으로 해석하지 않습니다", pb.RuntimeData.DataType))
	}
	r.bodyDetail.add(fmt.Sprintf("body = %d bytes of JSON", len(r.body)), fmt.Sprintf("본문 = JSON %d바이트", len(r.body)))
	r.code = append([]present.Section{codeSection("body", present.T("HTTP body", "HTTP 본문"), r.body,
		present.T("Sent compact; shown indented.", "실제로는 공백 없이 보내며, 여기서는 들여써서 보여 줍니다."))}, r.code...)
}

// codeSection indents JSON for reading; the content stays complete and valid.
func codeSection(id string, title present.Text, raw []byte, note present.Text) present.Section {
	var b bytes.Buffer
	body := string(raw)
	if json.Indent(&b, raw, "", "  ") == nil {
		body = b.String()
	}
	return present.Section{ID: id, Title: title, Kind: present.Code, Note: note, Body: body}
}
