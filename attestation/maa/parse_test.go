package maa

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-tpm/tpm2"
)

// sameTPM compares every TpmInfo field; PCRs only for the PCR set, which is what is sent.
func sameTPM(t *testing.T, got, want TPMInfo) {
	t.Helper()
	for _, f := range []struct {
		name string
		g, w []byte
	}{{"AikCert", got.AikCert, want.AikCert}, {"AikPub", got.AikPub, want.AikPub}, {"PcrQuote", got.PcrQuote, want.PcrQuote},
		{"PcrSignature", got.PcrSignature, want.PcrSignature}, {"EncKeyPub", got.EncKeyPub, want.EncKeyPub},
		{"EncKeyCertifyInfo", got.EncKeyCertifyInfo, want.EncKeyCertifyInfo},
		{"EncKeyCertifyInfoSignature", got.EncKeyCertifyInfoSignature, want.EncKeyCertifyInfoSignature}} {
		if !bytes.Equal(f.g, f.w) {
			t.Errorf("TpmInfo.%s does not round-trip (%d bytes, want %d)", f.name, len(f.g), len(f.w))
		}
	}
	ws := slices.Sorted(slices.Values(want.PcrSet))
	if !slices.Equal(got.PcrSet, ws) {
		t.Errorf("PcrSet %v, want %v", got.PcrSet, ws)
	}
	for _, i := range ws {
		if !bytes.Equal(got.PCRs[i], want.PCRs[i]) {
			t.Errorf("PCR %d does not round-trip", i)
		}
	}
}

func TestParseGuestRoundTrip(t *testing.T) {
	snpRep, err := hcl.Parse(readReal(t, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	tdxRep, err := hcl.Parse(readReal(t, "aztdx-hcl-trustee-6332533d.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain := string(readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	quote := readReal(t, "aztdx-tdquote-trustee-6332533d.bin")
	logs := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	for name, req := range map[string]GuestRequest{
		"sevsnp": {TPM: realTPM(t, "azsnp-tpmquote-trustee-911b0ef8"), TcgLogs: logs,
			Isolation: SevSnp{SnpReport: snpRep.SNPReport(), VcekCertChain: chain, RuntimeData: snpRep.Claims},
			OS:        OSInfoFromOSRelease([]byte("NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n")), ClientPayload: map[string]string{"nonce": "1234", "app": "workshop ✓"}},
		"tdx": {TPM: realTPM(t, "aztdx-tpmquote-trustee-6332533d"), Isolation: Tdx{Quote: quote, RuntimeData: tdxRep.Claims},
			OS: OSInfoFromOSRelease(nil)},
		"trustedlaunch": {TPM: realTPM(t, "azvtpm-quote-kinvolk-2024"), Isolation: TrustedLaunch{},
			OS: OSInfo{"Windows", "Microsoft", 10, 0, "NotApplicable"}},
	} {
		t.Run(name, func(t *testing.T) {
			body, info, err := BuildGuest(req)
			if err != nil {
				t.Fatal(err)
			}
			rg, err := ParseGuestRequestInfo(body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rg.Info, info) || rg.ProtocolVersion != "2.0" {
				t.Errorf("info or protocol version %q differ", rg.ProtocolVersion)
			}
			got := rg.Request
			sameTPM(t, got.TPM, req.TPM)
			if got.OS != req.OS {
				t.Errorf("OS %+v, want %+v", got.OS, req.OS)
			}
			if !bytes.Equal(got.TcgLogs, req.TcgLogs) {
				t.Error("TcgLogs do not round-trip")
			}
			want := req.ClientPayload
			if want == nil {
				want = map[string]string{}
			}
			if !maps.Equal(got.ClientPayload, want) {
				t.Errorf("ClientPayload %v, want %v", got.ClientPayload, want)
			}
			for k, v := range want {
				var sent string
				if json.Unmarshal(rg.ClientPayload[k], &sent) != nil || sent != base64.StdEncoding.EncodeToString([]byte(v)) {
					t.Errorf("ClientPayload[%s] as sent is %s, want the b64 MAA echoes", k, rg.ClientPayload[k])
				}
			}
			switch w := req.Isolation.(type) {
			case SevSnp:
				g, ok := got.Isolation.(SevSnp)
				if !ok || !bytes.Equal(g.SnpReport, w.SnpReport) || g.VcekCertChain != w.VcekCertChain || !bytes.Equal(g.RuntimeData, w.RuntimeData) {
					t.Errorf("SevSnp isolation does not round-trip: %T", got.Isolation)
				}
			case Tdx:
				g, ok := got.Isolation.(Tdx)
				if !ok || !bytes.Equal(g.Quote, w.Quote) || !bytes.Equal(g.RuntimeData, w.RuntimeData) {
					t.Errorf("Tdx isolation does not round-trip: %T", got.Isolation)
				}
			case TrustedLaunch:
				if _, ok := got.Isolation.(TrustedLaunch); !ok {
					t.Errorf("isolation %T, want TrustedLaunch", got.Isolation)
				}
			}
			// The parsed request builds the same body again.
			again, _, err := BuildGuest(*parseOrFail(t, body))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, body) {
				t.Error("BuildGuest(ParseGuestRequest(body)) differs from body")
			}
		})
	}
}

func parseOrFail(t *testing.T, body []byte) *GuestRequest {
	t.Helper()
	r, err := ParseGuestRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rsaTPM2BPublic is a TPM2B_PUBLIC of an RSA-2048 signing key, as ReadPublic returns it.
func rsaTPM2BPublic() []byte {
	return tpm2.Marshal(tpm2.New2B(tpm2.TPMTPublic{
		Type: tpm2.TPMAlgRSA, NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, UserWithAuth: true, Restricted: true, SignEncrypt: true},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{
			Scheme:  tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgRSASSA, Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgRSASSA, &tpm2.TPMSSigSchemeRSASSA{HashAlg: tpm2.TPMAlgSHA256})},
			KeyBits: 2048}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: testKey.N.Bytes()}),
	}))
}

