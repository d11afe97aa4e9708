package compare

import (
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-tpm/tpm2"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

func text(v any, ok bool) string {
	if !ok {
		return ""
	}
	if s := token.FormatValue(v); s != "" {
		return s
	}
	// An empty string claim is still a value the token carries.
	return `""`
}

// teeItem: the kind of TEE the token speaks of against the kind the evidence is. Only
// what the evidence says explicitly counts: a set holding just a TPM quote may come from a
// CVM whose HCL report was not supplied, so it is not taken for Trusted Launch.
func teeItem(t tokenView, s *evidence.Set, r *verify.Result) Item {
	kind, path, txt, ok := t.teeKind()
	it := Item{Name: "TEE type", Claim: path, Token: txt}
	local := r.TEE
	if local == "" {
		local = s.TEE
	}
	if local != "" {
		it.Evidence = string(local)
		it.Source = local.Label() + ": the kind of the evidence (HCL report type, or how it was gathered)"
		it.SourceKO = local.LabelKO() + ": 증거의 종류(HCL 보고서 유형 또는 수집 방법)"
	}
	if ok && local != "" {
		it.Verdict = check.Fail
		if kind == local {
			it.Verdict = check.Pass
		}
	}
	return it
}

// guidRE is the shape of an Azure VM id. It is compiled on first use, not at init: only a
// comparison with an AK certificate needs it.
var guidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
})

// vmidItem: x-ms-azurevm-vmid (AzureGuest) or the runtime claims' vmUniqueId (platform
// tokens carry no vmid claim) against the paravisor's vmUniqueId.
func vmidItem(t tokenView, r *verify.Result) Item {
	it := Item{Name: "VM id", Binding: true}
	rp, rv, rok := t.runtimeClaim("vm-configuration", "vmUniqueId")
	switch v := t.c.Get("x-ms-azurevm-vmid"); {
	case v != nil:
		it.Claim, it.Token = "x-ms-azurevm-vmid", text(v, true)
	case rok:
		it.Claim, it.Token = rp, text(rv, true)
	case t.guest:
		it.Claim = "x-ms-azurevm-vmid"
	default:
		it.Claim = rp
	}
	switch {
	case r.Claims != nil && r.Claims.VMConfig.VMUniqueID != "":
		it.Evidence, it.Source, it.SourceKO = r.Claims.VMConfig.VMUniqueID, "runtime claims vm-configuration.vmUniqueId", "런타임 클레임 vm-configuration.vmUniqueId"
	case r.AKCert != nil:
		// [UNSURE] Third-party reports (protocol §1.6) show AK certificates named
		// CN=<vm-id>.TrustedVM.Azure.windows.net (the simulated vTPM CA uses
		// <vm-id>.TrustedVM.Azure.simulated); without runtime claims, as on Trusted Launch,
		// that is the only local VM id. Used only when the name starts with a GUID followed
		// by ".TrustedVM.".
		cn := r.AKCert.Subject.CommonName
		if id, rest, ok := strings.Cut(cn, "."); ok && guidRE().MatchString(id) && strings.HasPrefix(strings.ToLower(rest), "trustedvm.") {
			it.Evidence, it.Source, it.SourceKO = id, "AK certificate subject CN ("+cn+")", "AK 인증서 주체 CN ("+cn+")"
		}
	}
	return it
}

