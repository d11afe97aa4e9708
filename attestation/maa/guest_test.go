package maa

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
)

// realTPM builds TpmInfo from a real Azure vTPM quote; the AK and ephemeral-key fields are
// not in the samples, so they carry recognisable bytes to follow through the encoding.
func realTPM(t *testing.T, prefix string) TPMInfo {
	pcrs := readReal(t, prefix+".pcrs-sha256.bin")
	m := map[int][]byte{}
	for i := 0; i < 24; i++ {
		m[i] = pcrs[32*i : 32*i+32]
	}
	return TPMInfo{
		AikCert: []byte("\x30\x82ak-cert-der"), AikPub: []byte("\x01\x18\x00\x01ak-pub"),
		PcrQuote: readReal(t, prefix+".msg.bin"), PcrSignature: readReal(t, prefix+".sig.bin"),
		PcrSet: []int{7, 6, 5, 4, 3, 2, 1, 0}, PCRs: m,
		EncKeyPub: []byte("\x01\x16\x00\x01enc-pub"), EncKeyCertifyInfo: []byte("\xffTCGcertify"), EncKeyCertifyInfoSignature: bytes.Repeat([]byte{0xab}, 256),
	}
}

// decodeGuest undoes BuildGuest's outer layers strictly and returns the AttestationInfo.
func decodeGuest(t *testing.T, body, info []byte) map[string]json.RawMessage {
	t.Helper()
	var outer map[string]string
	if err := json.Unmarshal(body, &outer); err != nil || len(outer) != 1 {
		t.Fatalf("body must be {\"AttestationInfo\":…}: %s", body)
	}
	inner := mustRawURL(t, "AttestationInfo", outer["AttestationInfo"])
	if !bytes.Equal(inner, info) {
		t.Fatal("the info returned differs from the one sent")
	}
	var ai map[string]json.RawMessage
	if err := json.Unmarshal(inner, &ai); err != nil {
		t.Fatal(err)
	}
	want := []string{"AttestationProtocolVersion", "ClientPayload", "IsolationInfo", "OSBuild", "OSDistro", "OSType",
		"OSVersionMajor", "OSVersionMinor", "TcgLogs", "TpmInfo"}
	if got := keysOf(t, inner); !equalSorted(got, want) {
		t.Errorf("AttestationInfo keys %v, want %v", got, want)
	}
	return ai
}

func equalSorted(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func str(t *testing.T, raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a string", raw)
	}
	return s
}

