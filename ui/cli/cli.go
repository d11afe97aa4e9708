// Package cli is cvmscope's command line: flags, subcommands, headless output (text and
// JSON) and exit codes. It starts the TUI when it runs in a terminal without -o.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/ui"
	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"
)

// Version is set at build time with -ldflags "-X .../ui/cli.Version=...".
var Version = "dev"

const usage = `cvmscope walks you through Azure Confidential VM guest attestation and explains every piece of evidence.

Usage:
  cvmscope [flags]                 run the workshop (TUI in a terminal; -o for headless output)
  cvmscope inspect [flags] FILE... verify saved evidence offline (HCL report, SNP report, TD quote,
                                   TPM quote + signature + PCRs, event log, certificates, JWT, bundle)
  cvmscope version

Exit codes: 0 all checks passed, 1 misuse or internal error, 2 evidence or token verification
failed, 3 network or service error, 4 TPM or device error, 5 policy denied.

Flags:
`

// Main runs cvmscope with args (without the program name) and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "inspect":
			return run(args[1:], stdout, stderr, true)
		case "version", "--version":
			fmt.Fprintf(stdout, "cvmscope %s\n", Version)
			return 0
		}
	}
	return run(args, stdout, stderr, false)
}

type options struct {
	platform.Options
	output  string
	nonce   string
	now     string
	verbose bool
	lang    string
	save    string
	network bool
	seed    string
	secOff  bool
	debug   bool
}

func newFlags(o *options, inspect bool, stderr io.Writer) *flag.FlagSet {
	name := "cvmscope"
	if inspect {
		name = "cvmscope inspect"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVarP(&o.output, "output", "o", "", "headless output: text or json (without it, a terminal gets the TUI)")
	fs.StringVar(&o.now, "now", "", "judge certificates and tokens at this RFC 3339 time instead of the clock")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "debug logs (each TPM command and HTTP exchange) on stderr; CVMSCOPE_LOG=debug|trace does the same")
	fs.StringVar(&o.lang, "lang", "", "language: en or ko (default from LANG)")
	fs.BoolVar(&o.network, "network", false, "allow fetching missing certificates and collateral (AMD KDS, Intel PCS)")
	if inspect {
		return fs
	}
	fs.StringVar(&o.Platform, "platform", "auto", "auto (Azure vTPM when present, else the simulated CVM), azure or sim")
	fs.StringVar(&o.TPM, "tpm", "auto", "TPM: auto (/dev/tpmrm0 then /dev/tpm0), a device path, tcp://HOST:PORT (swtpm), or sim (embedded simulator)")
	fs.StringVar(&o.SimTEE, "sim-tee", "sevsnp", "simulated CVM type: sevsnp, tdx or trustedlaunch")
	fs.StringVar(&o.seed, "seed", "", "seed for the simulated CVM (same seed, same keys and reports)")
	fs.StringVarP(&o.nonce, "nonce", "n", "", "nonce: written to NV 0x01400002 (as SHA-512) before the report is read, so the report is fresh")
	fs.StringVar(&o.save, "save", "", "save the evidence bundle to FILE (mode 0600, written atomically)")
	fs.StringVar(&o.EventLogPath, "event-log", "", "read the TCG event log from FILE instead of securityfs")
	fs.BoolVar(&o.secOff, "sim-secureboot-off", false, "simulated CVM boots with Secure Boot off")
	fs.BoolVar(&o.debug, "sim-debug", false, "simulated CVM's hardware report says the guest is debuggable")
	return fs
}

