package pages

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
)

// Step IDs of the MAA steps, as package workshop names them.
const (
	stepBuildRequest = "build-request"
	stepCallMAA      = "call-maa"
	stepVerifyJWT    = "verify-jwt"
)

// RequestView is what the Build request page shows: the request as it will be sent, and
// the evidence it carries.
type RequestView struct {
	// Flow is "guest" (AzureGuest) or "platform" (SevSnpVm, TdxVm).
	Flow string
	// Endpoint is the provider (scheme and host) and EndpointReason why it was chosen
	// ("region koreacentral from IMDS", "-a", "default: IMDS gave no known region"), and
	// EndpointReasonKO that reason in Korean (empty falls back to the English).
	Endpoint, EndpointReason, EndpointReasonKO string
	// Path is the attest path with its api-version.
	Path string
	TEE  evidence.TEE
	// Guest is the AzureGuest request; nil for the platform flow.
	Guest *maa.GuestRequest
	// Body is the exact HTTP body, Info the AttestationInfo JSON inside it (guest flow).
	Body, Info []byte
	// VCEKChain and TDQuote are the isolation evidence fetched for the request; when empty
	// they are read back from the body.
	VCEKChain string
	TDQuote   []byte
	// Knobs are the user's choices for the request; nil for the default request.
	Knobs *KnobsView
	// Checks are the checks run while building (endpoint, THIM or TD quote, the ephemeral
	// key's tpm.enckey.certify and tpm.enckey.policy, maa.request).
	Checks check.List
}

// BuildRequest builds the "Build request" page.
func (Pager) BuildRequest(v RequestView) present.Page { return BuildRequest(v) }

// BuildRequest builds the "Build request" page: where the request goes, the hardware
// evidence, the vTPM evidence, the ephemeral key MAA will encrypt to, the client payload and
// the OS, then the request itself, decoded and exactly as sent. Every value shown is read
// back from the body, so the page shows what is sent, not what was meant to be.
func BuildRequest(v RequestView) present.Page {
	req := decodeRequest(v)
	api := apiName(v.Flow, v.Path, v.TEE)
	p := present.Page{Step: stepBuildRequest, Title: present.T("Build request", "요청 만들기"), Checks: v.Checks}
	add := func(sec present.Section) {
		if len(sec.Rows) > 0 || sec.Body != "" {
			p.Sections = append(p.Sections, sec)
		}
	}
	add(endpointSection(v, api, req))
	add(isolationSection(v, req))
	if req.info != nil {
		add(tpmInfoSection(v, req))
		add(encKeySection(v, req))
	}
	add(knobsSection(v.Knobs))
	add(payloadSection(req))
	if req.info != nil {
		add(osSection(req))
	}
	for _, c := range req.code {
		add(c)
	}
	add(Checks(v.Checks))

	verdicts := check.List{{Verdict: check.Fold(v.Checks)}, {Verdict: req.bodyVerdict}}
	p.Verdict = check.Fold(verdicts)
	what := present.T(fmt.Sprintf("%s request, %d bytes", api, len(req.body)), fmt.Sprintf("%s 요청, %d바이트", api, len(req.body)))
	p.Summary = countSummary(what, v.Checks)
	if req.bodyVerdict == check.Fail {
		p.Summary.EN += "; the body does not decode to the evidence shown"
		p.Summary.KO += "; 본문이 표시된 증거로 디코딩되지 않습니다"
	}
	return p
}

// apiName is the MAA API a request goes to.
func apiName(flow, path string, tee evidence.TEE) string {
	switch {
	case strings.Contains(path, "/attest/"):
		name := path[strings.Index(path, "/attest/")+len("/attest/"):]
		name, _, _ = strings.Cut(name, "?")
		return name
	case flow == "platform" && tee == evidence.TEETDX:
		return "TdxVm"
	case flow == "platform":
		return "SevSnpVm"
	}
	return "AzureGuest"
}

// flows says what each MAA API is sent and answers, in both languages.
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var flows = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"AzureGuest": present.T("AzureGuest: vTPM quote and hardware evidence; the answer is encrypted to a vTPM key",
			"AzureGuest: vTPM 쿼트와 하드웨어 증거를 보내며, 응답은 vTPM 키로 암호화됩니다"),
		"SevSnpVm": present.T("SevSnpVm: SEV-SNP report only (platform attestation); the answer is a plain JWT",
			"SevSnpVm: SEV-SNP 보고서만 보내며(플랫폼 증명), 응답은 암호화되지 않은 JWT입니다"),
		"TdxVm": present.T("TdxVm: TD quote only (platform attestation); the answer is a plain JWT",
			"TdxVm: TD 쿼트만 보내며(플랫폼 증명), 응답은 암호화되지 않은 JWT입니다"),
	}
})

