package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/cvmscope/cvmscope/hw/tpm"
	"github.com/google/go-tpm-tools/client"
	legacy "github.com/google/go-tpm/legacy/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpm2/transport/tcp"
	"github.com/google/go-tpm/tpmutil"
	"google.golang.org/protobuf/proto"
)

// startVTPM runs `cvmscope vtpm` on a free port pair until the test ends.
func startVTPM(t *testing.T, args ...string) (vtpmRunning, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan vtpmRunning, 1)
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- runVTPM(ctx, append([]string{"--listen", "127.0.0.1:0", "--lang", "en"}, args...), &out, &errOut, func(r vtpmRunning) { ready <- r })
	}()
	var r vtpmRunning
	select {
	case r = <-ready:
	case code := <-done:
		cancel()
		t.Fatalf("cvmscope vtpm exited %d before listening:\n%s", code, errOut.String())
	}
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("cvmscope vtpm exited %d after Ctrl-C, want 0:\n%s", code, errOut.String())
		}
	})
	return r, &out
}

// TestVTPMTPM2ToolsInspect is issue 10's CI case: tpm2-tools reads the whole report, the AK,
// its certificate and a quote with its PCRs through `cvmscope vtpm`, a client fetches the VCEK
// from its IMDS emulator, and `cvmscope inspect` verifies what they read.
func TestVTPMTPM2ToolsInspect(t *testing.T) {
	for _, tool := range []string{"tpm2_nvread", "tpm2_readpublic", "tpm2_quote"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install tpm2-tools; .ci/run installs it)", tool)
		}
	}
	r, out := startVTPM(t)
	port := strconv.Itoa(r.TPM.Port())
	if !strings.Contains(out.String(), "mssim:host=127.0.0.1,port="+port) || !strings.Contains(out.String(), r.IMDSURL) || !strings.Contains(out.String(), r.MAAURL) {
		t.Fatalf("the banner does not name the TCTI, the IMDS and the MAA emulators:\n%s", out)
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port="+port)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	run("tpm2_nvread", "-C", "o", "-o", "report.bin", "0x01400001")
	run("tpm2_nvread", "-C", "o", "-o", "akcert.der", "0x01C101D0")
	run("tpm2_readpublic", "-c", "0x81000003", "-o", "ak.pub")
	// tpm2_quote's default outputs: TPMS_ATTEST, TPMT_SIGNATURE and the quoted PCR values.
	run("tpm2_quote", "-c", "0x81000003", "-l", "sha256:0,1,2,3,4,5,6,7", "-q", "c0ffee", "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs", "-g", "sha256")
	if b, _ := os.ReadFile(filepath.Join(dir, "report.bin")); !bytes.Equal(b, r.CVM.Report()) {
		t.Fatalf("tpm2_nvread read %d bytes of 0x01400001, not the paravisor's 2600-byte report", len(b))
	}
	req, _ := http.NewRequest("GET", r.IMDSURL+"/metadata/THIM/amd/certification", nil)
	req.Header.Set("Metadata", "true")
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("THIM from the IMDS emulator: %v", err)
	}
	thim, _ := io.ReadAll(rsp.Body)
	rsp.Body.Close()
	os.WriteFile(filepath.Join(dir, "thim.json"), thim, 0o600)

	files := []string{"report.bin", "akcert.der", "ak.pub", "quote.msg", "quote.sig", "quote.pcrs", "thim.json"}
	args := []string{"inspect", "--trust-simulated", "-o", "json", r.EventLog}
	for _, f := range files {
		args = append(args, filepath.Join(dir, f))
	}
	var stdout, stderr bytes.Buffer
	if code := Main(args, &stdout, &stderr); code != 0 {
		t.Fatalf("cvmscope inspect of what tpm2-tools read exited %d:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var res struct {
		Checks []struct{ ID, Verdict string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	passed := map[string]bool{}
	for _, c := range res.Checks {
		if c.Verdict == "pass" {
			passed[c.ID] = true
		}
	}
	for _, id := range []string{"hcl.binding", "snp.signature", "snp.chain", "ak.binding", "ak.certificate", "tpm.quote.signature", "tpm.quote.pcr-digest", "eventlog.replay"} {
		if !passed[id] {
			t.Errorf("inspect did not pass %s on what tpm2-tools read; checks: %+v", id, res.Checks)
		}
	}
}

func TestVTPMRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--sim-tee", "sgx"}, {"--listen", "0.0.0.0:2321"}, {"--imds-listen", "10.0.0.1:80"}, {"extra"}} {
		var out, errOut bytes.Buffer
		if code := runVTPM(context.Background(), args, &out, &errOut, nil); code != 1 {
			t.Errorf("cvmscope vtpm %v exited %d, want 1:\n%s", args, code, errOut.String())
		}
		if errOut.Len() == 0 {
			t.Errorf("cvmscope vtpm %v said nothing on stderr", args)
		}
	}
}