// encKeyItem: the ephemeral key MAA encrypted its AzureGuest answer to, repeated as
// TpmEphemeralEncryptionKey in the token's own x-ms-runtime.keys, against the EncKeyPub
// this run sent. The key was made for this one request, so a match shows the token
// answers this request and no other, once the AK's TPM2_Certify of it verifies: a saved
// bundle's key is otherwise whatever its writer put there, the token's own key included.
func encKeyItem(t tokenView, s *evidence.Set, r *verify.Result) Item {
	it := Item{Name: "ephemeral key", Claim: "x-ms-runtime.keys", Binding: true}
	var tokKey *rsa.PublicKey
	var tokErr error
	keys, _ := t.c.Get("x-ms-runtime", "keys").([]any)
	for _, k := range keys {
		m, _ := k.(map[string]any)
		if kid, _ := m["kid"].(string); kid != "TpmEphemeralEncryptionKey" {
			continue
		}
		j := hcl.JWK{Kid: "TpmEphemeralEncryptionKey"}
		j.Kty, _ = m["kty"].(string)
		j.N, _ = m["n"].(string)
		j.E, _ = m["e"].(string)
		if tokKey, tokErr = j.RSA(); tokErr != nil {
			it.Token = "unreadable JWK: " + tokErr.Error()
		} else {
			it.Token = keyText(tokKey)
		}
	}
	var local *rsa.PublicKey
	if s.EncKey != nil && len(s.EncKey.Pub) > 0 {
		pub, err := tpmquote.ParsePublic(s.EncKey.Pub)
		if err != nil {
			it.Evidence = "unreadable EncKeyPub: " + err.Error()
		} else {
			local, it.Evidence = pub, keyText(pub)
		}
		it.Source = "EncKeyPub of this run's AzureGuest request (TPM2B_PUBLIC)"
		it.SourceKO = "이번 실행의 AzureGuest 요청에 담긴 EncKeyPub (TPM2B_PUBLIC)"
	}
	switch {
	case it.Token == "" || it.Evidence == "":
	case tokErr != nil || local == nil:
		it.Verdict = check.Fail
		it.Note = present.T("a key does not decode, so the token cannot be tied to this request", "키를 해석할 수 없어 토큰이 이 요청의 것인지 확인할 수 없습니다")
	case tokKey.N.Cmp(local.N) == 0 && tokKey.E == local.E:
		it.Verdict = check.Pass
		switch c := encKeyCertified(s, r); c.Verdict {
		case check.Pass:
		case check.Fail:
			it.Verdict = check.Fail
			it.Note = present.T("the key matches, but the AK's certification of it does not verify ("+c.Summary+"), so nothing shows the VM's TPM holds it",
				"키는 같지만 AK의 인증(TPM2_Certify)이 검증되지 않아("+c.SummaryKO+") VM의 TPM이 이 키를 가진다는 근거가 없습니다")
		default:
			it.Binding = false
			it.Note = present.T("the key matches, but its certification by the AK could not be checked ("+c.Summary+"), so it does not tie the token to this request",
				"키는 같지만 AK의 인증을 확인할 수 없어("+c.SummaryKO+") 토큰을 이 요청에 묶지 못합니다")
		}
	default:
		it.Verdict = check.Fail
		it.Note = present.T("MAA encrypted to another key: the token answers another request", "MAA가 다른 키로 암호화했습니다. 토큰은 다른 요청에 대한 응답입니다")
	}
	return it
}

// encKeyCertified is the AK's TPM2_Certify of the set's ephemeral key (tpm.enckey.certify),
// with the AK the quote was checked with; skipped without a certification or an AK.
func encKeyCertified(s *evidence.Set, r *verify.Result) check.Check {
	e := s.EncKey
	switch {
	case len(e.CertifyInfo) == 0 || len(e.CertifySig) == 0:
		return check.Skipf(tpmquote.IDEncKeyCertify, "no certification of the key in the evidence").KO("증거에 키의 인증이 없습니다")
	case r == nil || r.AK == nil:
		return check.Skipf(tpmquote.IDEncKeyCertify, "no AK to check its certification with").KO("인증을 확인할 AK가 없습니다")
	}
	for _, c := range tpmquote.VerifyCertify(e.CertifyInfo, e.CertifySig, r.AK, e.Pub) {
		if c.ID == tpmquote.IDEncKeyCertify {
			c.SummaryKO, _ = c.In("ko") // quoted inside the item's Korean note
			return c
		}
	}
	return check.Skipf(tpmquote.IDEncKeyCertify, "the certification was not checked").KO("인증을 확인하지 않았습니다")
}

