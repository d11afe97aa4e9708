package pages_test

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// now is the fixed --now of every test: inside the validity of the trustee VCEK and the
// Intel collateral's issue date.
var now = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// realSamples is ../shared/testdata/real beside the checkout, or "" when it is absent.
func realSamples() string {
	_, file, _, _ := runtime.Caller(0)
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "real")
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

func realDir(t testing.TB) string {
	d := realSamples()
	if d == "" {
		t.Skip("real samples not found at ../shared/testdata/real beside the checkout (they are never copied into it)")
	}
	return d
}

// load reads real samples as `cvmscope inspect` would and verifies them at now.
func load(t *testing.T, names ...string) (*evidence.Set, *verify.Result, present.Page) {
	t.Helper()
	dir := realDir(t)
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(dir, n))
	}
	s, err := evidence.LoadFiles(paths)
	if err != nil {
		t.Fatalf("LoadFiles: %v", err)
	}
	r := verify.Evidence(s, verify.Options{Now: now})
	p := pages.ReadReport(s, r)
	requireExplained(t, p)
	return s, r, p
}

func section(t *testing.T, p present.Page, id string) present.Section {
	t.Helper()
	for _, s := range p.Sections {
		if s.ID == id {
			return s
		}
	}
	var ids []string
	for _, s := range p.Sections {
		ids = append(ids, s.ID)
	}
	t.Fatalf("page has no %q section; it has %v", id, ids)
	return present.Section{}
}

func hasSection(p present.Page, id string) bool {
	for _, s := range p.Sections {
		if s.ID == id {
			return true
		}
	}
	return false
}

// chainVerdicts maps each chain link's key to its verdict, keeping the order in keys.
func chainVerdicts(t *testing.T, p present.Page) (keys []string, v map[string]check.Verdict) {
	v = map[string]check.Verdict{}
	for _, r := range section(t, p, "chain").Rows {
		keys = append(keys, r.Key)
		v[r.Key] = r.Verdict
	}
	return keys, v
}

func requireLinks(t *testing.T, p present.Page, want []string, verdicts map[string]check.Verdict) {
	t.Helper()
	keys, got := chainVerdicts(t, p)
	if strings.Join(keys, " → ") != strings.Join(want, " → ") {
		t.Errorf("chain links\n got %s\nwant %s", strings.Join(keys, " → "), strings.Join(want, " → "))
	}
	for k, v := range verdicts {
		if got[k] != v {
			t.Errorf("link %q: verdict %q, want %q", k, got[k], v)
		}
	}
}

// requireExplained: every keyed row says what it is in both languages, and the page is
// bilingual at the top.
func requireExplained(t *testing.T, p present.Page) {
	t.Helper()
	if p.Title.EN == "" || p.Title.KO == "" || p.Summary.EN == "" || p.Summary.KO == "" {
		t.Errorf("page title/summary not bilingual: %+v %+v", p.Title, p.Summary)
	}
	for _, s := range p.Sections {
		if s.Title.EN == "" || s.Title.KO == "" {
			t.Errorf("section %s title not bilingual", s.ID)
		}
		for _, r := range s.Rows {
			if r.Key == "" {
				continue
			}
			if r.Explain.EN == "" || r.Explain.KO == "" {
				t.Errorf("section %s row %q has no explanation in both languages: %+v", s.ID, r.Key, r.Explain)
			}
			if (r.Verdict == check.Fail) && s.Kind != present.Checks && r.Hint.Empty() {
				t.Errorf("section %s row %q fails without a hint", s.ID, r.Key)
			}
			requireKorean(t, s, r)
		}
	}
}

// englishWord finds a lowercase English word in a name or cell; identifiers (HCLAkPub,
// REPORT_DATA) and hex digests have none.
var (
	englishWord = regexp.MustCompile(`\b[a-z]{3,}\b`)
	hexDigest   = regexp.MustCompile(`^[0-9a-f]+$`)
)

// requireKorean checks that the words a table or a chain shows are Korean in Korean mode:
// chain link names through KeyKO, table cells through CellsKO.
func requireKorean(t *testing.T, s present.Section, r present.Row) {
	t.Helper()
	if s.Kind == present.Chain && englishWord.MatchString(r.Key) && !checktest.HasHangul(r.KeyIn(present.KO)) {
		t.Errorf("section %s: link %q has no Korean name (KeyKO)", s.ID, r.Key)
	}
	if s.Kind != present.Table {
		return
	}
	ko := r.CellsIn(present.KO)
	for i, c := range r.Cells {
		if englishWord.MatchString(c) && !hexDigest.MatchString(c) && !checktest.HasHangul(ko[i]) {
			t.Errorf("section %s row %q: cell %d %q has no Korean form (CellsKO)", s.ID, r.Key, i, c)
		}
	}
}

