package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// liveNonce is the nonce of every live golden run: it is written as user data before the
// report is read, so the report, the request and the token are the same every time.
const liveNonce = "cvmscope-golden"

// newLiveRunner is the real Live runner over the simulated SEV-SNP CVM with its default
// seed (same seed, same keys, same reports), as `cvmscope --platform sim` runs it.
func newLiveRunner(t testing.TB) *workshop.Live {
	t.Helper()
	// Proxy settings would show in Preflight; a golden must not depend on the shell.
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(k, "")
	}
	r := workshop.NewLive(workshop.LiveOptions{
		Platform: platform.Options{Platform: "sim", TPM: "sim", SimTEE: "sevsnp", SecureBoot: true},
		Nonce:    liveNonce,
		Pager:    pages.Pager{},
		// The MAA call's latency comes from a clock that moves 10 ms each time it is read.
		// By the wall clock a starved machine made it take over 2 s now and then: Call MAA
		// then warned of a slow MAA, its tab said so on every pane, and every golden failed.
		TuneMAA: func(c *maa.Client) { c.Now = (&steppingClock{step: 10 * time.Millisecond}).Now },
	})
	t.Cleanup(func() { r.Close() })
	return r
}

// steppingClock reads as a fixed time that moves by step at each reading.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	}
	c.now = c.now.Add(c.step)
	return c.now
}

// Clock-dependent values differ between runs even when two runs happen to agree: the
// wall clock (Preflight's clock check, the AK certificate the simulated vTPM CA issues at
// start-up, the token's iat/nbf/exp), the TPM's clock, the emulators' loopback ports and
// measured latencies. They are always masked, digits only, so the layout stays the real one.
var clockMasks = []*regexp.Regexp{
	regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?`),
	regexp.MustCompile(`\b\d{2}:\d{2}:\d{2}\b`),
	// Unix seconds, 2020 to 2096: 2e9 s is 2033-05-18, from when a 1-only pattern would
	// leave iat/nbf/exp unmasked and every live golden would fail.
	regexp.MustCompile(`\b(1[6-9]|[23]\d)\d{8}\b`),
	regexp.MustCompile(`127\.0\.0\.1:\d+`),
}

// durations vary in width too ("8h0m0s", "7h59m59s", "38 ms", "412 ms"): each number in
// one becomes a single #.
var durations = []*regexp.Regexp{
	regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?s\b`),
	regexp.MustCompile(`\b\d+h(\d+m)?\b|\b\d+m\b`),
	regexp.MustCompile(`\b\d+(\.\d+)?\s?(ms|µs)\b`),
}

var (
	digit  = regexp.MustCompile(`\d`)
	number = regexp.MustCompile(`\d+(\.\d+)?`)
)

func maskClock(s string) string {
	for _, re := range clockMasks {
		var out strings.Builder
		last := 0
		for _, loc := range re.FindAllStringIndex(s, -1) {
			m := s[loc[0]:loc[1]]
			out.WriteString(s[last:loc[0]])
			last = loc[1]
			switch {
			case strings.HasSuffix(s[:loc[0]], "api-version="):
				// A protocol version that reads as a date, not a time.
				out.WriteString(m)
			case strings.HasPrefix(m, "127.0.0.1:"):
				out.WriteString("127.0.0.1:" + digit.ReplaceAllString(m[len("127.0.0.1:"):], "#"))
			default:
				out.WriteString(digit.ReplaceAllString(m, "#"))
			}
		}
		out.WriteString(s[last:])
		s = out.String()
	}
	for _, re := range durations {
		s = re.ReplaceAllStringFunc(s, func(m string) string { return number.ReplaceAllString(m, "#") })
	}
	return s
}

// token is what diffMask compares: a word, a number, a hex or base64 string. '#' is a
// token character because maskClock writes it in place of digits: a clock or duration
// pattern also matches inside a random base64 blob now and then ("+1712345678/",
// "/38m+"), and were '#' a separator that blob would become two or three tokens in one
// run and one in its twin, the token counts would differ and diffMask would hide every
// word of the page, keys included (CI of stop 17 failed on exactly that).
var token = regexp.MustCompile(`[A-Za-z0-9+/=_#-]+`)