// reportDataItem: the REPORT_DATA claim against the hardware report's REPORT_DATA. A token
// naming one TEE and evidence of the other are still compared: they differ, which is the
// point.
func reportDataItem(t tokenView, r *verify.Result) Item {
	p, v, ok := t.firstTEEClaim("x-ms-sevsnpvm-reportdata", "tdx_report_data")
	it := Item{Name: "REPORT_DATA", Claim: p, Token: text(v, ok), Binding: true}
	type src struct {
		b      []byte
		name   string
		nameKO string
		tdx    bool
	}
	var local []src
	if r.SNP != nil {
		local = append(local, src{r.SNP.ReportData(), "SEV-SNP report report_data (offset 0x050)", "SEV-SNP 보고서 report_data (오프셋 0x050)", false})
	}
	if r.TDReport != nil {
		local = append(local, src{r.TDReport.ReportData(), "TDREPORT report_data (offset 128)", "TDREPORT report_data (오프셋 128)", true})
	}
	if r.TDQuote != nil {
		local = append(local, src{r.TDQuote.ReportData(), "TD quote body report_data", "TD 쿼트 본문 report_data", true})
	}
	if len(local) == 0 {
		return it
	}
	pick := local[0]
	for _, l := range local {
		if l.tdx == strings.HasSuffix(p, "tdx_report_data") {
			pick = l
			break
		}
	}
	it.Evidence, it.Source, it.SourceKO = hex.EncodeToString(pick.b), pick.name, pick.nameKO
	return it
}

type snpSpec struct {
	name, claim, field string
	binding            bool
}

// snpSpecs are the SEV-SNP report fields MAA copies into x-ms-sevsnpvm-* claims
// (protocol §6.3), by their names in snp.Report.Fields.
var snpSpecs = []snpSpec{
	{"launch measurement", "x-ms-sevsnpvm-launchmeasurement", "measurement", false},
	{"guest SVN", "x-ms-sevsnpvm-guestsvn", "guest_svn", false},
	{"VMPL", "x-ms-sevsnpvm-vmpl", "vmpl", false},
	{"debuggable", "x-ms-sevsnpvm-is-debuggable", "policy.debug", false},
	{"SMT allowed", "x-ms-sevsnpvm-smt-allowed", "policy.smt_allowed", false},
	{"migration allowed", "x-ms-sevsnpvm-migration-allowed", "policy.migrate_ma", false},
	{"family id", "x-ms-sevsnpvm-familyId", "family_id", false},
	{"image id", "x-ms-sevsnpvm-imageId", "image_id", false},
	{"ID key digest", "x-ms-sevsnpvm-idkeydigest", "id_key_digest", false},
	{"author key digest", "x-ms-sevsnpvm-authorkeydigest", "author_key_digest", false},
	{"host data", "x-ms-sevsnpvm-hostdata", "host_data", false},
	{"report id", "x-ms-sevsnpvm-reportid", "report_id", true},
}

var svnSpecs = []struct {
	name, claim string
	get         func(snp.TCB) uint8
}{
	{"bootloader SVN", "x-ms-sevsnpvm-bootloader-svn", func(t snp.TCB) uint8 { return t.Bootloader }},
	{"TEE SVN", "x-ms-sevsnpvm-tee-svn", func(t snp.TCB) uint8 { return t.TEE }},
	{"SNP firmware SVN", "x-ms-sevsnpvm-snpfw-svn", func(t snp.TCB) uint8 { return t.SNP }},
	{"microcode SVN", "x-ms-sevsnpvm-microcode-svn", func(t snp.TCB) uint8 { return t.Microcode }},
}

func snpItems(t tokenView, r *verify.Result) []Item {
	fields := map[string]snp.Field{}
	if r.SNP != nil {
		for _, f := range r.SNP.Fields() {
			fields[f.Name] = f
		}
	}
	var out []Item
	for _, sp := range snpSpecs {
		p, v, ok := t.teeClaim(sp.claim)
		it := Item{Name: sp.name, Claim: p, Token: text(v, ok), Binding: sp.binding}
		if f, ok := fields[sp.field]; ok {
			it.Evidence = f.Value
			it.Source = fmt.Sprintf("SEV-SNP report %s (offset 0x%03x)", f.Name, f.Offset)
			it.SourceKO = fmt.Sprintf("SEV-SNP 보고서 %s (오프셋 0x%03x)", f.Name, f.Offset)
		}
		out = append(out, it)
	}
	for _, sp := range svnSpecs {
		p, v, ok := t.teeClaim(sp.claim)
		it := Item{Name: sp.name, Claim: p, Token: text(v, ok)}
		if r.SNP != nil {
			out = append(out, svnItem(it, sp.get, r.SNP))
		} else {
			out = append(out, it)
		}
	}
	return out
}

