package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maaemu"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/regfile"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
	flag "github.com/spf13/pflag"
)

const policyUsage = `cvmscope policy runs a Microsoft Azure Attestation policy locally and explains it rule by rule.

Usage:
  cvmscope policy check [flags] POLICY_FILE EVIDENCE...
        evaluate the policy over the incoming claims of an MAA token, a cvmscope bundle, or
        evidence files (HCL report, SNP report, TD quote, TPM quote + PCRs, event log), the
        claims the MAA emulator derives from them. The files are verified first, as inspect
        verifies them, and a token as verify does (keys from --jwks, the -a provider or
        --trust-simulated; never from the token). Exit 0 permitted, 5 denied, 2 when a
        verification check fails whatever the policy decided (a token whose signature is not
        verified on keys you chose, evidence that fails its checks or that nothing signed
        covers), 1 when the policy does not parse (line:column named)
  cvmscope policy sample TYPE
        print cvmscope's sample policy for AzureGuest, SevSnpVm or TdxVm
`

// runPolicy is `cvmscope policy SUBCOMMAND`.
func runPolicy(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		w := stdout
		if len(args) == 0 {
			w = stderr
		}
		fmt.Fprint(w, policyUsage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	switch args[0] {
	case "check":
		return policyCheck(args[1:], stdout, stderr)
	case "sample":
		if len(args) != 2 {
			eprintf(stderr, "cvmscope policy sample: name one TYPE: %s\n", strings.Join(policy.SampleNames(), ", "))
			return 1
		}
		text, ok := policy.Sample(args[1])
		if !ok {
			eprintf(stderr, "cvmscope policy sample: no sample for %q; the samples are %s\n", args[1], strings.Join(policy.SampleNames(), ", "))
			return 1
		}
		fmt.Fprint(stdout, text)
		return 0
	}
	eprintf(stderr, "cvmscope policy: no subcommand %q; use check or sample (cvmscope policy --help)\n", args[0])
	return 1
}

func policyCheck(args []string, stdout, stderr io.Writer) int {
	// The same flags as inspect and verify: the anchors a token or evidence is verified on
	// are the caller's, chosen the same way everywhere.
	var o options
	fs := newFlags(&o, cmdPolicy, stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		w, code := stderr, 1
		if errors.Is(err, flag.ErrHelp) {
			w, code = stdout, 0
		}
		fmt.Fprintf(w, "%s\nFlags of cvmscope policy check:\n%s", policyUsage, fs.FlagUsages())
		if code != 0 {
			eprintf(stderr, "\ncvmscope policy check: %v%s\n", err, suggestFlag(fs, err))
		}
		return code
	}
	lang := present.Lang(o.lang)
	if lang == "" {
		lang = ui.DefaultLang()
	}
	cfg, err := o.validate(cmdPolicy, fs.Args())
	if err != nil {
		printMisuse(stderr, "cvmscope policy check", err, lang)
		return 1
	}
	// -v and CVMSCOPE_LOG as in inspect and verify: the files are verified here too.
	setupLogging(o.verbose, stderr, o.output == "" && isTerminal(stdout))
	file := fs.Arg(0)
	pol, ok := loadPolicyFile("cvmscope policy check", file, lang, stderr)
	if !ok {
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, runErr, err := incoming(ctx, fs.Args()[1:], cfg)
	if err != nil {
		msg, hint := err.Error(), ""
		if lang == present.KO {
			var ko *policyInputError
			if errors.As(err, &ko) {
				msg, hint = ko.ko, ko.hintKO
			}
		}
		eprintf(stderr, "cvmscope policy check: %s\n", msg)
		if hint != "" {
			eprintf(stderr, "%s\n", hint)
		}
		return 1
	}
	src.code = exitCode(src.Checks, runErr)
	res := pol.Evaluate(src.claims)
	rep := newPolicyReport(file, pol, src, res)
	if o.output == "" && isTerminal(stdout) {
		runner := &policyRunner{rep: rep, files: fs.Args()[1:]}
		if err := ui.Run(ctx, runner, ui.Options{Lang: lang, RunAtStart: true}); err != nil {
			eprintf(stderr, "cvmscope policy check: %v\n", err)
			return fault.ExitCode(err)
		}
	} else if o.output == "json" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		stdout.Write(present.SafeJSON(append(b, '\n')))
	} else {
		fmt.Fprint(stdout, present.SafeLines(rep.text(lang)))
	}
	return src.exit(res.Permitted, runErr, lang, stderr)
}

// exit is policy check's exit code: what the verification of the files decided when it did
// not pass (2 integrity, whatever the policy decided: claims nothing authenticates prove
// nothing; 3 network, 130 interrupted), else 5 for a denial or an unmet --expect, else 0.
func (src *claimSource) exit(permitted bool, runErr error, lang present.Lang, stderr io.Writer) int {
	code := src.code
	if runErr == nil {
		runErr = unreachable(src.Checks)
	}
	if runErr != nil {
		msg, hint := fault.MessageIn(runErr, string(lang))
		eprintf(stderr, "cvmscope policy check: %s\n", msg)
		if hint != "" {
			eprintf(stderr, "  %s: %s\n", present.T("what to do", "조치 방법").In(lang), hint)
		}
	}
	if len(src.Failed) > 0 && code == fault.Verification.ExitCode() {
		what := present.T("the evidence failed "+strings.Join(src.Failed, ", ")+"; MAA would refuse it before any policy ran (exit 2 whatever the policy decided)",
			"증거가 "+strings.Join(src.Failed, ", ")+" 검사에 실패했습니다. MAA는 정책 실행 전에 이를 거부합니다(정책 결과와 관계없이 종료 코드 2)")
		if src.From == "token" {
			what = present.T("the token failed "+strings.Join(src.Failed, ", ")+", so its claims are not authenticated on an anchor you chose and the policy's verdict proves nothing (exit 2 whatever the policy decided)",
				"토큰이 "+strings.Join(src.Failed, ", ")+" 검사에 실패했습니다. 사용자가 고른 신뢰 기준으로 클레임을 인증하지 못했으므로 정책 결과는 아무것도 증명하지 않습니다(정책 결과와 관계없이 종료 코드 2)")
		}
		eprintf(stderr, "cvmscope policy check: %s\n", what.In(lang))
		for _, c := range src.Checks {
			if c.Verdict == check.Fail && !strings.HasPrefix(c.ID, "policy.") {
				sum, _ := c.In(string(lang))
				eprintf(stderr, "  %s: %s\n", c.ID, sum)
			}
		}
	}
	switch {
	case code != 0 && code != fault.Policy.ExitCode():
		return code
	case !permitted:
		return fault.Policy.ExitCode()
	}
	return code
}

// loadPolicyFile reads and parses a policy file; a policy that does not parse is reported
// as FILE:LINE:COL: message, which editors jump to.
func loadPolicyFile(cmd, file string, lang present.Lang, stderr io.Writer) (*policy.Policy, bool) {
	text, err := readPolicy(file)
	if err != nil {
		msg, _ := fault.MessageIn(err, string(lang))
		eprintf(stderr, "%s: %s: %s\n", cmd, file, msg)
		return nil, false
	}
	pol, err := policy.Parse(text)
	var pe *policy.Error
	switch {
	case errors.As(err, &pe):
		eprintf(stderr, "%s:%d:%d: %s\n", file, pe.Pos.Line, pe.Pos.Col, pe.Msg.In(lang))
		if lang == present.KO {
			eprintf(stderr, "정책을 고친 뒤 다시 실행합니다.\n")
		} else {
			eprintf(stderr, "Fix the policy and run again.\n")
		}
		return nil, false
	case err != nil:
		eprintf(stderr, "%s: %s: %v\n", cmd, file, err)
		return nil, false
	}
	return pol, true
}

// simPolicy reads --policy for a live run: the policy the simulated CVM's emulator
// enforces. It needs the simulated CVM (on Azure the provider's uploaded policy decides; try
// a policy there with cvmscope policy check) and no -a (another emulator has its own).
func (o *options) simPolicy() (*policy.Policy, error) {
	if o.policyFile == "" {
		return nil, nil
	}
	if o.Platform == "azure" || o.attestURL != "" {
		return nil, fault.Korean(fmt.Errorf("--policy %s is enforced by the simulated CVM's own MAA emulator; it cannot change what --platform azure or an -a provider enforces (check a policy against a token with cvmscope policy check)", o.policyFile),
			fmt.Sprintf("--policy %s는 시뮬레이션 CVM의 MAA 에뮬레이터가 적용합니다. --platform azure나 -a 공급자의 정책은 바꿀 수 없습니다 (토큰에 대한 정책은 cvmscope policy check로 확인합니다)", o.policyFile), "")
	}
	o.Platform = "sim"
	text, err := readPolicy(o.policyFile)
	if err != nil {
		return nil, policyFileError("--policy", o.policyFile, err)
	}
	pol, err := policy.Parse(text)
	var pe *policy.Error
	if errors.As(err, &pe) {
		return nil, fault.Korean(fmt.Errorf("%s:%d:%d: %s", o.policyFile, pe.Pos.Line, pe.Pos.Col, pe.Msg.EN),
			fmt.Sprintf("%s:%d:%d: %s", o.policyFile, pe.Pos.Line, pe.Pos.Col, pe.Msg.KO), "")
	}
	return pol, err
}

// readPolicy reads the policy text through regfile, so a FIFO or /dev/zero fails at once
// (looked at before and after opening) instead of hanging or filling memory. Its errors say
// what is wrong in English and Korean; the system's own words, when nothing more is known,
// are quoted in Korean as received (fault.QuoteKO).
func readPolicy(path string) (string, error) {
	b, err := regfile.Read(path, policy.MaxPolicyBytes)
	if err == nil {
		return string(b), nil
	}
	var nr *regfile.NotRegularError
	var tl *regfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		return "", fault.Korean(fmt.Errorf("is %s, not a regular file; give the policy as a text file", nr.What),
			fmt.Sprintf("일반 파일이 아니라 %s입니다. 정책은 텍스트 파일로 줍니다", fileWhatKO[nr.What]), "")
	case errors.As(err, &tl):
		return "", fault.Korean(fmt.Errorf("is over the %d-byte limit for a policy", tl.Max),
			fmt.Sprintf("정책 크기 제한(%d바이트)을 넘습니다", tl.Max), "")
	case errors.Is(err, fs.ErrNotExist):
		return "", fault.Korean(err, "파일이 없습니다. 경로를 확인합니다", "")
	case errors.Is(err, fs.ErrPermission):
		return "", fault.Korean(err, "읽을 권한이 없습니다. 파일 권한을 확인하거나 읽을 수 있는 사본을 줍니다", "")
	}
	return "", fault.Korean(err, "읽을 수 없습니다. "+fault.QuoteKO("오류 원문", err.Error()), "")
}

