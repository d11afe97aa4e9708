package pages_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"regexp"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/tdx"
)

// englishWords are the words the Build request page writes in its English values and
// labels; none may reach a Korean reader. Names (TPMS_ATTEST, vmUniqueId, certificate
// subjects) are not among them.
var englishWords = regexp.MustCompile(`\b(bytes|missing|of|by|the|issued|valid|to|certificates?|attestation key|values?|sent|with|none|unreadable|empty|answer|encrypted|only|not given|certified name|chosen by|body|path|flow|policy|quote|certify|resets|restarts|safe)\b`)

// identifiers are dotted, snake and bracketed names (quote.version, VcekCertChain[0]),
// which stay as they are.
var identifiers = regexp.MustCompile(`\S*[._\[]\S*`)

// requireKoreanRows fails on any key or value of the page's own rows that reads English in
// Korean. The checks section is left out: its rows are the checks' own words.
func requireKoreanRows(t *testing.T, p present.Page) {
	t.Helper()
	for _, s := range p.Sections {
		if s.ID == "checks" {
			continue
		}
		for _, r := range s.Rows {
			for what, ko := range map[string]string{"key": r.KeyIn(present.KO), "value": r.ValueIn(present.KO)} {
				if w := englishWords.FindString(identifiers.ReplaceAllString(ko, " ")); w != "" {
					t.Errorf("§%s row %s: Korean %s %q still says %q", s.ID, r.Key, what, ko, w)
				}
			}
		}
	}
}

func TestBuildRequestReadsInKorean(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		t.Run(tee, func(t *testing.T) {
			g := newSimGuest(t, tee, "workshop-nonce")
			v := g.view()
			v.EndpointReasonKO = "시뮬레이션 CVM: 로컬 MAA 에뮬레이터"
			p := pages.BuildRequest(v)
			requireKoreanRows(t, p)
			body := requireRow(t, p, "endpoint", "body")
			if want := "JSON " + itoa(len(g.body)) + "바이트"; body.ValueKO != want || !strings.Contains(body.DetailKO, "아래") {
				t.Errorf("body row in Korean: %q / %q, want %q and the decoding in Korean", body.ValueKO, body.DetailKO, want)
			}
			if r := requireRow(t, p, "endpoint", "chosen by"); r.ValueKO != v.EndpointReasonKO || r.KeyKO == "" {
				t.Errorf("chosen by in Korean: %q %q", r.KeyKO, r.ValueKO)
			}
			if r := requireRow(t, p, "enckey", "policy"); !strings.Contains(r.ValueKO, "= 보낸 PCR 0-7 값에 대한 PolicyPCR") {
				t.Errorf("policy in Korean: %q", r.ValueKO)
			}
			if r := requireRow(t, p, "tpm", "TpmInfo.AikPub"); r.ValueKO != "RSA-2048 증명 키(AK), TPM2B_PUBLIC "+itoa(len(g.s.AKPub))+"바이트" {
				t.Errorf("AK in Korean: %q (English %q)", r.ValueKO, r.Value)
			}
			if r := requireRow(t, p, "tpm", "TpmInfo.PcrQuote"); !strings.Contains(r.DetailKO, "TPM 시계 (clockInfo): ") || !strings.Contains(r.DetailKO, "리셋") {
				t.Errorf("quote fields in Korean: %q", r.DetailKO)
			}
			if tee == "sevsnp" {
				chain := requireRow(t, p, "isolation", "VcekCertChain")
				if want := "인증서 3개, PEM " + itoa(len(g.chain)) + "바이트"; chain.ValueKO != want {
					t.Errorf("chain in Korean %q, want %q", chain.ValueKO, want)
				}
				vcek := requireRow(t, p, "isolation", "VcekCertChain[0] VCEK")
				if !strings.HasPrefix(vcek.DetailKO, "주체 CN=SEV-VCEK") || !strings.Contains(vcek.ValueKO, "발급자 SEV-Milan") {
					t.Errorf("VCEK in Korean: %q / %q", vcek.ValueKO, vcek.DetailKO)
				}
			}
			// English stays as it was.
			if body.Value != itoa(len(g.body))+" bytes of JSON" {
				t.Errorf("English body value %q", body.Value)
			}
		})
	}
}

