// Package cli is cvmscope's command line: flags, subcommands, headless output (text and
// JSON) and exit codes. It starts the TUI when it runs in a terminal without -o.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/ui"
	"github.com/cvmscope/cvmscope/ui/sshserve"
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
  cvmscope verify [flags] TOKEN    verify and explain an MAA token (keys from --jwks, or fetched from
                                   an Azure attestation provider or the -a provider only)
  cvmscope policy check POLICY EVIDENCE...
                                   run an MAA attestation policy over a token, bundle or evidence
                                   files and explain it rule by rule (cvmscope policy --help)
  cvmscope export ITEM [flags]     write one item of a run or a bundle (AK cert, HCL report, SNP report,
                                   TD quote, chains, event log, PCRs, token, request) as PEM, DER, hex,
                                   base64, raw or JSON (cvmscope export list)
  cvmscope endorsements [--network] [--region R] [--mrtd HEX | --from FILE...]
                                   list the TDX MRTDs THIM endorses, look one up, and judge a TD
                                   quote's TCB (--collateral pcs|azure, --tcb-baseline DATE)
  cvmscope emulator [flags]        run the MAA emulator (SIMULATED signing key) until interrupted
  cvmscope serve [flags]           serve the workshop over SSH: every session its own simulated CVM
  cvmscope vtpm [flags]            serve the simulated CVM's vTPM to any TPM client (mssim and swtpm
                                   TCP protocols), with its IMDS and MAA emulators, until interrupted
  cvmscope version
  cvmscope help [COMMAND]          this help, or a command's flags (cvmscope help inspect)

Exit codes: 0 all checks passed, 1 misuse or internal error, 2 evidence or token verification
failed, 3 network or service error, 4 TPM or device error, 5 policy denied.