// fileWhatKO is regfile.NotRegularError's What in Korean.
var fileWhatKO = map[string]string{
	"a directory": "디렉터리", "a named pipe": "명명된 파이프(FIFO)", "a socket": "소켓", "a device": "장치", "a special file": "특수 파일",
}

// policyFileError names the flag and file a policy read failed for, in both languages.
func policyFileError(flag, path string, err error) error {
	msg, _ := fault.MessageIn(err, "ko")
	return fault.Korean(fmt.Errorf("%s %s: %w", flag, path, err), fmt.Sprintf("%s %s: %s", flag, path, msg), "")
}

// policyInputError is a problem with the evidence files, in English and Korean.
type policyInputError struct{ en, ko, hintKO string }

func (e *policyInputError) Error() string { return e.en }

// claimSource is where the incoming claims came from.
type claimSource struct {
	From  string         `json:"from"`           // "token" or "evidence"
	Kind  string         `json:"kind,omitempty"` // AzureGuest, SevSnpVm, TdxVm, or "" when unknown
	Files []string       `json:"files"`
	Notes []present.Text `json:"notes,omitempty"`
	// Failed names the verification checks that failed: MAA would refuse such evidence
	// before any policy ran, and a token's claims are not authenticated, so the run cannot
	// exit 0 whatever the policy decides.
	Failed []string `json:"failed_checks,omitempty"`
	// Checks are the verification the files got: inspect's checks, a token's as verify
	// runs them, on the anchors the flags chose.
	Checks check.List `json:"checks"`
	claims []policy.Claim
	// code is what the verification decides for the exit (exitCode of Checks and the run's
	// error): 2 when the files failed a check, 3 when only the provider's keys could not be
	// fetched, 130 when interrupted; the report and the page say the number it is.
	code int
}