// Why a body does not decode is said in Korean too, row value and detail alike.
func TestBuildRequestDecodeFailuresInKorean(t *testing.T) {
	g := newSimGuest(t, "sevsnp", "")
	v := g.view()
	var info map[string]any
	json.Unmarshal(g.info, &info)
	info["OSDistro"] = base64.StdEncoding.EncodeToString([]byte("NotWhatWasSent"))
	v.Info, _ = json.Marshal(info)
	body := requireRow(t, pages.BuildRequest(v), "endpoint", "body")
	if !strings.Contains(body.DetailKO, "본문의 AttestationInfo가 표시된 것과 다릅니다") {
		t.Errorf("mismatch detail in Korean: %q", body.DetailKO)
	}

	// A TpmInfo field that is not base64 fails its section with a Korean row.
	info = map[string]any{}
	json.Unmarshal(g.info, &info)
	info["TpmInfo"].(map[string]any)["PcrSignature"] = "not base64!"
	v = g.view()
	v.Info, _ = json.Marshal(info)
	v.Body, v.Guest = nil, nil
	p := pages.BuildRequest(v)
	requireKoreanRows(t, p)
	var found bool
	for _, r := range section(t, p, "tpm").Rows {
		if r.Key == "body" {
			found = strings.Contains(r.ValueKO, "TpmInfo.PcrSignature이(가) base64가 아닙니다")
		}
	}
	if !found {
		t.Errorf("no Korean decode-error row in §tpm: %+v", section(t, p, "tpm").Rows)
	}

	// A platform body without JSON dataType says why in Korean.
	_, r, _ := load(t, "aztdx-hcl-trustee-6332533d.bin", "aztdx-tdquote-trustee-6332533d.bin")
	quote := realdata.Read(t, "aztdx-tdquote-trustee-6332533d.bin")
	raw, err := maa.BuildTdxVm(quote, r.HCL.Claims, "")
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.Replace(string(raw), `"dataType":"JSON"`, `"dataType":"Binary"`, 1))
	p = pages.BuildRequest(pages.RequestView{Flow: "platform", Endpoint: "https://sharedkrc.krc.attest.azure.net", EndpointReason: "-a",
		Path: maa.PathTdxVm, TEE: evidence.TEETDX, Body: raw, TDQuote: quote})
	requireKoreanRows(t, p)
	if d := requireRow(t, p, "endpoint", "body").DetailKO; !strings.Contains(d, `runtimeData.dataType이 "Binary"입니다`) {
		t.Errorf("dataType detail in Korean: %q", d)
	}
}

