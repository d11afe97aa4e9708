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
	"testing"
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