func requirePCRTable(t *testing.T, p present.Page) present.Section {
	t.Helper()
	pcrs := section(t, p, "pcrs")
	if pcrs.Kind != present.Table || len(pcrs.Columns) != 4 {
		t.Errorf("PCR section kind %s with %d columns, want a 4-column table", pcrs.Kind, len(pcrs.Columns))
	}
	if len(pcrs.Rows) != 24 {
		t.Fatalf("PCR table has %d rows, want 24", len(pcrs.Rows))
	}
	for i, r := range pcrs.Rows {
		if r.PCR != i || len(r.Cells) != 3 {
			t.Errorf("PCR row %d: PCR %d, %d cells", i, r.PCR, len(r.Cells))
		}
	}
	return pcrs
}

func TestReadReportTrusteeSNP(t *testing.T) {
	_, r, p := load(t, "azsnp-hcl-trustee-911b0ef8.bin", "amd-milan-vcek-ask-ark-trustee-911b0ef8.pem",
		"azsnp-tpmquote-trustee-911b0ef8.msg.bin", "azsnp-tpmquote-trustee-911b0ef8.sig.bin", "azsnp-tpmquote-trustee-911b0ef8.pcrs-sha256.bin")
	requireLinks(t, p,
		[]string{"AMD root key (ARK-Milan)", "VCEK", "SEV-SNP report", "REPORT_DATA", "Runtime claims", "HCLAkPub", "TPM quote", "PCRs", "Event log"},
		map[string]check.Verdict{"AMD root key (ARK-Milan)": check.Pass, "VCEK": check.Pass, "SEV-SNP report": check.Pass,
			"REPORT_DATA": check.Pass, "Runtime claims": check.Pass, "HCLAkPub": check.Pass, "TPM quote": check.Pass,
			"PCRs": check.Pass, "Event log": check.Skip})
	if p.Verdict != check.Pass || p.Step != "read-report" {
		t.Errorf("page verdict %s step %s, want pass read-report", p.Verdict, p.Step)
	}
	pcrs := requirePCRTable(t, p)
	if pcrs.Rows[0].Cells[2] != "no log" || pcrs.Rows[0].Value != "f3a7e99a5f819a034386bce753a48a73cfdaa0bea0ecfc124bedbf5a8c4799be" {
		t.Errorf("PCR0 row %+v", pcrs.Rows[0])
	}
	if hasSection(p, "events") || hasSection(p, "tdreport") || hasSection(p, "akcert") {
		t.Error("sections for absent evidence are shown")
	}
	snp := section(t, p, "snp")
	if len(snp.Rows) != len(r.SNP.Fields()) {
		t.Errorf("SNP section has %d rows for %d fields", len(snp.Rows), len(r.SNP.Fields()))
	}
	for _, row := range snp.Rows {
		if row.Key == "report_data" {
			if row.Verdict != check.Pass || !strings.Contains(row.Detail, "MAA claim: x-ms-sevsnpvm-reportdata") || !strings.Contains(row.Detail, "HCL report offset 112") {
				t.Errorf("report_data row: %+v", row)
			}
		}
	}
	hcl := section(t, p, "hcl")
	if hcl.Rows[0].Key != "signature" || hcl.Rows[0].Value != `"HCLA"` {
		t.Errorf("HCL first row %+v", hcl.Rows[0])
	}
	claims := section(t, p, "claims")
	keys := map[string]present.Row{}
	for _, row := range claims.Rows {
		keys[row.Key] = row
	}
	for _, k := range []string{"keys", "keys[0] HCLAkPub", "keys[1] HCLEkPub", "vm-configuration.secure-boot",
		"vm-configuration.console-enabled", "vm-configuration.tpm-enabled", "vm-configuration.vmUniqueId", "user-data"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("runtime claims section lacks %q", k)
		}
	}
	if v := keys["vm-configuration.vmUniqueId"].Value; v != "911B0EF8-9DBA-48B0-B275-4E4DF2D39252" {
		t.Errorf("vmUniqueId %q", v)
	}
	if !strings.Contains(keys["keys[0] HCLAkPub"].Value, "RSA-2048") {
		t.Errorf("HCLAkPub row %q", keys["keys[0] HCLAkPub"].Value)
	}
	checks := section(t, p, "checks")
	if len(checks.Rows) != len(r.Checks) {
		t.Errorf("checks section %d rows for %d checks", len(checks.Rows), len(r.Checks))
	}
}