// tpm2bName appends a TPM2B_NAME (nameAlg ‖ digest) of the public area.
func tpm2bName(pub []byte) []byte {
	d := sha256.Sum256(pub[2:])
	name := append(binary.BigEndian.AppendUint16(nil, uint16(tpm2.TPMAlgSHA256)), d[:]...)
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(name))), name...)
}

// infoJSON builds an AttestationInfo by hand, to write the encodings other clients use.
func infoJSON(t *testing.T, tpm TPMInfo, enc *base64.Encoding, extra map[string]any) []byte {
	t.Helper()
	pcrs := []map[string]any{}
	for _, i := range tpm.PcrSet {
		pcrs = append(pcrs, map[string]any{"Index": i, "Digest": enc.EncodeToString(tpm.PCRs[i])})
	}
	ai := map[string]any{
		"AttestationProtocolVersion": "2.0",
		"OSType":                     enc.EncodeToString([]byte("Linux")),
		"OSDistro":                   enc.EncodeToString([]byte("Ubuntu")),
		"OSVersionMajor":             22,
		"OSVersionMinor":             4,
		"OSBuild":                    enc.EncodeToString([]byte("NotApplication")),
		"TcgLogs":                    "",
		"ClientPayload":              map[string]string{"nonce": enc.EncodeToString([]byte("1234"))},
		"TpmInfo": map[string]any{
			"AikCert": enc.EncodeToString(tpm.AikCert), "AikPub": enc.EncodeToString(tpm.AikPub),
			"PcrQuote": enc.EncodeToString(tpm.PcrQuote), "PcrSignature": enc.EncodeToString(tpm.PcrSignature),
			"PcrSet": tpm.PcrSet, "PCRs": pcrs, "EncKeyPub": enc.EncodeToString(tpm.EncKeyPub),
			"EncKeyCertifyInfo":          enc.EncodeToString(tpm.EncKeyCertifyInfo),
			"EncKeyCertifyInfoSignature": enc.EncodeToString(tpm.EncKeyCertifyInfoSignature),
		},
	}
	maps.Copy(ai, extra)
	b, err := json.Marshal(ai)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func guestBody(info []byte, enc *base64.Encoding) []byte {
	b, _ := json.Marshal(map[string]string{"AttestationInfo": enc.EncodeToString(info)})
	return b
}

// TestParseGuestAZCPP reads the AZ-CPP encoding (protocol §4.2): standard padded base64 for
// Proof, VcekCertChain and RunTimeData; SnpReport stays base64url.
func TestParseGuestAZCPP(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain := readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	tpm := realTPM(t, "azsnp-tpmquote-trustee-911b0ef8")
	tpm.PcrSet = []int{0, 1, 2, 3, 4, 5, 6, 7}
	proof, _ := json.Marshal(map[string]string{"SnpReport": b64url.EncodeToString(rep.SNPReport()), "VcekCertChain": b64.EncodeToString(chain)})
	info := infoJSON(t, tpm, base64.StdEncoding, map[string]any{"IsolationInfo": map[string]any{"Type": "SevSnp",
		"Evidence": map[string]string{"Proof": b64.EncodeToString(proof), "RunTimeData": b64.EncodeToString(rep.Claims)}}})
	for _, outer := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding, base64.URLEncoding} {
		r, err := ParseGuestRequest(guestBody(info, outer))
		if err != nil {
			t.Fatal(err)
		}
		snp, ok := r.Isolation.(SevSnp)
		if !ok || !bytes.Equal(snp.SnpReport, rep.SNPReport()) || snp.VcekCertChain != string(chain) || !bytes.Equal(snp.RuntimeData, rep.Claims) {
			t.Fatalf("AZ-CPP SevSnp evidence misread: %T", r.Isolation)
		}
		sameTPM(t, r.TPM, tpm)
		if r.OS != (OSInfo{"Linux", "Ubuntu", 22, 4, "NotApplication"}) || r.ClientPayload["nonce"] != "1234" {
			t.Errorf("OS %+v payload %v", r.OS, r.ClientPayload)
		}
	}
}

