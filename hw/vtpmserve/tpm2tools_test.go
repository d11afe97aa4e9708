package vtpmserve

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/hw/simcvm"
)

// tpm2tools runs a tpm2-tools command against the server through the given TCTI.
func tpm2tools(t *testing.T, tcti string, srv *Server, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(args[0]); err != nil {
		t.Skipf("%s not installed (apt-get install tpm2-tools; .ci/run installs it)", args[0])
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TPM2TOOLS_TCTI="+tcti+":host=127.0.0.1,port="+strconv.Itoa(srv.Port()))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s (TCTI %s): %v\n%s", strings.Join(args, " "), tcti, err, out)
	}
	return string(out)
}

// TestTPM2Tools reads the whole 2600-byte report (tpm2_nvread reads it in
// TPM_PT_NV_BUFFER_MAX chunks with offsets), the AK certificate and the AK through both
// tpm2-tss TCTIs, and writes user data that the next report binds.
func TestTPM2Tools(t *testing.T) {
	cvm, srv := serveCVM(t)
	dir := t.TempDir()
	for _, tcti := range []string{"mssim", "swtpm"} {
		report := filepath.Join(dir, tcti+"-report.bin")
		tpm2tools(t, tcti, srv, "tpm2_nvread", "-C", "o", "-o", report, "0x01400001")
		if got, _ := os.ReadFile(report); !bytes.Equal(got, cvm.Report()) {
			t.Fatalf("%s: tpm2_nvread 0x01400001 read %d bytes, not the paravisor's report", tcti, len(got))
		}
		cert := filepath.Join(dir, tcti+"-akcert.der")
		tpm2tools(t, tcti, srv, "tpm2_nvread", "-C", "o", "-o", cert, "0x01C101D0")
		if got, _ := os.ReadFile(cert); !bytes.Equal(got, cvm.AKCert()) {
			t.Fatalf("%s: tpm2_nvread 0x01C101D0 is not the AK certificate", tcti)
		}
		out := tpm2tools(t, tcti, srv, "tpm2_readpublic", "-c", "0x81000003")
		if !strings.Contains(out, "sign") || !strings.Contains(out, "restricted") {
			t.Fatalf("%s: tpm2_readpublic 0x81000003 does not show a restricted signing key:\n%s", tcti, out)
		}
	}
	ud := filepath.Join(dir, "userdata.bin")
	os.WriteFile(ud, bytes.Repeat([]byte{0x5A}, simcvm.UserDataSize), 0o600)
	before := cvm.Report()
	tpm2tools(t, "mssim", srv, "tpm2_nvwrite", "-C", "o", "-i", ud, "0x01400002")
	report := filepath.Join(dir, "fresh.bin")
	tpm2tools(t, "mssim", srv, "tpm2_nvread", "-C", "o", "-o", report, "0x01400001")
	got, _ := os.ReadFile(report)
	if bytes.Equal(got, before) || !bytes.Contains(got, []byte(strings.Repeat("5A", simcvm.UserDataSize))) {
		t.Fatalf("after tpm2_nvwrite 0x01400002 the report does not carry the new user data")
	}
}
