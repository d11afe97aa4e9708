package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// inspect --each: many evidence sets in one process, each with its own verdict. A fleet's
// bundles share everything but their evidence: the trust anchors and --jwks are read once
// (validate), and what --network fetches (AMD KDS, Intel PCS, the provider's keys) is
// fetched once for all of them (fetchOnce).

// fleetSet is one evidence set: a directory's regular files, or one file.
type fleetSet struct {
	Name  string
	Files []string
}

// fleetSets turns the arguments into sets: a directory is one set of the regular files
// directly in it (sorted; subdirectories are not entered), anything else one set of that
// file alone, as a saved bundle is.
func fleetSets(args []string) ([]fleetSet, error) {
	var sets []fleetSet
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			sets = append(sets, fleetSet{Name: a, Files: []string{a}})
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		set := fleetSet{Name: a}
		for _, e := range entries {
			if e.Type().IsRegular() {
				set.Files = append(set.Files, filepath.Join(a, e.Name()))
			}
		}
		if len(set.Files) == 0 {
			return nil, fmt.Errorf("%s: the directory holds no files; with --each each directory is one evidence set", a)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// fleetResult is one set's verdict: a line of -o json, a line of text.
type fleetResult struct {
	Set      string     `json:"set"`
	OK       bool       `json:"ok"`
	Exit     int        `json:"exit"`
	Passed   int        `json:"passed"`
	Failed   int        `json:"failed"`
	Warnings int        `json:"warnings"`
	Skipped  int        `json:"skipped"`
	Error    string     `json:"error,omitempty"`
	Hint     string     `json:"hint,omitempty"`
	Checks   check.List `json:"checks"`
}

// inspectEach verifies every set on all cores and prints each verdict as soon as every set
// before it is printed, so the output is in argument order and nothing but the pending
// verdicts is held. The exit status is the worst set's (worse).
func inspectEach(ctx context.Context, args []string, cfg config, o options, lang present.Lang, stdout, stderr io.Writer) int {
	sets, err := fleetSets(args)
	if err != nil {
		eprintf(stderr, "cvmscope inspect --each: %v\n", err)
		return 1
	}
	restore := fetchOnce()
	defer restore()
	cfg.tok.Fetch = o.network

	results := make([]chan fleetResult, len(sets))
	for i := range results {
		results[i] = make(chan fleetResult, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sets)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] <- inspectSet(ctx, sets[i], cfg)
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range sets {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	w := bufio.NewWriter(stdout)
	worst, done := 0, 0
	counts := map[int]int{}
	for i := range sets {
		var r fleetResult
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			select { // a set already verified is still reported
			case r = <-results[i]:
			default:
			}
		}
		if r.Set == "" {
			break
		}
		done++
		counts[r.Exit]++
		worst = worse(worst, r.Exit)
		if o.output == "json" {
			writeJSONLine(w, r)
		} else {
			fmt.Fprintln(w, verdictLine(r, lang))
		}
		if w.Buffered() > 32<<10 || i == len(sets)-1 {
			w.Flush()
		}
	}
	w.Flush()
	wg.Wait()
	if done < len(sets) {
		eprintf(stderr, "cvmscope inspect --each: interrupted after %d of %d sets\n", done, len(sets))
		worst = worse(worst, fault.Interrupted.ExitCode())
	}
	if o.output != "json" {
		fmt.Fprintln(stdout, fleetSummary(done, counts))
	}
	return worst
}

// inspectSet runs every step on one set, as a plain inspect would, and keeps the checks.
func inspectSet(ctx context.Context, s fleetSet, cfg config) fleetResult {
	r := fleetResult{Set: s.Name, Checks: check.List{}}
	set, err := evidence.LoadFiles(s.Files)
	if err != nil {
		r.Error, r.Exit = err.Error(), fault.ExitCode(err)
		if r.Exit == 0 {
			r.Exit = 1
		}
		return r
	}
	runner := workshop.NewFiles(set, cfg.verify, pages.Pager{}).WithToken(cfg.tok)
	defer runner.Close()
	var runErr error
	for _, step := range runner.Steps() {
		p, err := runner.Run(ctx, step)
		r.Checks = append(r.Checks, p.Checks...)
		if err != nil {
			runErr = fmt.Errorf("%s: %w", step.Title().EN, err)
			break
		}
	}
	for _, c := range r.Checks {
		switch c.Verdict {
		case check.Pass:
			r.Passed++
		case check.Fail:
			r.Failed++
		case check.Warn:
			r.Warnings++
		case check.Skip:
			r.Skipped++
		}
	}
	r.Exit = exitCode(r.Checks, runErr)
	r.OK = r.Exit == 0
	if runErr != nil {
		r.Error, r.Hint = runErr.Error(), fault.HintOf(runErr)
	}
	return r
}

// exitRank orders exit codes by the documented precedence: any integrity failure wins,
// then the errors that stopped a run (TPM, network, interrupted, policy, misuse), then a
// policy check, then success.
var exitRank = []int{0, 1, 5, 130, 3, 4, 2}

// worse returns the exit code that takes precedence.
func worse(a, b int) int {
	if slices.Index(exitRank, b) > slices.Index(exitRank, a) {
		return b
	}
	return a
}

// verdictLine is one set in text: its verdict first, so that a column of them reads at a
// glance, then the set, then the counts or the first failure.
func verdictLine(r fleetResult, lang present.Lang) string {
	name := present.Safe(r.Set)
	switch {
	case r.OK:
		return fmt.Sprintf("PASS  %s  (%d passed, %d warnings, %d skipped)", name, r.Passed, r.Warnings, r.Skipped)
	case r.Failed > 0:
		var first check.Check
		for _, c := range r.Checks {
			if c.Verdict == check.Fail {
				first = c
				break
			}
		}
		summary, _ := first.In(string(lang))
		more := ""
		if r.Failed > 1 {
			more = fmt.Sprintf(" (+%d more failed)", r.Failed-1)
		}
		id := first.ID
		if first.Subject != "" {
			id += "[" + first.Subject + "]"
		}
		return present.Safe(fmt.Sprintf("FAIL %d  %s  %s: %s%s", r.Exit, r.Set, id, summary, more))
	}
	return present.Safe(fmt.Sprintf("FAIL %d  %s  %s", r.Exit, r.Set, r.Error))
}

// fleetSummary is the last line of text: how many sets, and how many ended with each code.
func fleetSummary(n int, counts map[int]int) string {
	parts := []string{fmt.Sprintf("%d passed", counts[0])}
	for _, code := range slices.Backward(exitRank) {
		if code != 0 && counts[code] > 0 {
			parts = append(parts, fmt.Sprintf("%d exit %d", counts[code], code))
		}
	}
	return fmt.Sprintf("%d sets: %s", n, strings.Join(parts, ", "))
}

// writeJSONLine writes v as one line of JSON, made safe as -o json is.
func writeJSONLine(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	w.Write(append(present.SafeJSON(b), '\n'))
}

// fetchOnce makes http.DefaultClient, which the AMD KDS, Intel PCS and MAA key fetches use,
// answer a GET it has already answered in this process from memory: a fleet asks each
// service for the same few documents once per set. Failures that are not the caller's own
// cancellation are kept too, so that an unreachable service costs its timeout once, not
// once per set. It returns what puts the client back.
func fetchOnce() (restore func()) {
	prev := http.DefaultClient.Transport
	base := prev
	if base == nil {
		base = http.DefaultTransport
	}
	http.DefaultClient.Transport = &onceTransport{base: base, seen: map[string]*onceAnswer{}}
	return func() { http.DefaultClient.Transport = prev }
}

type onceTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen map[string]*onceAnswer
}

// onceAnswer is one URL's answer; ready is closed when it is in.
type onceAnswer struct {
	ready  chan struct{}
	status int
	header http.Header
	body   []byte
	err    error
}

// maxKeptBody bounds what is kept of an answer; every fetcher reads at most 1 MiB.
const maxKeptBody = 1 << 20

func (t *onceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Body != nil && req.Body != http.NoBody {
		return t.base.RoundTrip(req)
	}
	key := req.URL.String()
	t.mu.Lock()
	a, ok := t.seen[key]
	if !ok {
		a = &onceAnswer{ready: make(chan struct{})}
		t.seen[key] = a
	}
	t.mu.Unlock()
	if !ok {
		t.fetch(req, a)
	}
	select {
	case <-a.ready:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if a.err != nil {
		return nil, a.err
	}
	return &http.Response{Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)), StatusCode: a.status, Header: a.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: req,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// fetch asks once and keeps the answer, unless the asker gave up: then the next asker
// tries again.
func (t *onceTransport) fetch(req *http.Request, a *onceAnswer) {
	defer close(a.ready)
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		defer resp.Body.Close()
		a.status, a.header = resp.StatusCode, resp.Header
		a.body, err = io.ReadAll(io.LimitReader(resp.Body, maxKeptBody+1))
	}
	a.err = err
	if err != nil && (req.Context().Err() != nil || errors.Is(err, context.Canceled)) {
		t.mu.Lock()
		delete(t.seen, req.URL.String())
		t.mu.Unlock()
	}
}