// diffMask masks what differs between two runs with the same seed and nonce: random
// serials, signatures over the TPM's clock, fresh keys, token ids. a is returned with each
// token that differs from b hidden; the masks are found, not listed, so a step added to the
// runner is covered too. A hidden token keeps its length when it is long (a base64 blob
// keeps its decoded size) and is rounded up to 8 characters when short (a serial printed
// without leading zeros), so the golden does not depend on the random value.
func diffMask(a, b string) string {
	a, b = maskClock(a), maskClock(b)
	if a == b {
		return a
	}
	ta, tb := token.FindAllStringIndex(a, -1), token.FindAllString(b, -1)
	same := len(ta) == len(tb)
	var out strings.Builder
	last := 0
	for i, loc := range ta {
		t := a[loc[0]:loc[1]]
		out.WriteString(a[last:loc[0]])
		if same && t == tb[i] {
			out.WriteString(t)
		} else {
			out.WriteString(hide(t))
		}
		last = loc[1]
	}
	out.WriteString(a[last:])
	return out.String()
}

func hide(t string) string {
	body := strings.TrimRight(t, "=")
	n := len(body)
	if n < 64 {
		n = (n + 7) / 8 * 8
	}
	return strings.Repeat("X", n) + t[len(body):]
}

// twinRunner runs every step on two Live runners over two simulated CVMs with the same
// seed and nonce, one after the other (the TPM simulator is one per process), and returns
// the first one's pages with what differs from the second's masked. Both runs happen at
// the first Run; all sizes, colours and languages of a test then draw the same pages, so
// each simulator is provisioned once.
type twinRunner struct {
	*workshop.Live
	t      testing.TB
	once   sync.Once
	banner workshop.Banner
	pages  map[workshop.StepID]present.Page
	errs   map[workshop.StepID]error
}

func newTwinRunner(t testing.TB) *twinRunner {
	return &twinRunner{Live: newLiveRunner(t), t: t}
}

type liveRun struct {
	banner workshop.Banner
	pages  map[workshop.StepID]present.Page
	errs   map[workshop.StepID]error
}

// runAll runs every step in order, as `a` does, and closes the runner.
func runAll(ctx context.Context, r *workshop.Live) liveRun {
	out := liveRun{pages: map[workshop.StepID]present.Page{}, errs: map[workshop.StepID]error{}}
	for _, step := range r.Steps() {
		out.pages[step], out.errs[step] = r.Run(ctx, step)
	}
	out.banner = r.Banner()
	r.Close()
	return out
}

func (m *twinRunner) record(ctx context.Context) {
	a := runAll(ctx, m.Live)
	// Some values derive from the clock at one-second granularity (the AK certificate's
	// serial hashes its notBefore; the token's signature covers iat): the twin starts in
	// the next second, so they differ between the runs and get masked.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
	b := runAll(ctx, newLiveRunner(m.t))
	m.banner = a.banner
	m.banner.Detail = diffMask(a.banner.Detail, b.banner.Detail)
	m.pages, m.errs = map[workshop.StepID]present.Page{}, map[workshop.StepID]error{}
	for step, pa := range a.pages {
		m.pages[step] = maskPage(m.t, step, pa, b.pages[step])
		errA, errB := a.errs[step], b.errs[step]
		if (errA == nil) != (errB == nil) {
			m.t.Errorf("%s: one simulated run failed and its twin did not: %v / %v", step, errA, errB)
		}
		if errA != nil {
			other := errA.Error()
			if errB != nil {
				other = errB.Error()
			}
			m.errs[step] = fmt.Errorf("%s", diffMask(errA.Error(), other))
		}
	}
}

func (m *twinRunner) Run(ctx context.Context, step workshop.StepID) (present.Page, error) {
	m.once.Do(func() { m.record(ctx) })
	return m.pages[step], m.errs[step]
}