func TestReadReportKinvolkReportSignatureFails(t *testing.T) {
	_, _, p := load(t, "azsnp-hcl-kinvolk-baefd3e1.bin", "amd-milan-vcek-ask-ark-kinvolk.pem")
	requireLinks(t, p,
		[]string{"AMD root key (ARK-Milan)", "VCEK", "SEV-SNP report", "REPORT_DATA", "Runtime claims", "HCLAkPub", "TPM quote", "PCRs", "Event log"},
		map[string]check.Verdict{"AMD root key (ARK-Milan)": check.Pass, "VCEK": check.Pass, "SEV-SNP report": check.Fail,
			"REPORT_DATA": check.Pass, "HCLAkPub": check.Skip, "TPM quote": check.Skip})
	if p.Verdict != check.Fail {
		t.Errorf("page verdict %s, want fail", p.Verdict)
	}
	if !strings.Contains(p.Summary.EN, "first failure: snp.signature") || !strings.Contains(p.Summary.KO, "첫 실패: snp.signature") {
		t.Errorf("summary does not name the failure: %+v", p.Summary)
	}
	for _, row := range section(t, p, "chain").Rows {
		if row.Key == "SEV-SNP report" && (row.Hint.EN == "" || !strings.Contains(row.Detail, "does not verify")) {
			t.Errorf("failing report link lacks hint or detail: %+v", row)
		}
	}
	claims := section(t, p, "claims")
	for _, row := range claims.Rows {
		if row.Key == "vm-configuration.current-time" && row.Value != "1678652405 (2023-03-12T20:20:05Z)" {
			t.Errorf("current-time rendered as %q", row.Value)
		}
	}
}

func TestReadReportTDXWithQuote(t *testing.T) {
	_, r, p := load(t, "aztdx-hcl-trustee-6332533d.bin", "aztdx-tdquote-trustee-6332533d.bin",
		"aztdx-tpmquote-trustee-6332533d.msg.bin", "aztdx-tpmquote-trustee-6332533d.sig.bin", "aztdx-tpmquote-trustee-6332533d.pcrs-sha256.bin",
		"intel-tdx-tcbinfo-00806f050000.json", "intel-tdx-qeidentity.json", "intel-tcb-signing-chain.pem")
	tcb := r.Checks.Verdict("tdx.tcb")
	if tcb == check.Pass || tcb == check.Skip {
		t.Fatalf("tdx.tcb is %s; the sample's TCB matches no level, so it cannot pass", tcb)
	}
	requireLinks(t, p,
		[]string{"Intel SGX Root CA", "PCK certificate", "TD quote", "TDREPORT", "REPORT_DATA", "Runtime claims", "HCLAkPub", "TPM quote", "PCRs", "Event log"},
		map[string]check.Verdict{"Intel SGX Root CA": check.Pass, "PCK certificate": check.Pass, "TD quote": tcb,
			"TDREPORT": check.Pass, "REPORT_DATA": check.Pass, "HCLAkPub": check.Pass, "TPM quote": check.Pass, "PCRs": check.Pass})
	chain := section(t, p, "chain")
	if !strings.Contains(chain.Note.EN, "paravisor") || !strings.Contains(chain.Note.KO, "패러바이저") {
		t.Errorf("TDX chain lacks the paravisor note: %+v", chain.Note)
	}
	td := section(t, p, "tdreport")
	q := section(t, p, "tdquote")
	if len(td.Rows) != len(r.TDReport.Fields()) || len(q.Rows) != len(r.TDQuote.Fields()) {
		t.Errorf("TDX sections %d/%d rows for %d/%d fields", len(td.Rows), len(q.Rows), len(r.TDReport.Fields()), len(r.TDQuote.Fields()))
	}
	for _, row := range td.Rows {
		if row.Key == "mr_td" && !strings.Contains(row.Explain.EN, "paravisor") {
			t.Errorf("mr_td explanation lacks the Azure caveat: %q", row.Explain.EN)
		}
	}
	requirePCRTable(t, p)
	claims := section(t, p, "claims")
	found := false
	for _, row := range claims.Rows {
		if row.Key == "vm-configuration.root-cert-thumbprint" {
			found = true
		}
	}
	if !found {
		t.Error("root-cert-thumbprint of the TDX claims not shown")
	}
}