// svnItem compares an SVN claim with the reported TCB, the TCB the VCEK is issued for.
// Which TCB MAA reads is not documented (protocol §10), so on a mismatch the current and
// committed TCBs are tried too, and a match there passes with a note naming the TCB.
func svnItem(it Item, get func(snp.TCB) uint8, rep *snp.Report) Item {
	reported, current, committed := get(rep.ReportedTCB()), get(rep.CurrentTCB()), get(rep.CommittedTCB())
	it.Evidence = strconv.Itoa(int(reported))
	it.Source = fmt.Sprintf("SEV-SNP report reported_tcb (offset 0x180); current_tcb (0x038) has %d, committed_tcb (0x1e0) %d", current, committed)
	it.SourceKO = fmt.Sprintf("SEV-SNP 보고서 reported_tcb (오프셋 0x180). current_tcb (0x038)는 %d, committed_tcb (0x1e0)는 %d", current, committed)
	if it.Token == "" {
		return it
	}
	got, err := strconv.Atoi(it.Token)
	switch {
	case err != nil:
		it.Verdict = check.Fail
		it.Note = present.T("the claim is not an integer", "클레임 값이 정수가 아닙니다")
	case got == int(reported):
		it.Verdict = check.Pass
	case got == int(current):
		it.Verdict, it.Evidence = check.Pass, strconv.Itoa(int(current))
		it.Note = present.T(fmt.Sprintf("equals current_tcb (%d), not reported_tcb (%d): MAA took this SVN from the current TCB", current, reported),
			fmt.Sprintf("reported_tcb(%d)가 아니라 current_tcb(%d)와 같습니다. MAA가 이 SVN을 current_tcb에서 가져왔습니다", reported, current))
	case got == int(committed):
		it.Verdict, it.Evidence = check.Pass, strconv.Itoa(int(committed))
		it.Note = present.T(fmt.Sprintf("equals committed_tcb (%d), not reported_tcb (%d): MAA took this SVN from the committed TCB", committed, reported),
			fmt.Sprintf("reported_tcb(%d)가 아니라 committed_tcb(%d)와 같습니다. MAA가 이 SVN을 committed_tcb에서 가져왔습니다", reported, committed))
	default:
		it.Verdict = check.Fail
		it.Note = present.T("equals none of the reported, current and committed TCBs", "reported_tcb, current_tcb, committed_tcb 어느 것과도 같지 않습니다")
	}
	return it
}

// tdxOrder puts the measurements a reader checks first (protocol §6.5) ahead of the rest.
var tdxOrder = []string{"tdx_mrtd", "tdx_rtmr0", "tdx_rtmr1", "tdx_rtmr2", "tdx_rtmr3", "tdx_mrseam", "tdx_td_attributes", "tdx_xfam",
	"tdx_mrsignerseam", "tdx_seam_attributes", "tdx_mrconfigid", "tdx_mrowner", "tdx_mrownerconfig", "tdx_tee_tcb_svn", "tdx_seamsvn",
	"tdx_td_attributes_debug", "tdx_td_attributes_septve_disable", "tdx_td_attributes_protection_keys", "tdx_td_attributes_key_locker",
	"tdx_td_attributes_perfmon"}