// Banner is the runner's own until the steps have run, then the recorded one.
func (m *twinRunner) Banner() workshop.Banner {
	if m.pages == nil {
		return m.Live.Banner()
	}
	return m.banner
}

// maskPage masks a's values that differ in b. Both runs must build pages of one shape:
// a section or row that comes and goes between runs is a bug worth a failure.
func maskPage(t testing.TB, step workshop.StepID, a, b present.Page) present.Page {
	mt := func(x, y present.Text) present.Text { return present.T(diffMask(x.EN, y.EN), diffMask(x.KO, y.KO)) }
	if len(a.Sections) != len(b.Sections) {
		t.Errorf("%s: %d sections in one run, %d in its twin", step, len(a.Sections), len(b.Sections))
		return a
	}
	a.Title, a.Summary = mt(a.Title, b.Title), mt(a.Summary, b.Summary)
	secs := make([]present.Section, len(a.Sections))
	for i, s := range a.Sections {
		sb := b.Sections[i]
		if s.ID != sb.ID || len(s.Rows) != len(sb.Rows) {
			t.Errorf("%s: section %q has %d rows in one run, %q %d in its twin", step, s.ID, len(s.Rows), sb.ID, len(sb.Rows))
			return a
		}
		s.Note, s.Body = mt(s.Note, sb.Note), diffMask(s.Body, sb.Body)
		rows := make([]present.Row, len(s.Rows))
		for j, r := range s.Rows {
			rb := sb.Rows[j]
			r.Key, r.KeyKO = diffMask(r.Key, rb.Key), diffMask(r.KeyKO, rb.KeyKO)
			r.Value, r.Detail, r.Copy = diffMask(r.Value, rb.Value), diffMask(r.Detail, rb.Detail), diffMask(r.Copy, rb.Copy)
			r.ValueKO, r.DetailKO = diffMask(r.ValueKO, rb.ValueKO), diffMask(r.DetailKO, rb.DetailKO)
			r.Explain, r.Hint = mt(r.Explain, rb.Explain), mt(r.Hint, rb.Hint)
			r.Cells, r.CellsKO = maskCells(r.Cells, rb.Cells), maskCells(r.CellsKO, rb.CellsKO)
			rows[j] = r
		}
		s.Rows = rows
		secs[i] = s
	}
	a.Sections = secs
	return a
}

func maskCells(a, b []string) []string {
	if a == nil {
		return nil
	}
	out := make([]string, len(a))
	for i := range a {
		other := ""
		if i < len(b) {
			other = b[i]
		}
		out[i] = diffMask(a[i], other)
	}
	return out
}

// TestLivePanes snapshots every pane the real Live runner draws from the simulated CVM:
// for each step it offers (so a step added to the runner gets goldens without touching this
// test), the top of its page and then each section, reached with `]` as a presenter
// would, at 80x24 and 160x48, with colour and with NO_COLOR, and in Korean.
func TestLivePanes(t *testing.T) {
	if testing.Short() {
		t.Skip("provisions the simulated CVM")
	}
	live := newTwinRunner(t)
	type config struct {
		w, h  int
		color bool
		lang  present.Lang
	}
	var configs []config
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, color := range []bool{true, false} {
			configs = append(configs, config{size[0], size[1], color, present.EN})
		}
		configs = append(configs, config{size[0], size[1], false, present.KO})
	}
	for _, c := range configs {
		m := newTestModel(t, live, c.w, c.h, c.color, c.lang)
		keys(m, "a")
		for i, step := range m.steps {
			if m.runs[i].state == waiting || m.runs[i].state == running {
				t.Fatalf("%s did not run: %s", step, stateWords[m.runs[i].state])
			}
			for m.sel != i {
				keys(m, "tab")
			}
			keys(m, "g")
			p := m.pane()
			shots := []string{"top"}
			if p.page != nil {
				for si, sec := range p.page.Sections {
					if si > 0 {
						shots = append(shots, fmt.Sprintf("%02d-%s", si, sec.ID))
					}
				}
			}
			for n, shot := range shots {
				if n > 0 {
					keys(m, "]")
				}
				name := fmt.Sprintf("%d_%s/%s/%s_%dx%d_%s", i+1, step, shot, c.lang, c.w, c.h, colorName(c.color))
				t.Run(name, func(t *testing.T) {
					frame := m.View()
					checkFrame(t, frame, c.w, c.h)
					if n > 0 {
						requireSectionShown(t, m, frame, n)
					}
					golden.RequireEqual(t, frame)
				})
			}
		}
	}
}