func TestReadReportEventLogOnePerEvent(t *testing.T) {
	_, r, p := load(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin", "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json")
	ev := section(t, p, "events")
	events := slices.Collect(r.Log.Events())
	if ev.Kind != present.Events || len(ev.Rows) != len(events) || len(ev.Rows) != 39 {
		t.Fatalf("events section: kind %s, %d rows for %d events (want 39)", ev.Kind, len(ev.Rows), len(events))
	}
	for i, row := range ev.Rows {
		e := events[i]
		en, ko := r.Log.Describe(e)
		if row.PCR != e.PCR || !strings.HasPrefix(row.Key, "#"+itoa(i)+" PCR"+itoa(e.PCR)+" "+e.TypeName) || row.Value != en || en == "" {
			t.Errorf("event row %d: %+v for event %+v", i, row, e.TypeName)
		}
		if row.ValueIn(present.KO) != ko {
			t.Errorf("event row %d in Korean: %q, want %q", i, row.ValueIn(present.KO), ko)
		}
		if e.Digest != nil && !strings.Contains(row.Detail, "sha256 digest ") {
			t.Errorf("event row %d detail lacks the digest: %q", i, row.Detail)
		}
	}
	if got := ev.Rows[8].ValueIn(present.KO); got != "구분자: 이 PCR의 OS 이전 측정이 끝났습니다" {
		t.Errorf("the PCR7 separator in Korean: %q", got)
	}
	pcrs := requirePCRTable(t, p)
	want := map[int]struct {
		v    check.Verdict
		word string
	}{0: {check.Pass, "match"}, 7: {check.Pass, "match"}, 8: {check.Warn, "unexplained"}, 10: {check.Skip, "not in log"}, 11: {check.Pass, "match"}}
	for i, w := range want {
		row := pcrs.Rows[i]
		if row.Verdict != w.v || row.Cells[2] != w.word {
			t.Errorf("PCR%d: %s %q, want %s %q", i, row.Verdict, row.Cells[2], w.v, w.word)
		}
	}
	keys, v := chainVerdicts(t, p)
	if keys[len(keys)-1] != "Event log" || v["Event log"] != check.Warn {
		t.Errorf("event log link: %v %v", keys, v)
	}
}

func TestReadReportTrustedLaunchStartsAtAKCertificate(t *testing.T) {
	_, _, p := load(t, "azvtpm-akpub-kinvolk-2024.pem", "azvtpm-quote-kinvolk-2024.msg.bin",
		"azvtpm-quote-kinvolk-2024.sig.bin", "azvtpm-quote-kinvolk-2024.pcrs-sha256.bin")
	requireLinks(t, p, []string{"AK certificate", "TPM quote", "PCRs", "Event log"},
		map[string]check.Verdict{"AK certificate": check.Skip, "TPM quote": check.Pass, "PCRs": check.Pass})
	// The chain starts at the AK certificate as on Trusted Launch, but a quote given as a file
	// may come from any VM (this one is from an Azure CVM): the summary does not name a TEE.
	if strings.Contains(p.Summary.EN, "Trusted Launch") || !strings.HasPrefix(p.Summary.EN, "Evidence: ") {
		t.Errorf("summary %q names a TEE the files do not show", p.Summary.EN)
	}
	section(t, p, "quote")
}

func TestPreflightAndLookup(t *testing.T) {
	l := check.List{check.Passf("preflight.platform", "simulated CVM"), check.Warnf("preflight.eventlog", "not readable")}
	p := pages.Pager{}.Preflight(l)
	if p.Verdict != check.Warn || len(p.Sections) != 1 || len(p.Sections[0].Rows) != 2 {
		t.Fatalf("preflight page %+v", p)
	}
	requireExplained(t, p)
	m, h := pages.Lookup("snp.signature")
	if m.EN == "" || h.KO == "" {
		t.Errorf("Lookup(snp.signature) = %+v, %+v", m, h)
	}
	if want, _ := explain.Check("hcl.binding"); pages.Checks(check.List{check.Passf("hcl.binding", "ok")}).Rows[0].Explain != want {
		t.Error("Checks does not use the catalog")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// BenchmarkReadReport builds the page for the Azure SEV-SNP event log (39 events, 11 PCRs).
func BenchmarkReadReport(b *testing.B) {
	dir := realDir(b)
	s, err := evidence.LoadFiles([]string{filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"), filepath.Join(dir, "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json")})
	if err != nil {
		b.Skip(err)
	}
	r := verify.Evidence(s, verify.Options{Now: now})
	b.ReportAllocs()
	for b.Loop() {
		pages.ReadReport(s, r)
	}
}