// tdxItems compares the tdx_* claims with the TDREPORT the runtime claims are bound to, or
// with the TD quote when only the quote was supplied (tdx.quote.matches-report says whether
// the two agree). REPORT_DATA has its own item.
func tdxItems(t tokenView, r *verify.Result) []Item {
	var fields []tdx.Field
	where, whereKO := "", ""
	switch {
	case r.TDReport != nil:
		fields, where, whereKO = r.TDReport.Fields(), "TDREPORT", "TDREPORT"
	case r.TDQuote != nil:
		fields, where, whereKO = r.TDQuote.Fields(), "TD quote", "TD 쿼트"
	}
	byClaim := map[string]tdx.Field{}
	claims := slices.Clone(tdxOrder)
	for _, f := range fields {
		if f.Claim == "" || f.Claim == "tdx_report_data" {
			continue
		}
		if _, dup := byClaim[f.Claim]; dup {
			continue
		}
		byClaim[f.Claim] = f
		if !slices.Contains(claims, f.Claim) {
			claims = append(claims, f.Claim)
		}
	}
	var out []Item
	for _, c := range claims {
		p, v, ok := t.teeClaim(c)
		it := Item{Name: strings.TrimPrefix(c, "tdx_"), Claim: p, Token: text(v, ok)}
		if f, ok := byClaim[c]; ok {
			it.Evidence = f.Value
			it.Source = fmt.Sprintf("%s %s (offset %d)", where, f.Name, f.Offset)
			it.SourceKO = fmt.Sprintf("%s %s (오프셋 %d)", whereKO, tdxFieldKO(f.Name), f.Offset)
			if c == "tdx_seamsvn" {
				it = seamSVNItem(it, r)
			}
		}
		out = append(out, it)
	}
	return out
}

// tdxFieldKO is a TDREPORT or TD quote field name in Korean: the name itself stays, the
// words package tdx adds to a decoded field do not ("tee_tcb_svn (module SVN)").
func tdxFieldKO(name string) string {
	return strings.Replace(name, "(module SVN)", "(모듈 SVN)", 1)
}

// seamSVNItem: how MAA derives tdx_seamsvn is not documented (the field note in package
// tdx says so). The local value is the 16-bit little-endian tee_tcb_svn[0:2]; a token
// carrying only the minor SVN byte tee_tcb_svn[0] is accepted with a note.
func seamSVNItem(it Item, r *verify.Result) Item {
	var svn []byte
	switch {
	case r.TDReport != nil:
		svn = r.TDReport.TeeTCBSVN()
	case r.TDQuote != nil:
		svn = r.TDQuote.TeeTCBSVN()
	}
	if it.Token == "" || len(svn) < 2 || strings.EqualFold(it.Token, it.Evidence) {
		return it
	}
	if it.Token == strconv.Itoa(int(svn[0])) {
		it.Verdict = check.Pass
		it.Note = present.T(fmt.Sprintf("equals tee_tcb_svn[0] (%d), the module's minor SVN, rather than the 16-bit value", svn[0]),
			fmt.Sprintf("16비트 값이 아니라 모듈의 부 SVN인 tee_tcb_svn[0](%d)과 같습니다", svn[0]))
	}
	return it
}

// akItem: the HCLAkPub JWK MAA repeats from the runtime claims, against the local
// HCLAkPub or, without runtime claims, the AK read from the TPM.
func akItem(t tokenView, r *verify.Result) Item {
	it := Item{Name: "HCLAkPub", Binding: true}
	var tokKey *rsa.PublicKey
	var tokErr error
	for _, base := range t.runtimePaths() {
		keys, _ := t.c.Get(append(slices.Clone(base), "keys")...).([]any)
		for _, k := range keys {
			m, _ := k.(map[string]any)
			if kid, _ := m["kid"].(string); kid != "HCLAkPub" {
				continue
			}
			it.Claim = strings.Join(base, ".") + ".keys"
			j := hcl.JWK{Kid: "HCLAkPub"}
			j.Kty, _ = m["kty"].(string)
			j.N, _ = m["n"].(string)
			j.E, _ = m["e"].(string)
			tokKey, tokErr = j.RSA()
		}
		if it.Claim != "" {
			break
		}
	}
	if it.Claim == "" {
		it.Claim = strings.Join(t.runtimePaths()[0], ".") + ".keys"
	} else if tokErr != nil {
		it.Token = "unreadable JWK: " + tokErr.Error()
	} else {
		it.Token = keyText(tokKey)
	}
	var local *rsa.PublicKey
	if r.Claims != nil {
		if k := r.Claims.Key("HCLAkPub"); k != nil {
			if pub, err := k.RSA(); err == nil {
				local, it.Source, it.SourceKO = pub, "runtime claims keys[kid=HCLAkPub]", "런타임 클레임 keys[kid=HCLAkPub]"
			}
		}
	}
	if local == nil && r.AK != nil {
		local, it.Source, it.SourceKO = r.AK, "AK public key (TPM 0x81000003)", "AK 공개 키 (TPM 0x81000003)"
		if !r.AKFromTPM {
			it.Source, it.SourceKO = "AK public key the quote was verified with", "쿼트 검증에 쓴 AK 공개 키"
		}
	}
	if local != nil {
		it.Evidence = keyText(local)
	}
	switch {
	case it.Token == "" || local == nil:
	case tokErr != nil:
		it.Verdict = check.Fail
		it.Note = present.T("the token's key does not decode, so it cannot be this VM's AK", "토큰의 키를 해석할 수 없어 이 VM의 AK인지 확인할 수 없습니다")
	case tokKey.N.Cmp(local.N) == 0 && tokKey.E == local.E:
		it.Verdict = check.Pass
	default:
		it.Verdict = check.Fail
	}
	return it
}

