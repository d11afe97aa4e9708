package cli

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/maaemu"
	"github.com/cvmscope/cvmscope/attestation/policy"
	"github.com/cvmscope/cvmscope/attestation/regfile"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
	flag "github.com/spf13/pflag"
)

// runEmulator serves the MAA emulator until interrupted: for workshops where several
// people's simulated CVMs, or scripts and other clients, call one shared provider
// (cvmscope -a URL). It serves HTTPS with a test CA made at start, written to a file and
// printed, so that clients which insist on TLS (Microsoft's SDKs, a cvmscope on another
// machine with --emulator-ca) can connect.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cvmscope emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (loopback only, unless --allow-remote)")
	remote := fs.Bool("allow-remote", false, "allow a non-loopback listen address (the signing key is SIMULATED; never use its tokens for anything real)")
	plain := fs.Bool("http", false, "serve plain http instead of https (clients accept it only on loopback)")
	caFile := fs.String("ca-file", defaultCAFile(), "write the emulator's test CA (PEM) here, for clients to trust")
	hosts := fs.StringArray("hostname", nil, "another DNS name or IP clients use to reach the emulator, put in its TLS certificate (repeatable; listening on every interface adds this machine's addresses and name)")
	scenario := fs.String("scenario", "", "MAA-side fault to stage: maa-slow, maa-429, maa-500, unknown-key, expired-token, wrong-issuer, clock-skew")
	verbose := fs.BoolP("verbose", "v", false, "log every request on stderr (method, path, status, time, sizes; never a body)")
	policyFile := fs.String("policy", "", "enforce this MAA policy (a file) for every attestation type instead of the built-in ones; try it first with cvmscope policy check")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	sc, err := workshop.LookupScenario(*scenario)
	if err == nil && (sc.SecureBootOff || sc.Debug || sc.StaleReport || sc.IMDSDown || sc.MAADown) {
		err = fmt.Errorf("--scenario %s is staged in the simulated CVM or its IMDS, not in MAA: pass it to `cvmscope --scenario %s` instead", sc.Name, sc.Name)
	}
	if err != nil {
		eprintf(stderr, "cvmscope emulator: %v\n", err)
		return 1
	}
	setupLogging(*verbose, stderr, false)
	cfg, err := workshop.EmulatorConfig(sc)
	if err != nil {
		eprintf(stderr, "cvmscope emulator: %v\n", err)
		return 1
	}
	cfg.Listen, cfg.PlainHTTP, cfg.AllowNonLoopback, cfg.Hosts = *listen, *plain, *remote, *hosts
	if *policyFile != "" {
		pol, ok := loadPolicyFile("cvmscope emulator", *policyFile, ui.DefaultLang(), stderr)
		if !ok {
			return 1
		}
		cfg.Policy = pol
		fmt.Fprintf(stdout, "policy %s for every attestation type (x-ms-policy-hash %s)\n", *policyFile, policy.Hash(pol.Text))
	}
	if *verbose {
		cfg.Log = slog.Default()
	}
	srv, err := maaemu.Start(cfg)
	if err != nil {
		eprintf(stderr, "cvmscope emulator: %v\n", err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "MAA emulator (SIMULATED signing key, not Microsoft's) listening at %s\n", srv.URL())
	if *plain {
		fmt.Fprintf(stdout, "try: cvmscope --platform sim -a %s -o json\n", srv.URL())
		<-ctx.Done()
		return 0
	}
	if err := writeCA(*caFile, srv.CertPEM()); err != nil {
		eprintf(stderr, "cvmscope emulator: %v\n", err)
		return 1
	}
	if *remote {
		fmt.Fprintf(stdout, "clients elsewhere use any name its certificate carries (tokens then name it as issuer): %s\n", strings.Join(srv.CertNames(), ", "))
	}
	fmt.Fprintf(stdout, "TEST CA, made at this start (trust it only to reach this emulator; it vouches for no token): %s\n%s", *caFile, srv.CertPEM())
	fmt.Fprintf(stdout, "try: cvmscope --platform sim -a %s --emulator-ca %s -o json\n", srv.URL(), *caFile)
	fmt.Fprintf(stdout, "     curl --cacert %s %s/certs\n", *caFile, srv.URL())
	<-ctx.Done()
	return 0
}

// defaultCAFile is where the test CA goes without --ca-file: the user's cache directory,
// else the temporary one.
func defaultCAFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "cvmscope", "maa-emulator-test-ca.pem")
}

// writeCA writes the CA certificate (public; 0644) through a temporary file, so a client
// never reads half of it.
func writeCA(path string, pemBytes []byte) error {
	fail := func(err error) error {
		return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("writing the test CA to %s: %v", path, err), "choose a writable path with --ca-file"),
			fmt.Sprintf("테스트 CA를 %s에 쓰지 못했습니다: %v", path, err), "--ca-file로 쓸 수 있는 경로를 고릅니다")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".maa-emulator-ca-*")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pemBytes); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}

// loadEmulatorCA reads --emulator-ca: PEM certificates, at least one a CA, for the provider
// named with -a, which must not be an Azure one.
func loadEmulatorCA(path, attestURL string) (*x509.CertPool, error) {
	bad := func(en, ko, hint, hintKO string) error {
		return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("--emulator-ca %s: %s", path, en), hint),
			fmt.Sprintf("--emulator-ca %s: %s", path, ko), hintKO)
	}
	const give, giveKO = "pass the CA file `cvmscope emulator` printed", "`cvmscope emulator`가 출력한 CA 파일을 넘깁니다"
	if attestURL == "" {
		return nil, bad("it is for the emulator named with -a URL; no -a was given", "-a URL로 지정한 에뮬레이터에 쓰는 옵션인데 -a가 없습니다",
			"add -a with the emulator's URL that `cvmscope emulator` printed, or drop --emulator-ca",
			"`cvmscope emulator`가 출력한 에뮬레이터 URL을 -a로 주거나, --emulator-ca를 뺍니다")
	}
	if maa.IsAzureHost(attestURL) {
		return nil, bad("-a names an Azure attestation provider, which a test CA must never vouch for", "-a가 Azure 증명 공급자를 가리킵니다. 테스트 CA로 Azure 공급자를 보증할 수는 없습니다",
			"drop --emulator-ca: an Azure provider's TLS is checked against the system's roots, as it must be",
			"--emulator-ca를 뺍니다. Azure 공급자의 TLS는 시스템 루트로 검증해야 합니다")
	}
	raw, err := regfile.Read(path, 1<<20)
	if err != nil {
		return nil, bad(err.Error(), readErrKO(err), give, giveKO)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := raw; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if b.Type != "CERTIFICATE" || err != nil || !c.IsCA {
			continue
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, bad("holds no PEM CA certificate", "PEM CA 인증서가 없습니다", give, giveKO)
	}
	return pool, nil
}