func run(args []string, stdout, stderr io.Writer, inspect bool) int {
	var o options
	fs := newFlags(&o, inspect, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if err := o.validate(inspect, fs.Args()); err != nil {
		fmt.Fprintf(stderr, "cvmscope: %v\n", err)
		return 1
	}
	setupLogging(o.verbose, stderr, o.output == "" && isTerminal(stdout))
	vopts := verify.Options{AllowNetwork: o.network}
	if o.now != "" {
		t, _ := time.Parse(time.RFC3339, o.now)
		vopts.Now = t
	}
	lang := present.Lang(o.lang)
	if lang == "" {
		lang = ui.DefaultLang()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var runner interface {
		workshop.Runner
		Result() *verify.Result
	}
	if inspect {
		set, err := evidence.LoadFiles(fs.Args())
		if err != nil {
			fmt.Fprintf(stderr, "cvmscope inspect: %v\n", err)
			return 1
		}
		runner = workshop.NewFiles(set, vopts, pages.Pager{})
	} else {
		o.Options.SecureBoot = !o.secOff
		o.Options.Debug = o.debug
		if o.seed != "" {
			o.Options.Seed = []byte(o.seed)
		}
		runner = workshop.NewLive(workshop.LiveOptions{Platform: o.Options, Verify: vopts, Nonce: o.nonce, Pager: pages.Pager{}})
	}
	defer runner.Close()

	if o.output == "" && isTerminal(stdout) {
		err := ui.Run(ctx, runner, ui.Options{Lang: lang, Save: saveFunc(o.save)})
		if err != nil {
			fmt.Fprintf(stderr, "cvmscope: %v\n", err)
			return fault.ExitCode(err)
		}
		return 0
	}
	return headless(ctx, runner, o, lang, stdout, stderr)
}

func (o *options) validate(inspect bool, rest []string) error {
	switch o.output {
	case "", "text", "json":
	default:
		return fmt.Errorf("-o %q: use text or json", o.output)
	}
	if o.now != "" {
		if _, err := time.Parse(time.RFC3339, o.now); err != nil {
			return fmt.Errorf("--now %q is not an RFC 3339 time (e.g. 2025-03-01T00:00:00Z)", o.now)
		}
	}
	switch o.lang {
	case "", "en", "ko":
	default:
		return fmt.Errorf("--lang %q: use en or ko", o.lang)
	}
	if inspect && len(rest) == 0 {
		return errors.New("inspect needs at least one FILE")
	}
	if !inspect && len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q (did you mean `cvmscope inspect %s`?)", rest[0], strings.Join(rest, " "))
	}
	if !inspect {
		switch o.SimTEE {
		case "sevsnp", "tdx", "trustedlaunch":
		default:
			return fmt.Errorf("--sim-tee %q: use sevsnp, tdx or trustedlaunch", o.SimTEE)
		}
	}
	return nil
}

// headless runs every step in order and prints the result.
func headless(ctx context.Context, r interface {
	workshop.Runner
	Result() *verify.Result
}, o options, lang present.Lang, stdout, stderr io.Writer) int {
	var pages []present.Page
	var all check.List
	var runErr error
	for _, step := range r.Steps() {
		p, err := r.Run(ctx, step)
		if err != nil {
			runErr = fmt.Errorf("%s: %w", step, err)
			if p.Title.Empty() {
				break
			}
		}
		pages = append(pages, p)
		all = append(all, p.Checks...)
		if err != nil {
			break
		}
	}
	if o.save != "" {
		if set := r.Evidence(); set != nil {
			if err := evidence.SaveBundle(o.save, set, "cvmscope "+Version, time.Now()); err != nil {
				fmt.Fprintf(stderr, "cvmscope: %v\n", err)
				return 1
			}
			fmt.Fprintf(stderr, "cvmscope: evidence saved to %s (mode 0600)\n", o.save)
		}
	}
	b := r.Banner()
	switch o.output {
	case "json":
		out := jsonReport{OK: runErr == nil && all.OK(), Source: string(b.Source), TEE: string(b.TEE),
			Banner: b.Text.In(present.EN), Checks: all, Pages: pages}
		if out.Checks == nil {
			out.Checks = check.List{}
		}
		if runErr != nil {
			out.Error = runErr.Error()
			out.Hint = fault.HintOf(runErr)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	default:
		writeText(stdout, b.Text.In(lang)+"\n"+b.Detail, pages, lang)
		fmt.Fprintf(stdout, "%s\n", verify.Summary(all))
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "cvmscope: %v\n", runErr)
		if h := fault.HintOf(runErr); h != "" {
			fmt.Fprintf(stderr, "  what to do: %s\n", h)
		}
		return fault.ExitCode(runErr)
	}
	return exitCode(all)
}

// exitCode maps checks to the exit code: a failed expectation is a policy denial (5),
// any other failed check a verification failure (2).
func exitCode(l check.List) int {
	code := 0
	for _, c := range l {
		if c.Verdict != check.Fail {
			continue
		}
		if strings.HasPrefix(c.ID, "policy.") {
			code = max(code, fault.Policy.ExitCode())
		} else if code == 0 {
			code = fault.Verification.ExitCode()
		}
	}
	return code
}

type jsonReport struct {
	OK     bool           `json:"ok"`
	Source string         `json:"source"`
	TEE    string         `json:"tee,omitempty"`
	Banner string         `json:"banner"`
	Error  string         `json:"error,omitempty"`
	Hint   string         `json:"hint,omitempty"`
	Checks check.List     `json:"checks"`
	Pages  []present.Page `json:"pages"`
}

func saveFunc(path string) func(*evidence.Set) (string, error) {
	return func(s *evidence.Set) (string, error) {
		if s == nil {
			return "", errors.New("nothing gathered yet: run Read report first")
		}
		p := path
		if p == "" {
			p = "cvmscope-evidence-" + time.Now().UTC().Format("20060102T150405Z") + ".json"
		}
		return p, evidence.SaveBundle(p, s, "cvmscope "+Version, time.Now())
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// setupLogging sends structured logs to stderr with -v or CVMSCOPE_LOG, or to a file while
// the TUI owns the terminal.
func setupLogging(verbose bool, stderr io.Writer, tui bool) {
	level := slog.LevelWarn
	switch strings.ToLower(os.Getenv("CVMSCOPE_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "trace":
		level = slog.LevelDebug - 4
	}
	if verbose && level > slog.LevelDebug {
		level = slog.LevelDebug
	}
	w := stderr
	if tui && level < slog.LevelWarn {
		f, err := os.OpenFile(fmt.Sprintf("%s/cvmscope-%d.log", os.TempDir(), os.Getpid()), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err == nil {
			w = f
			fmt.Fprintf(stderr, "cvmscope: logging to %s\n", f.Name())
		}
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})))
}