// TestParseGuestAZPY reads the Python tool's encoding: every layer base64url, versions as
// strings, ClientPayload unencoded (even nested), AikPub as the whole ReadPublic answer.
func TestParseGuestAZPY(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain := readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem")
	tpm := realTPM(t, "azsnp-tpmquote-trustee-911b0ef8")
	tpm.PcrSet = []int{0, 1, 2, 3, 4, 5, 6, 7}
	akPub := rsaTPM2BPublic()
	sent := tpm
	sent.AikPub = append(append(slices.Clone(akPub), tpm2bName(akPub)...), tpm2bName(akPub)...)
	proof, _ := json.Marshal(map[string]string{"SnpReport": b64url.EncodeToString(rep.SNPReport()), "VcekCertChain": b64url.EncodeToString(chain)})
	info := infoJSON(t, sent, base64.RawURLEncoding, map[string]any{
		"OSVersionMajor": "22", "OSVersionMinor": "4",
		"ClientPayload": map[string]any{"user-claims": map[string]string{"nonce": "abc"}, "plain": "not base64!"},
		"IsolationInfo": map[string]any{"Type": "SevSnp",
			"Evidence": map[string]string{"Proof": b64url.EncodeToString(proof), "RunTimeData": b64url.EncodeToString(rep.Claims)}}})
	rg, err := ParseGuestRequestInfo(guestBody(info, base64.RawURLEncoding))
	if err != nil {
		t.Fatal(err)
	}
	r := rg.Request
	if !bytes.Equal(r.TPM.AikPub, akPub) {
		t.Errorf("AikPub is %d bytes; the ReadPublic answer must be cut to its %d-byte TPM2B_PUBLIC", len(r.TPM.AikPub), len(akPub))
	}
	if r.OS.VersionMajor != 22 || r.OS.VersionMinor != 4 {
		t.Errorf("string versions read as %d.%d", r.OS.VersionMajor, r.OS.VersionMinor)
	}
	if got := string(rg.ClientPayload["user-claims"]); got != `{"nonce":"abc"}` {
		t.Errorf("unencoded payload kept as %s", got)
	}
	if r.ClientPayload["plain"] != "not base64!" || r.ClientPayload["user-claims"] != `{"nonce":"abc"}` {
		t.Errorf("decoded payload %v", r.ClientPayload)
	}
	if snp, ok := r.Isolation.(SevSnp); !ok || snp.VcekCertChain != string(chain) || !bytes.Equal(snp.RuntimeData, rep.Claims) {
		t.Error("AZ-PY SevSnp evidence misread")
	}
}

