package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"github.com/cvmscope/cvmscope/attestation/maaemu"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/imdsemu"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/cvmscope/cvmscope/hw/vtpmserve"
	"github.com/cvmscope/cvmscope/ui"
	flag "github.com/spf13/pflag"
)

// vtpmRunning is what runVTPM tells a test once everything listens.
type vtpmRunning struct {
	TPM      *vtpmserve.Server
	CVM      *simcvm.CVM
	IMDSURL  string // the emulator's loopback base
	MAAURL   string
	MAACA    string // the MAA emulator's TLS certificate (PEM file)
	EventLog string // the TCG event log file
}

// vtpmProvisioned, for tests, is called once the simulated CVM is provisioned, before
// anything listens: where a Ctrl-C lands while cvmscope vtpm starts.
var vtpmProvisioned func()

// runVTPM serves the simulated CVM's vTPM over the TPM simulator protocols, with its IMDS
// and MAA emulators, until interrupted. ready, for tests, is called once it all listens.
func runVTPM(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(vtpmRunning)) int {
	fs := flag.NewFlagSet("cvmscope vtpm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:2321", "the TPM's command port (loopback); the platform (mssim) or control (swtpm) port is the next one; port 0 picks a free pair")
	unix := fs.String("unix", "", "also serve the TPM on this Unix socket (bare TPM frames, like swtpm's unixio; legacy go-tpm opens it as a device)")
	tee := fs.String("sim-tee", "sevsnp", "simulated CVM type: sevsnp, tdx or trustedlaunch")
	seed := fs.String("seed", "", "seed for the simulated CVM (same seed, same keys and reports)")
	secOff := fs.Bool("sim-secureboot-off", false, "the simulated CVM boots with Secure Boot off")
	debug := fs.Bool("sim-debug", false, "the simulated CVM's hardware report says the guest is debuggable")
	imdsListen := fs.String("imds-listen", "127.0.0.1:0", "the IMDS emulator's address: loopback, or 169.254.169.254:80 inside a network namespace whose lo carries that address")
	maaListen := fs.String("maa-listen", "127.0.0.1:0", "the MAA emulator's loopback address (https; its test certificate is written to --out)")
	outDir := fs.String("out", "", "write the MAA emulator's TLS certificate and the event log here (default: a new temporary directory, removed on exit)")
	langFlag := fs.String("lang", "", "language: en or ko (default from LANG)")
	verbose := fs.BoolP("verbose", "v", false, "log every TPM command and refused request on stderr")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	lang := present.Lang(*langFlag)
	if lang == "" {
		lang = ui.DefaultLang()
	}
	serving := false
	fail := func(err error) int {
		if fault.KindOf(err) == fault.Interrupted && !serving {
			// Interrupted while it started: whatever step noticed it (hw/tpm's embedded
			// simulator guesses another simulator holds it), Ctrl-C or SIGTERM is the cause.
			err = fault.Korean(fmt.Errorf("interrupted before anything was served: %w", ctx.Err()), "아무것도 서비스하기 전에 중단되었습니다", "")
		}
		msg, hint := fault.MessageIn(err, string(lang))
		eprintf(stderr, "cvmscope vtpm: %s\n", msg)
		if hint != "" {
			eprintf(stderr, "%s %s\n", tr(lang, "what to do:", "조치 방법:"), hint)
		}
		if fault.KindOf(err) == fault.Interrupted {
			return fault.ExitCode(err)
		}
		return 1
	}
	if fs.NArg() > 0 {
		return fail(unexpectedArgs(fs, args))
	}
	switch *tee {
	case simcvm.TEESEVSNP, simcvm.TEETDX, simcvm.TEETrustedLaunch:
	default:
		return fail(fault.Korean(fmt.Errorf("--sim-tee %q: use sevsnp, tdx or trustedlaunch", *tee),
			fmt.Sprintf("--sim-tee %q: sevsnp, tdx, trustedlaunch 중 하나를 씁니다", *tee), ""))
	}
	// Every address is checked before anything is provisioned, written or started.
	if err := vtpmserve.CheckListen(*listen); err != nil {
		return fail(err)
	}
	if err := imdsemu.CheckListen(*imdsListen); err != nil {
		return fail(fault.Korean(fmt.Errorf("--imds-listen: %w", err), "--imds-listen: "+koOrEN(err, present.KO), ""))
	}
	if err := loopback.CheckListen("MAA emulator", *maaListen, false); err != nil {
		return fail(fault.Korean(fmt.Errorf("--maa-listen: %w", err),
			fmt.Sprintf("--maa-listen %q: MAA 에뮬레이터는 SIMULATED 증거와 테스트 키를 다루므로 루프백 주소(127.0.0.1, [::1])에서만 수신합니다", *maaListen), ""))
	}
	// A closed terminal (SIGHUP) stops it as Ctrl-C does, so the temporary directory goes
	// too; under nohup the signal stays ignored.
	if !signal.Ignored(syscall.SIGHUP) {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, syscall.SIGHUP)
		defer stop()
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	o := platform.Options{Platform: "sim", TPM: "sim", SimTEE: *tee, SecureBoot: !*secOff, Debug: *debug}
	if *seed != "" {
		o.Seed = []byte(*seed)
	}
	p, err := platform.Open(ctx, o)
	if err != nil {
		return fail(err)
	}
	defer p.Close()
	cvm := p.CVM
	if vtpmProvisioned != nil {
		vtpmProvisioned()
	}

	dir := *outDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "cvmscope-vtpm-"); err != nil {
			return fail(err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(fault.Korean(fmt.Errorf("--out %s: %w", dir, err), fmt.Sprintf("--out %s 디렉터리를 만들 수 없습니다 (%v)", dir, err), ""))
	}
	run := vtpmRunning{CVM: cvm, EventLog: filepath.Join(dir, "binary_bios_measurements"), MAACA: filepath.Join(dir, "maa-tls-ca.pem")}
	if err := os.WriteFile(run.EventLog, cvm.EventLog(), 0o644); err != nil {
		return fail(err)
	}

	icfg, err := imdsemu.FromCVM(cvm)
	if err != nil {
		return fail(err)
	}
	icfg.Listen = *imdsListen
	imdsSrv, err := imdsemu.Start(icfg)
	if err != nil {
		return fail(err)
	}
	defer imdsSrv.Close()
	run.IMDSURL = imdsSrv.URL()

	mcfg, err := workshop.EmulatorConfig(workshop.Scenario{})
	if err != nil {
		return fail(err)
	}
	mcfg.Listen = *maaListen
	maaSrv, err := maaemu.Start(mcfg)
	if err != nil {
		return fail(err)
	}
	defer maaSrv.Close()
	run.MAAURL = maaSrv.URL()
	if err := os.WriteFile(run.MAACA, maaSrv.CertPEM(), 0o644); err != nil {
		return fail(err)
	}

	srv, err := vtpmserve.Start(vtpmserve.Config{Listen: *listen, Unix: *unix, TPM: cvm.Transport(), Logger: logger})
	if err != nil {
		return fail(err)
	}
	defer srv.Close()
	run.TPM = srv

	// Interrupted while it started (provisioning takes a moment): nothing was served, so
	// say so and exit 130 rather than print a banner and report a clean stop. The deferred
	// closes and the temporary directory's removal run on this path as on every other.
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	serving = true
	port := strconv.Itoa(srv.Port())
	w := func(en, ko string, a ...any) { fmt.Fprintf(stdout, tr(lang, en, ko)+"\n", a...) }
	w("Simulated Azure vTPM (%s CVM, SIMULATED keys and roots: it proves nothing about real hardware)",
		"시뮬레이션 Azure vTPM (%s CVM, SIMULATED 키와 루트: 실제 하드웨어에 대해서는 아무것도 증명하지 않습니다)", *tee)
	w("  TPM           %s (platform/control port %s): mssim and swtpm protocols", "  TPM           %s (플랫폼/제어 포트 %s): mssim, swtpm 프로토콜", srv.Addr(), srv.PlatformAddr())
	w("                TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port=%s  or  swtpm:host=127.0.0.1,port=%s", "                TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port=%s  또는  swtpm:host=127.0.0.1,port=%s", port, port)
	if *unix != "" {
		w("  TPM socket    %s (bare TPM frames)", "  TPM 소켓      %s (TPM 프레임 그대로)", *unix)
	}
	if cvm.TEE() != simcvm.TEETrustedLaunch {
		w("  NV 0x01400001 HCL report (%d bytes; a write to NV 0x01400002 makes a new one)", "  NV 0x01400001 HCL 보고서 (%d바이트, NV 0x01400002에 쓰면 새 보고서가 만들어집니다)", len(cvm.Report()))
	}
	w("  0x81000003    AK; NV 0x01C101D0 its certificate (SIMULATED vTPM CA)", "  0x81000003    AK, NV 0x01C101D0에 그 인증서 (SIMULATED vTPM CA)")
	w("  IMDS emulator %s", "  IMDS 에뮬레이터 %s", run.IMDSURL)
	w("  MAA emulator  %s (TLS certificate %s)", "  MAA 에뮬레이터  %s (TLS 인증서 %s)", maaSrv.URL(), run.MAACA)
	w("  event log     %s", "  이벤트 로그   %s", run.EventLog)
	w("try: TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port=%s tpm2_nvread -C o -o report.bin 0x01400001", "예: TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port=%s tpm2_nvread -C o -o report.bin 0x01400001", port)
	w("Ctrl-C stops it.", "Ctrl-C로 멈춥니다.")
	if ready != nil {
		ready(run)
	}
	<-ctx.Done()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fail(err)
	}
	return 0
}

// tr picks a text by language.
func tr(lang present.Lang, en, ko string) string {
	if lang == present.KO {
		return ko
	}
	return en
}