// TestVTPMNamespaceIMDS runs the README's recipe for clients with a fixed IMDS address: in a
// network namespace whose lo carries 169.254.169.254, `cvmscope vtpm --imds-listen
// 169.254.169.254:80` serves THIM at the address such clients hard-code, and the vTPM on
// the namespace's loopback; SIGTERM stops it with exit 0. It needs root and iproute2 and
// skips without them.
func TestVTPMNamespaceIMDS(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root for a network namespace (ip netns)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2's ip for a network namespace")
	}
	ns := "cvmscope-test-" + strconv.Itoa(os.Getpid())
	if b, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v: %s", err, b)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	for _, args := range [][]string{{"link", "set", "lo", "up"}, {"addr", "add", "169.254.169.254/32", "dev", "lo"}} {
		if b, err := exec.Command("ip", append([]string{"netns", "exec", ns, "ip"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v in the namespace: %v: %s", args, err, b)
		}
	}
	// This test binary acts as cvmscope (TestMain) inside the namespace.
	srv := exec.Command("ip", "netns", "exec", ns, os.Args[0], "vtpm", "--listen", "127.0.0.1:2321", "--imds-listen", "169.254.169.254:80", "--lang", "en")
	srv.Env = append(os.Environ(), "CVMSCOPE_TEST_AS_MAIN=1")
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	srv.Stderr = &stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	banner := make(chan string, 1)
	go func() {
		b := make([]byte, 0, 4096)
		buf := make([]byte, 512)
		for {
			n, err := stdout.Read(buf)
			b = append(b, buf[:n]...)
			if strings.Contains(string(b), "Ctrl-C") || err != nil {
				banner <- string(b)
				io.Copy(io.Discard, stdout)
				return
			}
		}
	}()
	out := <-banner
	if !strings.Contains(out, "IMDS emulator http://169.254.169.254:80") {
		srv.Process.Kill()
		srv.Wait()
		t.Fatalf("cvmscope vtpm in the namespace did not serve IMDS at 169.254.169.254:80:\n%s\n%s", out, stderr.String())
	}
	client := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run", "^TestVTPMNamespaceClient$", "-test.v")
	client.Env = append(os.Environ(), "CVMSCOPE_VTPM_NETNS_CLIENT=1")
	b, err := client.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "--- PASS: TestVTPMNamespaceClient") {
		t.Errorf("the client in the namespace: %v\n%s", err, b)
	}
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Errorf("cvmscope vtpm after SIGTERM: %v, want exit 0\n%s", err, stderr.String())
	}
}

// TestVTPMNamespaceClient is TestVTPMNamespaceIMDS's client, run inside its namespace: THIM
// from the fixed IMDS address, the report from the vTPM on the namespace's loopback.
func TestVTPMNamespaceClient(t *testing.T) {
	if os.Getenv("CVMSCOPE_VTPM_NETNS_CLIENT") != "1" {
		t.Skip("runs inside TestVTPMNamespaceIMDS's network namespace")
	}
	req, _ := http.NewRequest("GET", "http://169.254.169.254/metadata/THIM/amd/certification", nil)
	req.Header.Set("Metadata", "true")
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("THIM at 169.254.169.254: %v", err)
	}
	defer rsp.Body.Close()
	var thim struct{ VcekCert, CertificateChain string }
	if err := json.NewDecoder(rsp.Body).Decode(&thim); err != nil || rsp.StatusCode != 200 || !strings.Contains(thim.VcekCert, "BEGIN CERTIFICATE") {
		t.Fatalf("THIM at 169.254.169.254: status %d, %v", rsp.StatusCode, err)
	}
	tp, err := tpm.Open(context.Background(), "mssim://127.0.0.1:2321")
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	report, err := tp.NVRead(context.Background(), tpm.NVHCLReport)
	if err != nil || len(report) != 2600 || string(report[:4]) != "HCLA" {
		t.Fatalf("HCL report from the vTPM in the namespace: %d bytes, %v", len(report), err)
	}
}

// rwTPM adapts go-tpm's transport to the io.ReadWriter go-tpm-tools' client takes (one Read
// returns the whole response).
type rwTPM struct {
	tr  transport.TPM
	rsp []byte
}

func (r *rwTPM) Write(p []byte) (int, error) {
	rsp, err := r.tr.Send(p)
	if err != nil {
		return 0, err
	}
	r.rsp = rsp
	return len(p), nil
}

func (r *rwTPM) Read(p []byte) (int, error) {
	if len(r.rsp) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.rsp)
	r.rsp = r.rsp[n:]
	return n, nil
}