func endpointSection(v RequestView, api string, req request) present.Section {
	flow, ok := flows()[api]
	if !ok {
		flow = present.T(api, "")
	}
	reason := present.T(v.EndpointReason, v.EndpointReasonKO)
	if reason.EN == "" {
		reason = present.T("not given", "주어지지 않음")
	}
	body := ko(mrow(explain.KindRequest, "body", fmt.Sprintf("%d bytes of JSON", len(req.body))), "", "JSON "+bytesKO(len(req.body)))
	body.Verdict = req.bodyVerdict
	req.bodyDetail.set(&body)
	if req.bodyVerdict == check.Fail {
		body.Hint = present.T("Build the request again from the evidence; never edit the body by hand.",
			"증거로 요청을 다시 만듭니다. 본문을 직접 고치지 않습니다.")
	}
	body = withChecks(body, v.Checks, "maa.request")
	if req.bodyVerdict == check.Fail {
		body.Verdict = check.Fail
	}
	return present.Section{ID: "endpoint", Title: present.T("Where the request goes", "요청을 보낼 곳"), Kind: present.Fields,
		Rows: []present.Row{
			ko(mrow(explain.KindRequest, "flow", flow.EN), "", flow.KO),
			mrow(explain.KindRequest, "provider", v.Endpoint),
			withChecks(ko(mrow(explain.KindRequest, "chosen by", reason.EN), "", reason.KO), v.Checks, "maa.endpoint"),
			mrow(explain.KindRequest, "path", v.Path),
			body,
		}}
}

func isolationSection(v RequestView, req request) present.Section {
	sec := present.Section{ID: "isolation", Title: present.T("Hardware evidence (IsolationInfo)", "하드웨어 증거 (IsolationInfo)"), Kind: present.Fields}
	typ := req.isoType
	if typ == "" {
		return sec
	}
	sec.Rows = append(sec.Rows, mrow(explain.KindRequest, "IsolationInfo.Type", typ))
	switch typ {
	case "TrustedLaunch":
		sec.Rows = append(sec.Rows, ko(mrow(explain.KindRequest, "TrustedLaunch", "no hardware report: MAA checks the vTPM only"),
			"", "하드웨어 보고서 없음: MAA는 vTPM만 검사합니다"))
	case "SevSnp":
		sec.Rows = append(sec.Rows, snpReportRow(v, req.snpReport))
		sec.Rows = append(sec.Rows, chainRows(v, req.chain)...)
	case "Tdx":
		sec.Rows = append(sec.Rows, quoteRows(v, req.quote)...)
	}
	if typ != "TrustedLaunch" {
		val, valKO := "missing", "없음"
		if len(req.runtime) > 0 {
			val = fmt.Sprintf("%d bytes of runtime claims JSON (hashed into REPORT_DATA)", len(req.runtime))
			valKO = fmt.Sprintf("런타임 클레임 JSON %s (해시가 REPORT_DATA에 들어감)", bytesKO(len(req.runtime)))
			if rc, err := hcl.ParseRuntimeClaims(req.runtime); err == nil && rc.VMConfig.VMUniqueID != "" {
				val += ", vmUniqueId " + rc.VMConfig.VMUniqueID
				valKO += ", vmUniqueId " + rc.VMConfig.VMUniqueID
			}
		}
		sec.Rows = append(sec.Rows, ko(mrow(explain.KindRequest, "RunTimeData", val), "", valKO))
	}
	return sec
}

func snpReportRow(v RequestView, raw []byte) present.Row {
	row := ko(mrow(explain.KindRequest, "SnpReport", "missing"), "", "없음")
	if len(raw) > 0 {
		rep, err := snp.Parse(raw)
		if err != nil {
			row.Value, row.ValueKO = unreadable(len(raw), err)
			row.Verdict = check.Fail
			_, row.Hint = explain.Check("snp.parse")
			return row
		}
		row.Value = fmt.Sprintf("%d bytes, version %d, VMPL %d, signed by the %v; REPORT_DATA %s",
			len(raw), rep.Version(), rep.VMPL(), rep.SigningKey(), shortHex(rep.ReportData()))
		row.ValueKO = fmt.Sprintf("%s, 버전 %d, VMPL %d, %v 서명; REPORT_DATA %s",
			bytesKO(len(raw)), rep.Version(), rep.VMPL(), rep.SigningKey(), shortHex(rep.ReportData()))
		row.Copy = fmt.Sprintf("%x", raw)
	}
	return withChecks(row, v.Checks, "snp.signature")
}