func TestBuildGuestSevSnpReal(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain := string(readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	tpm := realTPM(t, "azsnp-tpmquote-trustee-911b0ef8")
	tpm.PcrSet = []int{7, 6, 5, 4, 3, 2, 1, 0}
	logs := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	req := GuestRequest{
		TPM:       tpm,
		Isolation: SevSnp{SnpReport: rep.SNPReport(), VcekCertChain: chain, RuntimeData: rep.Claims},
		OS:        OSInfoFromOSRelease([]byte("NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n")),
		TcgLogs:   logs, ClientPayload: map[string]string{"nonce": "1234"},
	}
	body, info, err := BuildGuest(req)
	if err != nil {
		t.Fatal(err)
	}
	ai := decodeGuest(t, body, info)
	if str(t, ai["AttestationProtocolVersion"]) != "2.0" {
		t.Error("AttestationProtocolVersion")
	}
	for k, want := range map[string]string{"OSType": "Linux", "OSDistro": "Ubuntu", "OSBuild": "NotApplication"} {
		if got := string(mustStd(t, k, str(t, ai[k]))); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if string(ai["OSVersionMajor"]) != "22" || string(ai["OSVersionMinor"]) != "4" {
		t.Errorf("versions must be JSON integers: %s %s", ai["OSVersionMajor"], ai["OSVersionMinor"])
	}
	if !bytes.Equal(mustStd(t, "TcgLogs", str(t, ai["TcgLogs"])), logs) {
		t.Error("TcgLogs")
	}
	var payload map[string]string
	json.Unmarshal(ai["ClientPayload"], &payload)
	if payload["nonce"] != "MTIzNA==" {
		t.Errorf("ClientPayload nonce %q, want MTIzNA== (b64 of 1234, as MAA echoes it)", payload["nonce"])
	}

	var ti map[string]json.RawMessage
	json.Unmarshal(ai["TpmInfo"], &ti)
	wantTPM := []string{"AikCert", "AikPub", "PcrQuote", "PcrSignature", "PcrSet", "PCRs", "EncKeyPub", "EncKeyCertifyInfo", "EncKeyCertifyInfoSignature"}
	if got := keysOf(t, ai["TpmInfo"]); !equalSorted(got, wantTPM) {
		t.Errorf("TpmInfo keys %v, want %v", got, wantTPM)
	}
	for k, want := range map[string][]byte{"AikCert": tpm.AikCert, "AikPub": tpm.AikPub, "PcrQuote": tpm.PcrQuote, "PcrSignature": tpm.PcrSignature,
		"EncKeyPub": tpm.EncKeyPub, "EncKeyCertifyInfo": tpm.EncKeyCertifyInfo, "EncKeyCertifyInfoSignature": tpm.EncKeyCertifyInfoSignature} {
		if !bytes.Equal(mustStd(t, k, str(t, ti[k])), want) {
			t.Errorf("TpmInfo.%s does not round-trip", k)
		}
	}
	if string(ti["PcrSet"]) != "[0,1,2,3,4,5,6,7]" {
		t.Errorf("PcrSet %s, want ascending [0..7]", ti["PcrSet"])
	}
	var pcrs []map[string]json.RawMessage
	json.Unmarshal(ti["PCRs"], &pcrs)
	if len(pcrs) != 8 {
		t.Fatalf("%d PCR entries", len(pcrs))
	}
	for i, p := range pcrs {
		if !equalSorted(keysOf(t, mustJSON(p)), []string{"Index", "Digest"}) || string(p["Index"]) != string(rune('0'+i)) ||
			!bytes.Equal(mustStd(t, "Digest", str(t, p["Digest"])), tpm.PCRs[i]) {
			t.Errorf("PCRs[%d] = %v", i, p)
		}
	}

	var iso struct {
		Type     string
		Evidence map[string]string
	}
	json.Unmarshal(ai["IsolationInfo"], &iso)
	if iso.Type != "SevSnp" || len(iso.Evidence) != 2 {
		t.Fatalf("IsolationInfo %+v", iso)
	}
	if !bytes.Equal(mustRawURL(t, "RunTimeData", iso.Evidence["RunTimeData"]), rep.Claims) {
		t.Error("RunTimeData must be the runtime claims exactly as stored")
	}
	proof := mustRawURL(t, "Proof", iso.Evidence["Proof"])
	var p map[string]string
	if err := json.Unmarshal(proof, &p); err != nil || len(p) != 2 {
		t.Fatalf("Proof JSON %s", proof)
	}
	if !bytes.Equal(mustRawURL(t, "SnpReport", p["SnpReport"]), rep.SNPReport()) || string(mustRawURL(t, "VcekCertChain", p["VcekCertChain"])) != chain {
		t.Error("Proof does not carry the report and chain")
	}
	// The real report binds these claims: what MAA will check, we can check too.
	sum := sha256.Sum256(rep.Claims)
	if !bytes.Equal(rep.ReportData()[:32], sum[:]) {
		t.Error("sample's REPORT_DATA does not bind its runtime claims")
	}
}

func mustJSON(v any) json.RawMessage { b, _ := json.Marshal(v); return b }

func TestBuildGuestTdxReal(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, "aztdx-hcl-trustee-6332533d.bin"))
	if err != nil {
		t.Fatal(err)
	}
	quote := readReal(t, "aztdx-tdquote-trustee-6332533d.bin")
	body, info, err := BuildGuest(GuestRequest{TPM: realTPM(t, "aztdx-tpmquote-trustee-6332533d"),
		Isolation: Tdx{Quote: quote, RuntimeData: rep.Claims}, OS: OSInfoFromOSRelease(nil)})
	if err != nil {
		t.Fatal(err)
	}
	ai := decodeGuest(t, body, info)
	var iso struct {
		Type     string
		Evidence map[string]string
	}
	json.Unmarshal(ai["IsolationInfo"], &iso)
	if iso.Type != "Tdx" || !bytes.Equal(mustStd(t, "Proof", iso.Evidence["Proof"]), quote) ||
		!bytes.Equal(mustStd(t, "RunTimeData", iso.Evidence["RunTimeData"]), rep.Claims) {
		t.Errorf("TDX evidence must be standard base64 of quote and claims; got type %q", iso.Type)
	}
	if string(ai["ClientPayload"]) != "{}" || string(ai["TcgLogs"]) != `""` {
		t.Errorf("empty payload and log must be {} and \"\", got %s and %s", ai["ClientPayload"], ai["TcgLogs"])
	}
}

func TestBuildGuestTrustedLaunch(t *testing.T) {
	_, info, err := BuildGuest(GuestRequest{TPM: realTPM(t, "azvtpm-quote-kinvolk-2024"), Isolation: TrustedLaunch{}, OS: OSInfo{"Windows", "Microsoft", 10, 0, "NotApplicable"}})
	if err != nil {
		t.Fatal(err)
	}
	var ai struct{ IsolationInfo json.RawMessage }
	json.Unmarshal(info, &ai)
	if string(ai.IsolationInfo) != `{"Type":"TrustedLaunch"}` {
		t.Errorf("IsolationInfo %s, want {\"Type\":\"TrustedLaunch\"} without Evidence", ai.IsolationInfo)
	}
}