// requireSectionShown checks that `]` selected section si's first item and scrolled its
// title to the top of the pane, or as near as the end of the page allows.
func requireSectionShown(t *testing.T, m *model, frame string, si int) {
	t.Helper()
	p := m.pane()
	if it := p.items[p.sel]; it.sec != si {
		t.Errorf("] selected an item of section %d, want %d", it.sec, si)
	}
	at, end := p.secLine[si], max(len(p.lines)-p.height, 0)
	if p.offset != at && p.offset != end {
		t.Errorf("section %d title is line %d, pane starts at line %d (page end %d)", si, at, p.offset, end)
	}
	title := p.page.Sections[si].Title.In(m.c.lang())
	if word, _, _ := strings.Cut(title, " "); !strings.Contains(ansi.Strip(frame), word) {
		t.Errorf("section title %q is not on screen", title)
	}
}

// TestFirstFrameDoesNotOpenThePlatform: the first frame must not wait for the simulator
// to be provisioned (hundreds of milliseconds of TPM commands); the runner opens the
// platform when the first step runs, and the banner says so until then.
func TestFirstFrameDoesNotOpenThePlatform(t *testing.T) {
	r := newLiveRunner(t)
	m := newTestModel(t, r, 80, 24, false, present.EN)
	frame := m.View()
	checkFrame(t, frame, 80, 24)
	if r.Evidence() != nil {
		t.Error("the runner gathered evidence before any step ran")
	}
	b := r.Banner()
	if b.Source != "" {
		t.Errorf("the banner names source %q before any step ran: the platform was opened", b.Source)
	}
	// The runner was asked for the simulated CVM: the first frame says so, in words a
	// newcomer reads, before anything is opened.
	for _, want := range []string{"the SIMULATED CVM will be used", "Welcome to cvmscope", "What attestation proves"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the first frame does not say %q:\n%s", want, frame)
		}
	}
	if strings.Contains(frame, "run Preflight") {
		t.Errorf("the first frame still says \"run Preflight\":\n%s", frame)
	}
}

// TestDiffMaskKeepsKeysWhenABlobLooksLikeAClock: two runs' bodies whose random blobs differ,
// one of them holding what the clock and duration masks match (Unix seconds between '+' and
// '/', a "38m" between separators), must keep every key and every equal value; only the
// blob is hidden.
func TestDiffMaskKeepsKeysWhenABlobLooksLikeAClock(t *testing.T) {
	blobA := strings.Repeat("Qk", 20) + "+1712345678/" + strings.Repeat("Zm", 20) + "/38m+" + strings.Repeat("Yw", 10)
	blobB := strings.Repeat("Rk", 20) + "abcdefghijkl" + strings.Repeat("Zn", 20) + "wxyz0" + strings.Repeat("Yx", 10)
	body := func(blob string) string {
		return "{\n  \"EncKeyPub\": \"" + blob + "\",\n  \"Type\": \"SevSnp\",\n  \"Index\": 7\n}"
	}
	got := diffMask(body(blobA), body(blobB))
	for _, want := range []string{`"EncKeyPub": "`, `"Type": "SevSnp"`, `"Index": 7`} {
		if !strings.Contains(got, want) {
			t.Errorf("diffMask hid %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Qk") || !strings.Contains(got, strings.Repeat("X", 64)) {
		t.Errorf("diffMask did not hide the blob that differs:\n%s", got)
	}
	// The other way round too: the twin's blob is the one that looks like a clock.
	if got := diffMask(body(blobB), body(blobA)); !strings.Contains(got, `"Type": "SevSnp"`) {
		t.Errorf("diffMask hid the keys when the twin's blob matched a clock mask:\n%s", got)
	}
}