// chainRows shows each certificate of the VCEK chain with its role.
func chainRows(v RequestView, chain string) []present.Row {
	head := ko(mrow(explain.KindRequest, "VcekCertChain", "missing: MAA cannot verify the report without it"),
		"", "없음: 이 체인이 없으면 MAA가 보고서를 검증할 수 없습니다")
	if chain == "" {
		head.Verdict = check.Fail
		_, head.Hint = explain.Check("imds.thim")
		return []present.Row{head}
	}
	certs, err := evidence.ParseCertificates([]byte(chain))
	if err != nil {
		head.Value, head.ValueKO = unreadable(len(chain), err)
		head.Verdict = check.Fail
		_, head.Hint = explain.Check("certs.parse")
		return []present.Row{head}
	}
	head.Value = fmt.Sprintf("%d certificate%s, %d bytes of PEM", len(certs), plural(len(certs)), len(chain))
	head.ValueKO = fmt.Sprintf("인증서 %d개, PEM %s", len(certs), bytesKO(len(chain)))
	head.Copy = chain
	rows := []present.Row{withChecks(head, v.Checks, "snp.chain")}
	for i, c := range certs {
		role := certRole(c)
		row := mrow(explain.KindRequest, role, certLine(c))
		row.Key = fmt.Sprintf("VcekCertChain[%d] %s", i, role)
		row.ValueKO = certLineKO(c)
		if role == "certificate" {
			row.KeyKO = fmt.Sprintf("VcekCertChain[%d] 인증서", i)
		}
		var l lines
		l.add("subject "+c.Subject.String(), "주체 "+c.Subject.String())
		l.add("issuer "+c.Issuer.String(), "발급자 "+c.Issuer.String())
		l.add("serial "+c.SerialNumber.Text(16), "일련번호 "+c.SerialNumber.Text(16))
		l.set(&row)
		rows = append(rows, row)
	}
	return rows
}

func certRole(c *x509.Certificate) string {
	switch cn := c.Subject.CommonName; {
	case cn == "SEV-VCEK" || cn == "SEV-VLEK":
		return "VCEK"
	case cn == c.Issuer.CommonName:
		return "ARK"
	case strings.HasPrefix(cn, "SEV-"):
		return "ASK"
	}
	return "certificate"
}