// incoming reads and verifies the evidence files as inspect does (a token alone as verify
// does): a token's claims are its incoming claims (MAA wrote them from the evidence);
// without a token, the claims are derived from the evidence as the MAA emulator derives
// them. runErr is a verification step's error (network, interrupted); err a misuse.
func incoming(ctx context.Context, paths []string, cfg config) (src *claimSource, runErr error, err error) {
	set, err := evidence.LoadFiles(paths)
	if err != nil {
		return nil, nil, &policyInputError{en: err.Error(), ko: err.Error()}
	}
	// The policy is the judge here, not the built-in Azure CVM baseline; --expect still
	// applies. Keys are fetched only from the provider -a pins (or --any-azure-provider
	// allows), as verify fetches them.
	cfg.tok.NoBaseline, cfg.tok.Fetch = true, true
	runner := workshop.NewFiles(set, cfg.verify, pages.Pager{}).WithToken(cfg.tok)
	src = &claimSource{Files: paths, Checks: check.List{}}
	for _, step := range runner.Steps() {
		p, err := runner.Run(ctx, step)
		src.Checks = append(src.Checks, p.Checks...)
		if err != nil {
			runErr = err
			break
		}
	}
	src.Failed = failedChecks(src.Checks)
	if set.Token != "" {
		tok, err := token.Parse(set.Token)
		if err != nil {
			return nil, nil, &policyInputError{en: err.Error(), ko: "토큰을 읽을 수 없습니다: " + err.Error()}
		}
		var m map[string]any
		if err := json.Unmarshal(tok.Payload, &m); err != nil {
			return nil, nil, &policyInputError{en: "token payload: " + err.Error(), ko: "토큰 페이로드: " + err.Error()}
		}
		src.From = "token"
		src.Kind = kindOfType(m)
		src.claims = policy.Incoming(m)
		// An event log or PCRs given beside the token are offered as 1.2's JSON claims.
		if len(set.EventLog) > 0 || len(set.PCRs) > 0 {
			var log *eventlog.Log
			if len(set.EventLog) > 0 {
				if log, err = eventlog.Parse(set.EventLog); err != nil {
					return nil, nil, &policyInputError{en: "event log: " + err.Error(), ko: "이벤트 로그: " + err.Error()}
				}
			}
			src.claims = append(src.claims, policy.EvidenceClaims(log, set.PCRs)...)
		}
		note := present.T("the token's claims stand for the incoming claims, once its signature verifies on the keys you chose (as cvmscope verify checks it: --jwks, -a, --trust-simulated); claims an earlier policy issued are read as evidence claims",
			"토큰의 클레임을 들어오는 클레임으로 씁니다. 서명은 사용자가 고른 키로 검증합니다(cvmscope verify와 같이 --jwks, -a, --trust-simulated). 이전 정책이 발급한 클레임도 증거 클레임으로 읽습니다")
		src.Notes = append(src.Notes, note)
		src.addFailedNote()
		return src, runErr, nil
	}
	res := runner.Result()
	if res == nil {
		return src, runErr, nil
	}
	kind, claims := maaemu.IncomingClaims(res)
	if claims == nil {
		return nil, nil, &policyInputError{
			en:     "the files hold neither a token nor a TEE report or TPM evidence to derive claims from; give a token, a bundle, or an HCL/SNP report, TD quote, TPM quote or event log",
			ko:     "파일에 토큰도, 클레임을 만들 TEE 보고서나 TPM 증거도 없습니다",
			hintKO: "토큰, 번들, 또는 HCL/SNP 보고서, TD quote, TPM quote나 이벤트 로그를 줍니다",
		}
	}
	norm, err := policy.Normalize(claims)
	if err != nil {
		return nil, nil, &policyInputError{en: err.Error(), ko: err.Error()}
	}
	src.From, src.Kind, src.claims = "evidence", kind, policy.Incoming(norm)
	src.claims = append(src.claims, policy.EvidenceClaims(res.Log, set.PCRs)...)
	src.Notes = append(src.Notes, present.T(
		"claims derived from the evidence as the MAA emulator derives them; the boot claims (secureboot, …) count only PCRs whose replay matched a signed quote, while the events and pcrs JSON claims show the files as given",
		"MAA 에뮬레이터와 같은 방법으로 증거에서 클레임을 만들었습니다. 부팅 클레임(secureboot 등)은 서명된 quote와 재생 값이 맞는 PCR만 쓰고, events와 pcrs JSON 클레임은 주어진 파일을 그대로 보여 줍니다"))
	src.addFailedNote()
	return src, runErr, nil
}