func TestBuildGuestRefusesIncompleteEvidence(t *testing.T) {
	good := func() GuestRequest {
		return GuestRequest{TPM: realTPM(t, "azvtpm-quote-kinvolk-2024"), Isolation: TrustedLaunch{}, OS: OSInfoFromOSRelease(nil)}
	}
	for name, tc := range map[string]struct {
		mut  func(*GuestRequest)
		want string
	}{
		"no AK cert":   {func(r *GuestRequest) { r.TPM.AikCert = nil }, "TpmInfo.AikCert is empty"},
		"no enc key":   {func(r *GuestRequest) { r.TPM.EncKeyPub = nil }, "TpmInfo.EncKeyPub is empty"},
		"no PCR set":   {func(r *GuestRequest) { r.TPM.PcrSet = nil }, "PcrSet is empty"},
		"twice":        {func(r *GuestRequest) { r.TPM.PcrSet = []int{1, 1} }, "PCR 1 twice"},
		"short PCR":    {func(r *GuestRequest) { r.TPM.PCRs[3] = []byte{1} }, "PCRs[3] is 1 bytes"},
		"no isolation": {func(r *GuestRequest) { r.Isolation = nil }, "IsolationInfo is missing"},
		"os major 0":   {func(r *GuestRequest) { r.OS.VersionMajor = 0 }, "OSVersionMajor is 0"},
		"snp size": {func(r *GuestRequest) {
			r.Isolation = SevSnp{SnpReport: make([]byte, 100), VcekCertChain: "x", RuntimeData: []byte("{}")}
		}, "SnpReport is 100 bytes"},
		"snp chain": {func(r *GuestRequest) {
			r.Isolation = SevSnp{SnpReport: make([]byte, SNPReportSize), RuntimeData: []byte("{}")}
		}, "VcekCertChain is empty"},
		"tdx quote": {func(r *GuestRequest) { r.Isolation = Tdx{RuntimeData: []byte("{}")} }, "TD quote is empty"},
	} {
		r := good()
		tc.mut(&r)
		if _, _, err := BuildGuest(r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
}

func TestBuildPlatform(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain := string(readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	body, err := BuildSevSnpVm(rep.SNPReport(), chain, rep.Claims, "n-42")
	if err != nil {
		t.Fatal(err)
	}
	var snp struct {
		Report      string            `json:"report"`
		RuntimeData map[string]string `json:"runtimeData"`
		Nonce       string            `json:"nonce"`
	}
	json.Unmarshal(body, &snp)
	if !equalSorted(keysOf(t, body), []string{"report", "runtimeData", "nonce"}) || snp.Nonce != "n-42" || snp.RuntimeData["dataType"] != "JSON" ||
		!bytes.Equal(mustRawURL(t, "runtimeData.data", snp.RuntimeData["data"]), rep.Claims) {
		t.Errorf("SevSnpVm body %s", body)
	}
	var proof map[string]string
	json.Unmarshal(mustRawURL(t, "report", snp.Report), &proof)
	if !bytes.Equal(mustRawURL(t, "SnpReport", proof["SnpReport"]), rep.SNPReport()) || string(mustRawURL(t, "VcekCertChain", proof["VcekCertChain"])) != chain {
		t.Error("SevSnpVm report bundle")
	}

	quote := readReal(t, "aztdx-tdquote-trustee-6332533d.bin")
	body, err = BuildTdxVm(quote, []byte(`{"keys":[]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	var tdx map[string]json.RawMessage
	json.Unmarshal(body, &tdx)
	if !equalSorted(keysOf(t, body), []string{"quote", "runtimeData"}) || !bytes.Equal(mustRawURL(t, "quote", str(t, tdx["quote"])), quote) {
		t.Errorf("TdxVm body keys %v (an empty nonce is omitted)", keysOf(t, body))
	}
	if _, err := BuildTdxVm(nil, []byte("{}"), ""); err == nil || !strings.Contains(err.Error(), "/acc/tdquote") {
		t.Errorf("empty quote: %v", err)
	}
	if _, err := BuildSevSnpVm(rep.SNPReport(), chain, nil, ""); err == nil || !strings.Contains(err.Error(), "RunTimeData is empty") {
		t.Errorf("empty runtime: %v", err)
	}
}

func TestParsePlatformResponse(t *testing.T) {
	jwt := strings.TrimSpace(string(readReal(t, "maa-sgx-sharedeus-teaclave-2023.jwt")))
	for _, body := range []string{`{"token":"` + jwt + `"}`, jwt, "\n" + jwt + "\n"} {
		if got, err := ParsePlatformResponse([]byte(body)); err != nil || got != jwt {
			t.Errorf("got %.20q, %v", got, err)
		}
	}
	for body, want := range map[string]string{"": "empty", "{}": "no \"token\"", "{bad": "not valid JSON", "abc": "not a compact JWT",
		`{"token":"` + base64.RawURLEncoding.EncodeToString([]byte("{}")) + `"}`: "not a compact JWT"} {
		if _, err := ParsePlatformResponse([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
}