`

// Main runs cvmscope with args (without the program name) and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "inspect":
			return run(args[1:], stdout, stderr, cmdInspect)
		case "verify":
			return run(args[1:], stdout, stderr, cmdVerify)
		case "serve":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, args[1:], stdout, stderr, nil)
		case "emulator":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runEmulator(ctx, args[1:], stdout, stderr)
		case "vtpm":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runVTPM(ctx, args[1:], stdout, stderr, nil)
		case "policy":
			return runPolicy(args[1:], stdout, stderr)
		case "export":
			return runExport(args[1:], stdout, stderr)
		case "endorsements":
			return runEndorsements(args[1:], stdout, stderr)
		case "version", "--version":
			fmt.Fprintf(stdout, "cvmscope %s\n", Version)
			return 0
		case "help":
			return help(args[1:], stdout, stderr)
		}
	}
	return run(args, stdout, stderr, cmdRun)
}

// commands are the words Main dispatches on, for help and for "unknown command" errors.
var commands = []string{"inspect", "verify", "policy", "export", "endorsements", "emulator", "serve", "vtpm", "version", "help"}

// help is `cvmscope help [COMMAND]`: the same text as COMMAND --help, on stdout. Serve and
// the emulator stop at --help before they listen on anything.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		eprintf(stderr, "cvmscope help: one COMMAND at most, got %q\n", strings.Join(args, " "))
		return 1
	}
	topic := ""
	if len(args) == 1 {
		topic = args[0]
	}
	switch topic {
	case "", "help":
		return Main([]string{"--help"}, stdout, stderr)
	case "version":
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\ncvmscope version prints the version and exits; it takes no flags.")
		return 0
	case "inspect", "verify", "emulator", "serve", "policy", "vtpm", "export", "endorsements":
		return Main([]string{topic, "--help"}, stdout, stderr)
	}
	eprintf(stderr, "cvmscope help: no command %q; the commands are %s\n", topic, strings.Join(commands, ", "))
	return 1
}

// parseFlags parses args and reports what a person needs: --help prints the usage on stdout
// (exit 0, asked for); a mistyped flag prints pflag's message and the usage on stderr (exit
// 1). pflag itself prints nothing under ContinueOnError, so without this a typo was silent.
// done is false when the caller should go on.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	// pflag calls Usage itself on -h; the usage is printed here instead, on the right stream.
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout, fs)
		return 0, true
	}
	// The usage first and the message last, so the message is what stays on screen.
	printUsage(stderr, fs)
	eprintf(stderr, "\n%s: %v%s\n", fs.Name(), err, suggestFlag(fs, err))
	return 1, true
}

// suggestFlag names the flag a mistyped long flag most likely meant (--senario: --scenario),
// or "" when none is close: at most two edits away.
func suggestFlag(fs *flag.FlagSet, err error) string {
	const prefix = "unknown flag: --"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return ""
	}
	typed, _, _ := strings.Cut(strings.TrimPrefix(msg, prefix), "=")
	best, bestDist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(typed, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return " (did you mean --" + best + "?)"
}

// editDistance is the Levenshtein distance of two short ASCII flag names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usage)
	fmt.Fprintf(w, "\nFlags of %s:\n%s", fs.Name(), fs.FlagUsages())
}

type command int

const (
	cmdRun command = iota
	cmdInspect
	cmdVerify
	// cmdPolicy is policy check: it verifies its files as inspect does and a token as
	// verify does, with the same trust flags (policy.go).
	cmdPolicy
)

func (c command) name() string {
	switch c {
	case cmdInspect:
		return "cvmscope inspect"
	case cmdVerify:
		return "cvmscope verify"
	case cmdPolicy:
		return "cvmscope policy check"
	}
	return "cvmscope"
}

type options struct {
	platform.Options
	output     string
	nonce      string
	now        string
	verbose    bool
	lang       string
	save       string
	network    bool
	seed       string
	secOff     bool
	debug      bool
	attestURL  string
	flow       string
	scenario   string
	expect     []string
	noBaseline bool
	leeway     time.Duration
	jwks       string
	emulatorCA string
	// Opt-ins to weaker trust, each named in the verdicts it affects.
	trustSim        bool
	vtpmRoots       []string // --vtpm-root: vTPM CA certificates AK certificates must chain to
	trustBundleKeys bool
	anyAzure        bool
	workshop        bool
	demo            bool      // --demo (demo.go)
	each            bool      // inspect --each (fleet.go)
	knobs           knobFlags // --user-data, --client-payload, --pcr (knobs.go)
	policyFile      string    // --policy: the simulated CVM's emulator enforces it (policy.go)
	draftFile       string    // --draft-policy: sent as draftPolicyForAttestation (draft.go)
	collateral      string    // --collateral: where --network gets Intel collateral (tcbflags.go)
	tcbBaseline     string    // --tcb-baseline: TDX TCB baseline date (tcbflags.go)
}

func newFlags(o *options, cmd command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	outputs := "text or json"
	if cmd == cmdRun {
		outputs = "text, json, token (only the JWT, as AttestationClient -o token) or bool (true only for a verified token from a compliant SEV-SNP/TDX CVM)"
	}
	fs.StringVarP(&o.output, "output", "o", "", "headless output: "+outputs+" (without it, a terminal gets the TUI)")
	fs.StringVar(&o.now, "now", "", "judge certificates and tokens at this RFC 3339 time instead of the clock")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "debug logs (each TPM command and HTTP exchange) on stderr; CVMSCOPE_LOG=debug|trace does the same")
	fs.StringVar(&o.lang, "lang", "", "language: en or ko (default from LANG)")
	fs.BoolVar(&o.network, "network", false, "allow fetching missing certificates and collateral (AMD KDS, Intel PCS), and a token's keys from its Azure issuer")
	addTCBFlags(fs, &o.collateral, &o.tcbBaseline)
	fs.StringVarP(&o.attestURL, "attestation-url", "a", "", "MAA provider, e.g. https://sharedkrc.krc.attest.azure.net (default: the region's shared provider from IMDS; the emulator for the simulated CVM); pins the token's issuer")
	fs.StringVar(&o.emulatorCA, "emulator-ca", "", "trust this test CA FILE (printed by cvmscope emulator) for TLS to the -a provider: a room's emulator on another machine; it lets the connection through and adds no trust in tokens")
	fs.StringArrayVar(&o.expect, "expect", nil, "expect a claim value, CLAIM=VALUE (dotted path, repeatable), e.g. x-ms-isolation-tee.x-ms-sevsnpvm-vmpl=0; an unmet one exits 5")
	fs.BoolVar(&o.noBaseline, "no-baseline", false, "do not apply the built-in Azure CVM baseline (compliant, Secure Boot on, not debuggable, VMPL 0)")
	fs.DurationVar(&o.leeway, "leeway", 0, "clock leeway for exp/nbf/iat (default 60s)")
	if cmd == cmdVerify || cmd == cmdInspect || cmd == cmdPolicy {
		fs.StringVar(&o.jwks, "jwks", "", "verify the token against this key set (the body of {provider}/certs) instead of fetching keys")
		fs.BoolVar(&o.trustBundleKeys, "trust-bundle-keys", false, "accept the key set saved inside a bundle (weaker: trust then rests on whoever wrote the file)")
		fs.BoolVar(&o.anyAzure, "any-azure-provider", false, "accept a token from any Azure attestation provider (*.attest.azure.net, *.attest.azure.us) without -a, and fetch its keys")
	}
	if cmd == cmdInspect {
		fs.BoolVar(&o.each, "each", false, "verify many evidence sets in one run, in parallel: each FILE (a bundle) or DIRECTORY (its files) is its own set, with its own verdict line (-o json: one JSON object a line); the exit code is the worst set's")
	}
	fs.BoolVar(&o.trustSim, "trust-simulated", false, "trust the simulated CVM's public test roots and MAA key (they prove nothing about real hardware); with -o bool, let simulated evidence answer true")
	fs.StringArrayVar(&o.vtpmRoots, "vtpm-root", nil, "trust this vTPM CA FILE (PEM, repeatable) for AK certificates, e.g. Azure's \"Azure Virtual TPM Root Certificate Authority 2023\"; without it an AK certificate is the quote's link to a CA only where a verified SEV-SNP/TDX report does not bind the AK, and then fails")
	if cmd != cmdRun {
		return fs
	}
	fs.StringVar(&o.Platform, "platform", "auto", "auto (Azure vTPM when present, else the simulated CVM), azure or sim")
	fs.StringVar(&o.TPM, "tpm", "auto", "TPM: auto (/dev/tpmrm0 then /dev/tpm0), a device path, tcp://HOST:PORT (swtpm), or sim (embedded simulator)")
	fs.StringVar(&o.SimTEE, "sim-tee", "sevsnp", "simulated CVM type: sevsnp, tdx or trustedlaunch")
	fs.StringVar(&o.seed, "seed", "", "seed for the simulated CVM (same seed, same keys and reports)")
	fs.StringVarP(&o.nonce, "nonce", "n", "", "nonce: written to NV 0x01400002 (as SHA-512) before the report is read, and sent to MAA as the client payload")
	fs.StringVar(&o.save, "save", "", "save the evidence bundle (evidence, request, response, token, keys) to FILE (mode 0600, written atomically)")
	fs.StringVar(&o.EventLogPath, "event-log", "", "read the TCG event log from FILE instead of securityfs")
	fs.StringVar(&o.flow, "flow", "guest", "guest (AzureGuest: vTPM + TEE evidence, encrypted answer) or platform (SevSnpVm/TdxVm: TEE evidence only)")
	fs.StringVar(&o.scenario, "scenario", "", "stage a fault in the simulated CVM and emulators (\"--scenario list\" names them)")
	fs.BoolVar(&o.secOff, "sim-secureboot-off", false, "simulated CVM boots with Secure Boot off")
	fs.BoolVar(&o.debug, "sim-debug", false, "simulated CVM's hardware report says the guest is debuggable")
	addKnobFlags(fs, &o.knobs)
	fs.StringVar(&o.policyFile, "policy", "", "the simulated CVM's MAA emulator enforces this MAA policy (a file) instead of its built-in one; the Call MAA step shows a failing rule")
	fs.StringVar(&o.draftFile, "draft-policy", "", "send this MAA policy (a file) as draftPolicyForAttestation with --flow platform: MAA evaluates it instead of the provider's and answers an UNSIGNED token, a draft evaluation, never an attestation (exit 2 when the draft permitted, since its token is unsigned; 5 when it denied)")
	fs.BoolVar(&o.workshop, "workshop", false, "open the TUI on the guided lesson of the Korean CVM attestation workshop (W opens it any time)")
	fs.BoolVar(&o.demo, "demo", false, "booth mode: the TUI plays scenes on the simulated CVM by itself (SEV-SNP, TDX, Trusted Launch; a refusal, a tampered report, a forged token) and loops until a key is pressed")
	return fs
}

func run(args []string, stdout, stderr io.Writer, cmd command) int {
	var o options
	fs := newFlags(&o, cmd, stderr)
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	lang := present.Lang(o.lang)
	if lang == "" {
		lang = ui.DefaultLang()
	}
	if cmd == cmdRun && o.scenario == "list" {
		fmt.Fprint(stdout, workshop.ScenarioList(lang))
		return 0
	}
	cfg, err := o.validate(cmd, fs.Args())
	if errors.Is(err, errStrayArgs) {
		err = unexpectedArgs(fs, args)
	}
	if err == nil && cmd == cmdRun {
		cfg.live.Knobs, err = o.knobs.resolve(o.flow, o.nonce, func(n string) bool { return fs.Changed(n) })
	}
	var demo *ui.Demo
	if err == nil && o.demo {
		if err = o.demoMisuse(isTerminal(stdout)); err == nil {
			demo, err = newDemo(cfg.live)
		}
	}
	if err != nil {
		printMisuse(stderr, cmd.name(), err, lang)
		return 1
	}
	setupLogging(o.verbose, stderr, o.output == "" && isTerminal(stdout))

	ctx := context.Background()
	if cmd != cmdInspect || o.network || o.each || o.output == "" && isTerminal(stdout) {
		// Ctrl-C and SIGTERM end a run that waits (the network, the TPM, the terminal, many
		// files) with what it gathered, "interrupted" and exit 130. An offline inspect is
		// over in milliseconds and has nothing to save: the default action, exit by the
		// signal, loses nothing, and not setting the handlers up saves the goroutines and
		// threads they start, 0.3 ms of a 4-6 ms process.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}

	if o.each {
		return inspectEach(ctx, fs.Args(), cfg, o, lang, stdout, stderr)
	}
	var runner workshop.Runner
	switch cmd {
	case cmdInspect, cmdVerify:
		if streamRows(o.output, stdout) {
			defer boundGarbage(fs.Args())()
		}
		set, err := evidence.LoadFiles(fs.Args())
		if err != nil {
			eprintf(stderr, "%s: %v\n", cmd.name(), err)
			return 1
		}
		if cmd == cmdVerify && set.Token == "" {
			eprintf(stderr, "cvmscope verify: %s holds no JWT; pass a token file (the output of cvmscope -o token or AttestationClient -o token)\n", strings.Join(fs.Args(), " "))
			return 1
		}
		cfg.tok.Fetch = cmd == cmdVerify || o.network
		f := workshop.NewFiles(set, cfg.verify, pages.Pager{Stream: streamRows(o.output, stdout)}).WithToken(cfg.tok)
		if cmd == cmdVerify {
			f = f.OnlyToken()
		}
		runner = f
	default:
		runner = workshop.NewLive(cfg.live)
		if demo != nil {
			if runner, err = demo.Scenes[0].Open(ctx); err != nil {
				eprintf(stderr, "cvmscope --demo: %v\n", err)
				return fault.ExitCode(err)
			}
		}
	}
	runner = withStepLog(runner)
	defer runner.Close()

	if o.output == "" && isTerminal(stdout) {
		var res ui.Result
		err := ui.Run(ctx, runner, ui.Options{Lang: lang, Save: saveFunc(o.save), Workshop: o.workshop, Demo: demo, Result: &res,
			RunAtStart: opensOnAnswer(cmd)})
		if err != nil {
			eprintf(stderr, "cvmscope: %v\n", err)
			return fault.ExitCode(err)
		}
		// The TUI's exit code means what headless output's does: 0 only when no check of
		// the steps that ran failed (a session that ran nothing decided nothing either way).
		return o.draftExit(exitCode(res.Checks, res.Err), runner.Evidence(), res.Checks, res.Err, lang, stderr)
	}
	return headless(ctx, runner, o, lang, stdout, stderr)
}

// config is what the flags resolve to.
type config struct {
	verify verify.Options
	tok    workshop.TokenOptions
	live   workshop.LiveOptions
}

func (o *options) validate(cmd command, rest []string) (config, error) {
	var cfg config
	switch o.output {
	case "", "text", "json":
	case "token", "bool":
		if cmd != cmdRun {
			return cfg, fmt.Errorf("-o %s is for a live run; %s prints text or json", o.output, cmd.name())
		}
	default:
		return cfg, fmt.Errorf("-o %q: use text, json, token or bool", o.output)
	}
	cfg.verify.AllowNetwork = o.network
	if err := o.tcbOptions(&cfg.verify); err != nil {
		return cfg, err
	}
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			return cfg, fmt.Errorf("--now %q is not an RFC 3339 time (e.g. 2025-03-01T00:00:00Z)", o.now)
		}
		cfg.verify.Now = t
	}
	switch o.lang {
	case "", "en", "ko":
	default:
		return cfg, fmt.Errorf("--lang %q: use en or ko", o.lang)
	}
	var exps []token.Expect
	for _, e := range o.expect {
		x, err := token.ParseExpect(e)
		if err != nil {
			return cfg, fmt.Errorf("--expect %q: %v", e, err)
		}
		exps = append(exps, x)
	}
	if o.attestURL != "" {
		if _, err := maa.Normalize(o.attestURL); err != nil {
			return cfg, fmt.Errorf("-a %q: %v", o.attestURL, err)
		}
	}
	cfg.tok = workshop.TokenOptions{AttestationURL: o.attestURL, Expect: exps, NoBaseline: o.noBaseline, Leeway: o.leeway,
		AnyAzureProvider: o.anyAzure, TrustBundleKeys: o.trustBundleKeys}
	if o.trustSim {
		st, err := workshop.Simulated()
		if err != nil {
			return cfg, err
		}
		cfg.verify.Trust.AMD = append(cfg.verify.Trust.AMD, st.Verify.AMD...)
		cfg.verify.Trust.Intel = append(cfg.verify.Trust.Intel, st.Verify.Intel...)
		cfg.verify.Trust.VTPM = append(cfg.verify.Trust.VTPM, st.Verify.VTPM...)
		cfg.tok.Simulated = st
	}
	if len(o.vtpmRoots) > 0 {
		roots, err := loadVTPMRoots(o.vtpmRoots)
		if err != nil {
			return cfg, err
		}
		cfg.verify.Trust.VTPM = append(cfg.verify.Trust.VTPM, roots...)
	}
	if o.emulatorCA != "" {
		pool, err := loadEmulatorCA(o.emulatorCA, o.attestURL)
		if err != nil {
			return cfg, err
		}
		cfg.tok.EmulatorCA = pool
	}
	if o.jwks != "" {
		ks, err := token.LoadJWKS(o.jwks)
		if err != nil {
			return cfg, err
		}
		cfg.tok.Keys = ks
	}
	switch cmd {
	case cmdInspect:
		if len(rest) == 0 {
			return cfg, errors.New("inspect needs at least one FILE")
		}
		return cfg, nil
	case cmdVerify:
		if len(rest) != 1 {
			return cfg, errors.New("verify needs exactly one TOKEN_FILE (use - for stdin is not supported; save the token to a file)")
		}
		return cfg, nil
	case cmdPolicy:
		if len(rest) < 2 {
			return cfg, fault.Korean(errors.New("give the POLICY_FILE and at least one EVIDENCE file (a token, a bundle or evidence files)"),
				"정책 파일(POLICY_FILE)과 증거 파일(EVIDENCE: 토큰, 번들 또는 증거 파일)을 하나 이상 줍니다", "")
		}
		return cfg, nil
	}
	if len(rest) > 0 {
		return cfg, errStrayArgs
	}
	switch o.SimTEE {
	case "sevsnp", "tdx", "trustedlaunch":
	default:
		return cfg, fmt.Errorf("--sim-tee %q: use sevsnp, tdx or trustedlaunch", o.SimTEE)
	}
	switch o.flow {
	case "guest", "platform":
	default:
		return cfg, fmt.Errorf("--flow %q: use guest or platform", o.flow)
	}
	sc, err := workshop.LookupScenario(o.scenario)
	if err != nil {
		return cfg, err
	}
	if err := sc.Supports(o.SimTEE); err != nil {
		return cfg, err
	}
	if sc.Name != "" {
		if o.Platform == "azure" {
			return cfg, fmt.Errorf("--scenario stages faults in the simulated CVM; it cannot be combined with --platform azure")
		}
		o.Platform = "sim"
	}
	if o.EventLogPath != "" && o.Platform == "sim" {
		return cfg, fmt.Errorf("--event-log %s: the simulated CVM writes its own event log and cannot use another; --event-log is for an Azure VM (--platform azure)", o.EventLogPath)
	}
	pol, err := o.simPolicy()
	if err != nil {
		return cfg, err
	}
	draft, err := o.draftPolicy()
	if err != nil {
		return cfg, err
	}
	nonce := o.nonce
	if sc.StaleReport && nonce == "" {
		nonce = workshop.StaleNonce
	}
	o.Options.SecureBoot = !o.secOff
	o.Options.Debug = o.debug
	if o.seed != "" {
		o.Options.Seed = []byte(o.seed)
	}
	cfg.live = workshop.LiveOptions{Platform: o.Options, Verify: cfg.verify, Nonce: nonce, Pager: pages.Pager{},
		AttestationURL: o.attestURL, EmulatorCA: cfg.tok.EmulatorCA, Flow: o.flow, Scenario: sc, Expect: exps, NoBaseline: o.noBaseline, Leeway: o.leeway, Policy: pol,
		DraftPolicy: draft, DraftPolicyFile: o.draftFile}
	return cfg, nil
}

// opensOnAnswer says whether cmd's TUI runs its steps at start and opens on the verdict
// rather than on the workshop's welcome: inspect and verify judge files that are already
// there, in milliseconds, and whoever typed the command came for that answer (the welcome
// stays one key away, w). A live run waits for its presenter, step by step.
func opensOnAnswer(cmd command) bool { return cmd == cmdInspect || cmd == cmdVerify }

// errStrayArgs is validate's answer to arguments a run takes none of; run, which has the
// whole command line, replaces it with unexpectedArgs' explanation.
var errStrayArgs = errors.New("this command takes no arguments")

// unexpectedArgs explains arguments to the plain run (or vtpm), which takes none: files are
// for inspect (suggested only when the first argument is a file), anything else is a command.
// args are the arguments fs parsed, flags included.
func unexpectedArgs(fs *flag.FlagSet, args []string) error {
	rest := fs.Args()
	if slices.Contains(commands, rest[0]) {
		// `cvmscope --lang ko inspect x`: flags before the command belong to the plain run,
		// which also took the flags typed after it (pflag reads flags anywhere). The answer is
		// the whole command line again with the command first, every flag kept, ready to paste.
		run := "cvmscope " + shellJoin(commandFirst(fs, args, rest[0]))
		return fault.Korean(fmt.Errorf("%q is a command, and a command comes first: `%s` (flags given before it, e.g. --lang, go after it)", rest[0], run),
			fmt.Sprintf("%q: 명령이므로 맨 앞에 옵니다: `%s` (앞에 준 --lang 같은 플래그는 명령 뒤로 옮깁니다)", rest[0], run), "")
	}
	if fi, err := os.Stat(rest[0]); err == nil && fi.Mode().IsRegular() {
		return fault.Korean(fmt.Errorf("unexpected argument %q: to verify saved files run `cvmscope inspect %s`", rest[0], strings.Join(rest, " ")),
			fmt.Sprintf("예상하지 못한 인수 %q: 저장된 파일은 `cvmscope inspect %s`로 검증합니다", rest[0], strings.Join(rest, " ")), "")
	}
	return fault.Korean(fmt.Errorf("unknown command %q: the commands are %s (cvmscope help)", rest[0], strings.Join(commands, ", ")),
		fmt.Sprintf("알 수 없는 명령 %q: 명령은 %s입니다(cvmscope help)", rest[0], strings.Join(commands, ", ")), "")
}

// headless runs every step in order and prints the result.
func headless(ctx context.Context, r workshop.Runner, o options, lang present.Lang, stdout, stderr io.Writer) int {
	var pages []present.Page
	var all check.List
	var runErr error
	var failedStep workshop.StepID
	for _, step := range r.Steps() {
		p, err := r.Run(ctx, step)
		if err != nil {
			failedStep = step
			title := step.Title().EN
			switch {
			case fault.KindOf(err) == fault.Interrupted && !strings.Contains(err.Error(), "interrupted"):
				runErr = fmt.Errorf("%s interrupted (Ctrl-C or SIGTERM) before it finished: %w", title, err)
			case strings.HasPrefix(err.Error(), title):
				runErr = err
			default:
				runErr = fmt.Errorf("%s: %w", title, err)
			}
			if p.Title.Empty() {
				break
			}
		}
		// Blobs are summarised for reading; --save keeps every byte. -o token and -o bool
		// print no page, so none is summarised (a regexp pass over every value).
		if o.output != "token" && o.output != "bool" {
			pages = append(pages, p.Summarised())
		}
		all = append(all, p.Checks...)
		if err != nil {
			break
		}
	}
	if runErr == nil {
		runErr = unreachable(all)
	}
	b := r.Banner()
	switch o.output {
	case "json":
		// A draft run's token is unsigned: "ok" is false whatever the draft decided, as with -o bool.
		out := jsonReport{OK: runErr == nil && all.OK() && o.draftFile == "", Source: string(b.Source), TEE: string(b.TEE),
			Banner: b.Text.In(present.EN), Checks: all, Pages: pages}
		if out.Checks == nil {
			out.Checks = check.List{}
		}
		if set := r.Evidence(); set != nil && set.Token != "" {
			out.Token = set.Token
		}
		if runErr != nil {
			out.Error = runErr.Error()
			out.Hint = fault.HintOf(runErr)
		}
		if o.draftFile != "" {
			ok, v := draftVerdict(r.Evidence(), all, runErr)
			out.Draft = &draftJSON{Policy: o.draftFile, Permitted: ok, Verdict: v.In(present.EN)}
		}
		writeJSON(stdout, out)
	case "token":
		// Only the JWT on stdout, as AttestationClient -o token prints it; everything else
		// goes to stderr so that $(cvmscope -o token) captures the token alone.
		if set := r.Evidence(); set != nil && set.Token != "" {
			fmt.Fprintln(stdout, present.Safe(set.Token)) // a JWT is ASCII; a hostile answer may not be
		}
		for _, c := range all {
			if c.Verdict == check.Fail {
				eprintf(stderr, "cvmscope: %s\n", c)
			}
		}
	case "bool":
		ok, why := boolVerdict(b, r.Evidence(), all, runErr, o.trustSim)
		if o.draftFile != "" {
			// A draft's answer is unsigned: never true, whatever the draft decided.
			_, v := draftVerdict(r.Evidence(), all, runErr)
			ok, why = false, v
		}
		fmt.Fprintln(stdout, ok)
		if !ok && !why.Empty() {
			eprintf(stderr, "cvmscope: false: %s\n", why.In(lang))
		}
	default:
		writeText(stdout, b, pages, all, lang)
		if o.draftFile != "" {
			_, v := draftVerdict(r.Evidence(), all, runErr)
			fmt.Fprintln(stdout, v.In(lang))
		}
	}
	if runErr != nil {
		msg, h := fault.MessageIn(runErr, string(lang))
		todo := "  what to do: %s\n"
		if lang == present.KO {
			todo = "  조치 방법: %s\n"
			if msg != runErr.Error() && failedStep != "" {
				// The Korean message replaces the English chain, step name included.
				msg = failedStep.Title().KO + ": " + msg
			}
		}
		eprintf(stderr, "cvmscope: %s\n", msg)
		if h != "" {
			eprintf(stderr, todo, h)
		}
	}
	code := o.draftExit(exitCode(all, runErr), r.Evidence(), all, runErr, lang, stderr)
	// Saved last, so that a failed save never costs the report or the token printed above.
	if o.save != "" {
		if set := r.Evidence(); set != nil {
			if err := evidence.SaveBundle(o.save, set, "cvmscope "+Version, time.Now()); err != nil {
				msg, _ := fault.MessageIn(err, string(lang))
				eprintf(stderr, "cvmscope: %s: %s\n", present.T("the report above was not saved", "위 보고서를 저장하지 못했습니다").In(lang), msg)
				if code == 0 {
					code = 1
				}
			} else {
				eprintf(stderr, "cvmscope: %s\n", present.T("evidence saved to "+o.save+" (mode 0600)", "증거를 "+o.save+"에 저장했습니다(모드 0600)").In(lang))
			}
		}
	}
	return code
}

// boolVerdict is -o bool: true only when every check passed on genuine Azure hardware and
// the token's keys came from the provider that was called, and the token says a compliant
// SEV-SNP or TDX CVM. Simulated evidence is false unless the user opted in
// (--trust-simulated). why says in one line what made it false.
func boolVerdict(b workshop.Banner, set *evidence.Set, all check.List, runErr error, trustSim bool) (bool, present.Text) {
	switch {
	case runErr != nil:
		msg, _ := fault.MessageIn(runErr, "ko")
		return false, present.T("the run stopped: "+runErr.Error(), "실행이 멈췄습니다: "+msg)
	case !all.OK():
		for _, c := range all {
			if c.Verdict == check.Fail {
				ko, _ := c.In("ko")
				return false, present.T("check failed: "+c.String(), "검사 실패: "+c.ID+": "+ko)
			}
		}
	case set == nil || set.Token == "":
		return false, present.T("no token was obtained", "토큰을 받지 못했습니다")
	case b.Source == evidence.SourceSim && !trustSim:
		return false, present.T("the evidence comes from the simulated CVM, not Azure hardware (--trust-simulated lets it count)",
			"증거가 Azure 하드웨어가 아닌 시뮬레이션 CVM에서 왔습니다(--trust-simulated를 주면 인정합니다)")
	case b.Source != evidence.SourceAzure && b.Source != evidence.SourceSim:
		return false, present.T("the evidence was not read from this VM", "증거를 이 VM에서 읽지 않았습니다")
	}
	if !compliantCVM(all, set.Token) {
		return false, present.T("the token does not say a compliant SEV-SNP or TDX Confidential VM (x-ms-compliance-status, x-ms-attestation-type)",
			"토큰이 규정을 준수하는 SEV-SNP 또는 TDX Confidential VM이라고 말하지 않습니다(x-ms-compliance-status, x-ms-attestation-type)")
	}
	return true, present.Text{}
}

// compliantCVM is -o bool's TEE condition: the token's signature verified and it says a
// compliant SEV-SNP or TDX CVM. Unlike the C++ sample, a Trusted Launch token is false.
func compliantCVM(l check.List, compact string) bool {
	if l.Verdict(token.IDSignature) != check.Pass {
		return false
	}
	tok, err := token.Parse(compact)
	if err != nil {
		return false
	}
	_, ok := tok.Claims.CompliantCVM()
	return ok
}

// exitCode decides the exit code with one precedence (README, "Exit codes"):
//
//  1. any integrity failure (a failing check that is neither policy nor environment, or a
//     run error of kind Verification) is 2, whatever else failed;
//  2. else the run's error decides: TPM 4, network 3, interrupted 130, MAA's policy 5,
//     misuse 1; without one, a check that failed only because a source could not be read
//     (check.Check.Unreachable: the provider's keys) is that error;
//  3. else a failed policy check (baseline, --expect) is 5;
//  4. else 0.
//
// Environment checks (preflight, IMDS, the MAA endpoint and call, the TPM's decryption)
// report a step's error, whose kind decides; without one they count as integrity failures.
func exitCode(l check.List, runErr error) int {
	integrity, policy := false, false
	for _, c := range l {
		if c.Verdict != check.Fail {
			continue
		}
		switch {
		case strings.HasPrefix(c.ID, "policy."):
			policy = true
		case runErr != nil && isEnvironmentCheck(c.ID):
		case c.Unreachable != nil:
		default:
			integrity = true
		}
	}
	if runErr == nil {
		runErr = unreachable(l)
	}
	kind := fault.KindOf(runErr)
	switch {
	case integrity || (runErr != nil && kind == fault.Verification):
		return fault.Verification.ExitCode()
	case runErr != nil:
		return kind.ExitCode()
	case policy:
		return fault.Policy.ExitCode()
	}
	return 0
}

// unreachable is the error of the first failed check that failed only because a source it
// needed could not be read (the provider's keys), nil when none did. A run that met no
// other error ends with it: the network decided, and the message says what to do.
func unreachable(l check.List) error {
	for _, c := range l {
		if c.Verdict == check.Fail && c.Unreachable != nil {
			return c.Unreachable
		}
	}
	return nil
}

func isEnvironmentCheck(id string) bool {
	for _, p := range []string{"preflight.", "imds.", "maa.endpoint", "maa.call", "maa.decrypt"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

type jsonReport struct {
	OK     bool   `json:"ok"`
	Source string `json:"source"`
	TEE    string `json:"tee,omitempty"`
	Banner string `json:"banner"`
	Error  string `json:"error,omitempty"`
	Hint   string `json:"hint,omitempty"`
	Token  string `json:"token,omitempty"`
	// Draft is set for a --draft-policy run: its token is unsigned and verifies nothing.
	Draft  *draftJSON     `json:"draft,omitempty"`
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

// streamRows says whether an inspect writing output to stdout gets the event log's rows made
// as they are written (pages.Pager.Stream): -o json and text output (-o text, or no -o when
// stdout is not a terminal) write them once and in order, so none is held (jsonout.go,
// ui.WriteText). The TUI keeps them to scroll and filter; -o token and -o bool write none.
func streamRows(output string, stdout io.Writer) bool {
	return output == "json" || output == "text" || output == "" && !isTerminal(stdout)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// runServe serves the workshop over SSH until interrupted. ready, for tests, is called with
// the address once the server listens.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(string)) int {
	fs := flag.NewFlagSet("cvmscope serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:2222", "address to listen on (loopback only, unless --allow-remote)")
	remote := fs.Bool("allow-remote", false, "listen beyond loopback, for a workshop network (attendees still need a listed key or the room code, unless --open-room)")
	hostKey := fs.String("host-key", "", "the server's SSH host key, created (mode 0600) when missing; a missing directory is created 0700, an existing one is left as it is (default: cvmscope/ssh_host_ed25519 in the user config directory)")
	keysFile := fs.String("authorized-keys", "", "OpenSSH authorized_keys FILE: these public keys may come in without the room code")
	code := fs.String("room-code", "", "the room code attendees without a listed key type (keyboard-interactive; case, spaces and hyphens ignored); default a new random one each start; off: keys only")
	instructorKeys := fs.String("instructor-keys", "", "OpenSSH authorized_keys FILE: these keys get the instructor's room view (every session live; push a scenario, a language, a reset or a message) instead of a session")
	open := fs.Bool("open-room", false, "let anyone who reaches the port in, with no key or code (prints a warning)")
	maxSessions := fs.Int("max-sessions", 0, fmt.Sprintf("sessions at once; the next is refused with a message (default: half the available memory over %d MiB a session, at most %d; here %d)", sshserve.SessionRSS>>20, sshserve.MaxSessionsCap, sshserve.DefaultMaxSessions()))
	idle := fs.Duration("idle-timeout", sshserve.DefaultIdleTimeout, "end a connection with no traffic for this long")
	limit := fs.Duration("session-limit", sshserve.DefaultSessionLimit, "end a session after this long, however busy")
	authTimeout := fs.Duration("auth-timeout", sshserve.DefaultAuthTimeout, "close a connection that has not authenticated within this long")
	rate := fs.Int("conn-rate", sshserve.DefaultConnRate, "connections a minute one address may open, as many at once (0: no limit; raise it when the room shares one NAT address)")
	verbose := fs.BoolP("verbose", "v", false, "log sessions on stderr")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	fail := func(err error) int {
		eprintf(stderr, "cvmscope serve: %v\n", err)
		return 1
	}
	if *hostKey == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			dir = os.TempDir()
		}
		*hostKey = filepath.Join(dir, "cvmscope", "ssh_host_ed25519")
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	cfg := sshserve.Config{Listen: *listen, AllowRemote: *remote, HostKeyPath: *hostKey, Command: []string{exe}, Env: serveEnv,
		OpenRoom: *open, MaxSessions: *maxSessions, IdleTimeout: *idle, SessionLimit: *limit, AuthTimeout: *authTimeout, ConnRate: *rate, Now: serveNow, AfterFunc: serveAfterFunc}
	if *rate == 0 {
		cfg.ConnRate = -1
	}
	if *maxSessions < 0 || *idle <= 0 || *limit <= 0 || *authTimeout <= 0 || *rate < 0 {
		return fail(errors.New("--max-sessions, --conn-rate and the timeouts take positive values (--max-sessions 0 and --conn-rate 0 mean their defaults and no limit)"))
	}
	if *keysFile != "" {
		if cfg.AuthorizedKeys, err = sshserve.LoadAuthorizedKeys(*keysFile); err != nil {
			return fail(err)
		}
	}
	if *instructorKeys != "" {
		if cfg.InstructorKeys, err = sshserve.LoadKeys("--instructor-keys", *instructorKeys); err != nil {
			return fail(err)
		}
	}
	switch {
	case *open && *code != "":
		return fail(errors.New("--open-room lets anyone in: drop --room-code, or drop --open-room to ask for the code"))
	case *open:
	case *code == "off":
		if *keysFile == "" {
			return fail(errors.New("--room-code off leaves no way in: give --authorized-keys FILE too"))
		}
	case *code == "":
		if cfg.RoomCode, err = sshserve.NewRoomCode(); err != nil {
			return fail(err)
		}
	default:
		if len(strings.NewReplacer("-", "", " ", "").Replace(*code)) < 6 {
			return fail(fmt.Errorf("--room-code %q is too short to keep strangers out: give at least 6 letters or digits, or leave it out for a random one", *code))
		}
		cfg.RoomCode = *code
	}
	level := slog.LevelInfo
	if !*verbose {
		level = slog.LevelWarn
	}
	slog.SetDefault(slog.New(newLogHandler(stderr, level)))
	err = sshserve.Serve(ctx, cfg, func(addr string) {
		host, port, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "THIS-MACHINE"
		}
		fmt.Fprintf(stdout, "cvmscope workshop over SSH at %s: every session runs its own SIMULATED CVM\n", addr)
		switch {
		case cfg.OpenRoom:
			eprintf(stderr, "cvmscope serve: WARNING: --open-room: anyone who reaches %s gets a session, with no key or code\n", addr)
		case cfg.RoomCode != "":
			fmt.Fprintf(stdout, "room code: %s   (for the slide; attendees with a listed key need none)\n", cfg.RoomCode)
		}
		if len(cfg.AuthorizedKeys) > 0 {
			fmt.Fprintf(stdout, "%d authorized key(s) from %s\n", len(cfg.AuthorizedKeys), *keysFile)
		}
		if len(cfg.InstructorKeys) > 0 {
			fmt.Fprintf(stdout, "instructor: ssh -t -p %s %s   (with a key from %s: the room view)\n", port, host, *instructorKeys)
		}
		if fp, err := sshserve.HostKeyFingerprint(*hostKey); err == nil {
			fmt.Fprintf(stdout, "host key: %s   (attendees check it when ssh asks the first time)\n", fp)
		}
		fmt.Fprintf(stdout, "attendees: ssh -t -p %s %s   (options: ssh -t -p %s %s -- --lang ko --sim-tee tdx)\n", port, host, port, host)
		fmt.Fprintf(stdout, "take a bundle home: ssh -p %s %s -- --save-to-stdout > bundle.json\n", port, host)
		rateText := fmt.Sprintf("%d connections/min per address", *rate)
		if *rate == 0 {
			rateText = "no connection rate limit"
		}
		sessions := cfg.MaxSessions
		if sessions == 0 {
			sessions = sshserve.DefaultMaxSessions()
		}
		fmt.Fprintf(stdout, "limits: %d sessions, %v idle, %v a session, %v to authenticate, %s\n", sessions, *idle, *limit, *authTimeout, rateText)
		if ready != nil {
			ready(addr)
		}
	})
	if err != nil {
		return fail(err)
	}
	return 0
}

// serveNow is the connection rate limit's clock (nil: the real one); tests freeze it so
// that no token comes back while they run.
var serveNow func() time.Time

// serveAfterFunc is the pre-auth timeout's timer (nil: the real one); tests fire it.
var serveAfterFunc func(time.Duration, func()) func() bool

// serveEnv is added to every session's environment (tests point sessions at the test
// binary acting as cvmscope).
var serveEnv []string

// commandFirst returns args with word, the first positional argument, moved to the front.
// It walks args as pflag does, so that a flag's value that happens to read as the command
// (`--nonce inspect inspect`) stays where it is.
func commandFirst(fs *flag.FlagSet, args []string, word string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) > 1 && a[0] == '-' && !strings.Contains(a, "=") {
			var f *flag.Flag
			if name, long := strings.CutPrefix(a, "--"); long {
				f = fs.Lookup(name)
			} else if len(a) == 2 {
				f = fs.ShorthandLookup(a[1:])
			}
			if f != nil && f.NoOptDefVal == "" {
				i++ // the flag's value
			}
			continue
		}
		if a == word && !strings.HasPrefix(a, "-") {
			return append([]string{word}, slices.Delete(slices.Clone(args), i, i+1)...)
		}
		break
	}
	return append([]string{word}, args...)
}

// shellJoin joins args for a command line a person pastes into a POSIX shell: an argument
// with anything but letters, digits and -_./:=@,+% is put in single quotes.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		safe := a != ""
		for _, r := range a {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r)) {
				safe = false
				break
			}
		}
		if safe {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