func TestParseGuestLenientForms(t *testing.T) {
	tpm := realTPM(t, "azvtpm-quote-kinvolk-2024")
	tpm.PcrSet = []int{0, 1, 2, 3, 4, 5, 6, 7}
	quoteWithSize := append(binary.BigEndian.AppendUint16(nil, uint16(len(tpm.PcrQuote))), tpm.PcrQuote...)
	sent := tpm
	sent.PcrQuote = quoteWithSize
	info := infoJSON(t, sent, base64.StdEncoding, map[string]any{
		// EL-GO's literal words instead of base64 (protocol §4.2).
		"OSType": "Edgeless", "OSDistro": "Edgeless!", "OSVersionMajor": 0, "OSVersionMinor": 0,
		"IsolationInfo":              map[string]string{"type": "trustedlaunch"},
		"AttestationProtocolVersion": 2.0,
	})
	rg, err := ParseGuestRequestInfo(guestBody(info, base64.RawURLEncoding))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rg.Request.TPM.PcrQuote, tpm.PcrQuote) {
		t.Error("a PcrQuote sent with its TPM2B size must lose the size")
	}
	if rg.Request.OS.Distro != "Edgeless!" {
		t.Errorf("text that is not base64 must stay as sent, got %q", rg.Request.OS.Distro)
	}
	if _, ok := rg.Request.Isolation.(TrustedLaunch); !ok || rg.ProtocolVersion != "2" {
		t.Errorf("isolation %T version %q", rg.Request.Isolation, rg.ProtocolVersion)
	}
	// The AttestationInfo object itself instead of its base64.
	var obj map[string]json.RawMessage
	json.Unmarshal(info, &obj)
	body, _ := json.Marshal(map[string]any{"AttestationInfo": obj})
	if _, err := ParseGuestRequest(body); err != nil {
		t.Errorf("unencoded AttestationInfo object: %v", err)
	}
}