// keyText shows both ends of the modulus: two keys that differ anywhere rarely share them.
func keyText(k *rsa.PublicKey) string {
	n := hex.EncodeToString(k.N.Bytes())
	if len(n) > 24 {
		n = n[:12] + "…" + n[len(n)-12:]
	}
	return fmt.Sprintf("RSA-%d, e=%d, n=%s", k.N.BitLen(), k.E, n)
}

// userDataItem: user-data in the token against what this run wrote to NV 0x01400002, or,
// when nothing was written, against the user-data of the local runtime claims.
func userDataItem(t tokenView, s *evidence.Set, r *verify.Result) Item {
	p, v, ok := t.runtimeClaim("user-data")
	it := Item{Name: "user-data", Claim: p, Token: text(v, ok), Binding: true}
	switch {
	case len(s.UserData) > 0:
		it.Evidence, it.Source = hcl.UserDataHex(s.UserData), "user data written to NV 0x01400002 before the report was read"
		it.SourceKO = "보고서를 읽기 전에 NV 0x01400002에 쓴 사용자 데이터"
	case r.Claims != nil && r.Claims.UserData != "":
		it.Evidence, it.Source, it.SourceKO = r.Claims.UserData, "runtime claims user-data", "런타임 클레임 user-data"
	}
	return it
}

// vmConfigItem: the vm-configuration object MAA repeats from the runtime claims, key by
// key, against the local runtime claims.
func vmConfigItem(t tokenView, r *verify.Result) Item {
	p, v, ok := t.runtimeClaim("vm-configuration")
	it := Item{Name: "vm-configuration", Claim: p}
	tok, _ := v.(map[string]any)
	if ok {
		it.Token = canonical(v)
	}
	var local map[string]any
	if r.Claims != nil && r.Claims.VMConfigRaw != nil {
		local = r.Claims.VMConfigRaw
		it.Evidence, it.Source, it.SourceKO = canonical(local), "runtime claims vm-configuration", "런타임 클레임 vm-configuration"
	}
	if !ok || local == nil {
		return it
	}
	if tok == nil {
		it.Verdict = check.Fail
		it.Note = present.T("the claim is not a JSON object", "클레임 값이 JSON 객체가 아닙니다")
		return it
	}
	keys := map[string]bool{}
	for k := range tok {
		keys[k] = true
	}
	for k := range local {
		keys[k] = true
	}
	var diff []string
	for _, k := range sortedKeys(keys) {
		a, aok := tok[k]
		b, bok := local[k]
		if aok != bok || !strings.EqualFold(token.FormatValue(a), token.FormatValue(b)) {
			diff = append(diff, k)
		}
	}
	it.Verdict = check.Pass
	if len(diff) > 0 {
		it.Verdict = check.Fail
		it.Note = present.T("differs in "+strings.Join(diff, ", "), strings.Join(diff, ", ")+" 값이 다릅니다")
	}
	return it
}