func certLine(c *x509.Certificate) string {
	s := fmt.Sprintf("%s, issued by %s, valid %s to %s", c.Subject.CommonName, c.Issuer.CommonName,
		c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
	if isSimulated(c) {
		s += " (SIMULATED test certificate)"
	}
	return s
}

// certLineKO is certLine in Korean.
func certLineKO(c *x509.Certificate) string {
	s := fmt.Sprintf("%s, 발급자 %s, %s부터 %s까지 유효", nameKO(c.Subject.CommonName), nameKO(c.Issuer.CommonName),
		c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
	if isSimulated(c) {
		s += " (시뮬레이션 테스트 인증서)"
	}
	return s
}

// unreadable describes n bytes that did not parse, in both languages; the Korean uses the
// error's own Korean where it has some.
func unreadable(n int, err error) (en, ko string) {
	return fmt.Sprintf("%d bytes, unreadable: %v", n, err), fmt.Sprintf("%s, 읽을 수 없음: %s", bytesKO(n), errKO(err))
}

func quoteRows(v RequestView, raw []byte) []present.Row {
	head := ko(mrow(explain.KindRequest, "TD quote", "missing: get it from IMDS /acc/tdquote"), "TD 쿼트", "없음: IMDS /acc/tdquote에서 받습니다")
	if len(raw) == 0 {
		head.Verdict = check.Fail
		_, head.Hint = explain.Check("imds.tdquote")
		return []present.Row{head}
	}
	q, err := tdx.ParseQuote(raw)
	if err != nil {
		head.Value, head.ValueKO = unreadable(len(raw), err)
		head.Verdict = check.Fail
		_, head.Hint = explain.Check("tdx.parse")
		return []present.Row{head}
	}
	head.Value = fmt.Sprintf("%d bytes, FMSPC %s", len(q.Raw), q.FMSPC())
	head.ValueKO = fmt.Sprintf("%s, FMSPC %s", bytesKO(len(q.Raw)), q.FMSPC())
	head.Copy = fmt.Sprintf("%x", raw)
	pck := q.PCK.Subject.CommonName + ", issued by " + q.PCK.Issuer.CommonName
	pckKO := nameKO(q.PCK.Subject.CommonName) + ", 발급자 " + nameKO(q.PCK.Issuer.CommonName)
	if isSimulated(q.Root) {
		pck += " (SIMULATED test certificate)"
		pckKO += " (시뮬레이션 테스트 인증서)"
	}
	akType := q.Proto.GetHeader().GetAttestationKeyType()
	return []present.Row{
		withChecks(head, v.Checks, "tdx.quote.signature", "imds.tdquote"),
		mrow(explain.KindRequest, "quote.version", strconv.Itoa(int(q.Proto.GetHeader().GetVersion()))),
		ko(mrow(explain.KindRequest, "quote.signature", fmt.Sprintf("attestation key type %d (ECDSA-256 with P-256)", akType)),
			"", fmt.Sprintf("증명 키 유형 %d (P-256 곡선의 ECDSA-256)", akType)),
		withChecks(ko(mrow(explain.KindRequest, "quote.pck", pck), "", pckKO), v.Checks, "tdx.quote.signature"),
		withChecks(mrow(explain.KindRequest, "quote.mr_td", fmt.Sprintf("%x", q.MRTD())), v.Checks, "tdx.mrtd-endorsed"),
	}
}

func payloadSection(req request) present.Section {
	sec := present.Section{ID: "payload", Title: present.T("Client payload (nonce)", "클라이언트 페이로드 (논스)"), Kind: present.Fields}
	switch {
	case req.info != nil:
		if len(req.info.ClientPayload) == 0 {
			sec.Rows = append(sec.Rows, ko(mrow(explain.KindRequest, "ClientPayload", "{}: no nonce; freshness rests on the PCR-bound key alone"),
				"", "{}: 논스 없음. 요청이 새것임은 PCR에 묶인 키에만 기댑니다"))
			return sec
		}
		keys := make([]string, 0, len(req.info.ClientPayload))
		for k := range req.info.ClientPayload {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			enc := req.info.ClientPayload[k]
			val, valKO := fmt.Sprintf("sent as %q", enc), fmt.Sprintf("보낸 값 %q", enc)
			if dec, err := hcl.DecodeB64(enc); err == nil {
				val = fmt.Sprintf("%q, sent base64 as %q", dec, enc)
				valKO = fmt.Sprintf("%q (base64로 보낸 값 %q)", dec, enc)
			}
			name := "ClientPayload." + k
			row := ko(mrow(explain.KindRequest, name, val), "", valKO)
			if row.Explain.Empty() {
				row.Explain = explain.Field(explain.KindRequest, "ClientPayload.*")
			}
			sec.Rows = append(sec.Rows, row)
		}
	case req.isoType != "":
		row := mrow(explain.KindRequest, "nonce", req.nonce)
		if req.nonce == "" {
			row = ko(mrow(explain.KindRequest, "nonce", "none; freshness rests on user-data in the runtime claims"),
				"", "없음: 요청이 새것임은 런타임 클레임의 user-data에 기댑니다")
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

func osSection(req request) present.Section {
	wi := req.info
	dec := func(s string) string {
		if b, err := hcl.DecodeB64(s); err == nil {
			return string(b)
		}
		return s
	}
	num := func(raw json.RawMessage) string { return strings.Trim(string(raw), `"`) }
	return present.Section{ID: "os", Title: present.T("Guest OS (reported, not verified)", "게스트 OS (보고값, 검증 안 됨)"), Kind: present.Fields,
		Rows: []present.Row{
			mrow(explain.KindRequest, "AttestationProtocolVersion", wi.AttestationProtocolVersion),
			mrow(explain.KindRequest, "OSType", dec(wi.OSType)),
			mrow(explain.KindRequest, "OSDistro", dec(wi.OSDistro)),
			mrow(explain.KindRequest, "OSVersionMajor", num(wi.OSVersionMajor)),
			mrow(explain.KindRequest, "OSVersionMinor", num(wi.OSVersionMinor)),
			mrow(explain.KindRequest, "OSBuild", dec(wi.OSBuild)),
		}}
}