// The Read report page's decoded values say their words in Korean: the TPM quote's type
// and clock, the SEV-SNP report's TCB, CPUID, firmware build and signature algorithm, the
// runtime keys' key_ops, the chain's quote link; digests and names stay as they are.
func TestReadReportValuesInKorean(t *testing.T) {
	_, r, p := load(t, "azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem",
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin")
	a := r.Attest
	for _, c := range []struct{ sec, key, en, ko string }{
		{"quote", "Type", "0x8018 (quote)", "0x8018 (쿼트)"},
		{"quote", "Clock", fmt.Sprintf("%d ms, resets %d, restarts %d, safe %v", a.Clock, a.ResetCount, a.RestartCount, a.Safe),
			fmt.Sprintf("%dms, 리셋 %d회, 재시작 %d회, 안전 플래그 %v", a.Clock, a.ResetCount, a.RestartCount, a.Safe)},
		{"snp", "signature_algo", "1 (ECDSA P-384 with SHA-384)", "1 (ECDSA P-384, SHA-384)"},
		{"snp", "current_tcb", "", "(부트로더 "},
		{"snp", "current_version", "", " 빌드 "},
		{"claims", "keys[0] HCLAkPub", "", ", 용도(key_ops) 서명, n="},
		{"chain", "TPM quote", "quote signed by an RSA-2048 AK", "RSA-2048 AK가 서명한 쿼트"},
	} {
		row := requireRow(t, p, c.sec, c.key)
		if c.en != "" && row.Value != c.en {
			t.Errorf("§%s %s: English %q, want %q", c.sec, c.key, row.Value, c.en)
		}
		if !strings.Contains(row.ValueKO, c.ko) || englishWords.MatchString(row.ValueKO) {
			t.Errorf("§%s %s: Korean %q, want it to hold %q and no English", c.sec, c.key, row.ValueKO, c.ko)
		}
	}
	// A digest has no Korean of its own: it falls back.
	if row := requireRow(t, p, "snp", "measurement"); row.ValueKO != "" {
		t.Errorf("measurement has a Korean value %q", row.ValueKO)
	}
	if row := requireRow(t, p, "quote", "Magic"); row.KeyKO != "매직 값" || row.ValueIn(present.KO) != row.Value {
		t.Errorf("Magic row %+v", row)
	}
}

// The simulated SEV-SNP report is version 3 and carries its CPUID, in Korean words.
func TestReadReportCPUIDInKorean(t *testing.T) {
	g := newSimGuest(t, "sevsnp", "")
	cpu := requireRow(t, pages.ReadReport(g.s, g.r), "snp", "cpuid_fam_mod_step")
	if !strings.HasPrefix(cpu.ValueKO, "패밀리 0x19, 모델 0x01, 스테핑 0x1") || !strings.HasPrefix(cpu.Value, "family 0x19") {
		t.Errorf("CPUID row %q / %q", cpu.ValueKO, cpu.Value)
	}
}

// The AK certificate's labels come from akcert, and its key is described in Korean.
func TestReadReportAKCertificateInKorean(t *testing.T) {
	g := newSimGuest(t, "trustedlaunch", "")
	p := pages.ReadReport(g.s, g.r)
	if !strings.Contains(p.Summary.KO, "시뮬레이션 Trusted Launch (하드웨어 TEE 없음) 증거") {
		t.Errorf("summary in Korean %q", p.Summary.KO)
	}
	key := requireRow(t, p, "akcert", "Key")
	if key.KeyKO != "키" || !strings.HasPrefix(key.ValueKO, "RSA-2048, e=65537, 모듈러스의 SHA-256 ") ||
		key.ValueKO[strings.LastIndex(key.ValueKO, " ")+1:] != key.Value[strings.LastIndex(key.Value, " ")+1:] {
		t.Errorf("AK certificate key row: %q %q / %q", key.KeyKO, key.ValueKO, key.Value)
	}
	if row := requireRow(t, p, "akcert", "Subject"); row.KeyKO != "주체" {
		t.Errorf("Subject label %q", row.KeyKO)
	}

	// A certificate name of several words is quoted in Korean; the English is unchanged.
	link := requireRow(t, p, "chain", "AK certificate")
	if !strings.Contains(link.ValueKO, `발급자 "cvmscope SIMULATED Virtual TPM CA`) || !strings.Contains(link.Value, "issued by cvmscope SIMULATED") {
		t.Errorf("AK certificate link: %q / %q", link.ValueKO, link.Value)
	}
}

// Every note package tdx writes about a TDREPORT or TD quote field reaches the Korean detail
// in Korean, on the real Azure TDX evidence and on the simulated CVM's; a note tdx adds or
// rewords fails here until it has its Korean.
func TestTDXNotesInKorean(t *testing.T) {
	check := func(t *testing.T, p present.Page, sec string, fields []tdx.Field) {
		t.Helper()
		rows := rowsByKey(section(t, p, sec))
		notes := 0
		for _, f := range fields {
			row, ok := rows[f.Name]
			if !ok {
				t.Errorf("§%s has no row %q", sec, f.Name)
				continue
			}
			if f.Note == "" {
				continue
			}
			notes++
			last := row.DetailKO[strings.LastIndex(row.DetailKO, "\n")+1:]
			if strings.Contains(row.DetailKO, f.Note) || !checktest.HasHangul(last) {
				t.Errorf("§%s %s: note %q has no Korean (detail %q)", sec, f.Name, f.Note, row.DetailKO)
			}
		}
		if notes < 10 {
			t.Errorf("§%s: only %d notes judged", sec, notes)
		}
	}
	t.Run("real", func(t *testing.T) {
		_, r, p := load(t, "aztdx-hcl-trustee-6332533d.bin", "aztdx-tdquote-trustee-6332533d.bin")
		check(t, p, "tdreport", r.TDReport.Fields())
		check(t, p, "tdquote", r.TDQuote.Fields())
		if row := requireRow(t, p, "tdquote", "td_attributes (decoded)"); row.KeyKO != "td_attributes (디코딩)" {
			t.Errorf("decoded attributes row %+v", row)
		}
		if row := requireRow(t, p, "tdquote", "header.att_key_type"); row.ValueKO != "2 (P-256 곡선의 ECDSA-256)" {
			t.Errorf("attestation key type %q", row.ValueKO)
		}
	})
	t.Run("simulated", func(t *testing.T) {
		g := newSimGuest(t, "tdx", "")
		p := pages.ReadReport(g.s, g.r)
		check(t, p, "tdreport", g.r.TDReport.Fields())
		check(t, p, "tdquote", g.r.TDQuote.Fields())
		leaf := requireRow(t, p, "tdquote", "pck.leaf")
		if !strings.Contains(leaf.DetailKO, `발급자 "Intel SGX PCK Platform CA`) {
			t.Errorf("PCK leaf detail %q", leaf.DetailKO)
		}
	})
}