func TestParseGuestErrorsNameTheField(t *testing.T) {
	tpm := realTPM(t, "azvtpm-quote-kinvolk-2024")
	tpm.PcrSet = []int{0, 1, 2, 3, 4, 5, 6, 7}
	good := func() map[string]any {
		var m map[string]any
		json.Unmarshal(infoJSON(t, tpm, base64.StdEncoding, map[string]any{"IsolationInfo": map[string]string{"Type": "TrustedLaunch"}}), &m)
		return m
	}
	tpmInfo := func(m map[string]any) map[string]any { return m["TpmInfo"].(map[string]any) }
	for name, tc := range map[string]struct {
		mut  func(m map[string]any)
		want string
	}{
		"no AikCert":       {func(m map[string]any) { delete(tpmInfo(m), "AikCert") }, "TpmInfo.AikCert is missing"},
		"bad PcrQuote":     {func(m map[string]any) { tpmInfo(m)["PcrQuote"] = "!!!" }, "TpmInfo.PcrQuote is not base64"},
		"mixed alphabets":  {func(m map[string]any) { tpmInfo(m)["EncKeyPub"] = "ab+c-d" }, "TpmInfo.EncKeyPub is not base64"},
		"number AikPub":    {func(m map[string]any) { tpmInfo(m)["AikPub"] = 12 }, "TpmInfo.AikPub is not a JSON string"},
		"PcrSet string":    {func(m map[string]any) { tpmInfo(m)["PcrSet"] = "0-7" }, "TpmInfo.PcrSet is not a JSON array"},
		"PcrSet range":     {func(m map[string]any) { tpmInfo(m)["PcrSet"] = []int{0, 24} }, "PcrSet[1] is 24"},
		"PcrSet twice":     {func(m map[string]any) { tpmInfo(m)["PcrSet"] = []int{3, 3} }, "lists PCR 3 twice"},
		"PCR missing":      {func(m map[string]any) { tpmInfo(m)["PcrSet"] = []int{0, 9} }, "no value for PCR 9"},
		"short digest":     {func(m map[string]any) { tpmInfo(m)["PCRs"] = []map[string]any{{"Index": 0, "Digest": "AAAA"}} }, "PCRs[0].Digest (PCR 0) is 3 bytes"},
		"index text":       {func(m map[string]any) { tpmInfo(m)["PCRs"] = []map[string]any{{"Index": "x", "Digest": ""}} }, "PCRs[0].Index is the string"},
		"major float":      {func(m map[string]any) { m["OSVersionMajor"] = 22.5 }, "OSVersionMajor is 22.5"},
		"payload array":    {func(m map[string]any) { m["ClientPayload"] = []int{1} }, "ClientPayload is not a JSON object"},
		"no isolation":     {func(m map[string]any) { delete(m, "IsolationInfo") }, "IsolationInfo is missing"},
		"VBS":              {func(m map[string]any) { m["IsolationInfo"] = map[string]string{"Type": "VBS"} }, `IsolationInfo.Type is "VBS"`},
		"snp no evidence":  {func(m map[string]any) { m["IsolationInfo"] = map[string]string{"Type": "SevSnp"} }, "IsolationInfo.Evidence is missing"},
		"snp proof":        {func(m map[string]any) { m["IsolationInfo"] = iso("SevSnp", "AAAA", "e30") }, "Evidence.Proof is 3 bytes"},
		"snp report size":  {func(m map[string]any) { m["IsolationInfo"] = iso("SevSnp", proofOf(10, "x"), "e30") }, "Proof.SnpReport is 10 bytes"},
		"snp no chain":     {func(m map[string]any) { m["IsolationInfo"] = iso("SevSnp", proofOf(SNPReportSize, ""), "e30") }, "VcekCertChain is missing"},
		"tdx no runtime":   {func(m map[string]any) { m["IsolationInfo"] = iso("Tdx", "AAAA", "") }, "Evidence.RunTimeData is missing"},
		"no TpmInfo":       {func(m map[string]any) { delete(m, "TpmInfo") }, "TpmInfo is missing"},
		"TpmInfo is array": {func(m map[string]any) { m["TpmInfo"] = []int{} }, "TpmInfo is not a JSON object"},
	} {
		m := good()
		tc.mut(m)
		info, _ := json.Marshal(m)
		_, err := ParseGuestRequest(guestBody(info, base64.RawURLEncoding))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
	for body, want := range map[string]string{
		"":                           "not a JSON object",
		"[]":                         "not a JSON object",
		`{}`:                         "no AttestationInfo field",
		`{"AttestationInfo":"%%%"}`:  "AttestationInfo is not base64",
		`{"AttestationInfo":"e30"} `: "TpmInfo is missing",
		`{"AttestationInfo":"W10"}`:  "AttestationInfo does not decode to a JSON object",
		`{"AttestationInfo":"e30"}x`: "trailing data",
	} {
		if _, err := ParseGuestRequest([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
}

func iso(typ, proof, runtime string) map[string]any {
	return map[string]any{"Type": typ, "Evidence": map[string]string{"Proof": proof, "RunTimeData": runtime}}
}

func proofOf(reportSize int, chain string) string {
	p := map[string]string{"SnpReport": b64url.EncodeToString(make([]byte, reportSize))}
	if chain != "" {
		p["VcekCertChain"] = chain
	}
	b, _ := json.Marshal(p)
	return b64.EncodeToString(b)
}

func TestParsePlatformRoundTrip(t *testing.T) {
	rep, err := hcl.Parse(readReal(t, "azsnp-hcl-trustee-911b0ef8.bin"))
	if err != nil {
		t.Fatal(err)
	}
	chain := string(readReal(t, "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem"))
	body, err := BuildSevSnpVm(rep.SNPReport(), chain, rep.Claims, "n-42")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePlatformRequest(body, "sevsnpvm")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != "SevSnpVm" || !bytes.Equal(p.SnpReport, rep.SNPReport()) || p.VcekCertChain != chain ||
		!bytes.Equal(p.RuntimeData, rep.Claims) || p.RuntimeDataType != "JSON" || p.Nonce != "n-42" || p.Quote != nil {
		t.Errorf("SevSnpVm round trip: %+v", p.Kind)
	}

	quote := readReal(t, "aztdx-tdquote-trustee-6332533d.bin")
	body, err = BuildTdxVm(quote, []byte(`{"keys":[]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	p, err = ParsePlatformRequest(body, "TdxVm")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != "TdxVm" || !bytes.Equal(p.Quote, quote) || string(p.RuntimeData) != `{"keys":[]}` || p.Nonce != "" {
		t.Errorf("TdxVm round trip: %+v", p)
	}

	// SIDECAR sends the nonce as a number; the bundle may be standard base64; dataType any case.
	lenient := `{"report":"` + b64.EncodeToString([]byte(`{"SnpReport":"`+b64.EncodeToString(rep.SNPReport())+`","VcekCertChain":"`+b64.EncodeToString([]byte(chain))+`"}`)) +
		`","runtimeData":{"data":"` + b64.EncodeToString(rep.Claims) + `","dataType":"binary"},"nonce":42,"initTimeData":{"data":"AQID","dataType":"Binary"}}`
	p, err = ParsePlatformRequest([]byte(lenient), "SEVSNPVM")
	if err != nil {
		t.Fatal(err)
	}
	if p.Nonce != "42" || p.RuntimeDataType != "Binary" || !bytes.Equal(p.InitTimeData, []byte{1, 2, 3}) || p.VcekCertChain != chain {
		t.Errorf("lenient SevSnpVm: nonce %q type %q", p.Nonce, p.RuntimeDataType)
	}
}

func TestParsePlatformErrors(t *testing.T) {
	for _, tc := range []struct{ kind, body, want string }{
		{"SgxVm", `{}`, `kind "SgxVm"`},
		{"SevSnpVm", `{}`, `no "report"`},
		{"SevSnpVm", `{"report":"AAAA"}`, "report is 3 bytes"},
		{"SevSnpVm", `{"report":"e30","runtimeData":{}}`, "report.SnpReport is 0 bytes"},
		{"TdxVm", `{"quote":""}`, `no "quote"`},
		{"TdxVm", `{"quote":5}`, "quote is not a JSON string"},
		{"TdxVm", `{"quote":"AAAA","runtimeData":{"data":"AAAA","dataType":"XML"}}`, "runtimeData.dataType is \"XML\""},
		{"TdxVm", `{"quote":"AAAA","runtimeData":"x"}`, "runtimeData is not"},
		{"TdxVm", `{"quote":"AAAA","nonce":{}}`, "nonce is not a string"},
		{"TdxVm", `[1]`, "not a JSON object"},
	} {
		if _, err := ParsePlatformRequest([]byte(tc.body), tc.kind); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %v, want %q", tc.kind, tc.body, err, tc.want)
		}
	}
}

// FuzzParseGuestRequest: any body ends in a request or an error, never a panic, and a
// request that parses builds a body that parses back to the same evidence.
func FuzzParseGuestRequest(f *testing.F) {
	tpm := TPMInfo{AikCert: []byte{0x30, 1, 2}, AikPub: rsaTPM2BPublic(), PcrQuote: []byte("\xffTCGquote"), PcrSignature: make([]byte, 256),
		PcrSet: []int{0, 7}, PCRs: map[int][]byte{0: make([]byte, 32), 7: bytes.Repeat([]byte{7}, 32)},
		EncKeyPub: []byte{0, 2, 0, 1}, EncKeyCertifyInfo: []byte("\xffTCGcertify"), EncKeyCertifyInfoSignature: []byte{1}}
	for _, iso := range []Isolation{TrustedLaunch{}, Tdx{Quote: []byte{4, 0}, RuntimeData: []byte("{}")},
		SevSnp{SnpReport: make([]byte, SNPReportSize), VcekCertChain: "-----BEGIN CERTIFICATE-----", RuntimeData: []byte("{}")}} {
		body, _, err := BuildGuest(GuestRequest{TPM: tpm, Isolation: iso, OS: OSInfoFromOSRelease(nil), ClientPayload: map[string]string{"nonce": "n"}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"AttestationInfo":{"TpmInfo":{"PcrSet":["1"],"PCRs":[{"Index":"1"}]}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseGuestRequest(body)
		if err != nil {
			return
		}
		if r.OS.VersionMajor <= 0 {
			r.OS.VersionMajor = 1 // BuildGuest refuses 0, as AZ-CPP does
		}
		again, _, err := BuildGuest(*r)
		if err != nil {
			t.Fatalf("a parsed request does not build: %v", err)
		}
		r2, err := ParseGuestRequest(again)
		if err != nil {
			t.Fatalf("a built body does not parse: %v", err)
		}
		sameTPM(t, r2.TPM, r.TPM)
		if r2.OS.VersionMajor != r.OS.VersionMajor || r2.OS.VersionMinor != r.OS.VersionMinor {
			t.Errorf("OS versions differ after a round trip")
		}
	})
}
