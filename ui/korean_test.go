package ui

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// The allow-list of Latin text in Korean output: what the glossary keeps in Latin letters
// (product, protocol, claim and field names, hex, units, flags, paths, URLs). It is
// patterns and a few names, never a list of what happened to be found: any other Latin
// word in Korean output is English a Korean attendee has to read.
var (
	// Product and feature names of more than one word, kept whole (glossary-ko.md), and HTTP header names.
	latinPhrases = regexp.MustCompile(`Trusted Launch|Confidential VM|Secure Boot|Microsoft Azure Attestation|Korea Central|Retry-After|TCB-Info-Issuer-Chain`)
	// Data quoted as it is: a command in backticks, a JSON or quoted string, an X.509 name (its escaped commas
	// included, RFC 4514), a command line typed
	// in the workshop ("$ sudo ./AttestationClient -o token"), and what a service or the system said, quoted
	// as received in 「」 after a Korean label (fault.QuoteKO; a quotation cut to fit ends in …).
	latinData   = regexp.MustCompile("`[^`]*`" + `|"[^"]*"|\b(CN|O|OU|L|ST|C|SERIALNUMBER|2\.5\.4\.\d+)=(\\,|[^,\n])*|^\s*\$ .*|「[^」]*(」|…)`)
	latinTokens = []*regexp.Regexp{
		regexp.MustCompile(`^[A-Za-z]$`),                                               // a key (n, a, y) or a variable
		regexp.MustCompile(`^(0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*$`),                     // numbers, hex
		regexp.MustCompile(`^[A-Za-z0-9+/=_-]{24,}$`),                                  // digests, base64, keys
		regexp.MustCompile(`^(\d+h)?(\d+m)?\d+(\.\d+)?(ms|µs|s|m|h)$`),                 // durations
		regexp.MustCompile(`^[A-Z0-9][A-Z0-9_+-]*[A-Z0-9]$`),                           // acronyms: MAA, SEV-SNP, PCR7, EV_EFI_ACTION
		regexp.MustCompile(`[a-z0-9][A-Z]`),                                            // camelCase names: vTPM, HCLAkPub, vmUniqueId
		regexp.MustCompile(`^[A-Za-z0-9-]+([._\[][A-Za-z0-9_\[\]-]+)+$`),               // dotted and snake names: jwt.lifetime, report_data
		regexp.MustCompile(`^x-ms-`),                                                   // MAA claims
		regexp.MustCompile(`^--?[a-z][a-z0-9-]*(=\S*)?$`),                              // flags
		regexp.MustCompile(`^(https?://|/|\./|\.\./|~/)`),                              // URLs and paths
		regexp.MustCompile(`^[A-Za-z]{2,}\d+$|^[A-Z][a-z]?\d+[A-Za-z]*$`),              // algorithms, sizes: RS256, sha256, P-384 parts
		regexp.MustCompile(`^(TPM2|TPMS|TPM2B|TPMT|EV|NV|SHA|RSA|AES)[A-Za-z0-9_-]*$`), // TPM and crypto names
		regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*=\S+$`),                              // parameters: e=65537, api-version=2020-10-01
		regexp.MustCompile(`^[A-Z]{2,}-[A-Z][a-z]+$`),                                  // certificate names: ARK-Milan, SEV-Milan
		regexp.MustCompile(`^0x[0-9a-f]+-0x[0-9a-f]+$|^[A-Z_]+\[\d+:\d+\]$`),           // byte ranges
		regexp.MustCompile(`^[1-5]xx$`),                                                // HTTP status classes: 5xx
		regexp.MustCompile(`^\d{4}-\d{2}-\d{2}-preview$`),                              // api-version values
	}
	latinWords = wordSet(
		// Products, vendors, CPU generations, OSes.
		"Azure", "Microsoft", "Intel", "AMD", "Milan", "Genoa", "Turin", "Linux", "Ubuntu", "Windows", "Go", "Bubble", "Tea",
		// The libraries whose errors cvmscope quotes, named before their quoted text.
		"go-sev-guest", "go-tdx-guest",
		// JWT header and registered claim names, and JSON and claim values.
		"alg", "kid", "jku", "typ", "x5c", "iss", "iat", "nbf", "exp", "jti", "nonce",
		"true", "false", "null", "sevsnpvm", "tdxvm", "azurevm", "trustedlaunch", "sevsnp", "tdx", "sgx",
		// Key names in the help and footer.
		"enter", "esc", "tab", "space", "shift", "ctrl", "pgup", "pgdn", "home", "end", "backspace",
		// Commands the workshop types.
		"sudo", "jq", "cut", "base64", "cvmscope", "AttestationClient",
		// The language switch names the language it switches to, in that language; Unix time.
		"English", "Unix",
		// Encodings and the Azure region the emulator stands in for.
		"base64url", "koreacentral",
		// TPM object attributes as tpm2_readpublic prints them (the camelCase ones pass as names).
		"decrypt", "sign", "restricted",
		// MAA wire names and values that are one plain word: the query parameter, IsolationInfo.Type.
		"api-version", "Tdx",
		// Claim values as MAA sends them, and Azure and Intel product and feature names.
		"azure-compliant-cvm", "Key", "Vault", "Locker", "UpToDate", "OutOfDate", "Revoked",
		// dbgstat's value when TD debug is off, as the EAT profile spells it.
		"disabled",
		// Boot components and UEFI variable names, as the event log names them.
		"shim", "Shim", "initrd", "systemd", "systemd-boot", "systemd-stub", "sysext", "db", "dbx", "grub",
		// The English the glossary itself keeps in parentheses after its Korean term.
		"compliant", "relying", "party", "Secure", "Boot",
		// TDX measurement registers and SVNs as the TD report and MAA name them; JOSE names.
		"mrtd", "mrseam", "mrsignerseam", "mrowner", "mrownerconfig", "mrconfigid", "seamsvn", "rtmr0-3", "crit", "none",
		// Data in event-log strings and provider host names (kernel flavours, the region's provider).
		"ubuntu", "generic", "sharedkrc",
	)
	// Capitalised English that the acronym pattern would let through.
	shouted = wordSet("PASS", "FAIL", "WARN", "SKIP", "OK", "ERROR", "WARNING", "NOT", "AND", "OR", "NO", "YES", "SIMULATED", "TEST", "ONLY")

	latinRun = regexp.MustCompile(`[A-Za-z0-9_./+=:@\[\]'-]*[A-Za-z][A-Za-z0-9_./+=:@\[\]'-]*`)
)

func wordSet(ws ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// englishIn returns the Latin words of s that the allow-list does not cover. A word next to
// an ellipsis was cut to fit and is judged where it is shown whole.
func englishIn(s string) []string {
	s = latinData.ReplaceAllString(ansi.Strip(s), " ")
	s = latinPhrases.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range latinRun.FindAllStringIndex(s, -1) {
		if strings.HasSuffix(s[:loc[0]], "…") || strings.HasPrefix(s[loc[1]:], "…") {
			continue
		}
		raw := s[loc[0]:loc[1]]
		w := strings.Trim(raw, ".:,'=-/+")
		// A path (/acc/tdquote) or a flag (--now) is judged with its leading / or -.
		if w == "" || allowedLatin(w) || allowedLatin(strings.TrimRight(raw, ".:,'=/+")) {
			continue
		}
		// A catalogued field or claim name is kept Latin where it stands as a name, not
		// where it is a word of a sentence ("signature가 맞지 않습니다").
		if at := loc[0] + strings.Index(raw, w); specName(w) && standsAsName(s, at, at+len(w)) {
			continue
		}
		// Key combinations and alternatives (shift+tab, pgdn/space, g/home) are judged by part.
		if parts := strings.FieldsFunc(w, func(r rune) bool { return r == '+' || r == '/' || r == '\'' }); len(parts) > 1 {
			ok := true
			for _, p := range parts {
				ok = ok && allowedLatin(p)
			}
			if ok {
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

func allowedLatin(w string) bool {
	if latinWords[w] {
		return true
	}
	if shouted[w] {
		return false
	}
	for _, re := range latinTokens {
		if re.MatchString(w) {
			return true
		}
	}
	return false
}

// standsAsName reports whether the catalogued name s[i:j] is used as a name rather than as
// a word of a sentence. A name that cannot be an English word (secure-boot, tdx_xfam, vTPM)
// always is. A plain lower-case one (signature, measurement, policy, secureboot) is only
// where it stands alone: the whole text, a whole table cell or column (" | " or a run of
// spaces), an item of a list ("(keys, user-data)", "항목: xfam"), a label ("version: 2",
// "secureboot = true", "measurement (오프셋 0x090)"), or in a line with no Korean in it.
// In code and quotes it has already been taken out as data. "signature가 맞지 않습니다" is
// a sentence: the word is English there, and before this check it passed as a field name.
func standsAsName(s string, i, j int) bool {
	if !plainWord.MatchString(s[i:j]) || !hangul.MatchString(s) {
		return true
	}
	after := s[j:]
	if next := strings.TrimLeft(after, " "); strings.HasPrefix(after, ":") || strings.HasPrefix(next, "=") || strings.HasPrefix(next, "(") {
		return true
	}
	left := itemStart.MatchString(s[:i])
	right := itemEnd.MatchString(after)
	return left && right
}

var (
	plainWord = regexp.MustCompile(`^[a-z]+$`)
	hangul    = regexp.MustCompile(`\p{Hangul}`)
	// What may stand before and after a name that is a whole item of a row, list or label.
	itemStart = regexp.MustCompile(`(^|[|,(:]|  )\s*$`)
	itemEnd   = regexp.MustCompile(`^\s*($|[|,)]|  )`)
)

// structureFieldKinds are the catalogs of fields named by a specification (the HCL header,
// the IGVM request, the SEV-SNP report, the TDREPORT and TD quote, the runtime claims): a
// row keyed by one of those names shows the name, untranslated, like a claim.
var structureFieldKinds = []string{explain.KindHCLHeader, explain.KindIGVM, explain.KindSNP, explain.KindTDReport, explain.KindTDQuote, explain.KindRuntime}

func specName(key string) bool {
	if strings.Contains(key, " ") {
		return false
	}
	if _, ok := claims.Resolve(key); ok {
		return true
	}
	// The MAA request's and answer's wire names are PascalCase (Iv, Jwt, OSType); the
	// pages' own labels on those steps are lower-case words and need Korean.
	for _, k := range []string{explain.KindRequest, explain.KindCall} {
		if _, ok := explain.LookupField(k, key); ok && key[0] >= 'A' && key[0] <= 'Z' {
			return true
		}
	}
	name := strings.TrimPrefix(key, "igvm.")
	for _, k := range structureFieldKinds {
		if _, ok := explain.LookupField(k, name); ok {
			return true
		}
	}
	return false
}

// walkRun is one recorded run of every step on the simulated CVM.
type walkRun struct {
	tee, scenario string
	before        workshop.Banner // before any step ran
	banner        workshop.Banner
	steps         []workshop.StepID
	pages         map[workshop.StepID]present.Page
	errs          map[workshop.StepID]error
	set           *evidence.Set
}

// replay is a walkRun as a Runner, so the UI model draws it without a TPM.
type replay struct {
	*walkRun
	ran bool
}

func (r *replay) Banner() workshop.Banner {
	if !r.ran {
		return r.before
	}
	return r.banner
}
func (r *replay) Steps() []workshop.StepID { return r.steps }
func (r *replay) Run(_ context.Context, s workshop.StepID) (present.Page, error) {
	r.ran = true
	return r.pages[s], r.errs[s]
}
func (r *replay) SetNonce(string)         {}
func (r *replay) CanSetNonce() bool       { return true }
func (r *replay) Evidence() *evidence.Set { return r.set }
func (r *replay) Close() error            { return nil }

func recordWalk(t *testing.T, tee string, sc workshop.Scenario) *walkRun {
	t.Helper()
	l := workshop.NewLive(workshop.LiveOptions{
		Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: true},
		Nonce:    liveNonce, Pager: pages.Pager{}, Scenario: sc,
	})
	defer l.Close()
	w := &walkRun{tee: tee, scenario: sc.Name, before: l.Banner(), steps: l.Steps(),
		pages: map[workshop.StepID]present.Page{}, errs: map[workshop.StepID]error{}}
	if w.scenario == "" {
		w.scenario = "none"
	}
	for _, s := range w.steps {
		w.pages[s], w.errs[s] = l.Run(t.Context(), s)
		if w.errs[s] != nil {
			break // as `a` and the headless run stop
		}
	}
	w.banner, w.set = l.Banner(), l.Evidence()
	return w
}

// finding is English met in Korean output: where, the word, and the line it is in.
type finding struct{ where, word, line string }

type findings struct {
	mu  sync.Mutex
	all []finding
}

func (f *findings) check(where, text string) {
	for _, line := range strings.Split(text, "\n") {
		for _, w := range englishIn(line) {
			f.mu.Lock()
			f.all = append(f.all, finding{where, w, strings.TrimSpace(ansi.Strip(line))})
			f.mu.Unlock()
		}
	}
}

// walkData checks what each page holds in Korean, field by field, whole (nothing cut):
// titles, summaries, notes, columns, and each row's key, value, cells, explanation, hint
// and detail. A row key that names a claim or a specification's field stays as it is.
func walkData(f *findings, where string, p present.Page) {
	ko := present.KO
	f.check(where+" title", p.Title.In(ko))
	f.check(where+" summary", p.Summary.In(ko))
	for _, sec := range p.Sections {
		at := where + " §" + sec.ID
		f.check(at+" title", sec.Title.In(ko))
		f.check(at+" note", sec.Note.In(ko))
		for _, c := range sec.Columns {
			f.check(at+" column", c.In(ko))
		}
		for _, r := range sec.Rows {
			row := at + " row " + r.Key
			if key := r.KeyIn(ko); key != r.Key || !specName(key) {
				f.check(row+" key", key)
			}
			f.check(row+" value", r.ValueIn(ko))
			f.check(row+" cells", strings.Join(r.CellsIn(ko), " | "))
			f.check(row+" explain", r.Explain.In(ko))
			f.check(row+" hint", r.Hint.In(ko))
			f.check(row+" detail", r.DetailIn(ko))
		}
	}
}

// walkUI draws the run in the UI model in Korean: the welcome, the lesson and the help,
// then every step's pane after `a` (the status line, banner and footer of each, the
// sticky error and what to do, every section header, and every row as it is drawn when
// selected, which is when it shows everything it has). Row keys are judged by walkData.
func walkUI(t *testing.T, f *findings, w *walkRun) {
	const width, height = 200, 60
	const unwrapped = 1000 // wider than any row's text but a certificate's or a key's bytes
	m := newTestModel(t, &replay{walkRun: w}, width, height, false, present.KO)
	where := w.tee + "/" + w.scenario + " ui"
	f.check(where+" first frame", m.View())
	f.check(where+" welcome", strings.Join(m.welcomeLines(width), "\n"))
	for m.lessonPage = 0; m.lessonPage < lessonPages; m.lessonPage++ {
		f.check(fmt.Sprintf("%s lesson %d", where, m.lessonPage+1), strings.Join(m.lessonLines(width), "\n"))
	}
	m.lessonPage = 0
	f.check(where+" help", strings.Join(m.helpLines(width), "\n"))
	keys(m, "esc", "a")
	f.check(where+" status after a", m.statusView())
	if m.token != "" {
		f.check(where+" token JSON", strings.Join(m.jsonLines(width), "\n"))
	}
	for i, step := range m.steps {
		m.sel = i
		p := m.pane()
		p.ensure()
		at := where + " " + string(step)
		f.check(at+" frame", m.bannerView()+"\n"+m.footerView()+"\n"+m.statusView())
		for _, n := range append(append([]notice(nil), p.notices...), p.sticky...) {
			f.check(at+" notice", n.text)
		}
		if p.page == nil {
			continue
		}
		f.check(at+" header", strings.Join(p.header(p.contentWidth()), "\n"))
		for si := range p.page.Sections {
			sec := &p.page.Sections[si]
			f.check(at+" §"+sec.ID+" header", strings.Join(p.sectionHeader(si, sec, p.contentWidth()), "\n"))
		}
		// A row is judged on its unwrapped text where it can be: wrapping at the screen's
		// width splits an X.509 name (L=Santa | Clara) or a claim name (tdx_ | report_data)
		// into fragments that read as words. Lines the row itself breaks stay lines.
		p.SetSize(unwrapped, height)
		p.ensure()
		for _, it := range p.items {
			sec := &p.page.Sections[it.sec]
			if it.row < 0 {
				continue // a request or answer body: wire JSON, not words
			}
			r := &sec.Rows[it.row]
			lines := strings.Join(p.render(it, true), "\n")
			// The key is judged whole by walkData; here it may be cut or wrapped.
			for _, part := range wrap(r.KeyIn(present.KO), p.contentWidth()) {
				lines = strings.Replace(lines, part, " ", 1)
			}
			if sec.Kind == present.Events {
				lines = strings.Replace(lines, eventKey(r, it.row, present.KO), " ", 1)
			}
			f.check(at+" §"+sec.ID+" row "+r.Key, lines)
		}
	}
}

// walkText is `-o text --lang ko` of the run, and the error line the headless run prints.
func walkText(f *findings, w *walkRun) {
	var ps []present.Page
	var all check.List
	for _, s := range w.steps {
		p, ok := w.pages[s]
		if !ok {
			continue
		}
		ps = append(ps, p.Summarised())
		all = append(all, p.Checks...)
		if err := w.errs[s]; err != nil {
			msg, hint := fault.MessageIn(err, "ko")
			f.check(w.tee+"/"+w.scenario+" text error "+string(s), msg+"\n"+hint)
		}
	}
	var b bytes.Buffer
	WriteText(&b, w.banner, ps, all, present.KO)
	where := w.tee + "/" + w.scenario + " text"
	section := ""
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "== ") || strings.HasPrefix(line, "-- ") {
			section = strings.Trim(line, "=- ")
		}
		// A check's or a row's line starts with its id or key, judged by walkData.
		f.check(where+" "+section, line)
	}
}

// TestKoreanEverywhere walks every page of every scenario (and none) on the simulated
// SEV-SNP, TDX and Trusted Launch CVMs, as the UI draws it and as `-o text --lang ko`
// prints it, and fails on any English word outside the allow-list, naming where it is.
//
// The runs are real (the simulated CVM, the IMDS and MAA emulators), one at a time (one
// TPM simulator per process); each is walked while the next one runs. The scenarios whose
// fault is MAA waiting (maa-slow, maa-429, maa-500) wait seconds and do not depend on the
// TEE, so they run on SEV-SNP only.
func TestKoreanEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulated CVM for every scenario")
	}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(k, "")
	}
	f := &findings{}
	var wg sync.WaitGroup
	names := append([]string{"none"}, workshop.ScenarioNames()...)
	runs := 0
	for _, tee := range []string{"sevsnp", "tdx", "trustedlaunch"} {
		for _, name := range names {
			sc, err := workshop.LookupScenario(name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Supports(tee) != nil {
				continue
			}
			if sc.MAA.Delay > 0 || sc.MAA.Throttle > 0 || sc.MAA.Fail5xx != 0 {
				if tee != "sevsnp" {
					continue
				}
			}
			w := recordWalk(t, tee, sc)
			runs++
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, s := range w.steps {
					if p, ok := w.pages[s]; ok {
						walkData(f, w.tee+"/"+w.scenario+" "+string(s), p)
					}
				}
				walkText(f, w)
			}()
			walkUI(t, f, w)
		}
	}
	wg.Wait()
	if runs < 20 {
		t.Fatalf("walked only %d runs", runs)
	}
	ratchet(t, f.all)
	if !*showKoreanGaps {
		return
	}
	// One line per distinct English text, with where it was first met and how often.
	type agg struct {
		first finding
		words map[string]bool
		n     int
	}
	byLine := map[string]*agg{}
	var order []string
	for _, x := range f.all {
		k := digit.ReplaceAllString(x.line, "#")
		a := byLine[k]
		if a == nil {
			a = &agg{first: x, words: map[string]bool{}}
			byLine[k] = a
			order = append(order, k)
		}
		a.words[x.word] = true
		a.n++
	}
	sort.Slice(order, func(i, j int) bool { return byLine[order[i]].first.where < byLine[order[j]].first.where })
	var b strings.Builder
	for _, k := range order {
		a := byLine[k]
		var ws []string
		for w := range a.words {
			ws = append(ws, w)
		}
		sort.Strings(ws)
		line := a.first.line
		if r := []rune(line); len(r) > 240 {
			line = string(r[:240]) + "…" // by runes: a cut Hangul syllable is not text
		}
		fmt.Fprintf(&b, "%s ×%d [%s]\n    %s\n", a.first.where, a.n, strings.Join(ws, " "), line)
	}
	t.Logf("%d distinct texts in Korean output hold English (%d words in all):\n%s", len(order), len(f.all), b.String())
}

var showKoreanGaps = flag.Bool("korean-gaps", false, "TestKoreanEverywhere: list every English text still in Korean output")

// koreanRemaining lists the English still known in Korean output, one "where | word" a
// line, TEE and scenario left out. It only shrinks: the test fails on English that is not
// listed (new English) and on listed lines no longer met (delete them, or run with
// -update). Issue 9 is done when it is empty.
const koreanRemaining = "testdata/korean_remaining.txt"

func ratchet(t *testing.T, all []finding) {
	t.Helper()
	found := map[string]bool{}
	for _, x := range all {
		if keyMaterial(x) {
			continue
		}
		where := x.where
		if i := strings.IndexByte(where, ' '); i > 0 && strings.Contains(where[:i], "/") {
			where = where[i+1:]
		}
		found[digit.ReplaceAllString(where, "#")+" | "+x.word] = true
	}
	var keys []string
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if u := flag.Lookup("update"); u != nil && u.Value.String() == "true" {
		body := strings.Join(keys, "\n")
		if body != "" {
			body += "\n"
		}
		if err := os.WriteFile(koreanRemaining, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(koreanRemaining)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if l != "" {
			known[l] = true
		}
	}
	var added, gone []string
	for _, k := range keys {
		if !known[k] {
			added = append(added, k)
		}
	}
	for k := range known {
		if !found[k] {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	if len(added) > 0 {
		t.Errorf("%d new English words in Korean output (translate them; -korean-gaps shows the lines):\n%s", len(added), strings.Join(added, "\n"))
	}
	if len(gone) > 0 {
		t.Errorf("%d lines of %s are translated now: delete them (or run with -update):\n%s", len(gone), koreanRemaining, strings.Join(gone, "\n"))
	}
	t.Logf("%d English words remain in Korean output (%s)", len(keys), koreanRemaining)
}

// keyMaterial recognises findings that are fragments of random data rather than words: a
// hex run (a jti, a digest cut by wrapping), a duration unit, or anything in the rows that
// show keys as JWKs, whose base64 wraps into fragments that differ on every run.
func keyMaterial(x finding) bool {
	if hexRun.MatchString(x.word) || x.word == "ms" || x.word == "µs" {
		return true
	}
	for _, row := range []string{"row x-ms-runtime.keys", "row jti", "row x-ms-isolation-tee.x-ms-runtime.keys"} {
		if strings.Contains(x.where, row) {
			return true
		}
	}
	return false
}

var hexRun = regexp.MustCompile(`^[0-9a-fA-F]{3,}$`)

// TestEnglishInCatchesEnglish keeps TestKoreanEverywhere able to fail: cvmscope's own English
// is found, also beside quoted data, and only data marked as such (「…」 after a Korean label,
// "…", `…`, X.509 names) or an allow-listed name passes.
func TestEnglishInCatchesEnglish(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"쿼트가 검증되지 않습니다: the signature does not match", []string{"the", "signature", "does", "not", "match"}},
		// A catalogued field name that is also an English word is English in a sentence,
		// and a name as a label, a cell or an item of a list.
		{"signature가 맞지 않습니다", []string{"signature"}},
		{"보고서의 measurement 값이 다릅니다", []string{"measurement"}},
		{"signature: 512바이트", nil},
		{"SEV-SNP 보고서 measurement (오프셋 0x090)와 비교: 통과", nil},
		{"MAA 토큰이 로컬 증거와 다른 항목: measurement, user-data", nil},
		{"secure-boot가 true입니다", nil},
		{"measurement | 87c8 | 일치", nil},
		{"보안 부팅이 꺼져 있습니다(secureboot = false)", nil},
		{"secureboot은(는) 판단하지 않았습니다", []string{"secureboot"}},
		{"서명이 다릅니다. signature, measurement가 바뀌었습니다", []string{"signature", "measurement"}},
		{"다른 필드: signature, measurement", nil},
		{"go-tdx-guest 검증 오류 원문: 「signature mismatch」", nil},
		{"go-tdx-guest 검증 오류 원문: 「signature mismatch」 then retry", []string{"then", "retry"}},
		{"원문: 「unterminated quote and more words", []string{"unterminated", "quote", "and", "more", "words"}},
		{"원문: 「cut to fit…", nil},
		{`인증서 "Ubuntu Secure Boot Signing (SIMULATED)"로 검증됨`, nil},
		{"Ubuntu Secure Boot Signing (SIMULATED) 인증서로 검증됨", []string{"Signing", "SIMULATED"}},
		{`주체 CN=x,O=cvmscope SIMULATED MAA emulator (public test key\, not Microsoft's)`, nil},
		{"`cvmscope inspect`에는 파일로 넘깁니다", nil},
		{"inspect에서는 파일로 줍니다", []string{"inspect"}},
		{"x-ms-isolation-tee.dbgstat: disabled, MAA, SEV-SNP, PCR7, REPORT_DATA", nil},
		{"PASS tdx.tcb", []string{"PASS"}},
	} {
		if got := englishIn(tc.line); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("englishIn(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