// canonical is JSON with sorted keys: encoding/json sorts map keys, and json.Number and
// float64 both print integers without an exponent.
func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pcrsItem: the PCRs MAA says it attested against the PCRs the quote covers. MAA may
// attest fewer than were quoted (Windows quotes PCR 14, which MAA leaves out), never one
// that was not quoted.
func pcrsItem(t tokenView, s *evidence.Set, r *verify.Result) Item {
	it := Item{Name: "attested PCRs", Claim: "x-ms-azurevm-attested-pcrs"}
	var tok []int
	tokOK := false
	if v := t.c.Get("x-ms-azurevm-attested-pcrs"); v != nil {
		arr, isArr := v.([]any)
		tokOK = isArr
		for _, x := range arr {
			n, err := strconv.Atoi(token.FormatValue(x))
			if err != nil {
				tokOK = false
				break
			}
			tok = append(tok, n)
		}
		it.Token = token.FormatValue(v)
		if tokOK {
			it.Token = tpmquote.PCRList(tok)
		}
	}
	var quoted []int
	if r.Attest != nil && len(r.Attest.Selection) > 0 {
		bank := r.Attest.Selection[0]
		for _, b := range r.Attest.Selection {
			if b.Hash == tpm2.TPMAlgSHA256 {
				bank = b
			}
		}
		quoted, it.Source, it.SourceKO = bank.PCRs, "TPM quote PCR selection", "TPM 쿼트의 PCR 선택"
	} else if len(s.QuotePCRs) > 0 {
		quoted, it.Source, it.SourceKO = s.QuotePCRs, "PCR set the quote was taken over", "쿼트를 만든 PCR 집합"
	}
	if len(quoted) > 0 {
		it.Evidence = tpmquote.PCRList(quoted)
	}
	if it.Token == "" || len(quoted) == 0 {
		return it
	}
	if !tokOK {
		it.Verdict = check.Fail
		it.Note = present.T("the claim is not a list of PCR numbers", "클레임 값이 PCR 번호 목록이 아닙니다")
		return it
	}
	var extra, left []int
	for _, p := range tok {
		if !slices.Contains(quoted, p) {
			extra = append(extra, p)
		}
	}
	for _, p := range quoted {
		if !slices.Contains(tok, p) {
			left = append(left, p)
		}
	}
	switch {
	case len(extra) > 0:
		it.Verdict = check.Fail
		it.Note = present.T("the token names PCRs the quote does not cover: "+tpmquote.PCRList(extra),
			"토큰에 쿼트가 포함하지 않는 PCR이 있습니다: "+tpmquote.PCRList(extra))
	case len(left) > 0:
		it.Verdict = check.Pass
		it.Note = present.T("MAA attested a subset of the quoted PCRs; not attested: "+tpmquote.PCRList(left),
			"MAA가 쿼트된 PCR 중 일부만 증명했습니다. 증명되지 않은 PCR: "+tpmquote.PCRList(left))
	default:
		it.Verdict = check.Pass
	}
	return it
}

// secureBootItem: the secureboot claim, which MAA derives from the event log, against the
// SecureBoot variable the log itself records in PCR 7.
func secureBootItem(t tokenView, r *verify.Result) Item {
	v := t.c.Get("secureboot")
	it := Item{Name: "Secure Boot", Claim: "secureboot", Token: text(v, v != nil)}
	if r.Log == nil {
		return it
	}
	on, known := r.Log.SecureBootEnabled()
	if !known {
		return it
	}
	it.Evidence, it.Source, it.SourceKO = strconv.FormatBool(on), "event log: SecureBoot variable measured into PCR 7", "이벤트 로그: PCR 7에 측정된 SecureBoot 변수"
	for _, c := range r.Checks.Find("eventlog.replay") {
		if c.Subject == "PCR7" && c.Verdict != check.Pass {
			it.Note = present.T("PCR 7 does not replay to the quoted value, so the log's Secure Boot state is unconfirmed",
				"PCR 7이 쿼트된 값으로 재생되지 않아 로그의 보안 부팅 상태를 확인할 수 없습니다")
		}
	}
	return it
}