// addFailedNote names the failed verification checks among the notes.
func (src *claimSource) addFailedNote() {
	if len(src.Failed) == 0 {
		return
	}
	if src.From == "token" {
		src.Notes = append(src.Notes, present.T(
			"these checks failed, so nothing you chose vouches for the claims below: "+strings.Join(src.Failed, ", "),
			"다음 검사가 실패했으므로 아래 클레임을 사용자가 고른 신뢰 기준으로 보증할 수 없습니다: "+strings.Join(src.Failed, ", ")))
		return
	}
	src.Notes = append(src.Notes, present.T(
		"these evidence checks failed, and MAA refuses such evidence before any policy runs: "+strings.Join(src.Failed, ", "),
		"다음 증거 검사가 실패했으며, MAA는 이런 증거를 정책 실행 전에 거부합니다: "+strings.Join(src.Failed, ", ")))
}

// failedChecks names the failing checks that are not policy checks (--expect).
func failedChecks(l check.List) []string {
	var out []string
	for _, c := range l {
		if c.Verdict == check.Fail && !strings.HasPrefix(c.ID, "policy.") && !slices.Contains(out, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}

// kindOfType names the endpoint from a token's x-ms-attestation-type.
func kindOfType(m map[string]any) string {
	switch m["x-ms-attestation-type"] {
	case "azurevm":
		return "AzureGuest"
	case "sevsnpvm":
		return "SevSnpVm"
	case "tdxvm":
		return "TdxVm"
	}
	return ""
}