// TestVTPMGoTPMToolsAttestInspect: go-tpm-tools' client makes its attestation message
// (client.Key.Attest: AK, quotes over every bank, event log) and reads the HCL report
// through `cvmscope vtpm` over go-tpm's mssim transport, as go-azguestattestation does, and
// `cvmscope inspect` verifies them.
func TestVTPMGoTPMToolsAttestInspect(t *testing.T) {
	r, _ := startVTPM(t)
	tr, err := tcp.Open(tcp.Config{CommandAddress: r.TPM.Addr(), PlatformAddress: r.TPM.PlatformAddr()})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.PowerOn(); err != nil {
		t.Fatal(err)
	}
	rw := &rwTPM{tr: tr}
	report, err := legacy.NVReadEx(rw, tpmutil.Handle(tpm.NVHCLReport), legacy.HandleOwner, "", 0)
	if err != nil {
		t.Fatalf("NVReadEx(0x01400001): %v", err)
	}
	cert, err := legacy.NVReadEx(rw, tpmutil.Handle(tpm.NVAKCert), legacy.HandleOwner, "", 0)
	if err != nil {
		t.Fatalf("NVReadEx(0x01C101D0): %v", err)
	}
	ak, err := client.LoadCachedKey(rw, tpmutil.Handle(tpm.HandleAK), client.NullSession{})
	if err != nil {
		t.Fatalf("LoadCachedKey(0x81000003): %v", err)
	}
	defer ak.Close()
	eventLog, err := os.ReadFile(r.EventLog)
	if err != nil {
		t.Fatal(err)
	}
	att, err := ak.Attest(client.AttestOpts{Nonce: []byte("go-tpm-tools through cvmscope vtpm"), TCGEventLog: eventLog})
	if err != nil {
		t.Fatalf("client.Key.Attest: %v", err)
	}
	att.AkCert = cert
	msg, err := proto.Marshal(att)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	req, _ := http.NewRequest("GET", r.IMDSURL+"/metadata/THIM/amd/certification", nil)
	req.Header.Set("Metadata", "true")
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	thim, _ := io.ReadAll(rsp.Body)
	rsp.Body.Close()
	files := map[string][]byte{"attestation.pb": msg, "report.bin": report, "thim.json": thim}
	args := []string{"inspect", "--trust-simulated", "-o", "json"}
	for name, b := range files {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		args = append(args, p)
	}
	var stdout, stderr bytes.Buffer
	if code := Main(args, &stdout, &stderr); code != 0 {
		t.Fatalf("cvmscope inspect of go-tpm-tools' attestation exited %d:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var res struct {
		Checks []struct{ ID, Verdict string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	passed := map[string]bool{}
	for _, c := range res.Checks {
		passed[c.ID] = passed[c.ID] || c.Verdict == "pass"
	}
	for _, id := range []string{"hcl.binding", "snp.signature", "ak.binding", "ak.certificate", "tpm.quote.signature", "tpm.quote.pcr-digest", "eventlog.replay"} {
		if !passed[id] {
			t.Errorf("inspect did not pass %s on go-tpm-tools' attestation; checks: %+v", id, res.Checks)
		}
	}
}

// TestVTPMChecksAddressesFirst: a listen address that will be refused is refused before
// the simulated CVM is provisioned or anything is written (--out is not even created).
func TestVTPMChecksAddressesFirst(t *testing.T) {
	for _, args := range [][]string{{"--imds-listen", "0.0.0.0:80"}, {"--imds-listen", "169.254.1.1:80"}, {"--maa-listen", "0.0.0.0:8443"}} {
		out := filepath.Join(t.TempDir(), "out")
		var stdout, stderr bytes.Buffer
		called := false
		code := runVTPM(context.Background(), append(args, "--listen", "127.0.0.1:0", "--out", out, "--lang", "en"), &stdout, &stderr, func(vtpmRunning) { called = true })
		if code != 1 || called || !strings.Contains(stderr.String(), args[0]) {
			t.Errorf("vtpm %v: exit %d, ready %v, stderr %q; want exit 1 naming %s", args, code, called, stderr.String(), args[0])
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("vtpm %v created --out before refusing the address", args)
		}
	}
	var stderr bytes.Buffer
	runVTPM(context.Background(), []string{"--imds-listen", "0.0.0.0:80", "--lang", "ko"}, io.Discard, &stderr, nil)
	if !strings.Contains(stderr.String(), "루프백") || !strings.Contains(stderr.String(), "조치 방법:") {
		t.Errorf("the refusal in Korean: %q", stderr.String())
	}
}

// TestVTPMInterruptedWhileStarting: Ctrl-C or SIGTERM while the simulated CVM is still
// being provisioned ends with exit 130 (nothing was served) and leaves no temporary
// directory behind; it used to start anyway, print the banner and exit 0.
func TestVTPMInterruptedWhileStarting(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, when := range []string{"before it starts", "once provisioned"} {
		ctx, cancel := context.WithCancel(context.Background())
		if when == "before it starts" {
			cancel()
		} else {
			vtpmProvisioned = cancel
		}
		var stdout, stderr bytes.Buffer
		called := false
		code := runVTPM(ctx, []string{"--listen", "127.0.0.1:0", "--lang", "en"}, &stdout, &stderr, func(vtpmRunning) { called = true })
		vtpmProvisioned = nil
		cancel()
		if code != 130 || called || strings.Contains(stdout.String(), "Ctrl-C stops it") || !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("interrupted %s: exit %d, ready %v; want 130, no banner and why\n%s\n%s", when, code, called, stdout.String(), stderr.String())
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, "cvmscope-vtpm-*")); len(left) > 0 {
			t.Errorf("interrupted %s: left %v", when, left)
		}
	}
}
