package cli

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// inspect --each: many evidence sets in one process, each with its own verdict. A fleet's
// bundles share everything but their evidence: the trust anchors and --jwks are read once
// (validate), and what --network fetches (AMD KDS, Intel PCS, the provider's keys) is
// fetched once for all of them, a failure included (verify.FetchOnce: the sets run under one
// context that carries the fetch cache; no process-wide client is changed).

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
			return nil, unreadableSet(a, err)
		}
		if !fi.IsDir() {
			sets = append(sets, fleetSet{Name: a, Files: []string{a}})
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, unreadableSet(a, err)
		}
		set := fleetSet{Name: a}
		for _, e := range entries {
			if e.Type().IsRegular() {
				set.Files = append(set.Files, filepath.Join(a, e.Name()))
			}
		}
		if len(set.Files) == 0 {
			return nil, fault.Korean(fault.Errorf(fault.Internal, "%s: the directory holds no files; with --each each directory is one evidence set", a),
				a+": 디렉터리에 파일이 없습니다. --each에서는 디렉터리 하나가 증거 집합 하나입니다", "")
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// setHint says what an argument of inspect --each must be.
const (
	setHint   = "check the path; with --each each argument is a directory holding one VM's evidence files, or one saved bundle file"
	setHintKO = "경로를 확인합니다. --each에서는 인수 하나가 VM 하나의 증거 파일을 담은 디렉터리이거나 저장된 번들 파일 하나입니다"
)

// unreadableSet names the argument that cannot be read and says why in words, not as the
// raw "stat …" of the system call.
func unreadableSet(path string, err error) error {
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s: no such file or directory", path), setHint),
			path+": 그런 파일이나 디렉터리가 없습니다", setHintKO)
	case errors.Is(err, fs.ErrPermission):
		return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s: permission denied", path), "check the permissions of "+path+", or run as a user that may read it"),
			path+": 읽을 권한이 없습니다", path+"의 권한을 확인하거나, 읽을 수 있는 사용자로 실행합니다")
	}
	return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s: cannot read: %v", path, cause), setHint),
		path+": 읽을 수 없습니다("+fault.QuoteKO("오류 원문", cause.Error())+")", setHintKO)
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
	// errKO is Error in Korean, for --lang ko text.
	errKO string
}

// inspectEach verifies every set on all cores and prints each verdict as soon as every set
// before it is printed, so the output is in argument order and nothing but the pending
// verdicts is held. The exit status is the worst set's (worse).
func inspectEach(ctx context.Context, args []string, cfg config, o options, lang present.Lang, stdout, stderr io.Writer) int {
	sets, err := fleetSets(args)
	if err != nil {
		msg, hint := fault.MessageIn(err, string(lang))
		eprintf(stderr, "cvmscope inspect --each: %s\n", msg)
		if hint != "" {
			eprintf(stderr, present.T("  what to do: %s\n", "  조치 방법: %s\n").In(lang), hint)
		}
		return 1
	}
	ctx = verify.FetchOnce(ctx)
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
		eprintf(stderr, present.T("cvmscope inspect --each: interrupted after %d of %d sets\n",
			"cvmscope inspect --each: 증거 집합 %[2]d개 중 %[1]d개를 마친 뒤 중단되었습니다\n").In(lang), done, len(sets))
		worst = worse(worst, fault.Interrupted.ExitCode())
	}
	if o.output != "json" {
		fmt.Fprintln(stdout, fleetSummary(done, counts, lang))
	}
	return worst
}

// inspectSet runs every step on one set, as a plain inspect would, and keeps the checks.
func inspectSet(ctx context.Context, s fleetSet, cfg config) fleetResult {
	r := fleetResult{Set: s.Name, Checks: check.List{}}
	set, err := evidence.LoadFiles(s.Files)
	if err != nil {
		r.Error, r.Exit = err.Error(), fault.ExitCode(err)
		r.errKO, _ = fault.MessageIn(err, "ko")
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
			msgKO, _ := fault.MessageIn(err, "ko")
			r.errKO = step.Title().KO + ": " + msgKO
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
	if runErr == nil {
		// The set's keys could not be fetched, and nothing else stopped it: say so (exit 3).
		if runErr = unreachable(r.Checks); runErr != nil {
			r.errKO, _ = fault.MessageIn(runErr, "ko")
		}
	}
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
	ko := lang == present.KO
	switch {
	case r.OK && ko:
		return fmt.Sprintf("통과  %s  (통과 %d, 경고 %d, 건너뜀 %d)", name, r.Passed, r.Warnings, r.Skipped)
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
		id := first.ID
		if first.Subject != "" {
			id += "[" + first.Subject + "]"
		}
		if ko {
			more := ""
			if r.Failed > 1 {
				more = fmt.Sprintf(" (그 밖에 %d개 실패)", r.Failed-1)
			}
			return present.Safe(fmt.Sprintf("실패 %d  %s  %s: %s%s", r.Exit, r.Set, id, summary, more))
		}
		more := ""
		if r.Failed > 1 {
			more = fmt.Sprintf(" (+%d more failed)", r.Failed-1)
		}
		return present.Safe(fmt.Sprintf("FAIL %d  %s  %s: %s%s", r.Exit, r.Set, id, summary, more))
	case ko:
		return present.Safe(fmt.Sprintf("실패 %d  %s  %s", r.Exit, r.Set, cmp.Or(r.errKO, r.Error)))
	}
	return present.Safe(fmt.Sprintf("FAIL %d  %s  %s", r.Exit, r.Set, r.Error))
}

// fleetSummary is the last line of text: how many sets, and how many ended with each code.
func fleetSummary(n int, counts map[int]int, lang present.Lang) string {
	if lang == present.KO {
		parts := []string{fmt.Sprintf("통과 %d", counts[0])}
		for _, code := range slices.Backward(exitRank) {
			if code != 0 && counts[code] > 0 {
				parts = append(parts, fmt.Sprintf("종료 코드 %d: %d개", code, counts[code]))
			}
		}
		return fmt.Sprintf("증거 집합 %d개: %s", n, strings.Join(parts, ", "))
	}
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
